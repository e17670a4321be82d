// IdTable: the same answers as a std::map under ids that grow, fall below the lowest held and jump across
// blocks; records never move once made; for_each visits in id order.
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "ejournal/projections/id_table.h"

using ejournal::projections::IdTable;

namespace {

struct Item {
  std::uint64_t value = 0;
  std::vector<int> list;  // not trivially copyable, as the projections' records are not
};

using Table = IdTable<std::uint32_t, Item>;

void check_same(const Table& table, const std::map<std::uint32_t, std::uint64_t>& model, std::uint32_t up_to) {
  for (std::uint32_t id = 0; id <= up_to; ++id) {
    const auto it = model.find(id);
    const Item* found = table.find(id);
    INFO("id " << id);
    REQUIRE((found != nullptr) == (it != model.end()));
    if (found != nullptr) CHECK(found->value == it->second);
  }
  std::vector<std::uint32_t> visited;
  table.for_each([&](std::uint32_t id, const Item& item) {
    visited.push_back(id);
    CHECK(item.value == model.at(id));
  });
  std::vector<std::uint32_t> expected;
  for (const auto& [id, v] : model) expected.push_back(id);
  CHECK(visited == expected);
}

}  // namespace

TEST_CASE("an id table answers as a map does and never moves a record", "[projections][id_table]") {
  Table table;
  std::map<std::uint32_t, std::uint64_t> model;
  std::map<std::uint32_t, const Item*> addresses;
  CHECK(table.empty());
  CHECK(table.find(1) == nullptr);
  std::mt19937 rng(7);
  const std::uint32_t span = 5 * static_cast<std::uint32_t>(Table::kBlock);
  // Start in the middle, so that later ids fall below the first block as well as beyond the last.
  for (int i = 0; i < 4000; ++i) {
    const std::uint32_t id = i < 10 ? 2 * span + static_cast<std::uint32_t>(i) : 1 + rng() % (4 * span);
    Item& item = table[id];
    item.value = item.value * 31 + static_cast<std::uint64_t>(i) + 1;
    model[id] = model[id] * 31 + static_cast<std::uint64_t>(i) + 1;
    addresses.emplace(id, &item);
  }
  for (const auto& [id, address] : addresses) CHECK(table.find(id) == address);
  check_same(table, model, 5 * span);
  CHECK_FALSE(table.contains(0));
  CHECK_FALSE(table.contains(5 * span));
}

TEST_CASE("reserving ids makes room without making records", "[projections][id_table]") {
  Table table;
  table.reserve(100, 3 * static_cast<std::uint32_t>(Table::kBlock));
  CHECK_FALSE(table.empty());
  CHECK(table.find(100) == nullptr);
  table[150].value = 1;
  const Item* kept = table.find(150);
  table.reserve(1, 4 * static_cast<std::uint32_t>(Table::kBlock));  // below and beyond: nothing moves
  table[2].value = 2;
  CHECK(table.find(150) == kept);
  check_same(table, {{2, 2}, {150, 1}}, 4 * static_cast<std::uint32_t>(Table::kBlock));
  table.clear();
  CHECK(table.empty());
  CHECK(table.find(150) == nullptr);
}

TEST_CASE("an id past kMaxId is never stored, so a live state never holds what its snapshot refuses",
          "[projections][id_table]") {
  IdTable<std::uint32_t, int> t;
  t[5] = 1;
  const std::uint32_t huge = static_cast<std::uint32_t>(IdTable<std::uint32_t, int>::kMaxId) + 7;
  t[huge] = 42;
  CHECK(t[huge] == 0);  // a fresh scratch record each time
  CHECK_FALSE(t.contains(huge));
  int seen = 0;
  t.for_each([&](std::uint32_t id, int v) {
    CHECK(id == 5);
    CHECK(v == 1);
    ++seen;
  });
  CHECK(seen == 1);
}
