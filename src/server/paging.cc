#include "paging.h"

#include <boost/json.hpp>

namespace ejournal::server {
namespace {

// "12.5.9001": the numbers of a place, dot-separated.
std::optional<std::vector<std::uint64_t>> parse_place(const std::string& text, std::size_t parts) {
  std::vector<std::uint64_t> out;
  std::uint64_t v = 0;
  bool digits = false;
  for (char ch : text) {
    if (ch >= '0' && ch <= '9') {
      if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
      v = v * 10 + static_cast<std::uint64_t>(ch - '0');
      digits = true;
    } else if (ch == '.' && digits) {
      out.push_back(v);
      v = 0;
      digits = false;
    } else {
      return std::nullopt;
    }
  }
  if (!digits) return std::nullopt;
  out.push_back(v);
  if (out.size() != parts) return std::nullopt;
  return out;
}

}  // namespace

Page::Page(Args& a, std::int64_t fallback, std::int64_t max, std::size_t parts)
    : limit_(static_cast<std::size_t>(a.integer_or("limit", 1, max, fallback))) {
  if (!a.given("cursor")) return;
  const std::string text = a.text("cursor");
  if (!a.ok()) return;
  after_ = parse_place(text, parts);
  if (!after_) a.fail("cursor", "не то значение, что сервер дал в «next»");
}

void Page::add(boost::json::value item, std::vector<std::uint64_t> place) {
  bytes_ += boost::json::serialize(item).size();
  items_.push_back(std::move(item));
  last_ = std::move(place);
}

boost::json::value Page::result() {
  boost::json::value next;  // null: the listing ends here
  if (more_ && !last_.empty()) {
    std::string text;
    for (std::size_t i = 0; i < last_.size(); ++i) text += (i == 0 ? "" : ".") + std::to_string(last_[i]);
    next = boost::json::string(text);
  }
  return boost::json::object{{"items", std::move(items_)}, {"next", std::move(next)}};
}

}  // namespace ejournal::server
