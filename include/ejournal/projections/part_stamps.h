// PartStamps: the bookkeeping of a partitioned projection (projection.h) — which part it holds (its scope)
// and each part's stamp, the position of the last event that changed it. The journal and the control
// projection keep one each, keyed by year.
// Thread-safety: none; it belongs to its projection.
#pragma once

#include <map>
#include <vector>

#include "ejournal/projections/projection.h"

namespace ejournal::projections {

class PartStamps {
 public:
  using PartKey = Projection::PartKey;

  PartKey scope() const { return scope_; }
  void set_scope(PartKey scope) { scope_ = scope; }
  // Whether this state holds part `key` (never key 0, which is the shared part and no year).
  bool holds(PartKey key) const { return key != Projection::kSharedPart && (scope_ == Projection::kAllParts || key == scope_); }

  // Part `key` (kSharedPart for the shared one) changed at `position`; also how a restore sets a stamp.
  void touch(PartKey key, std::uint64_t position) {
    if (key == Projection::kSharedPart) shared_ = position;
    else parts_[key] = position;
  }

  // Every part, the shared one first: what Projection::parts() answers.
  std::vector<Projection::PartStamp> all() const { return of(true, Projection::kAllParts); }
  // The stamps a snapshot carries: the shared part's when `shared`, and those of `key` (kAllParts: every
  // part; kSharedPart: none), in key order.
  std::vector<Projection::PartStamp> of(bool shared, PartKey key) const {
    std::vector<Projection::PartStamp> out;
    if (shared) out.push_back({Projection::kSharedPart, shared_});
    for (const auto& [k, stamp] : parts_)
      if (key == Projection::kAllParts || k == key) out.push_back({k, stamp});
    return out;
  }

 private:
  PartKey scope_ = Projection::kAllParts;
  std::uint64_t shared_ = 0;
  std::map<PartKey, std::uint64_t> parts_;
};

}  // namespace ejournal::projections
