// Times as people write them (as_of, ejctl restore --at): one reading for the protocol and the tools.
#include <catch2/catch.hpp>

#include "ejournal/projections/school_time.h"
#include "school.h"

using ejournal::projections::parse_school_time;
using ejournal::testkit::school_time;

TEST_CASE("a date alone is the end of that school day; a time counts its whole minute or second", "[time]") {
  const ejournal::domain::Day sep4 = ejournal::testkit::kSep4;  // 2023-09-04
  CHECK(parse_school_time("2023-09-04") == school_time(sep4 + 1, 0) - 1);
  CHECK(parse_school_time("2023-09-04T12:00") == school_time(sep4, 12, 1) - 1);
  CHECK(parse_school_time("2023-09-04 12:00:30") == school_time(sep4, 12) + 30'999'999);
  CHECK(parse_school_time("2023-09-04T09:00:00Z") == school_time(sep4, 12) + 999'999);
  CHECK(parse_school_time("2023-09-04T15:00:00+03:00") == school_time(sep4, 15) + 999'999);
  CHECK(parse_school_time("2023-09-04T05:00:00-04:00") == school_time(sep4, 12) + 999'999);
  for (const char* bad : {"", "2023-02-30", "2023-09-04T24:00", "2023-09-04T12:60", "2023-09-04T12:00:61",
                          "2023-09-04X", "2023-09-04T12:00Zz", "2023-09-04T12:00+3", "2023-09-04T12:00+ab:cd",
                          "04.09.2023", "2023-09-04T12:00:5"})
    CHECK_FALSE(parse_school_time(bad).has_value());
}
