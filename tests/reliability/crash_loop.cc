// The server crash loop (issue #23, part 1): the real ejournald, driven by WebSocket clients that record every
// acknowledged command, is killed with SIGKILL at random moments and started again, cycle after cycle. Then:
// every acknowledged change is in the log exactly once and as it was answered; a command sent but not answered
// is retried with its id after the restart and is recorded once at most (answered as a duplicate when the
// first attempt had landed); each command's records are whole; the chain verifies; and every projection,
// restored from the snapshots the killed servers left (written every few dozen events, so kills land during
// them too) plus the log's tail, equals a rebuild from position 1.
//
//   crash_loop [--cycles N] [--seed S] [--clients C]      (make test runs --cycles 20; by hand --cycles 1000)
// Prints one JSON line: cycles, acked, retried, duplicates answered, lost, duplicated, projections compared.
// Exit 0 when nothing is lost or duplicated and every check holds; 1 otherwise; 2 when it cannot run.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "child_process.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "school.h"
#include "ws_client.h"

using namespace ejournal;
namespace json = boost::json;

namespace {

constexpr const char* kPassword = "Пароль-для-проверки-1";

struct Sent {
  std::string id;
  domain::UserId student = 0;
  int value = 0;
};

struct Ack {
  Sent sent;
  log::Position position = 0;
};

int fail(const std::string& what) {
  std::cerr << "crash_loop: " << what << "\n";
  return 2;
}

bool ok(const json::value& v) { return v.is_object() && v.as_object().contains("ok") && v.at("ok").as_bool(); }

}  // namespace

int main(int argc, char** argv) {
  int cycles = 20, clients = 4;
  std::uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--cycles") cycles = std::stoi(argv[i + 1]);
    else if (a == "--seed") seed = std::stoull(argv[i + 1]);
    else if (a == "--clients") clients = std::stoi(argv[i + 1]);
    else return fail("unknown option " + a);
  }
  std::mt19937_64 rng(seed);

  testkit::School s;
  auto hash = domain::hash_password(kPassword);
  if (!hash.ok()) return fail("cannot hash the password");
  s.must(s.admin, domain::cmd::IssueCredential{s.teacher_a, *hash, false});
  const std::string data = s.data_dir();
  const domain::UserId students[2] = {s.student_a1, s.student_a2};
  const auto lesson = s.lesson_5a;
  const auto work_type = s.answer;
  const log::Position before = s.log().head();  // the fixture's own records
  s.close();

  std::vector<Ack> acks;
  std::vector<Sent> unanswered;  // sent when the server died, not answered
  std::uint64_t retried = 0, answered_duplicate = 0;
  std::uint64_t counter = 0;
  // One start more than there are kills: the last only retries what the last killed server left unanswered.
  for (int cycle = 0; cycle <= cycles; ++cycle) {
    testkit::ChildProcess server(EJOURNALD_PATH, {"--data", data, "--listen", "127.0.0.1:0", "--snapshot-every", "40"});
    std::string line;
    if (!server.read_line(line, 60'000)) return fail("ejournald did not start in cycle " + std::to_string(cycle));
    const auto colon = line.rfind(':');
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
    std::string token;
    {
      testkit::WsClient c(port);
      const json::value in = c.call("auth.login", json::object{{"login", "teacher.a"}, {"password", kPassword}});
      if (!ok(in)) return fail("sign-in refused: " + json::serialize(in));
      token = std::string(in.at("result").at("token").as_string());
      // Retries of what the last server never answered: the same ids, so nothing is recorded twice.
      for (const Sent& u : unanswered) {
        const json::value a = c.call("set_mark", json::object{{"lesson", lesson}, {"student", u.student}, {"value", u.value},
                                                              {"work_type", work_type}}, u.id);
        if (!ok(a)) return fail("a retry was refused: " + json::serialize(a));
        ++retried;
        if (a.at("result").at("duplicate").as_bool()) ++answered_duplicate;
        acks.push_back(Ack{u, a.at("result").at("position").to_number<std::uint64_t>()});
      }
      unanswered.clear();
    }
    if (cycle == cycles) {
      server.kill_hard();
      server.wait();
      break;
    }
    std::mutex mu;
    std::atomic<int> running{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < clients; ++t) {
      const std::uint64_t base = counter;
      counter += 1'000'000;
      threads.emplace_back([&, t, base] {
        std::uint64_t n = base;
        Sent in_flight;
        bool sending = false;
        try {
          testkit::WsClient c(port);
          if (!ok(c.call("auth.resume", json::object{{"token", token}}))) return;
          running.fetch_add(1);
          for (;; ++n) {
            in_flight = Sent{"crash-" + std::to_string(cycle) + "-" + std::to_string(t) + "-" + std::to_string(n),
                             students[n % 2], static_cast<int>(1 + (n + static_cast<std::uint64_t>(t)) % 5)};
            sending = true;
            const json::value a = c.call("set_mark", json::object{{"lesson", lesson}, {"student", in_flight.student},
                                                                  {"value", in_flight.value}, {"work_type", work_type}}, in_flight.id);
            sending = false;
            if (!ok(a)) break;
            std::lock_guard lock(mu);
            acks.push_back(Ack{in_flight, a.at("result").at("position").to_number<std::uint64_t>()});
          }
        } catch (const std::exception&) {
          // the connection died with the server
        }
        if (sending) {
          std::lock_guard lock(mu);
          unanswered.push_back(in_flight);
        }
      });
    }
    const auto start = std::chrono::steady_clock::now();
    while (running.load() < clients && std::chrono::steady_clock::now() - start < std::chrono::seconds(20))
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 400)(rng)));
    server.kill_hard();
    server.wait();
    for (auto& th : threads) th.join();
  }

  // What the log says.
  auto log = log::open_event_log(data);
  if (!log.ok()) return fail("cannot open the log: " + log.status().to_string());
  auto verified = (*log)->verify(1, (*log)->head());
  if (!verified.ok() || !verified->ok()) return fail("the chain does not verify");
  std::map<std::string, std::vector<log::Position>> records_of;  // command id (hex) → its records' positions
  std::uint64_t marks = 0;  // marks recorded by the loop: exactly one per command acknowledged (or retried)
  for (auto c = (*log)->cursor(1); c->valid(); c->next()) {
    if (c->position() > before && c->envelope()->event_type() == fb::Event::MarkSet) ++marks;
    const auto* h = c->envelope()->header();
    log::CommandId id;
    std::copy(h->command_id()->begin(), h->command_id()->end(), id.bytes.begin());
    records_of[id.to_hex()].push_back(c->position());
  }
  std::uint64_t lost = 0, duplicated = 0, broken = 0;
  std::set<log::Position> seen;
  for (const Ack& a : acks) {
    auto r = (*log)->read(a.position);
    const auto* mark = r.ok() ? r->envelope()->event_as_MarkSet() : nullptr;
    if (mark == nullptr || mark->student() != a.sent.student || static_cast<int>(mark->value()) != a.sent.value) {
      ++lost;
      continue;
    }
    if (!seen.insert(a.position).second) ++duplicated;  // two acknowledgements of one record
    log::CommandId id;
    std::copy(r->envelope()->header()->command_id()->begin(), r->envelope()->header()->command_id()->end(), id.bytes.begin());
    if (records_of[id.to_hex()].size() != 1) ++duplicated;  // a set_mark is one record
  }
  // More marks than commands answered: something recorded twice (a retry under another id) or a command
  // recorded that no one was told of and no retry covers.
  if (marks > seen.size()) duplicated += marks - seen.size();
  for (const auto& [id, positions] : records_of)  // a command's records are whole: one run, no gaps
    if (positions.back() - positions.front() + 1 != positions.size()) ++broken;
  const std::uint64_t head = (*log)->head();
  // The projections the killed servers' snapshots give, plus the tail, against a rebuild from position 1.
  std::uint64_t compared = 0, differing = 0;
  {
    projections::HostOptions restored, rebuilt;
    restored.follow = rebuilt.follow = false;
    restored.snapshot_every = rebuilt.snapshot_every = 0;
    restored.snapshot_at_stop = rebuilt.snapshot_at_stop = false;
    rebuilt.from_snapshots = false;
    auto a = projections::ProjectionHost::start(**log, projections::all_projections(), restored);
    auto b = projections::ProjectionHost::start(**log, projections::all_projections(), rebuilt);
    if (!a.ok() || !b.ok()) return fail("the projections cannot start");
    for (const auto& p : projections::all_projections()) {
      std::string x, y;
      (*a)->read_raw(p->name(), [&](const projections::Projection& q) { x = q.snapshot(); });
      (*b)->read_raw(p->name(), [&](const projections::Projection& q) { y = q.snapshot(); });
      ++compared;
      if (x != y) {
        ++differing;
        std::cerr << "crash_loop: projection " << p->name() << " differs from its rebuild\n";
      }
    }
  }
  std::printf("{\"bench\":\"crash_loop\",\"cycles\":%d,\"head\":%llu,\"acked\":%zu,\"retried\":%llu,\"answered_duplicate\":%llu,"
              "\"lost\":%llu,\"duplicated\":%llu,\"broken_commands\":%llu,\"projections\":%llu,\"projections_differing\":%llu}\n",
              cycles, static_cast<unsigned long long>(head), acks.size(), static_cast<unsigned long long>(retried),
              static_cast<unsigned long long>(answered_duplicate), static_cast<unsigned long long>(lost),
              static_cast<unsigned long long>(duplicated), static_cast<unsigned long long>(broken),
              static_cast<unsigned long long>(compared), static_cast<unsigned long long>(differing));
  const bool good = !acks.empty() && lost == 0 && duplicated == 0 && broken == 0 && differing == 0;
  return good ? 0 : 1;
}
