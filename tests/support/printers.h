// How Catch2 prints the log's value types in failure messages (hex instead of "{?}").
#pragma once

#include <catch2/catch.hpp>

#include "ejournal/log/types.h"

namespace Catch {
template <>
struct StringMaker<ejournal::log::CommandId> {
  static std::string convert(const ejournal::log::CommandId& id) { return id.to_hex(); }
};
template <>
struct StringMaker<ejournal::log::Digest> {
  static std::string convert(const ejournal::log::Digest& d) { return d.to_hex(); }
};
}  // namespace Catch
