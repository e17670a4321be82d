#include "ejournal/domain/domain.h"

#include <unistd.h>

#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ejournal/json_log.h"
#include "ejournal/log/snapshot_frame.h"
#include "ejournal/wake_loop.h"

#include "domain/decide.h"
#include "domain/request_digest.h"
#include "domain/sealed_vault.h"
#include "domain/write_model.h"

namespace ejournal::domain {

struct Domain::State {
  State(log::EventLog& l, PersonalDataVault& v, DomainOptions o) : log(l), vault(v), options(o) {}

  log::EventLog& log;
  PersonalDataVault& vault;
  const DomainOptions options;
  Opened opened;

  std::mutex decide_mu;  // guards model; held while deciding and queueing, never while waiting for a sync
  WriteModel model;

  // Commands decided and queued but not yet durable, with the retries waiting for them. Guarded by
  // inflight_mu (taken by callbacks on the writer thread, so never held while calling into the log).
  struct InFlight {
    std::uint32_t created = 0;
    std::uint64_t request = 0;  // digest of the request it answers
    std::vector<ExecuteCallback> waiters;
  };
  std::mutex inflight_mu;
  std::unordered_map<log::CommandId, InFlight> inflight;

  std::atomic<bool> failed{false};

  // Snapshots of the model (see domain.h): the newest one's position, and the thread that writes them.
  std::mutex snapshot_mu;                  // one writer at a time; guards snapshot_at
  log::Position snapshot_at = log::kNoPosition;
  std::atomic<std::uint64_t> committed{0};  // events committed since the last snapshot was asked for
  std::unique_ptr<WakeLoop> snapshotter;    // when snapshot_every > 0

  // Called by the writer thread after each commit: cheap, it only counts and wakes the snapshot thread.
  void count_committed(std::uint32_t events) {
    if (!snapshotter) return;
    if (committed.fetch_add(events) + events < options.snapshot_every) return;
    committed.store(0);
    snapshotter->wake();
  }

  Status write_snapshot();

  // The snapshot thread's step: tries until no command is in flight at the moment of asking (a busy school
  // has gaps of milliseconds), for up to two seconds; the next 100,000 events ask again.
  void write_snapshot_soon() {
    Status s = Status(Code::busy, "");
    for (int attempt = 0; attempt < 200 && s.code() == Code::busy; ++attempt) {
      s = write_snapshot();
      if (s.code() == Code::busy) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!s.ok() && s.code() != Code::busy) jlog::warn("cannot write the write model's snapshot", {{"error", s.to_string()}});
  }
};

namespace {
constexpr std::string_view kSnapshotName = "domain";
constexpr std::size_t kKeepSnapshots = 2;
}  // namespace

Status Domain::State::write_snapshot() {
  std::lock_guard one_writer(snapshot_mu);
  const auto started = std::chrono::steady_clock::now();
  std::optional<WriteModel::Frozen> frozen;
  log::Position at = log::kNoPosition;
  {
    std::lock_guard decide_lock(decide_mu);
    if (failed.load()) return Status(Code::unavailable, "the model is ahead of the log after a failed write");
    {
      std::lock_guard lock(inflight_mu);
      if (!inflight.empty()) return Status(Code::busy, "commands are in flight");
    }
    // Nothing decided is in flight and nothing can be decided meanwhile: the model is the log up to its head.
    at = log.head();
    if (at == snapshot_at || at == log::kNoPosition) return Status::OK();
    frozen = model.freeze();
  }
  const double held = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const std::string raw = WriteModel::encode(std::move(*frozen));
  frozen.reset();
  auto& store = log.snapshot_store();
  const std::string framed = log::frame_snapshot(at, raw);
  if (auto s = store.put(kSnapshotName, at, framed); !s.ok()) return s;
  snapshot_at = at;
  // How long deciding waited (`held`) is what a teacher could notice: said in the server's log.
  jlog::info("write model snapshot", {{"position", at}, {"held_seconds", held}, {"raw_bytes", raw.size()},
                                      {"stored_bytes", framed.size()},
                                      {"seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
  if (auto positions = store.positions(kSnapshotName); positions.ok() && positions->size() > kKeepSnapshots)
    for (std::size_t i = 0; i + kKeepSnapshots < positions->size(); ++i) (void)store.remove(kSnapshotName, (*positions)[i]);
  return Status::OK();
}

namespace {

std::uint32_t created_in(const std::vector<std::string_view>& events) {
  for (std::string_view bytes : events) {
    if (const std::uint32_t id = Domain::created_by(*log::envelope_of(bytes)); id != 0) return id;
  }
  return 0;
}

Executed executed_from(const log::AppendResult& r, std::uint32_t created) {
  return Executed{r.first, r.count, r.recorded_at, r.duplicate, created};
}

Status reused_id() {
  return Status(Code::conflict,
                "Идентификатор команды (command_id) уже использован для другого изменения: это изменение не "
                "записано; отправьте его с новым command_id");
}

// The outcome of a command already in the log, recovered from its stored events — or `conflict` when they
// answered another request. A first record without a digest (written before digests existed) is taken as
// the same request, as it always was.
Result<Executed> stored_outcome(const log::EventLog& log, const log::AppendResult& r, std::uint64_t request) {
  std::vector<log::StoredRecord> records;
  std::vector<std::string_view> views;
  for (std::uint32_t k = 0; k < r.count; ++k) {
    auto rec = log.read(r.first + k);
    if (!rec.ok()) return rec.status();
    records.push_back(std::move(*rec));
  }
  if (!records.empty()) {
    const std::uint64_t stored = log::request_digest_of(records.front().bytes);
    if (stored != 0 && stored != request) return reused_id();
  }
  for (const auto& rec : records) views.push_back(rec.bytes);
  return executed_from(r, created_in(views));
}


// Seals nothing and creates no keys: check() must leave no trace.
class DryRunVault final : public PersonalDataVault {
 public:
  Result<std::string> seal(DataSubject, UserId, const PersonalData&) override { return std::string(40, '\0'); }
  Result<PersonalData> open(DataSubject, UserId, std::string_view) const override {
    return Status(Code::unsupported, "dry run");
  }
  Status erase(DataSubject, UserId) override { return Status::OK(); }
  std::uint64_t request_digest(std::string_view) const override { return 1; }
};

// Who is acting, or the refusal for an unknown or blocked account.
Result<ActorView> actor_view(const WriteModel& model, UserId actor) {
  ActorView view{actor, nullptr};
  if (actor == 0) return view;
  view.user = model.user(actor);
  if (view.user == nullptr) return refuse(Code::forbidden, "Неизвестный пользователь");
  if (view.user->blocked) return refuse(Code::forbidden, "Учётная запись заблокирована");
  return view;
}

}  // namespace

std::uint32_t Domain::created_by(const fb::Envelope& e) {
  using E = fb::Event;
  switch (e.event_type()) {
    case E::AcademicYearOpened: return e.event_as_AcademicYearOpened()->year();
    case E::TermDefined: return e.event_as_TermDefined()->term();
    case E::ClassCreated: return e.event_as_ClassCreated()->class_id();
    case E::StudyGroupCreated: return e.event_as_StudyGroupCreated()->group();
    case E::SubjectCreated: return e.event_as_SubjectCreated()->subject();
    case E::WorkTypeDefined: return e.event_as_WorkTypeDefined()->work_type();
    case E::TeacherAssigned: return e.event_as_TeacherAssigned()->assignment();
    case E::TimetableEntrySet: return e.event_as_TimetableEntrySet()->entry();
    case E::AccountCreated: return e.event_as_AccountCreated()->user();
    case E::LessonScheduled: return e.event_as_LessonScheduled()->lesson();
    case E::MarkSet: return e.event_as_MarkSet()->mark();
    case E::CorrectionRequested: return e.event_as_CorrectionRequested()->request();
    default: return 0;
  }
}

Domain::Domain(std::unique_ptr<State> state) : state_(std::move(state)) {
  State* st = state_.get();
  if (st->options.snapshot_every > 0) st->snapshotter = std::make_unique<WakeLoop>([st] { st->write_snapshot_soon(); });
}

Domain::~Domain() {
  State& st = *state_;
  if (st.snapshotter) st.snapshotter->stop();
  if (!st.options.snapshot_at_close) return;
  // Commands still in flight finish first (their callbacks need the state); then the model is the log.
  for (int attempt = 0; attempt < 500; ++attempt) {
    const Status s = st.write_snapshot();
    if (s.code() != Code::busy) {
      if (!s.ok() && s.code() != Code::unavailable) jlog::warn("cannot write the write model's snapshot", {{"error", s.to_string()}});
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Status Domain::write_snapshot() { return state_->write_snapshot(); }
Domain::Opened Domain::opened() const { return state_->opened; }

Result<std::unique_ptr<Domain>> Domain::open(log::EventLog& log, PersonalDataVault& vault, DomainOptions options) {
  auto state = std::make_unique<State>(log, vault, options);
  const log::Position head = log.head();
  // The newest snapshot at or before the head that verifies and decodes; a damaged one is passed over with a
  // line in the server's log, and an older one or the whole log serves.
  if (options.from_snapshot) {
    auto s = log.snapshot_store().newest_first(kSnapshotName, head, [&](log::Position at, std::string_view bytes) {
      auto unframed = log::unframe_snapshot(bytes);
      Status restored = unframed.ok() ? (unframed->position == at ? state->model.restore(unframed->raw)
                                                                  : Status(Code::corruption, "its frame names another position"))
                                      : unframed.status();
      if (!restored.ok()) {
        jlog::warn("skipping a write model snapshot", {{"position", at}, {"error", restored.to_string()}});
        return false;
      }
      state->opened.snapshot = at;
      state->snapshot_at = at;
      return true;
    });
    if (!s.ok()) return s;
  }
  auto c = log.cursor(state->opened.snapshot + 1);
  for (; c->valid(); c->next()) {
    const fb::Envelope* env = c->envelope();
    state->model.apply(*env, static_cast<UserId>(env->header()->actor()));
    ++state->opened.replayed;
    if (env->event_type() == fb::Event::PersonalDataErased) {
      // The erasure is in the log; make sure the key is gone too (a crash may have come between the two).
      const auto* e = env->event_as_PersonalDataErased();
      if (auto s = vault.erase(e->subject_kind(), e->subject()); !s.ok()) return s;
    }
  }
  if (!c->status().ok()) return c->status();
  return std::unique_ptr<Domain>(new Domain(std::move(state)));
}

Result<Accepted> Domain::submit(UserId actor, const log::CommandId& id, Command command, ExecuteCallback done) {
  State& st = *state_;
  if (st.failed.load())
    return Status(Code::unavailable, "Журнал временно недоступен: ошибка записи, требуется перезапуск сервера");

  // Only the same actor sending the same command with the same arguments is a retry (request_digest.h).
  const std::uint64_t request = st.vault.request_digest(canonical_request(actor, command));
  std::unique_lock decide_lock(st.decide_mu);
  {
    // A retry of a command still in flight: answered together with the first, once it is durable.
    std::lock_guard lock(st.inflight_mu);
    if (auto it = st.inflight.find(id); it != st.inflight.end()) {
      if (it->second.request != request) return reused_id();
      it->second.waiters.push_back(std::move(done));
      return Accepted{it->second.created, true};
    }
  }
  // A retry of a command already durable: its first outcome, nothing decided again.
  auto found = st.log.find_command(id);
  if (!found.ok()) return found.status();
  if (found->has_value()) {
    decide_lock.unlock();
    auto outcome = stored_outcome(st.log, **found, request);
    if (!outcome.ok()) return outcome.status();
    const Accepted accepted{outcome->created, true};
    done(std::move(outcome));
    return accepted;
  }

  auto view = actor_view(st.model, actor);
  if (!view.ok()) return view.status();
  auto decision = decide(st.model, *view, command, st.vault);
  if (!decision.ok()) return decision.status();
  if (decision->events.empty() || !log::set_request_digest(decision->events.front(), request))
    return Status(Code::internal, "a decided command has no first event to carry its request digest");

  std::vector<std::pair<DataSubject, UserId>> erased;
  std::vector<std::string_view> events;
  for (const auto& draft : decision->events) {
    const fb::Envelope* e = log::envelope_of(draft.bytes);
    st.model.apply(*e, actor);
    events.push_back(draft.bytes);
    if (const auto* pd = e->event_as_PersonalDataErased()) erased.emplace_back(pd->subject_kind(), pd->subject());
  }
  const std::uint32_t created = created_in(events);
  {
    std::lock_guard lock(st.inflight_mu);
    st.inflight.emplace(id, State::InFlight{created, request, {}});
  }
  std::weak_ptr<State> weak = state_;
  st.log.append_async(
      log::AppendRequest{actor, id, std::move(decision->events)},
      [weak, id, created, erased = std::move(erased), done = std::move(done)](Result<log::AppendResult> r) {
        std::vector<ExecuteCallback> waiters;
        auto state = weak.lock();
        // The keys go before the command leaves the in-flight set: a snapshot of the model, which is taken
        // only when that set is empty, never precedes an erasure whose key is still there.
        if (state && r.ok()) {
          for (const auto& [kind, subject] : erased) (void)state->vault.erase(kind, subject);
          state->count_committed(r->count);
        }
        if (state) {
          std::lock_guard lock(state->inflight_mu);
          if (auto it = state->inflight.find(id); it != state->inflight.end()) {
            waiters = std::move(it->second.waiters);
            state->inflight.erase(it);
          }
        }
        if (!r.ok()) {
          // The model already holds this command's effects, which the log does not: stop deciding.
          if (state) state->failed.store(true);
          // Said so that a teacher knows the mark is not saved and whom to tell; the log's reason follows.
          const Status failed(r.status().code(), "Запись не сохранена: ошибка записи на диск сервера, сообщите "
                                                 "администратору (" + r.status().message() + ")");
          done(failed);
          for (auto& w : waiters) w(failed);
          return;
        }
        done(executed_from(*r, created));
        for (auto& w : waiters) {
          Executed again = executed_from(*r, created);
          again.duplicate = true;
          w(again);
        }
      });
  return Accepted{created, false};
}

void Domain::execute_async(UserId actor, const log::CommandId& id, Command command, ExecuteCallback done) {
  auto shared = std::make_shared<ExecuteCallback>(std::move(done));
  auto accepted = submit(actor, id, std::move(command), [shared](Result<Executed> r) { (*shared)(std::move(r)); });
  if (!accepted.ok()) (*shared)(accepted.status());
}

Status Domain::check(UserId actor, const Command& command) const {
  State& st = *state_;
  std::lock_guard lock(st.decide_mu);
  auto view = actor_view(st.model, actor);
  if (!view.ok()) return view.status();
  DryRunVault vault;
  return decide(st.model, *view, command, vault).status();
}

Result<Executed> Domain::execute(UserId actor, const log::CommandId& id, Command command) {
  std::promise<Result<Executed>> promise;
  auto future = promise.get_future();
  execute_async(actor, id, std::move(command), [&promise](Result<Executed> r) { promise.set_value(std::move(r)); });
  return future.get();
}

namespace {

// The name of a wrapped subject key in `keys`, if there is one (the check value is not a subject's key).
std::optional<std::string> sample_key(const std::vector<std::pair<std::string, std::string>>& keys) {
  for (const auto& [name, wrapped] : keys)
    if (name != SealedVault::kCheckName) return name;
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<PersonalDataVault>> open_vault(const std::string& dir, log::EventLog& log) {
  auto wrapped = log.wrapped_keys();
  if (!wrapped.ok()) return wrapped.status();
  auto vault = SealedVault::open(dir, log.key_store(), sample_key(*wrapped));
  if (!vault.ok()) return vault.status();
  return std::unique_ptr<PersonalDataVault>(std::move(vault.value()));
}

namespace {

// The wrapped keys as a reader found them; nothing is written.
class FrozenKeys final : public log::KeyStore {
 public:
  explicit FrozenKeys(std::vector<std::pair<std::string, std::string>> keys) : keys_(keys.begin(), keys.end()) {}
  Result<std::optional<std::string>> get(std::string_view name) const override {
    const auto found = keys_.find(std::string(name));
    if (found == keys_.end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  }
  Status put(std::string_view, std::string_view) override { return Status(Code::unsupported, "a vault opened for reading"); }
  Status destroy(std::string_view) override { return Status(Code::unsupported, "a vault opened for reading"); }

 private:
  std::map<std::string, std::string> keys_;
};

class ReadingVault final : public PersonalDataVault {
 public:
  ReadingVault(std::unique_ptr<FrozenKeys> keys, std::unique_ptr<SealedVault> vault) : keys_(std::move(keys)), vault_(std::move(vault)) {}
  Result<std::string> seal(DataSubject, UserId, const PersonalData&) override {
    return Status(Code::unsupported, "a vault opened for reading seals nothing");
  }
  Result<PersonalData> open(DataSubject kind, UserId subject, std::string_view sealed) const override {
    return vault_->open(kind, subject, sealed);
  }
  Status erase(DataSubject, UserId) override { return Status(Code::unsupported, "a vault opened for reading erases nothing"); }
  std::uint64_t request_digest(std::string_view canonical) const override { return vault_->request_digest(canonical); }

 private:
  std::unique_ptr<FrozenKeys> keys_;  // before vault_: the vault points into it
  std::unique_ptr<SealedVault> vault_;
};

}  // namespace

Result<std::unique_ptr<PersonalDataVault>> open_vault_for_reading(const std::string& dir, const log::LogReader& reader) {
  if (::access((dir + "/master.key").c_str(), F_OK) != 0) return Status(Code::not_found, dir + "/master.key is missing");
  auto wrapped = reader.wrapped_keys();
  if (!wrapped.ok()) return wrapped.status();
  const auto sample = sample_key(*wrapped);
  auto keys = std::make_unique<FrozenKeys>(std::move(*wrapped));
  auto vault = SealedVault::open(dir, *keys, sample);
  if (!vault.ok()) return vault.status();
  return std::unique_ptr<PersonalDataVault>(std::make_unique<ReadingVault>(std::move(keys), std::move(vault.value())));
}

Result<VaultCheck> check_vault(const std::string& dir, const log::LogReader& reader) {
  auto wrapped = reader.wrapped_keys();
  if (!wrapped.ok()) return wrapped.status();
  VaultCheck out;
  if (wrapped->empty() && ::access((dir + "/master.key").c_str(), F_OK) != 0) return out;  // nothing recorded yet
  FrozenKeys keys(*wrapped);
  auto vault = SealedVault::open(dir, keys, sample_key(*wrapped));
  if (!vault.ok()) return vault.status();
  for (const auto& [name, bytes] : *wrapped) {
    if (name == SealedVault::kCheckName) {
      out.has_check_value = true;
      continue;
    }
    ++out.keys;
    if (auto s = (*vault)->check_key(name); !s.ok()) {
      if (out.problems.size() < 20) out.problems.push_back(s.message());
      ++out.bad;
    }
  }
  return out;
}

}  // namespace ejournal::domain
