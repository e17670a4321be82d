// The event log's promises as a user of the interface sees them: order and density of positions, durable
// answers, never-decreasing time, idempotent command ids, time search, and followers.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "printers.h"
#include "testkit.h"

using namespace ejournal;
using log::AppendRequest;
using log::Position;

namespace {

std::unique_ptr<log::EventLog> open_or_fail(const std::string& dir, log::LogOptions options = {}) {
  auto opened = log::open_event_log(dir, std::move(options));
  INFO(opened.status().to_string());
  REQUIRE(opened.ok());
  return std::move(opened.value());
}

}  // namespace

TEST_CASE("appended commands get dense positions and read back byte for byte", "[log]") {
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  CHECK(log->head() == 0);

  AppendRequest three;
  three.actor = 42;
  three.command_id = testkit::sample_command_id(1000);
  for (std::uint32_t s = 1; s <= 3; ++s) three.events.push_back(testkit::mark_draft(7, s, 5, 1));
  const std::string second_draft = three.events[1].bytes;

  auto r1 = log->append(testkit::sample_command(1));
  REQUIRE(r1.ok());
  CHECK(r1->first == 1);
  CHECK(r1->count == 1);
  CHECK_FALSE(r1->duplicate);
  auto r2 = log->append(std::move(three));
  REQUIRE(r2.ok());
  CHECK(r2->first == 2);
  CHECK(r2->count == 3);
  CHECK(log->head() == 4);

  auto rec = log->read(3);
  REQUIRE(rec.ok());
  CHECK(log::same_event(rec->bytes, second_draft));
  const auto* env = rec->envelope();
  CHECK(env->header()->position() == 3);
  CHECK(env->header()->actor() == 42);
  CHECK(log::header_of(rec->bytes).command_id == testkit::sample_command_id(1000));
  CHECK(env->header()->recorded_at_us() == r2->recorded_at);
  REQUIRE(env->event_as_MarkSet() != nullptr);
  CHECK(env->event_as_MarkSet()->student() == 2);

  // Each record names the hash of the one before; the first names zeros.
  CHECK(log::header_of(log->read(1)->bytes).prev_hash.is_zero());
  CHECK(log::header_of(log->read(2)->bytes).prev_hash == log::record_hash(log->read(1)->bytes));

  CHECK(log->read(5).status().code() == Code::not_found);
  CHECK(log->read(0).status().code() == Code::not_found);

  std::vector<Position> seen;
  auto c = log->cursor(2);
  for (; c->valid(); c->next()) seen.push_back(c->position());
  REQUIRE(c->status().ok());
  CHECK(seen == std::vector<Position>{2, 3, 4});
}

TEST_CASE("eight concurrent appenders get dense, unique positions in their own order", "[log]") {
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  constexpr int kThreads = 8, kPerThread = 400;
  std::vector<std::vector<Position>> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = log->append(testkit::sample_command(static_cast<std::uint64_t>(t * kPerThread + i)));
        if (r.ok()) got[static_cast<std::size_t>(t)].push_back(r->first);
      }
    });
  }
  for (auto& th : threads) th.join();

  std::set<Position> all;
  for (const auto& positions : got) {
    REQUIRE(positions.size() == kPerThread);
    CHECK(std::is_sorted(positions.begin(), positions.end()));  // one thread's commands stay in its order
    all.insert(positions.begin(), positions.end());
  }
  CHECK(all.size() == kThreads * kPerThread);
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kThreads * kPerThread);  // unique + range 1..N = dense
  CHECK(log->head() == kThreads * kPerThread);

  // Every record holds the command that was answered with its position.
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 37) {
      const auto index = static_cast<std::uint64_t>(t * kPerThread + i);
      auto rec = log->read(got[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)]);
      REQUIRE(rec.ok());
      CHECK(log::header_of(rec->bytes).command_id == testkit::sample_command_id(index));
      CHECK(log::same_event(rec->bytes, testkit::sample_command(index).events[0].bytes));
    }
  }
  auto report = log->verify(1, log->head());
  REQUIRE(report.ok());
  CHECK(report->ok());
}

TEST_CASE("recorded-at never goes backwards, even when the clock does", "[log]") {
  testkit::TempDir dir;
  auto clock = std::make_shared<testkit::ManualClock>(1'700'000'000'000'000);
  log::LogOptions options;
  options.clock = clock;
  std::vector<log::Timestamp> stamps;
  {
    auto log = open_or_fail(dir.sub("data"), options);
    stamps.push_back(log->append(testkit::sample_command(1))->recorded_at);
    clock->set(1'600'000'000'000'000);  // the system clock is stepped back a few years
    stamps.push_back(log->append(testkit::sample_command(2))->recorded_at);
    clock->set(1'700'000'000'000'500);
    stamps.push_back(log->append(testkit::sample_command(3))->recorded_at);
  }
  clock->set(1'500'000'000'000'000);  // and again, across a restart
  auto log = open_or_fail(dir.sub("data"), options);
  stamps.push_back(log->append(testkit::sample_command(4))->recorded_at);

  CHECK(stamps == std::vector<log::Timestamp>{1'700'000'000'000'000, 1'700'000'000'000'000,
                                              1'700'000'000'000'500, 1'700'000'000'000'500});
  for (Position p = 1; p <= 4; ++p)
    CHECK(log->read(p)->envelope()->header()->recorded_at_us() == stamps[p - 1]);
}

TEST_CASE("a command id is stored once, also across close and reopen", "[log]") {
  testkit::TempDir dir;
  log::AppendResult first;
  {
    auto log = open_or_fail(dir.sub("data"));
    REQUIRE(log->append(testkit::sample_command(1)).ok());
    auto r = log->append(testkit::sample_command(2));
    REQUIRE(r.ok());
    first = *r;
    auto again = log->append(testkit::sample_command(2));
    REQUIRE(again.ok());
    CHECK(again->duplicate);
    CHECK(again->first == first.first);
    CHECK(again->count == first.count);
    CHECK(log->head() == 2);
  }
  auto log = open_or_fail(dir.sub("data"));
  auto found = log->find_command(testkit::sample_command_id(2));
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  CHECK((*found)->first == first.first);
  CHECK((*found)->count == 1);
  CHECK((*found)->recorded_at == first.recorded_at);
  CHECK(log->find_command(testkit::sample_command_id(77))->has_value() == false);
  auto again = log->append(testkit::sample_command(2));
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  CHECK(again->first == first.first);
  CHECK(again->recorded_at == first.recorded_at);
  CHECK(log->head() == 2);

  SECTION("the same id with a different command is a conflict, and writes nothing") {
    AppendRequest other = testkit::sample_command(3);
    other.command_id = testkit::sample_command_id(2);
    auto r = log->append(std::move(other));
    CHECK(r.status().code() == Code::conflict);
    CHECK(log->head() == 2);
  }
  SECTION("the same id twice in one group: one write, both answered with it") {
    std::mutex mu;
    std::vector<Result<log::AppendResult>> results;  // checked here: Catch2 assertions are for this thread
    std::atomic<int> done{0};
    for (int k = 0; k < 2; ++k) {
      log->append_async(testkit::sample_command(9), [&](Result<log::AppendResult> r) {
        std::lock_guard lock(mu);
        results.push_back(std::move(r));
        done.fetch_add(1);
      });
    }
    while (done.load() < 2) std::this_thread::yield();
    REQUIRE(results[0].ok());
    REQUIRE(results[1].ok());
    CHECK(log->head() == 3);
    REQUIRE(results.size() == 2);
    CHECK(results[0]->first == 3);
    CHECK(results[1]->first == 3);
    CHECK(results[0]->duplicate != results[1]->duplicate);
  }
}

TEST_CASE("position_at finds the last record at or before a time", "[log]") {
  testkit::TempDir dir;
  auto clock = std::make_shared<testkit::ManualClock>(1000);
  log::LogOptions options;
  options.clock = clock;
  auto log = open_or_fail(dir.sub("data"), options);
  CHECK(log->position_at(5000).value() == 0);  // empty log

  // Times: positions 1-2 at 1000, 3 at 2000, 4-6 at 3000 (one command of three events).
  REQUIRE(log->append(testkit::sample_command(1)).ok());
  REQUIRE(log->append(testkit::sample_command(2)).ok());
  clock->set(2000);
  REQUIRE(log->append(testkit::sample_command(3)).ok());
  clock->set(3000);
  AppendRequest three = testkit::sample_command(4);
  three.events.push_back(testkit::mark_draft(1, 2, 3, 1));
  three.events.push_back(testkit::mark_draft(1, 3, 4, 1));
  REQUIRE(log->append(std::move(three)).ok());

  CHECK(log->position_at(999).value() == 0);
  CHECK(log->position_at(1000).value() == 2);
  CHECK(log->position_at(1999).value() == 2);
  CHECK(log->position_at(2000).value() == 3);
  CHECK(log->position_at(2999).value() == 3);
  CHECK(log->position_at(3000).value() == 6);
  CHECK(log->position_at(INT64_MAX).value() == 6);
  CHECK(log->position_at(INT64_MIN).value() == 0);
}

TEST_CASE("followers hear of new heads without polling", "[log]") {
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  std::mutex mu;
  std::vector<Position> heads;
  {
    auto sub = log->on_commit([&](Position head) {
      std::lock_guard lock(mu);
      heads.push_back(head);
    });
    std::atomic<Position> woke_at{0};  // checked on this thread: Catch's assertions are not thread-safe
    std::thread waiter([&] { woke_at = log->wait_beyond(0, std::chrono::seconds(30)); });
    REQUIRE(log->append(testkit::sample_command(1)).ok());
    waiter.join();
    CHECK(woke_at.load() >= 1);
    REQUIRE(log->append(testkit::sample_command(2)).ok());
  }
  REQUIRE(log->append(testkit::sample_command(3)).ok());  // after the subscription ended
  std::lock_guard lock(mu);
  CHECK(heads == std::vector<Position>{1, 2});
  CHECK(log->wait_beyond(3, std::chrono::milliseconds(1)) == 3);  // times out, returns the head
}

TEST_CASE("a subscription may outlive its log", "[log]") {
  testkit::TempDir dir;
  log::Subscription sub;
  int calls = 0;
  {
    auto log = open_or_fail(dir.sub("data"));
    sub = log->on_commit([&](Position) { ++calls; });
    REQUIRE(log->append(testkit::sample_command(1)).ok());
  }
  sub.reset();  // the log is gone: nothing to unregister from, and nothing breaks
  CHECK(calls == 1);
}

TEST_CASE("verify finds no fault in a log that grows while it walks", "[log][verify]") {
  testkit::TempDir dir;
  auto log = open_or_fail(dir.sub("data"));
  REQUIRE(log->append(testkit::sample_command(0)).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (std::uint64_t i = 1; i < 400 && !stop.load(); ++i)
      if (!log->append(testkit::sample_command(i)).ok()) break;
  });
  int faults = 0;
  for (int k = 0; k < 50; ++k) {
    auto report = log->verify(1, UINT64_MAX);
    REQUIRE(report.ok());
    if (!report->ok()) {
      ++faults;
      UNSCOPED_INFO("fault at " << report->first_bad << ": " << report->problem);
    }
  }
  stop.store(true);
  writer.join();
  CHECK(faults == 0);
}

TEST_CASE("the snapshot store lists what was stored and removed, across a reopen and while it is written", "[log]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  const auto expected = [](Position from, Position to) {
    std::vector<Position> v;
    for (Position p = from; p <= to; ++p) v.push_back(p);
    return v;
  };
  {
    auto log = open_or_fail(data);
    auto& store = log->snapshot_store();
    REQUIRE(store.put("journal", 5, "five").ok());
    REQUIRE(store.put("journal#3", 7, "part").ok());  // a name that extends another is listed apart
    // Writes race the first listing of "audit": every one must show in the list kept after it.
    std::atomic<bool> written{true};  // Catch's assertions are for the test's own thread
    std::thread writer([&] {
      for (Position p = 1; p <= 200; ++p)
        if (!store.put("audit", p, std::string(100, 'x')).ok()) written = false;
    });
    for (int i = 0; i < 50; ++i) {
      auto listed = store.positions("audit");
      REQUIRE(listed.ok());
      CHECK(std::is_sorted(listed->begin(), listed->end()));
    }
    writer.join();
    REQUIRE(written);
    CHECK(store.positions("audit").value() == expected(1, 200));
    for (Position p = 1; p <= 100; ++p) REQUIRE(store.remove("audit", p).ok());
    CHECK(store.positions("audit").value() == expected(101, 200));
    CHECK(store.positions("journal").value() == std::vector<Position>{5});
    REQUIRE(store.put("journal", 9, "nine").ok());  // after the first listing
    CHECK(store.positions("journal").value() == std::vector<Position>{5, 9});
    CHECK(store.get("journal", 9).value() == "nine");
    CHECK(store.positions("nothing").value().empty());
  }
  auto log = open_or_fail(data);
  auto& store = log->snapshot_store();
  // Newest first, from disk (nothing listed yet in this process) and then from the kept list: the same
  // visits, only this name's, none after `at_most`, and none after the visitor says stop.
  const auto visits = [&](std::string_view name, Position at_most, std::size_t stop_after) {
    std::vector<std::pair<Position, std::string>> seen;
    REQUIRE(store.newest_first(name, at_most, [&](Position p, std::string_view bytes) {
      seen.emplace_back(p, std::string(bytes));
      return seen.size() == stop_after;
    }).ok());
    return seen;
  };
  using Visits = std::vector<std::pair<Position, std::string>>;
  for (int pass = 0; pass < 2; ++pass) {
    INFO("pass " << pass);
    CHECK(visits("journal", 100, 0) == Visits{{9, "nine"}, {5, "five"}});
    CHECK(visits("journal", 8, 0) == Visits{{5, "five"}});
    CHECK(visits("journal", 4, 0).empty());
    CHECK(visits("journal#3", 100, 0) == Visits{{7, "part"}});
    CHECK(visits("audit", 150, 1) == Visits{{150, std::string(100, 'x')}});
    CHECK(visits("nothing", 100, 0).empty());
    REQUIRE(store.positions("journal").ok());  // the second pass reads through the kept lists
    REQUIRE(store.positions("journal#3").ok());
    REQUIRE(store.positions("audit").ok());
  }
  CHECK(store.positions("audit").value() == expected(101, 200));
  CHECK(store.positions("journal").value() == std::vector<Position>{5, 9});
  CHECK(store.positions("journal#3").value() == std::vector<Position>{7});
}
