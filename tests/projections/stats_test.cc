// The administrator's statistics: accounts by role, sign-ins and events per day, events per user, log size.
#include <catch2/catch.hpp>

#include "ejournal/projections/host.h"
#include "ejournal/projections/stats.h"
#include "one_projection.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
using namespace ejournal::projections;
using testkit::kSep4;
using testkit::school_time;

TEST_CASE("stats count accounts by role, sign-ins and events per day, and the log's size", "[projections][stats]") {
  testkit::School s(school_time(kSep4, 8));
  s.clock->set(school_time(kSep4 + 1, 7, 30));
  s.must(0, cmd::RecordLogin{s.teacher_a, "teacher.a", "10.0.0.5", true});
  s.must(0, cmd::RecordLogin{s.teacher_b, "teacher.b", "10.0.0.6", true});
  s.must(0, cmd::RecordLogin{0, "nobody", "10.0.0.7", false});
  s.must(s.admin, cmd::BlockAccount{s.teacher_b, "увольнение"});

  auto host = host_of<StatsProjection>(s);

  const AccountStats acc = host->read<StatsProjection>("stats", [](const StatsProjection& p) { return p.accounts(); });
  CHECK(acc.total == 11);  // admin, deputy, director, two teachers, four students, two parents
  CHECK(acc.blocked == 1);
  CHECK(acc.by_role.at(Role::Administrator) == 1);
  CHECK(acc.by_role.at(Role::Deputy) == 1);
  CHECK(acc.by_role.at(Role::Director) == 1);
  CHECK(acc.by_role.at(Role::Teacher) == 2);
  CHECK(acc.by_role.at(Role::Curator) == 2);
  CHECK(acc.by_role.at(Role::Student) == 4);
  CHECK(acc.by_role.at(Role::Parent) == 2);

  const auto days = host->read<StatsProjection>("stats", [](const StatsProjection& p) { return p.days(kSep4 - 10, kSep4 + 10); });
  REQUIRE(days.size() == 2);
  CHECK(days[0].day == kSep4);
  CHECK(days[0].logins == 0);
  CHECK(days[1].day == kSep4 + 1);
  CHECK(days[1].events == 4);
  CHECK(days[1].logins == 2);
  CHECK(days[1].failed_logins == 1);

  const LogStats size = host->read<StatsProjection>("stats", [](const StatsProjection& p) { return p.log_size(); });
  CHECK(size.events == s.log().head());
  CHECK(size.head == s.log().head());
  CHECK(size.stored_bytes > size.events * 72);  // at least the header of each record
  CHECK(days[0].events + days[1].events == size.events);

  const auto busiest = host->read<StatsProjection>("stats", [](const StatsProjection& p) { return p.events_by_user(3); });
  REQUIRE(busiest.size() == 3);
  CHECK(busiest[0].first == s.deputy);  // the deputy built the school's structure
  CHECK(busiest[0].second >= busiest[1].second);
}
