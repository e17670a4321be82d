// A host over the test school's log with one projection of type P, caught up and not following (the
// projection tests call it after writing their scenario).
#pragma once

#include <catch2/catch.hpp>

#include <memory>

#include "ejournal/projections/host.h"
#include "school.h"

namespace ejournal::projections {

template <typename P>
std::unique_ptr<ProjectionHost> host_of(testkit::School& s) {
  HostOptions o;
  o.follow = false;
  std::vector<std::unique_ptr<Projection>> projections;
  projections.push_back(std::make_unique<P>());
  auto host = ProjectionHost::start(s.log(), std::move(projections), o);
  REQUIRE(host.ok());
  return std::move(*host);
}

}  // namespace ejournal::projections
