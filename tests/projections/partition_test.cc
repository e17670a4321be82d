// The journal over a three-year demo school. Its snapshots by academic year: a closed year is stored once
// and named by every later snapshot; pruning leaves no snapshot naming missing bytes and no bytes that
// nothing names; a state restored in one year's scope equals the whole state's shared part and that year; a
// damaged part makes its snapshot skipped. And a student's chart over the years holds every mark of theirs.
#include <map>
#include <random>
#include <set>

#include <catch2/catch.hpp>

#include "ejournal/demo/demo_school.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/host.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/school_time.h"
#include "stored_state.h"
#include "testkit.h"

using namespace ejournal;
using namespace ejournal::projections;

namespace {

constexpr int kYears = 3;

std::string three_years(const testkit::TempDir& dir) {
  demo::DemoOptions o;
  o.seed = 5;
  o.students = 40;
  o.years = kYears;
  o.last_year_start = 2023;
  o.issue_credentials = false;
  const std::string data = dir.sub("data");
  auto r = demo::build_demo_school(data, o);
  REQUIRE(r.ok());
  REQUIRE(r->refusals == 0);
  return data;
}

std::unique_ptr<JournalProjection> journal_replayed(const log::EventLog& log, log::Position to) {
  auto j = std::make_unique<JournalProjection>();
  auto c = log.cursor(1);
  for (; c->valid() && c->position() <= to; c->next()) j->apply(view_of(c->position(), c->bytes()));
  REQUIRE(c->status().ok());
  return j;
}

std::vector<std::unique_ptr<Projection>> journal_only() {
  std::vector<std::unique_ptr<Projection>> out;
  out.push_back(std::make_unique<JournalProjection>());
  return out;
}

// Options that write a snapshot every `every` events and keep every one of them.
HostOptions snapshot_every(std::uint64_t every) {
  HostOptions o;
  o.follow = false;
  o.snapshot_every = every;
  o.part_history_every = every;
  return o;
}

// A page as text: lessons, and per row the student, marks, attendance and averages.
std::string page_text(const JournalProjection& j, domain::ClassId c, domain::SubjectId subject, domain::TermId term,
                      domain::GroupId group = 0) {
  auto page = j.page(c, group, subject, term);
  if (!page.ok()) return page.status().to_string();
  std::string out;
  for (const JournalLesson& l : page->lessons) out += std::to_string(l.id) + ":" + std::string(l.topic) + ";";
  for (const JournalRow& r : page->rows) {
    out += "\n" + std::to_string(r.student) + "[" + std::to_string(r.joined) + "-" + std::to_string(r.left) + "]:";
    for (const JournalCell& cell : r.cells) {
      for (const JournalMark& m : cell.marks) out += std::to_string(m.value);
      out += cell.attendance ? "н" : "";
      out += "/" + std::to_string(cell.version) + ",";
    }
    out += r.average ? std::to_string(*r.average) : "-";
  }
  return out;
}

}  // namespace

TEST_CASE("the journal's snapshots store a closed year once, and as_of in one year's scope equals the whole state",
          "[projections][parts]") {
  testkit::TempDir dir;
  const std::string data = three_years(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  HostOptions o = snapshot_every(head / 24);
  o.keep_snapshots = 3;
  auto host = ProjectionHost::start(**log, journal_only(), o);
  REQUIRE(host.ok());

  auto& store = (*log)->snapshot_store();
  auto manifests = store.positions("journal");
  REQUIRE(manifests.ok());
  REQUIRE(manifests->size() >= 20);
  // Every part a manifest names is stored, and every stored part is named (pruning left no orphans).
  std::map<Projection::PartKey, std::set<log::Position>> named;
  for (log::Position p : *manifests) {
    const Manifest m = manifest_at(store, "journal", p);
    REQUIRE(m.size() >= 2);  // the shared part and at least one year
    CHECK(m.front().key == Projection::kSharedPart);
    for (const PartRef& r : m) named[r.key].insert(r.stored_at);
  }
  const auto years = (*host)->read<JournalProjection>("journal", [](const JournalProjection& j) { return j.parts(); });
  REQUIRE(years.size() == kYears + 1);
  for (const auto& part : years) {
    auto stored = store.positions(part_name("journal", part.key));
    REQUIRE(stored.ok());
    CHECK(std::set<log::Position>(stored->begin(), stored->end()) == named[part.key]);
  }
  // A closed year is written a few times while it is current, then only named: far fewer copies than
  // snapshots. The shared part (classes, membership …) changes mostly when a year starts.
  CHECK(named[years[1].key].size() * 2 < manifests->size());
  CHECK(named[Projection::kSharedPart].size() * 2 < manifests->size());
  // A part a crash left without its manifest is swept with the next pruning; named parts stay.
  {
    const std::string orphan_name = part_name("journal", years[1].key);
    REQUIRE(store.put(orphan_name, head + 1, "bytes of a snapshot never finished").ok());
    std::vector<Manifest> kept;
    for (log::Position p : *manifests) kept.push_back(manifest_at(store, "journal", p));
    remove_snapshots(store, "journal", {}, kept);
    auto left = store.positions(orphan_name);
    REQUIRE(left.ok());
    CHECK(std::set<log::Position>(left->begin(), left->end()) == named[years[1].key]);
  }

  // as_of in one year's scope: the shared part and that year equal the whole state's, and so do its pages.
  const auto first_time = (*log)->read(1)->envelope()->header()->recorded_at_us();
  const auto last_time = (*log)->read(head)->envelope()->header()->recorded_at_us();
  std::mt19937_64 rng(11);
  int scoped = 0;
  for (int k = 0; k < 10; ++k) {
    const log::Timestamp t = first_time + static_cast<log::Timestamp>(rng() % static_cast<std::uint64_t>(last_time - first_time + 1));
    INFO("T = " << t);
    const log::Position cut = *(*log)->position_at(t);
    const auto whole = journal_replayed(**log, cut);
    domain::YearId year = whole->year_at(school_day(t));
    if (year == 0) continue;  // before the first term
    auto past = (*host)->as_of("journal", t, year);
    REQUIRE(past.ok());
    const auto& in_scope = static_cast<const JournalProjection&>(**past);
    CHECK(in_scope.snapshot_part(Projection::kSharedPart) == whole->snapshot_part(Projection::kSharedPart));
    CHECK(in_scope.snapshot_part(year) == whole->snapshot_part(year));
    const auto parts = in_scope.parts();
    for (const auto& p : parts) CHECK((p.key == Projection::kSharedPart || p.key == year));
    // Its pages: every class of that year, first subject and term that have lessons.
    for (domain::ClassId c = 1; c < 40; ++c) {
      if (whole->year_of_class(c) != year) continue;
      for (domain::SubjectId subject = 1; subject <= 3; ++subject)
        for (domain::TermId term = 1; term <= 4 * kYears; ++term) {
          CHECK(page_text(in_scope, c, subject, term) == page_text(*whole, c, subject, term));
          for (domain::GroupId g = 1; g < 40; ++g)  // the class's study groups (others: not_found on both)
            CHECK(page_text(in_scope, c, subject, term, g) == page_text(*whole, c, subject, term, g));
        }
      ++scoped;
    }
  }
  CHECK(scoped > 0);
}

TEST_CASE("a journal snapshot with a damaged part is skipped for an older one", "[projections][parts]") {
  testkit::TempDir dir;
  const std::string data = three_years(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  const HostOptions o = snapshot_every(head / 6);
  {
    auto host = ProjectionHost::start(**log, journal_only(), o);
    REQUIRE(host.ok());
  }
  auto& store = (*log)->snapshot_store();
  auto manifests = store.positions("journal");
  REQUIRE(manifests.ok());
  REQUIRE(manifests->size() >= 3);
  const log::Position newest = manifests->back();
  const Manifest m = manifest_at(store, "journal", newest);
  REQUIRE(m.size() >= 2);
  // Damage the part the newest snapshot wrote last (the year in progress).
  const PartRef& part = m.back();
  REQUIRE(part.stored_at == newest);
  auto bytes = store.get(part_name("journal", part.key), part.stored_at);
  REQUIRE(bytes.ok());
  std::string damaged = *bytes;
  damaged[damaged.size() / 2] ^= 0x5a;
  REQUIRE(store.put(part_name("journal", part.key), part.stored_at, damaged).ok());

  JournalProjection restored;
  auto at = restore_latest(store, restored, head);
  REQUIRE(at.ok());
  CHECK(*at < newest);
  CHECK(*at > 0);
  // as_of reads the records after the newest snapshot while restoring it; when that snapshot turns out
  // damaged, it drops them and replays from the older one.
  {
    auto reader = ProjectionHost::start(**log, journal_only(), o);  // restores from the older snapshot too
    REQUIRE(reader.ok());
    const auto last_time = (*log)->read(head)->envelope()->header()->recorded_at_us();
    auto past = (*reader)->as_of("journal", last_time);
    REQUIRE(past.ok());
    CHECK((*past)->snapshot() == journal_replayed(**log, head)->snapshot());
  }
  // The older snapshot plus the tail reaches the state of a full replay.
  auto host = ProjectionHost::start(**log, journal_only(), o);
  REQUIRE(host.ok());
  std::string live;
  (*host)->read_raw("journal", [&](const Projection& p) { live = p.snapshot(); });
  CHECK(live == journal_replayed(**log, head)->snapshot());
}

TEST_CASE("control as_of in one school year's scope equals the whole state", "[projections][parts]") {
  testkit::TempDir dir;
  const std::string data = three_years(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  std::vector<std::unique_ptr<Projection>> control;
  control.push_back(std::make_unique<ControlProjection>());
  auto host = ProjectionHost::start(**log, std::move(control), snapshot_every(head / 12));
  REQUIRE(host.ok());
  CHECK(manifest_at((*log)->snapshot_store(), "control", (*log)->snapshot_store().positions("control")->back()).size() >= kYears);

  const auto first_time = (*log)->read(1)->envelope()->header()->recorded_at_us();
  const auto last_time = (*log)->read(head)->envelope()->header()->recorded_at_us();
  std::mt19937_64 rng(3);
  int compared = 0;
  for (int k = 0; k < 8; ++k) {
    const log::Timestamp t = first_time + static_cast<log::Timestamp>(rng() % static_cast<std::uint64_t>(last_time - first_time + 1));
    INFO("T = " << t);
    const log::Position cut = *(*log)->position_at(t);
    ControlProjection whole;
    auto c = (*log)->cursor(1);
    for (; c->valid() && c->position() <= cut; c->next()) whole.apply(view_of(c->position(), c->bytes()));
    const domain::Day today = school_day(t);
    const domain::Day month = today - 30;
    const Projection::PartKey part = ControlProjection::part_of(month, today);
    if (part == Projection::kAllParts) continue;  // a month across two school years
    auto past = (*host)->as_of("control", t, part);
    REQUIRE(past.ok());
    const auto& in_scope = static_cast<const ControlProjection&>(**past);
    CHECK(in_scope.snapshot_part(Projection::kSharedPart) == whole.snapshot_part(Projection::kSharedPart));
    CHECK(in_scope.snapshot_part(part) == whole.snapshot_part(part));
    const auto sheet = [&](const ControlProjection& p) {
      std::string out;
      for (const TimeSheetRow& r : p.time_sheet(month, today))
        out += std::to_string(r.teacher) + ":" + std::to_string(r.given) + "/" + std::to_string(r.substitutions) + "/" + std::to_string(r.missed) + " ";
      for (const TeacherControl& tc : p.overview(month, today, today))
        out += std::to_string(tc.teacher) + ":" + std::to_string(tc.without_topic.size()) + "/" + std::to_string(tc.late_marks.size()) + " ";
      return out;
    };
    CHECK(sheet(in_scope) == sheet(whole));
    if (!sheet(whole).empty()) ++compared;  // summer months have no lessons
  }
  CHECK(compared >= 3);
}

TEST_CASE("a student's chart of a subject is every live mark of theirs in it, by day, over years and transfers",
          "[projections][diary]") {
  testkit::TempDir dir;
  const std::string data = three_years(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const auto j = journal_replayed(**log, (*log)->head());
  // Every mark, found by id (ids are dense), grouped by student and subject: (day, id, value).
  std::map<std::pair<domain::UserId, domain::SubjectId>, std::vector<std::tuple<domain::Day, domain::MarkId, int>>> expected;
  int missing = 0;
  for (domain::MarkId id = 1; missing < 1000; ++id) {
    const auto m = j->mark(id);
    if (!m) {
      ++missing;
      continue;
    }
    missing = 0;
    if (m->removed) continue;
    const auto* lesson = j->lesson(m->lesson);
    REQUIRE(lesson != nullptr);
    expected[{m->student, j->assignment(lesson->assignment)->subject}].emplace_back(lesson->day, id, m->value);
  }
  REQUIRE(expected.size() > 100);
  for (auto& [key, marks] : expected) {
    std::sort(marks.begin(), marks.end());
    const auto chart = j->marks_over_time(key.first, key.second);
    REQUIRE(chart.size() == marks.size());
    for (std::size_t i = 0; i < chart.size(); ++i) {
      CHECK(chart[i].day == std::get<0>(marks[i]));
      CHECK(chart[i].value == std::get<2>(marks[i]));
    }
  }
}

TEST_CASE("compacting the journal mid-log and at the end changes neither its snapshots nor its pages",
          "[projections][parts]") {
  testkit::TempDir dir;
  const std::string data = three_years(dir);
  auto log = log::open_event_log(data);
  REQUIRE(log.ok());
  const log::Position head = (*log)->head();
  const auto plain = journal_replayed(**log, head);
  // Compacted at a few points on the way (the current year is laid out again each time, closed years
  // once), and once more at the end with nothing changed since.
  JournalProjection compacted;
  std::size_t compactions = 0;
  auto c = (*log)->cursor(1);
  for (; c->valid(); c->next()) {
    compacted.apply(view_of(c->position(), c->bytes()));
    if (c->position() % (head / 7) == 0) {
      compacted.compact();
      ++compactions;
    }
  }
  REQUIRE(c->status().ok());
  compacted.compact();
  compacted.compact();
  CHECK(compactions >= 6);
  CHECK(compacted.snapshot() == plain->snapshot());
  // A restored state is laid out as it is filled; compacting it changes nothing either.
  JournalProjection restored;
  REQUIRE(restored.restore(plain->snapshot()).ok());
  restored.compact();
  CHECK(restored.snapshot() == plain->snapshot());
  std::size_t pages = 0;
  for (domain::ClassId cls = 1; cls < 40; ++cls)
    for (domain::SubjectId subject = 1; subject <= 3; ++subject)
      for (domain::TermId term = 1; term <= 4 * kYears; ++term) {
        const std::string expected = page_text(*plain, cls, subject, term);
        CHECK(page_text(compacted, cls, subject, term) == expected);
        CHECK(page_text(restored, cls, subject, term) == expected);
        if (expected.find('\n') != std::string::npos) ++pages;
      }
  CHECK(pages > 20);
}
