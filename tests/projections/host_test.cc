// Projections reach the same state however they get there: fed live, rebuilt from position 1, or restored
// from a snapshot plus the tail — compared through their serialized snapshots — and "as of T" equals the
// state of the log cut at T.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/projections/audit.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "fault_fs.h"
#include "log/testing.h"
#include "ejournal/log/snapshot_frame.h"
#include "testkit.h"

using namespace ejournal;
using namespace ejournal::projections;

namespace {

std::string demo_school(const testkit::TempDir& dir, std::uint64_t seed) {
  demo::DemoOptions o;
  o.seed = seed;
  // EJ_SHORT_TESTS (set by tools/run-tsan.sh): a school of 30 pupils (the least a demo has), not 60 — the same code paths, half
  // of the records, for the ThreadSanitizer run's time.
  o.students = std::getenv("EJ_SHORT_TESTS") != nullptr ? 30 : 60;
  o.last_year_start = 2023;
  o.issue_credentials = false;
  const std::string data = dir.sub("data");
  auto r = demo::build_demo_school(data, o);
  REQUIRE(r.ok());
  REQUIRE(r->refusals == 0);
  return data;
}

std::vector<std::unique_ptr<Projection>> all() { return all_projections(); }

// The snapshots of every projection after replaying records 1..to from scratch.
std::vector<std::string> replayed(const log::EventLog& log, log::Position to) {
  auto projections = all();
  auto c = log.cursor(1);
  for (; c->valid() && c->position() <= to; c->next()) {
    const EventView view = view_of(c->position(), c->bytes());
    for (auto& p : projections) p->apply(view);
  }
  REQUIRE(c->status().ok());
  std::vector<std::string> out;
  for (const auto& p : projections) out.push_back(p->snapshot());
  return out;
}

std::vector<std::string> live(const ProjectionHost& host) {
  std::vector<std::string> out;
  for (const auto& p : all())
    host.read_raw(p->name(), [&](const Projection& live_p) { out.push_back(live_p.snapshot()); });
  return out;
}

// The entries of an audit trail as text, to compare two trails.
std::string audit_text(const std::vector<AuditEntry>& entries) {
  std::string out;
  for (const AuditEntry& e : entries)
    out += std::to_string(e.position) + " " + std::to_string(static_cast<int>(e.kind)) + " " + std::to_string(e.student) +
           " " + e.before + "→" + e.after + " " + e.reason + (e.after_term_closed ? " closed" : "") + "\n";
  return out;
}

// A demo school's log opened with its vault and domain, for tests that write through the domain.
struct Writable {
  std::unique_ptr<log::EventLog> log;
  std::unique_ptr<domain::PersonalDataVault> vault;
  std::unique_ptr<domain::Domain> dom;
  explicit Writable(const std::string& data) {
    auto l = log::open_event_log(data);
    REQUIRE(l.ok());
    log = std::move(*l);
    auto v = domain::open_vault(data, *log);
    REQUIRE(v.ok());
    vault = std::move(*v);
    auto d = domain::Domain::open(*log, *vault);
    REQUIRE(d.ok());
    dom = std::move(*d);
  }
};

HostOptions no_follow() {
  HostOptions o;
  o.follow = false;
  o.snapshot_every = 0;
  return o;
}

}  // namespace

TEST_CASE("rebuilt, restored from a snapshot plus tail, and replayed states are identical", "[projections]") {
  for (std::uint64_t seed : {3, 4}) {
    INFO("seed " << seed);
    testkit::TempDir dir;
    const std::string data = demo_school(dir, seed);
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    const log::Position head = (*log)->head();
    const auto expected = replayed(**log, head);
    {
      auto host = ProjectionHost::start(**log, all(), no_follow());
      REQUIRE(host.ok());
      CHECK((*host)->applied() == head);
      CHECK(live(**host) == expected);
      REQUIRE((*host)->rebuild("roster").ok());
      REQUIRE((*host)->rebuild("journal").ok());
      CHECK(live(**host) == expected);
    }
    // The host wrote a snapshot at the head when it stopped; put an older one in the middle too.
    auto& store = (*log)->snapshot_store();
    auto positions = store.positions("roster");
    REQUIRE(positions.ok());
    CHECK(positions->back() == head);
    const auto halfway = replayed(**log, head / 2);
    const auto projections = all();
    for (std::size_t i = 0; i < projections.size(); ++i) {
      REQUIRE(store.remove(projections[i]->name(), head).ok());
      REQUIRE(store.put(projections[i]->name(), head / 2, log::frame_snapshot(head / 2, halfway[i])).ok());
    }
    auto host = ProjectionHost::start(**log, all(), no_follow());
    REQUIRE(host.ok());
    CHECK(live(**host) == expected);
  }
}

TEST_CASE("projections restored from snapshots at different positions replay to the same states", "[projections]") {
  // The start replays all of them together, each from its own checkpoint, reading once on another thread.
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 5);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  REQUIRE(head > 30'000);  // long enough for the threaded path (batches of 4,096 records)
  const auto expected = replayed(**log, head);
  auto& store = (*log)->snapshot_store();
  const auto projections = all();
  std::mt19937_64 rng(5);
  for (std::size_t i = 0; i < projections.size(); ++i) {
    if (i % 3 == 2) continue;  // some start from nothing
    const log::Position at = 1 + rng() % head;
    REQUIRE(store.put(projections[i]->name(), at, log::frame_snapshot(at, replayed(**log, at)[i])).ok());
  }
  auto host = ProjectionHost::start(**log, all(), no_follow());
  REQUIRE(host.ok());
  CHECK((*host)->applied() == head);
  CHECK(live(**host) == expected);
}

TEST_CASE("from_snapshots = false rebuilds every projection from position 1", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 7);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  const auto expected = replayed(**log, head);
  // Snapshots that lie: an early state labelled as the head. A start that trusted them would keep it.
  const auto early = replayed(**log, head / 10);
  auto& store = (*log)->snapshot_store();
  const auto projections = all();
  for (std::size_t i = 0; i < projections.size(); ++i)
    REQUIRE(store.put(projections[i]->name(), head, log::frame_snapshot(head, early[i])).ok());
  {
    auto trusting = ProjectionHost::start(**log, all(), no_follow());
    REQUIRE(trusting.ok());
    CHECK(live(**trusting) == early);
  }
  for (std::size_t i = 0; i < projections.size(); ++i)  // the trusting host rewrote them at shutdown
    REQUIRE(store.put(projections[i]->name(), head, log::frame_snapshot(head, early[i])).ok());
  HostOptions o = no_follow();
  o.from_snapshots = false;
  auto host = ProjectionHost::start(**log, all(), o);
  REQUIRE(host.ok());
  CHECK((*host)->applied() == head);
  CHECK(live(**host) == expected);
}

TEST_CASE("a host stops without snapshots when snapshot_at_stop is false, and with them by default", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 3);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  auto& store = (*log)->snapshot_store();
  const auto stored = [&] {
    std::size_t n = 0;
    for (const auto& p : all()) {
      auto positions = store.positions(p->name());
      REQUIRE(positions.ok());
      n += positions->size();
    }
    return n;
  };
  const std::size_t before = stored();
  HostOptions o = no_follow();
  o.snapshot_at_stop = false;
  REQUIRE(ProjectionHost::start(**log, all(), o).ok());  // started, then stopped at once
  CHECK(stored() == before);
  REQUIRE(ProjectionHost::start(**log, all(), no_follow()).ok());
  CHECK(stored() > before);
}

TEST_CASE("a damaged snapshot is skipped, and an older one or the log serves", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 5);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  const auto expected = replayed(**log, head);
  { REQUIRE(ProjectionHost::start(**log, all(), no_follow()).ok()); }  // leaves a snapshot at the head
  auto& store = (*log)->snapshot_store();
  auto good = store.get("roster", head);
  REQUIRE(good.ok());
  std::string bad = *good;
  bad[bad.size() / 2] ^= 0x20;
  REQUIRE(store.put("roster", head, bad).ok());
  CHECK_FALSE(log::unframe_snapshot(bad).ok());

  auto host = ProjectionHost::start(**log, all(), no_follow());
  REQUIRE(host.ok());
  CHECK(live(**host) == expected);
}

TEST_CASE("the host follows the log as commands commit", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 6);
  Writable w(data);
  auto& log = w.log;
  auto& dom = w.dom;
  auto host = ProjectionHost::start(*log, all());  // following on its own thread
  REQUIRE(host.ok());
  const auto classes_before = (*host)->read<RosterProjection>("roster", [](const RosterProjection& r) { return r.classes().size(); });
  // The administrator is user 1 and a deputy user 3 in every demo school.
  auto created = dom->execute(3, log::CommandId::random(), domain::cmd::CreateClass{1, 5, "5Г"});
  REQUIRE(created.ok());
  const log::Position target = log->head();
  for (int i = 0; i < 3000 && (*host)->applied() < target; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK((*host)->applied() == target);
  CHECK((*host)->read<RosterProjection>("roster", [](const RosterProjection& r) { return r.classes().size(); }) ==
        classes_before + 1);
  CHECK(live(**host) == replayed(*log, target));
}

TEST_CASE("when_applied runs once its position is applied, with no thread waiting, and at the latest when the "
          "host stops", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 10);
  Writable w(data);
  auto& log = w.log;
  auto& dom = w.dom;
  HostOptions o = no_follow();
  o.snapshot_at_stop = false;
  auto host = ProjectionHost::start(*log, all(), o);
  REQUIRE(host.ok());
  int at_once = 0;
  (*host)->when_applied(log->head(), [&] { ++at_once; });
  CHECK(at_once == 1);  // already applied: on the calling thread, before the call returns

  REQUIRE(dom->execute(3, log::CommandId::random(), domain::cmd::CreateClass{1, 5, "5Д"}).ok());
  const log::Position target = log->head();
  int ran = 0;
  (*host)->when_applied(target, [&] { ++ran; });
  (*host)->when_applied(target + 1000, [&] { ran += 10; });  // a position the log never reaches
  CHECK(ran == 0);
  REQUIRE((*host)->catch_up().ok());
  CHECK(ran == 1);  // run by the applier, right after the batch that reached it
  host->reset();
  CHECK(ran == 11);  // the host stopped: what still waited runs, so no request waits forever
}

TEST_CASE("as_of(T) is the state of the log cut at T", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 8);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  HostOptions o = no_follow();
  o.snapshot_every = head / 5;  // several snapshots along the way
  std::unique_ptr<ProjectionHost> host;
  {
    // Build the snapshots by catching up from nothing in steps.
    auto h = ProjectionHost::start(**log, all(), o);
    REQUIRE(h.ok());
    host = std::move(*h);
  }
  auto snapshots = (*log)->snapshot_store().positions("roster");
  REQUIRE(snapshots.ok());
  CHECK(snapshots->size() >= 4);
  const auto first_time = (*log)->read(1)->envelope()->header()->recorded_at_us();
  const auto last_time = (*log)->read(head)->envelope()->header()->recorded_at_us();
  std::mt19937_64 rng(42);
  for (int k = 0; k < 12; ++k) {
    const log::Timestamp t = first_time + static_cast<log::Timestamp>(rng() % static_cast<std::uint64_t>(last_time - first_time + 1));
    INFO("T = " << t);
    auto past = host->as_of("roster", t);
    REQUIRE(past.ok());
    const log::Position cut = *(*log)->position_at(t);
    const auto expected = replayed(**log, cut);
    CHECK((*past)->snapshot() == expected[0]);
    auto past_journal = host->as_of("journal", t);
    REQUIRE(past_journal.ok());
    CHECK((*past_journal)->snapshot() == expected[1]);
    // The audit as of T is its live entries up to T's position: the trail of the cut log.
    AuditProjection cut_audit;
    REQUIRE(cut_audit.restore(expected[2]).ok());
    const auto upto = host->read<AuditProjection>("audit", [&](const AuditProjection& a) { return audit_text(a.all(cut)); });
    CHECK(upto == audit_text(cut_audit.all()));
  }
  CHECK(host->as_of("roster", first_time - 1).ok());  // before the first record: the empty roster
}

TEST_CASE("check_snapshots finds a damaged snapshot and a missing part, and passes intact ones", "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 5);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  {
    auto host = ProjectionHost::start(**log, all(), no_follow());
    REQUIRE(host.ok());
    REQUIRE((*host)->write_snapshots().ok());
  }
  auto& store = (*log)->snapshot_store();
  auto intact = check_snapshots(store);
  REQUIRE(intact.ok());
  CHECK(intact->ok());
  CHECK(intact->snapshots >= all().size());
  CHECK(intact->parts > 0);  // the journal is stored in parts

  SECTION("a whole snapshot's byte changed") {
    const auto at = store.positions("roster").value().back();
    std::string bytes = store.get("roster", at).value();
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 4);
    REQUIRE(store.put("roster", at, bytes).ok());
    auto r = check_snapshots(store);
    REQUIRE(r.ok());
    CHECK(r->bad == 1);
    REQUIRE(r->problems.size() == 1);
    CHECK_THAT(r->problems[0], Catch::StartsWith("snapshot of roster at " + std::to_string(at) + ": "));
  }
  SECTION("a part the journal's manifest names is gone") {
    const auto at = store.positions("journal#0").value().back();
    REQUIRE(store.remove("journal#0", at).ok());
    auto r = check_snapshots(store);
    REQUIRE(r.ok());
    CHECK(r->bad >= 1);
    CHECK_THAT(r->problems[0], Catch::Contains("part journal#0 stored at " + std::to_string(at)));
  }
}

TEST_CASE("a disk that fails while snapshots are written: the host keeps serving, what was stored stays usable, "
          "and the next start restores the same states", "[projections][faults]") {
  testkit::TempDir dir;
  const std::string school = demo_school(dir, 9);
  // How many writes a whole set of snapshots takes here (the school's size decides: EJ_SHORT_TESTS).
  int writes = 0;
  {
    const std::string data = dir.sub("counting");
    std::filesystem::copy(school, data, std::filesystem::copy_options::recursive);
    auto fs = std::make_shared<testkit::FaultFs>();
    auto env = testkit::env_over(fs);
    auto log = log::open_event_log_on(data, log::LogOptions{}, env.get());
    REQUIRE(log.ok());
    HostOptions o = no_follow();
    o.snapshot_at_stop = false;
    auto host = ProjectionHost::start(**log, all(), o);
    REQUIRE(host.ok());
    const int before = fs->appends;
    REQUIRE((*host)->write_snapshots().ok());
    writes = fs->appends - before;
  }
  REQUIRE(writes >= 4);
  // The disk fails after `k` more writes: before the first snapshot, after the first, inside the partitioned
  // journal's parts, at the last — each from a copy of the same school, without snapshots.
  std::set<int> faults{0, 1, writes / 3, 2 * writes / 3, writes - 1};
  for (int k : faults) {
    INFO("writes before the fault: " << k);
    const std::string data = dir.sub("data-" + std::to_string(k));
    std::filesystem::copy(school, data, std::filesystem::copy_options::recursive);
    log::Position head = 0;
    std::vector<std::string> expected;
    {
      auto fs = std::make_shared<testkit::FaultFs>();
      auto env = testkit::env_over(fs);
      auto log = log::open_event_log_on(data, log::LogOptions{}, env.get());
      REQUIRE(log.ok());
      head = (*log)->head();
      expected = replayed(**log, head);
      auto host = ProjectionHost::start(**log, all(), no_follow());
      REQUIRE(host.ok());
      fs->appends_before_fault = k;
      const Status written = (*host)->write_snapshots();
      REQUIRE_FALSE(written.ok());
      CHECK(written.code() == Code::io_error);
      CHECK_THAT(written.message(), Catch::Contains("injected fault"));
      // The live states are untouched and still served; as_of goes on from what the log holds.
      CHECK(live(**host) == expected);
      const auto first_time = (*log)->read(1)->envelope()->header()->recorded_at_us();
      const auto last_time = (*log)->read(head)->envelope()->header()->recorded_at_us();
      const log::Timestamp middle = first_time + (last_time - first_time) / 2;
      auto past = (*host)->as_of("roster", middle);
      REQUIRE(past.ok());
      CHECK((*past)->snapshot() == replayed(**log, *(*log)->position_at(middle))[0]);
      fs->fail_append = false;  // the disk is back: this process still writes nothing more (the store's latch)
      fs->appends_before_fault = -1;
      CHECK((*host)->write_snapshots().code() == Code::unavailable);
    }  // the host's stop tries its snapshots again, is refused, and says so
    auto log = log::open_event_log(data);
    REQUIRE(log.ok());
    CHECK((*log)->head() == head);
    auto check = check_snapshots((*log)->snapshot_store());
    REQUIRE(check.ok());
    INFO((check->problems.empty() ? std::string() : check->problems.front()));
    CHECK(check->ok());
    HostOptions o = no_follow();
    o.snapshot_at_stop = false;
    auto host = ProjectionHost::start(**log, all(), o);
    REQUIRE(host.ok());
    CHECK((*host)->applied() == head);
    CHECK(live(**host) == expected);
    REQUIRE((*host)->write_snapshots().ok());  // and snapshots are written again
    CHECK(check_snapshots((*log)->snapshot_store())->snapshots >= all().size());
  }
}

TEST_CASE("the audit, which needs no history, keeps its newest two snapshots, each naming its stretches of entries",
          "[projections]") {
  testkit::TempDir dir;
  const std::string data = demo_school(dir, 5);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  auto vault = domain::open_vault(data, **log);
  REQUIRE(vault.ok());
  auto dom = domain::Domain::open(**log, **vault);
  REQUIRE(dom.ok());
  auto host = ProjectionHost::start(**log, all(), no_follow());
  REQUIRE(host.ok());
  // Five snapshots, each after a command.
  for (int i = 0; i < 5; ++i) {
    REQUIRE((*dom)->execute(1, testkit::sample_command_id(700 + i),
                            domain::cmd::CreateStaffAccount{"keep." + std::to_string(i), domain::Role::Teacher, "Учитель", 0}).ok());
    REQUIRE((*host)->catch_up().ok());
    REQUIRE((*host)->write_snapshots().ok());
  }
  auto& store = (*log)->snapshot_store();
  const auto audit = store.positions("audit");
  const auto roster = store.positions("roster");
  REQUIRE(audit.ok());
  REQUIRE(roster.ok());
  CHECK(audit->size() == 2);
  CHECK(roster->size() >= 5);  // one that needs history keeps its newest eight
  // Each is a manifest naming the shared part and every stretch; a full stretch is stored once.
  auto check = check_snapshots(store);
  REQUIRE(check.ok());
  CHECK(check->ok());
  const auto stretch = store.positions("audit#1");
  REQUIRE(stretch.ok());
  CHECK(stretch->size() == 1);
}
