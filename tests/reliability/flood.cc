// Floods and slow clients (issue #23, part 7): the real ejournald, two honest teachers working at a steady
// pace (a journal page, then a mark, ten times a second each), and then, all at once for a while:
//   - many idle connections (each asks one thing, then holds its socket open),
//   - subscribers that never read while the teachers' marks are pushed to them,
//   - garbage frames of every kind (not JSON, not objects, wrong types, too deep, too big, invalid UTF-8),
//   - a sign-in brute force over many logins from many addresses (127.0.0.2 … on loopback).
// Then the flood stops and the teachers go on a little longer.
//
//   flood [--connections N] [--silent K] [--seconds S] [--seed X]     (make test: --connections 400 --silent 16
//                                                                       --seconds 3; by hand: --connections 2000
//                                                                       --silent 100 --seconds 20)
// Checks: every honest request is answered ok, before, during and after; the server stays up and answers every
// frame it reads, closing the connections that break the protocol; its memory during the flood stays within
// the bound its limits give (the idle connections' and the never-reading clients' queues, at most
// --max-queued-bytes each); each guess is answered, the guesses past the free ones are slowed (`busy`), the
// guesses at the one real login among them are slowed too (after its free ones each waits 2, 4, 8 … s, so a
// lock, at 10, takes minutes), and every guess the server checked is recorded in the log (LoginFailed).
// It reports, and does not judge (a test never times things), the honest clients' p50/p99 before, during and
// after, and the sign-in of an honest user while the brute force runs.
// Prints one JSON line; exit 0 when every check holds, 1 otherwise, 2 when it cannot run.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "child_process.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/event_log.h"
#include "school.h"
#include "ws_client.h"

using namespace ejournal;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kPassword = "Пароль-для-проверки-1";
constexpr std::size_t kMaxQueued = 256 * 1024;  // ejournald --max-queued-bytes for this run

// Under AddressSanitizer the server's RSS holds the sanitizer's shadow memory and the quarantine of freed
// blocks (hundreds of MB), not what the server keeps: reported, not judged.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kJudgeMemory = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kJudgeMemory = false;
#else
constexpr bool kJudgeMemory = true;
#endif
#else
constexpr bool kJudgeMemory = true;
#endif

int fail(const std::string& what) {
  std::cerr << "flood: " << what << "\n";
  return 2;
}

bool ok(const json::value& v) { return v.is_object() && v.as_object().contains("ok") && v.at("ok").as_bool(); }
std::string code(const json::value& v) {
  if (ok(v)) return "ok";
  const auto* e = v.is_object() ? v.as_object().if_contains("error") : nullptr;
  return e != nullptr && e->is_object() && e->as_object().contains("code") ? std::string(e->at("code").as_string()) : "?";
}

// A /metrics series' value ("name value" line), or -1.
double metric(std::uint16_t port, const std::string& name) {
  const auto page = testkit::http_get(port, "/metrics").body;
  const auto at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

// Frames that break the protocol one way or another.
std::vector<std::string> garbage(std::mt19937_64& rng) {
  std::vector<std::string> out = {
      "", "{", "[]", "null", "42", "\"text\"", R"({"op":"me"})", R"({"id":1})", R"({"id":1,"op":5})",
      R"({"id":[1],"op":"me"})", R"({"id":1,"op":"me","args":[1]})", R"({"id":1,"op":"me","args":"x"})",
      R"({"id":1e400,"op":"me"})", R"({"id":1,"op":"no.such.operation"})", R"({"id":1,"op":"set_mark","args":{}})",
      R"({"id":1,"op":"auth.login","args":{"login":1,"password":null}})",
      std::string(40, '[') + std::string(40, ']'),  // deeper than the parser allows
      R"({"id":1,"op":"auth.login","args":{"login":")" + std::string(10'000, 'x') + R"(","password":"p"}})",
      std::string(2 << 20, 'x'),   // past --max-frame-bytes: the connection is closed
      "\xff\xfe\xfd not UTF-8",    // a text frame that is not UTF-8: the connection is closed
  };
  for (int i = 0; i < 20; ++i) {  // random bytes, printable or not
    std::string r(std::uniform_int_distribution<int>(1, 300)(rng), '\0');
    for (char& c : r) c = static_cast<char>(std::uniform_int_distribution<int>(i % 2 == 0 ? 32 : 0, i % 2 == 0 ? 126 : 255)(rng));
    out.push_back(r);
  }
  return out;
}

struct Honest {
  std::mutex mu;
  std::vector<double> ms[3];  // by phase: before, during, after
  std::uint64_t failed = 0;
  std::string first_failure;
};

}  // namespace

int main(int argc, char** argv) {
  int connections = 400, silent = 16, seconds = 3;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--connections") connections = std::stoi(argv[i + 1]);
    else if (a == "--silent") silent = std::stoi(argv[i + 1]);
    else if (a == "--seconds") seconds = std::stoi(argv[i + 1]);
    else if (a == "--seed") seed = std::stoull(argv[i + 1]);
    else return fail("unknown option " + a);
  }
  std::mt19937_64 rng(seed);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < static_cast<rlim_t>(connections + silent + 200)) return fail("too few file descriptors");

  testkit::School s;
  auto hash = domain::hash_password(kPassword);
  if (!hash.ok()) return fail("cannot hash the password");
  for (domain::UserId u : {s.teacher_a, s.teacher_b, s.parent_a1, s.parent_b1, s.director, s.deputy})
    s.must(s.admin, domain::cmd::IssueCredential{u, *hash, false});
  const std::string data = s.data_dir();
  s.close();

  testkit::ChildProcess server(EJOURNALD_PATH, {"--data", data, "--listen", "127.0.0.1:0", "--max-queued-bytes",
                                                std::to_string(kMaxQueued), "--max-connections",
                                                std::to_string(connections + silent + 100)});
  std::string line;
  if (!server.read_line(line, 60'000)) return fail("ejournald did not start");
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));

  // The honest teachers: a page, then a mark, every 50 ms, each on a connection of its own.
  std::atomic<int> phase{0};
  std::atomic<bool> stop{false};
  Honest honest;
  std::atomic<std::uint64_t> marks{0};
  auto teacher = [&](const std::string& login, domain::ClassId klass, domain::LessonId lesson, std::vector<domain::UserId> students) {
    try {
      testkit::WsClient c(port);
      if (!ok(c.call("auth.login", json::object{{"login", login}, {"password", kPassword}}))) throw std::runtime_error("sign-in refused");
      for (std::uint64_t n = 0; !stop.load(); ++n) {
        const auto started = Clock::now();
        const json::value a = n % 2 == 0
            ? c.call("journal.page", json::object{{"class_id", klass}, {"subject", s.math}, {"term", s.q1}})
            : c.call("set_mark", json::object{{"lesson", lesson}, {"student", students[(n / 2) % students.size()]},
                                              {"value", 1 + static_cast<int>(n % 5)}, {"work_type", s.answer}},
                     login + "-" + std::to_string(n));
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        std::lock_guard lock(honest.mu);
        if (!ok(a)) {
          if (honest.failed++ == 0) honest.first_failure = login + ": " + json::serialize(a);
        } else {
          honest.ms[phase.load()].push_back(ms);
          if (n % 2 == 1) marks.fetch_add(1);
        }
        std::this_thread::sleep_until(started + std::chrono::milliseconds(50));
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(honest.mu);
      if (honest.failed++ == 0) honest.first_failure = login + ": " + e.what();
    }
  };
  std::vector<std::thread> teachers;
  teachers.emplace_back(teacher, "teacher.a", s.class_5a, s.lesson_5a, std::vector<domain::UserId>{s.student_a1, s.student_a2});
  teachers.emplace_back(teacher, "teacher.b", s.class_5b, s.lesson_5b, std::vector<domain::UserId>{s.student_b1});

  const auto phase_length = std::chrono::seconds(seconds);
  std::this_thread::sleep_for(phase_length);
  const double rss_before = metric(port, "process_resident_memory_bytes");
  const std::uint64_t failed_logins_before = [&] {
    testkit::WsClient c(port);
    c.call("auth.login", json::object{{"login", "director"}, {"password", kPassword}});
    const json::value st = c.call("stats.summary", json::object{});
    std::uint64_t n = 0;
    if (ok(st))
      for (const auto& d : st.at("result").at("days").as_array()) n += d.at("failed_logins").to_number<std::uint64_t>();
    return n;
  }();

  // ---- the flood
  phase.store(1);
  std::atomic<bool> flooding{true};
  std::atomic<std::uint64_t> opened{0}, idle_refused{0};
  std::vector<std::unique_ptr<testkit::WsClient>> idle;
  std::thread opener([&] {
    for (int i = 0; i < connections && flooding.load(); ++i) {
      try {
        auto c = std::make_unique<testkit::WsClient>(port);
        if (code(c->call("me", json::object{})) != "forbidden") idle_refused.fetch_add(1);  // answered, not signed in
        idle.push_back(std::move(c));
        opened.fetch_add(1);
      } catch (const std::exception&) {
        idle_refused.fetch_add(1);
      }
    }
  });
  // Subscribers that never read: parents' diaries, fed by the teachers' marks.
  std::vector<std::unique_ptr<testkit::WsClient>> deaf;
  std::string parent_tokens[2];
  for (int p = 0; p < 2; ++p) {
    testkit::WsClient c(port);
    const json::value in = c.call("auth.login", json::object{{"login", "p" + std::to_string(p == 0 ? s.parent_a1 : s.parent_b1)},
                                                             {"password", kPassword}});
    if (!ok(in)) return fail("a parent's sign-in was refused");
    parent_tokens[p] = std::string(in.at("result").at("token").as_string());
  }
  std::string teacher_token;
  {
    testkit::WsClient c(port);
    const json::value in = c.call("auth.login", json::object{{"login", "teacher.a"}, {"password", kPassword}});
    if (!ok(in)) return fail("the teacher's sign-in was refused");
    teacher_token = std::string(in.at("result").at("token").as_string());
  }
  for (int i = 0; i < silent; ++i) {  // a third a parent's diary, the rest the teacher's journal of 5А
    auto c = std::make_unique<testkit::WsClient>(port);
    const bool parent = i % 3 == 0;
    if (!ok(c->call("auth.resume", json::object{{"token", parent ? parent_tokens[0] : teacher_token}}))) return fail("resume refused");
    const json::object topic = parent ? json::object{{"topic", "diary"}, {"student", s.student_a1}}
                                      : json::object{{"topic", "journal"}, {"class_id", s.class_5a}, {"subject", s.math}};
    if (!ok(c->call("subscribe", topic))) return fail("subscribe refused");
    deaf.push_back(std::move(c));  // and never read again
  }
  // Marks as fast as two connections can have them acknowledged, for pushes to pile up at the deaf.
  std::atomic<std::uint64_t> bulk{0};
  std::vector<std::thread> bulk_writers;
  for (int w = 0; w < 2; ++w)
    bulk_writers.emplace_back([&, w] {
      try {
        testkit::WsClient c(port);
        if (!ok(c.call("auth.resume", json::object{{"token", teacher_token}}))) return;
        for (std::uint64_t n = 0; flooding.load(); ++n) {
          const json::value a = c.call("set_mark", json::object{{"lesson", s.lesson_5a}, {"student", n % 2 == 0 ? s.student_a1 : s.student_a2},
                                                                {"value", 1 + static_cast<int>(n % 5)}, {"work_type", s.answer}},
                                       "bulk-" + std::to_string(w) + "-" + std::to_string(n));
          if (ok(a)) bulk.fetch_add(1);
          else if (code(a) != "busy") break;
        }
      } catch (const std::exception&) {
      }
    });
  // Garbage, on fresh connections.
  const std::vector<std::string> frames = garbage(rng);
  std::atomic<std::uint64_t> garbage_sent{0}, garbage_answered{0}, garbage_closed{0}, garbage_unanswered{0};
  std::vector<std::thread> vandals;
  for (int v = 0; v < 2; ++v)
    vandals.emplace_back([&, v] {
      std::size_t i = static_cast<std::size_t>(v);
      while (flooding.load()) {
        const std::string& frame = frames[i++ % frames.size()];
        try {
          testkit::WsClient c(port);
          c.send_only(frame);
          garbage_sent.fetch_add(1);
          try {
            const json::value a = c.next_frame();
            if (!ok(a) && a.as_object().contains("error")) garbage_answered.fetch_add(1);
            else garbage_unanswered.fetch_add(1);  // "ok" to garbage would be a defect
          } catch (const std::exception&) {
            garbage_closed.fetch_add(1);  // the server closed a connection that broke the protocol
          }
        } catch (const std::exception&) {
          garbage_closed.fetch_add(1);
        }
      }
    });
  // The brute force: guesses for 200 logins (one of them real) from 20 addresses.
  std::atomic<std::uint64_t> guesses{0}, wrong{0}, slowed{0}, locked{0}, other{0}, director_checked{0}, director_slowed{0};
  std::vector<std::thread> attackers;
  for (int a = 0; a < 4; ++a)
    attackers.emplace_back([&, a] {
      std::uint64_t n = static_cast<std::uint64_t>(a);
      while (flooding.load()) {
        const std::string source = "127.0.0." + std::to_string(2 + n % 20);
        try {
          testkit::WsClient c(port, source);
          for (int k = 0; k < 10 && flooding.load(); ++k, n += 4) {
            const std::string login = n % 10 == 0 ? "director" : "guess." + std::to_string(n % 199);
            const json::value r = c.call("auth.login", json::object{{"login", login}, {"password", "угадай-" + std::to_string(n)}});
            guesses.fetch_add(1);
            const std::string message = r.at("ok").as_bool() ? "" : std::string(r.at("error").at("message").as_string());
            if (code(r) == "busy") {
              slowed.fetch_add(1);
              if (login == "director") director_slowed.fetch_add(1);
            } else if (message.rfind("Вход заблокирован", 0) == 0) {
              locked.fetch_add(1);
            } else if (message == "Неверный логин или пароль") {
              wrong.fetch_add(1);
              if (login == "director") director_checked.fetch_add(1);
            } else {
              other.fetch_add(1);
            }
          }
        } catch (const std::exception&) {
          other.fetch_add(1);
        }
      }
    });
  // And guesses sent all at once on one connection, without waiting for the answers: only as many are checked
  // as may be in flight from one address (8) and fail freely (3); the rest are refused before any hashing.
  std::uint64_t pipelined_checked = 0, pipelined_answered = 0;
  constexpr int kPipelined = 300;
  try {
    testkit::WsClient c(port, "127.0.0.30");
    for (int i = 0; i < kPipelined; ++i)
      c.send_only(json::serialize(json::object{{"id", i + 1}, {"op", "auth.login"},
                                               {"args", json::object{{"login", "pipe." + std::to_string(i)}, {"password", "угадай"}}}}));
    for (int i = 0; i < kPipelined; ++i) {
      const json::value a = c.next_answer();
      ++pipelined_answered;
      if (!ok(a) && a.at("error").at("message") == "Неверный логин или пароль") ++pipelined_checked;
    }
  } catch (const std::exception&) {
  }
  // An honest user signs in while all that goes on (from 127.0.0.1, a login no one guesses).
  std::this_thread::sleep_for(phase_length / 2);
  double honest_sign_in_ms = -1;
  {
    const auto started = Clock::now();
    testkit::WsClient c(port);
    const json::value in = c.call("auth.login", json::object{{"login", "deputy"}, {"password", kPassword}});
    if (ok(in)) honest_sign_in_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  }
  std::this_thread::sleep_for(phase_length - phase_length / 2);
  const double rss_during = metric(port, "process_resident_memory_bytes");
  const double dropped = metric(port, "ejournal_slow_clients_dropped_total");
  const double open_during = metric(port, "ejournal_connections");
  flooding.store(false);
  for (auto& t : vandals) t.join();
  for (auto& t : bulk_writers) t.join();
  for (auto& t : attackers) t.join();
  opener.join();
  idle.clear();
  deaf.clear();

  // ---- after
  phase.store(2);
  std::this_thread::sleep_for(phase_length);
  stop.store(true);
  for (auto& t : teachers) t.join();
  const bool alive = testkit::http_get(port, "/healthz").status == 200;
  const double rss_after = metric(port, "process_resident_memory_bytes");
  std::uint64_t failed_logins_after = 0;
  {
    testkit::WsClient c(port);
    c.call("auth.login", json::object{{"login", "director"}, {"password", kPassword}});  // locked: the deputy reads
    c.call("auth.login", json::object{{"login", "deputy"}, {"password", kPassword}});
    const json::value st = c.call("stats.summary", json::object{});
    if (ok(st))
      for (const auto& d : st.at("result").at("days").as_array()) failed_logins_after += d.at("failed_logins").to_number<std::uint64_t>();
  }
  server.terminate();
  const int status = server.wait();

  // The bound the limits give: per idle connection a Beast stream with its buffers (allow 64 KiB), per
  // never-reading client its queue (--max-queued-bytes) and the same, and 64 MiB for everything else
  // (Argon2id's 64 MiB per hashing thread, two threads, are counted there too: 128 MiB).
  const double bound = rss_before + (connections + silent) * 65536.0 + silent * static_cast<double>(kMaxQueued) +
                       (64 + 128) * 1048576.0;
  // The guesses the server checked (wrong answers) each recorded a LoginFailed; the director's sign-in at the
  // end (refused as slowed, never checked) adds nothing.
  const std::uint64_t recorded = failed_logins_after - failed_logins_before;

  std::vector<std::string> problems;
  if (honest.failed != 0) problems.push_back("honest requests failed: " + std::to_string(honest.failed) + " (" + honest.first_failure + ")");
  if (!alive || status != 0) problems.push_back("the server did not survive the flood cleanly");
  if (kJudgeMemory && rss_during > bound) problems.push_back("memory past the bound");
  if (garbage_unanswered.load() != 0) problems.push_back("garbage answered with something other than an error");
  if (idle_refused.load() != 0) problems.push_back("idle connections refused or answered wrongly");
  if (slowed.load() == 0) problems.push_back("no guess was slowed");
  if (director_slowed.load() == 0) problems.push_back("the guesses at the real login were not slowed");
  if (other.load() != 0) problems.push_back("guesses answered unexpectedly");
  if (recorded != wrong.load() + pipelined_checked)
    problems.push_back("guesses checked " + std::to_string(wrong.load() + pipelined_checked) + ", recorded " + std::to_string(recorded));
  if (pipelined_answered != kPipelined) problems.push_back("pipelined guesses not all answered");
  if (pipelined_checked > 8 + 3) problems.push_back("pipelined guesses checked: " + std::to_string(pipelined_checked));
  if (honest_sign_in_ms < 0) problems.push_back("the honest sign-in during the brute force failed");

  json::object report{
      {"connections_opened", opened.load()},
      {"connections_open_during", open_during},
      {"silent_subscribers", silent},
      {"silent_dropped", dropped},
      {"garbage", json::object{{"sent", garbage_sent.load()}, {"answered_error", garbage_answered.load()}, {"closed", garbage_closed.load()}}},
      {"brute_force", json::object{{"guesses", guesses.load()}, {"checked_wrong", wrong.load()}, {"recorded", recorded},
                                   {"slowed_busy", slowed.load()}, {"locked", locked.load()},
                                   {"pipelined", json::object{{"sent", kPipelined}, {"checked", pipelined_checked}}},
                                   {"real_login", json::object{{"checked", director_checked.load()}, {"slowed", director_slowed.load()}}}}},
      {"honest_sign_in_ms_during", honest_sign_in_ms},
      {"honest_marks", marks.load()},
      {"bulk_marks", bulk.load()},
      {"honest_p50_ms", json::object{{"before", percentile(honest.ms[0], 0.5)}, {"during", percentile(honest.ms[1], 0.5)}, {"after", percentile(honest.ms[2], 0.5)}}},
      {"honest_p99_ms", json::object{{"before", percentile(honest.ms[0], 0.99)}, {"during", percentile(honest.ms[1], 0.99)}, {"after", percentile(honest.ms[2], 0.99)}}},
      {"rss_mb", json::object{{"before", rss_before / 1048576}, {"during", rss_during / 1048576}, {"after", rss_after / 1048576}, {"bound", bound / 1048576}, {"judged", kJudgeMemory}}},
      {"problems", json::value_from(problems)},
  };
  std::cout << json::serialize(report) << "\n";
  return problems.empty() ? 0 : 1;
}
