// The projections the journal keeps, in one list for the server, the tools and the tests.
#pragma once

#include <memory>
#include <vector>

#include "ejournal/projections/projection.h"

namespace ejournal::projections {

// A fresh, empty instance of every projection, in a fixed order.
std::vector<std::unique_ptr<Projection>> all_projections();

}  // namespace ejournal::projections
