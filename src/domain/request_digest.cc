#include "domain/request_digest.h"

#include <boost/pfr.hpp>
#include <optional>
#include <type_traits>

namespace ejournal::domain {
namespace {

// Appends values in one fixed form: integers and enums as 8 bytes little-endian, booleans as one byte,
// texts as a 4-byte little-endian length and their bytes, optionals as a presence byte and the value,
// structs field by field in declaration order.
class Canonical {
 public:
  explicit Canonical(std::string& out) : out_(out) {}

  void put(bool v) { out_.push_back(v ? '\1' : '\0'); }
  void put(const std::string& s) {
    put_le(s.size(), 4);
    out_.append(s);
  }
  template <typename T>
  void put(const std::optional<T>& v) {
    put(v.has_value());
    if (v) put(*v);
  }
  template <typename T>
  void put(const T& v) {
    if constexpr (std::is_enum_v<T>) {
      put_le(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)), 8);
    } else if constexpr (std::is_integral_v<T>) {
      put_le(static_cast<std::uint64_t>(static_cast<std::int64_t>(v)), 8);
    } else {
      static_assert(std::is_aggregate_v<T>, "a command field of a type canonical_request does not know");
      boost::pfr::for_each_field(v, [this](const auto& field) { put(field); });
    }
  }

 private:
  void put_le(std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string& out_;
};

}  // namespace

std::string canonical_request(UserId actor, const Command& command) {
  std::string out = "ejournal request 1";
  out.push_back('\0');
  out.append(command_name(command));
  out.push_back('\0');
  Canonical c(out);
  c.put(actor);
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, cmd::IssueCredential>) {
          c.put(x.user);
          c.put(x.one_time);
        } else if constexpr (std::is_same_v<T, cmd::ChangePassword>) {
          c.put(x.user);
        } else {
          c.put(x);
        }
      },
      command);
  return out;
}

}  // namespace ejournal::domain
