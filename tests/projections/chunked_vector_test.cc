// ChunkedVector: elements come back in order, by index and from the back, across chunk boundaries, and
// appending does not move the elements already there.
#include <catch2/catch.hpp>

#include "ejournal/projections/chunked_vector.h"

using ejournal::projections::ChunkedVector;

TEST_CASE("a chunked vector keeps its elements in order and in place across chunks", "[projections][chunked]") {
  ChunkedVector<int, 4> v;
  CHECK(v.empty());
  CHECK(v.begin() == v.end());
  v.push_back(0);
  const int* first = &v.back();
  for (int i = 1; i < 11; ++i) v.push_back(i);  // chunks of 4, 4 and 3
  CHECK(&v[0] == first);  // never moved
  CHECK(v.size() == 11);
  CHECK(v.back() == 10);
  v.back() = 100;
  int expected = 0;
  for (const int x : v) CHECK(x == (expected++ == 10 ? 100 : expected - 1));
  CHECK(expected == 11);
  for (std::size_t i = 0; i < 10; ++i) CHECK(v[i] == static_cast<int>(i));
  ChunkedVector<int, 4> full;
  for (int i = 0; i < 8; ++i) full.push_back(i);  // exactly two chunks: end() right after the last
  CHECK(std::distance(full.begin(), full.end()) == 8);
}
