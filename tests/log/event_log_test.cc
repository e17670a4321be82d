#include <catch2/catch.hpp>

#include "testkit.h"

using namespace ejournal;

TEST_CASE("placeholder") {
  testkit::TempDir dir;
  auto log = log::open_event_log(dir.sub("data"));
  REQUIRE(log.ok());
  auto r = (*log)->append(testkit::sample_command(1));
  REQUIRE(r.ok());
  CHECK(r->first == 1);
}
