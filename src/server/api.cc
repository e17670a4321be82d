#include "api.h"

#include <sodium.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <algorithm>
#include <functional>
#include <iostream>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "ejournal/json_log.h"
#include "ejournal/worker_pool.h"
#include "args.h"
#include "auth.h"
#include "command_json.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/projections/accounts.h"
#include "hub.h"
#include "backup_ops.h"
#include "queries.h"

namespace ejournal::server {
namespace {

using namespace domain;
namespace json = boost::json;

std::string code_word(Code c) { return std::string(code_name(c)); }

// The operations api.cc answers itself; the rest are commands, queries and backup operations.
constexpr std::string_view kOwnOps[] = {"auth.login", "auth.resume", "auth.logout", "auth.change_password",
                                        "auth.unlock", "subscribe", "unsubscribe", "issue_credential"};

bool known_op(std::string_view op) {
  static const std::set<std::string, std::less<>> all = [] {
    const auto names = protocol_operations();
    return std::set<std::string, std::less<>>(names.begin(), names.end());
  }();
  return all.contains(op);
}

// Operations that may take long — a state replayed as of a past date, a report rendered, a chain verified
// from a printout's record to the head — wait in a queue of their own, so they never delay the quick reads
// that fill a school day (journal pages, diaries).
bool is_slow_query(std::string_view op, RequestKind kind) {
  return kind == RequestKind::as_of || op == "report.make" || op == "verify.digest";
}

}  // namespace

struct Api::State : std::enable_shared_from_this<Api::State> {
  Services& services;
  Metrics& metrics;
  ApiOptions options;
  Sessions sessions;
  Throttle throttle;
  Hub hub;
  std::atomic<bool> draining{false};
  std::mutex flight_mu;
  std::condition_variable flight_cv;
  int in_flight = 0;
  // Last: their threads stop first. Argon2id never runs on a network thread, nor does any query.
  WorkerPool queries;
  WorkerPool slow_queries;
  WorkerPool hashing;

  State(Services& s, Metrics& m, ApiOptions o)
      : services(s), metrics(m), options(o), sessions(o.session_idle),
        hub(s, m, [this](Client& c, const Topic& t) { return permit(c, t); }),
        queries(o.query_threads, o.max_query_queue), slow_queries(o.slow_query_threads, o.max_slow_query_queue),
        hashing(o.hashing_threads, o.max_hashing_queue) {
    throttle.free_failures = o.free_login_failures;
    throttle.lock_after = o.lock_after_failures;
  }

  // One request's answer, sent exactly once.
  struct Reply {
    std::shared_ptr<State> state;
    std::shared_ptr<Client> client;
    json::value id;
    std::string op;

    void ok(json::value result) const {
      client->send(json::serialize(json::object{{"id", id}, {"ok", true}, {"result", std::move(result)}}));
      state->finished();
    }
    void fail(const Status& s) const {
      state->metrics.error(code_word(s.code()));
      client->send(json::serialize(json::object{
          {"id", id}, {"ok", false}, {"error", json::object{{"code", code_word(s.code())}, {"message", s.message()}}}}));
      state->finished();
    }
  };

  void finished() {
    std::lock_guard lock(flight_mu);
    if (--in_flight == 0) flight_cv.notify_all();
  }

  std::optional<Caller> caller_of(UserId user) {
    return services.host.read<projections::AccountsProjection>("accounts", [&](const projections::AccountsProjection& a) {
      const projections::Account* acc = a.by_id(user);
      return acc == nullptr ? std::optional<Caller>() : std::optional<Caller>(Caller{user, *acc});
    });
  }

  // The connection's session: its user while the session lives. A session ended anywhere — signed out on
  // another connection, expired, ended by a password reset — signs this connection out too, at its next
  // request, and ends its subscriptions.
  enum class Session { none, ended, live };
  Session session_of(Client& c, UserId& user) {
    std::string token;
    {
      std::lock_guard lock(c.mu);
      user = c.user;
      token = c.token;
    }
    if (user == 0) return Session::none;
    if (sessions.resume(token) == user) return Session::live;
    {
      std::lock_guard lock(c.mu);
      if (c.token == token) {
        c.user = 0;
        c.token.clear();
        c.must_change_password = false;
      }
    }
    hub.forget(&c);
    user = 0;
    return Session::ended;
  }

  static Status busy_hashing() {
    return Status(Code::busy, "Сервер занят проверкой паролей: повторите через несколько секунд");
  }

  static Status not_signed_in(Session s) {
    return Status(Code::forbidden, s == Session::ended ? "Сеанс завершён: войдите снова" : "Сначала войдите в систему (auth.login)");
  }

  bool may_subscribe(const Caller& caller, const Topic& t) {
    switch (t.kind) {
      case Topic::Kind::journal: return may_read_journal(services, caller, t.class_id, t.group, t.subject);
      case Topic::Kind::diary: return may_read_diary(services, caller, t.student);
      case Topic::Kind::audit:
      case Topic::Kind::control: return is_manager(caller);
    }
    return false;
  }

  // The hub asks before it pushes: the subscriber's session must live, its account be open, and its rights
  // to the topic hold still (they are those of subscribe).
  Hub::Verdict permit(Client& c, const Topic& t) {
    std::string token;
    UserId user = 0;
    {
      std::lock_guard lock(c.mu);
      user = c.user;
      token = c.token;
    }
    if (user == 0 || sessions.peek(token) != user) return Hub::Verdict::signed_out;
    const auto caller = caller_of(user);
    if (!caller || caller->account.blocked) return Hub::Verdict::signed_out;
    return may_subscribe(*caller, t) ? Hub::Verdict::allowed : Hub::Verdict::forbidden;
  }

  bool take_token(Client& c) {
    std::lock_guard lock(c.mu);
    const auto now = std::chrono::steady_clock::now();
    if (c.refilled == std::chrono::steady_clock::time_point{}) c.tokens = options.request_burst;
    else c.tokens = std::min(options.request_burst,
                             c.tokens + std::chrono::duration<double>(now - c.refilled).count() * options.requests_per_second);
    c.refilled = now;
    if (c.tokens < 1) return false;
    c.tokens -= 1;
    return true;
  }

  void handle(const std::shared_ptr<Client>& client, std::string_view text) {
    {
      std::lock_guard lock(flight_mu);
      ++in_flight;
    }
    Reply reply{shared_from_this(), client, nullptr, ""};
    json::parse_options po;
    po.max_depth = 32;
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(text.data(), text.size()), ec, {}, po);
    if (ec) return reply.fail(Status(Code::invalid_argument, "Запрос — не JSON: " + ec.message()));
    if (!v.is_object()) return reply.fail(Status(Code::invalid_argument, "Запрос должен быть объектом JSON"));
    json::object& req = v.get_object();
    if (const json::value* id = req.if_contains("id"); id != nullptr && (id->is_string() || id->is_number())) reply.id = *id;
    else return reply.fail(Status(Code::invalid_argument, "Поле «id»: обязательно (число или строка)"));
    const json::value* op = req.if_contains("op");
    if (op == nullptr || !op->is_string()) return reply.fail(Status(Code::invalid_argument, "Поле «op»: обязательно (строка)"));
    reply.op = std::string(op->get_string());
    static const json::object kNoArgs;
    const json::value* args_v = req.if_contains("args");
    if (args_v != nullptr && !args_v->is_object() && !args_v->is_null())
      return reply.fail(Status(Code::invalid_argument, "Поле «args»: ожидается объект"));
    const json::object& args = args_v != nullptr && args_v->is_object() ? args_v->get_object() : kNoArgs;
    if (!take_token(*client)) return reply.fail(Status(Code::busy, "Слишком много запросов: повторите чуть позже"));
    if (draining.load()) return reply.fail(Status(Code::unavailable, "Сервер останавливается: повторите запрос позже"));
    // Counted by name only when the operation exists: a client's made-up names must not grow /metrics.
    metrics.request(known_op(reply.op) ? reply.op : "unknown");

    if (reply.op.rfind("auth.", 0) == 0) return auth(reply, args);
    UserId user = 0;
    if (const Session session = session_of(*client, user); session != Session::live) return reply.fail(not_signed_in(session));
    bool must_change = false;
    {
      std::lock_guard lock(client->mu);
      must_change = client->must_change_password;
    }
    if (must_change) return reply.fail(Status(Code::forbidden, "Смените одноразовый пароль (auth.change_password)"));
    auto caller = caller_of(user);
    if (!caller || caller->account.blocked) return reply.fail(Status(Code::forbidden, "Учётная запись заблокирована"));

    if (reply.op == "subscribe" || reply.op == "unsubscribe") return subscription(reply, *caller, args);
    if (reply.op == "issue_credential") return issue_credential(reply, *caller, req, args);
    if (auto command = command_from_json(reply.op, args)) {
      if (!command->ok()) return reply.fail(command->status());
      return execute(reply, *caller, req, std::move(**command));
    }
    const auto started = std::chrono::steady_clock::now();
    const json::value* as_of = args.if_contains("as_of");
    const RequestKind kind = as_of != nullptr && !as_of->is_null() ? RequestKind::as_of : RequestKind::query;
    WorkerPool& pool = is_slow_query(reply.op, kind) ? slow_queries : queries;
    auto job = [self = shared_from_this(), reply, caller = *caller, args = json::object(args), kind, started] {
      self->answer_query(reply, caller, args, kind, started);
    };
    // Read your writes: a query runs once the projections hold this connection's acknowledged writes.
    // Usually they do already; otherwise the host posts it when they do, and no thread waits meanwhile.
    std::uint64_t last_write = 0;
    {
      std::lock_guard lock(client->mu);
      last_write = client->last_write;
    }
    if (last_write > services.host.applied()) {
      services.host.when_applied(last_write, [self = shared_from_this(), &pool, reply, job = std::move(job)]() mutable {
        if (!pool.try_post(std::move(job))) reply.fail(busy_queries());
      });
      return;
    }
    if (!pool.try_post(std::move(job))) reply.fail(busy_queries());
  }

  static Status busy_queries() {
    return Status(Code::busy, "Сервер занят: слишком много запросов ждут ответа, повторите через несколько секунд");
  }

  // A query, on a thread of its pool.
  void answer_query(const Reply& reply, const Caller& caller, const json::object& args, RequestKind kind,
                    std::chrono::steady_clock::time_point started) {
    Args a(args);
    std::optional<Result<json::value>> result;
    try {
      // Queries only read: a fault in one (a bug) cannot have changed anything, so it is answered and logged
      // rather than allowed to take the server down with every other connection.
      result = run_backup_op(services, caller, reply.op, a);
      if (!result) result = run_query(services, caller, reply.op, a);
    } catch (const std::exception& e) {
      jlog::error("query failed", {{"op", reply.op}, {"what", e.what()}});
      return reply.fail(Status(Code::internal, "Внутренняя ошибка сервера при ответе на запрос; она записана в журнал сервера"));
    }
    if (result) {
      metrics.request_latency(kind, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (!result->ok()) return reply.fail(result->status());
      return reply.ok(std::move(**result));
    }
    reply.fail(Status(Code::not_found, "Неизвестная операция «" + reply.op + "»"));
  }

  // The log's command id for a client's: BLAKE2b-128 of (user, the client's id), so users never collide.
  static Result<log::CommandId> command_id(UserId user, const json::object& req) {
    const json::value* v = req.if_contains("command_id");
    if (v == nullptr || !v->is_string() || v->get_string().size() < 8 || v->get_string().size() > 128)
      return Status(Code::invalid_argument, "Поле «command_id»: обязательно для записи (строка 8–128 символов, например UUID)");
    const std::string material = std::to_string(user) + ":" + std::string(v->get_string());
    log::CommandId id;
    crypto_generichash(id.bytes.data(), id.bytes.size(), reinterpret_cast<const unsigned char*>(material.data()), material.size(), nullptr, 0);
    return id;
  }

  void execute(const Reply& reply, const Caller& caller, const json::object& req, Command command) {
    auto id = command_id(caller.id, req);
    if (!id.ok()) return reply.fail(id.status());
    const auto started = std::chrono::steady_clock::now();
    services.domain.execute_async(caller.id, *id, std::move(command), [reply, started](Result<Executed> r) {
      if (!r.ok()) return reply.fail(r.status());
      reply.state->metrics.request_latency(RequestKind::write, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      if (r->count > 0) {
        std::lock_guard lock(reply.client->mu);
        reply.client->last_write = std::max<std::uint64_t>(reply.client->last_write, r->first + r->count - 1);
      }
      reply.ok(json::object{{"position", r->first}, {"count", r->count}, {"recorded_at", r->recorded_at},
                            {"created", r->created}, {"duplicate", r->duplicate}});
    });
  }

  // An administrator issues a one-time password (generated here, shown once in the answer).
  void issue_credential(const Reply& reply, const Caller& caller, const json::object& req, const json::object& args) {
    Args a(args);
    const UserId user = a.id("user");
    if (!a.ok()) return reply.fail(a.status());
    auto id = command_id(caller.id, req);
    if (!id.ok()) return reply.fail(id.status());
    if (!hashing.try_post([self = shared_from_this(), reply, caller, user, cid = *id] {
      const std::string password = one_time_password();
      auto hash = hash_password(password);
      if (!hash.ok()) return reply.fail(hash.status());
      self->services.domain.execute_async(caller.id, cid, cmd::IssueCredential{user, *hash, true}, [reply, password, user](Result<Executed> r) {
        if (!r.ok()) return reply.fail(r.status());
        // A retried request cannot show the first password again: its hash is all the log has.
        reply.ok(json::object{{"user", user}, {"one_time_password", r->duplicate ? json::value() : json::value(password)},
                              {"duplicate", r->duplicate}});
        if (!r->duplicate) reply.state->sessions.revoke_user(user);
      });
    }))
      reply.fail(busy_hashing());
  }

  void subscription(const Reply& reply, const Caller& caller, const json::object& args) {
    Args a(args);
    if (reply.op == "unsubscribe") {
      const auto id = static_cast<std::uint64_t>(a.integer("subscription", 1, INT64_MAX));
      if (!a.ok()) return reply.fail(a.status());
      if (!hub.unsubscribe(reply.client.get(), id)) return reply.fail(Status(Code::not_found, "Нет такой подписки"));
      return reply.ok(json::object{{"subscription", id}});
    }
    Topic t;
    t.kind = static_cast<Topic::Kind>(a.choice("topic", {"journal", "diary", "audit", "control"}));
    if (!a.ok()) return reply.fail(a.status());
    switch (t.kind) {
      case Topic::Kind::journal:
        t.class_id = a.id("class_id");
        t.group = a.id_or0("group");
        t.subject = a.id("subject");
        break;
      case Topic::Kind::diary: t.student = a.id("student"); break;
      case Topic::Kind::audit:
      case Topic::Kind::control: break;
    }
    if (!a.ok()) return reply.fail(a.status());
    if (!may_subscribe(caller, t)) return reply.fail(Status(Code::forbidden, "Нет прав на эту подписку"));
    reply.ok(json::object{{"subscription", hub.subscribe(reply.client, t)}});
  }

  void auth(const Reply& reply, const json::object& args) {
    Args a(args);
    if (reply.op == "auth.login") {
      const std::string login = a.text("login"), password = a.text("password");
      if (a.ok() && (login.size() > 64 || password.size() > 512)) a.fail(login.size() > 64 ? "login" : "password", "слишком длинное");
      if (!a.ok()) return reply.fail(a.status());
      const std::string address = reply.client->address();
      const Throttle::Verdict v = throttle.begin(login, address);
      if (!v.allowed) {
        if (v.locked) return reply.fail(Status(Code::forbidden, "Вход заблокирован после многих неудачных попыток: обратитесь к администратору"));
        if (v.in_flight) return reply.fail(Status(Code::busy, "Предыдущая попытка входа ещё проверяется: повторите через секунду"));
        return reply.fail(Status(Code::busy, "Слишком много неудачных попыток: повторите через " + std::to_string(v.retry_after.count()) + " с"));
      }
      std::optional<projections::Account> account = services.host.read<projections::AccountsProjection>(
          "accounts", [&](const projections::AccountsProjection& p) {
            const projections::Account* x = p.by_login(login);
            return x == nullptr ? std::optional<projections::Account>() : std::optional<projections::Account>(*x);
          });
      const bool queued = hashing.try_post([self = shared_from_this(), reply, login, password, address, account] {
        // Verify even for an unknown login, so the answer's timing does not tell which logins exist.
        static const std::string kDummy = [] {
          auto h = hash_password("not-a-password-0");
          return h.ok() ? *h : std::string();
        }();
        const bool known = account && !account->password_hash.empty();
        const bool good = verify_password(known ? account->password_hash : kDummy, password) && known;
        self->throttle.end(login, address, !good ? Throttle::Outcome::failed
                                           : account->blocked ? Throttle::Outcome::none : Throttle::Outcome::succeeded);
        const UserId user = account ? account->id : 0;
        self->services.domain.execute_async(0, log::CommandId::random(), cmd::RecordLogin{user, login, address, good && !account->blocked},
                                            [](Result<Executed>) {});
        if (!good) return reply.fail(Status(Code::forbidden, "Неверный логин или пароль"));
        if (account->blocked) return reply.fail(Status(Code::forbidden, "Учётная запись заблокирована"));
        self->signed_in(reply, *account);
      });
      if (!queued) {
        throttle.end(login, address, Throttle::Outcome::none);
        return reply.fail(busy_hashing());
      }
      return;
    }
    if (reply.op == "auth.resume") {
      const std::string token = a.text("token");
      if (!a.ok()) return reply.fail(a.status());
      auto user = sessions.resume(token);
      auto caller = user ? caller_of(*user) : std::nullopt;
      if (!caller || caller->account.blocked) return reply.fail(Status(Code::forbidden, "Сеанс истёк: войдите снова"));
      bind(*reply.client, caller->id, token, caller->account.one_time);
      return reply.ok(session_json(token, *caller));
    }
    if (reply.op == "auth.logout") {
      std::string token;
      {
        std::lock_guard lock(reply.client->mu);
        token = std::move(reply.client->token);
        reply.client->user = 0;
        reply.client->token.clear();
      }
      if (!token.empty()) sessions.revoke(token);
      hub.forget(reply.client.get());
      return reply.ok(json::object{});
    }
    if (reply.op == "auth.change_password") {
      const std::string old_password = a.text("old_password"), password = a.text("new_password");
      if (!a.ok()) return reply.fail(a.status());
      UserId user = 0;
      if (const Session session = session_of(*reply.client, user); session != Session::live) return reply.fail(not_signed_in(session));
      if (auto s = check_password_strength(password); !s.ok()) return reply.fail(s);
      if (password == old_password) return reply.fail(Status(Code::invalid_argument, "Новый пароль совпадает со старым"));
      auto caller = caller_of(user);
      if (!caller) return reply.fail(Status(Code::forbidden, "Нет такой учётной записи"));
      if (!hashing.try_post([self = shared_from_this(), reply, caller = *caller, old_password, password] {
        if (!verify_password(caller.account.password_hash, old_password)) return reply.fail(Status(Code::forbidden, "Неверный текущий пароль"));
        auto hash = hash_password(password);
        if (!hash.ok()) return reply.fail(hash.status());
        self->services.domain.execute_async(
            caller.id, log::CommandId::random(), cmd::ChangePassword{caller.id, *hash}, [self, reply](Result<Executed> r) {
              if (!r.ok()) return reply.fail(r.status());
              {
                std::lock_guard lock(reply.client->mu);
                reply.client->must_change_password = false;
              }
              // Answer once the accounts view knows the new password, so that a session resumed on another
              // connection right after (a page reload) is no longer held to the one-time password. The wait
              // runs on the hashing pool: the log's writer thread, which runs this callback, must not block.
              const log::Position last = r->first + r->count - 1;
              self->hashing.post([self, reply, last] {
                self->services.host.wait_applied(last, std::chrono::seconds(2));
                reply.ok(json::object{{"changed", true}});
              });
            });
      }))
        reply.fail(busy_hashing());
      return;
    }
    if (reply.op == "auth.unlock") {
      const std::string login = a.text("login");
      if (!a.ok()) return reply.fail(a.status());
      UserId user = 0;
      session_of(*reply.client, user);
      auto caller = user != 0 ? caller_of(user) : std::nullopt;
      if (!caller || !caller->account.has(Role::Administrator)) return reply.fail(Status(Code::forbidden, "Снимает блокировку входа администратор"));
      throttle.unlock(login);
      return reply.ok(json::object{{"login", login}});
    }
    reply.fail(Status(Code::not_found, "Неизвестная операция «" + reply.op + "»"));
  }

  // The connection now acts as `user`. Subscriptions made as someone else end.
  void bind(Client& c, UserId user, const std::string& token, bool one_time) {
    UserId before = 0;
    {
      std::lock_guard lock(c.mu);
      before = c.user;
      c.user = user;
      c.token = token;
      c.must_change_password = one_time;
    }
    if (before != user) hub.forget(&c);
  }

  void signed_in(const Reply& reply, const projections::Account& account) {
    const std::string token = sessions.create(account.id);
    bind(*reply.client, account.id, token, account.one_time);
    reply.ok(session_json(token, Caller{account.id, account}));
  }

  json::value session_json(const std::string& token, const Caller& caller) {
    json::object out{{"token", token}, {"account", describe_caller(services, caller)}};
    return out;
  }
};

std::vector<std::string> protocol_operations() {
  std::vector<std::string> out(std::begin(kOwnOps), std::end(kOwnOps));
  for (const std::vector<std::string>& list : {command_ops(), query_ops(), backup_ops()})
    out.insert(out.end(), list.begin(), list.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Api::Api(Services& services, Metrics& metrics, ApiOptions options)
    : state_(std::make_shared<State>(services, metrics, options)) {}

Api::~Api() { stop(std::chrono::seconds(5)); }

void Api::handle(const std::shared_ptr<Client>& client, std::string_view text) { state_->handle(client, text); }

void Api::closed(const std::shared_ptr<Client>& client) { state_->hub.forget(client.get()); }

std::string Api::open_session(UserId user) { return state_->sessions.create(user); }

bool Api::session_live(const std::string& token) const { return state_->sessions.peek(token).has_value(); }

void Api::stop(std::chrono::milliseconds timeout) {
  state_->draining.store(true);
  {
    std::unique_lock lock(state_->flight_mu);
    state_->flight_cv.wait_for(lock, timeout, [&] { return state_->in_flight == 0; });
  }
  // Jobs and the hub's thread may hold the state past this point; they must not outlive the services.
  state_->queries.stop();
  state_->slow_queries.stop();
  state_->hashing.stop();
  state_->hub.stop();
}

}  // namespace ejournal::server
