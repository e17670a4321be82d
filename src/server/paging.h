// Paging of long answers (audit.*, control.register, control.late_marks, roster.assignments).
//
// Such an answer is {"items": [...], "next": CURSOR or null}. A page holds at most `limit` items (the request's
// `limit`, default and maximum per operation) and stops early once its items pass kPageBytes of JSON, so that
// an answer stays far below the per-client queue limit whatever the items hold; it always holds at least
// one item when any remain. `next` is an opaque string naming the last item's place in the listing's order;
// sent back as `cursor` with the same other arguments, it gives the items after that one. Cursors name
// places, not counts, so a listing that grows between two pages neither repeats nor skips an item.
//
// Internal to the server. Thread-safety: a value type, used by one thread.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "args.h"

namespace ejournal::server {

inline constexpr std::size_t kPageBytes = 1 << 20;

class Page {
 public:
  // Reads `limit` (1 … max, default `fallback`) and `cursor` (`parts` numbers) from the request.
  Page(Args& a, std::int64_t fallback, std::int64_t max, std::size_t parts);

  // The cursor sent by the client, or nullopt on the first page.
  const std::optional<std::vector<std::uint64_t>>& after() const { return after_; }

  // True once the page can take no more items: the next one is answered on the next page.
  bool full() const { return items_.size() >= limit_ || bytes_ >= kPageBytes; }
  // Adds an item and the place it has in the listing's order. REQUIRES: !full().
  void add(boost::json::value item, std::vector<std::uint64_t> place);
  // Call when an item remained that did not fit: `next` then names the last item added.
  void more() { more_ = true; }

  boost::json::value result();

 private:
  std::size_t limit_ = 0;
  std::optional<std::vector<std::uint64_t>> after_;
  boost::json::array items_;
  std::size_t bytes_ = 0;
  std::vector<std::uint64_t> last_;
  bool more_ = false;
};

}  // namespace ejournal::server
