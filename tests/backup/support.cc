#include "support.h"

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <future>

#include <catch2/catch.hpp>

#include "ejournal/demo/demo_school.h"

namespace ejournal::backup_test {

std::string demo_school(const testkit::TempDir& dir, std::uint64_t seed) {
  demo::DemoOptions o;
  o.seed = seed;
  o.students = 60;
  o.last_year_start = 2023;
  o.issue_credentials = false;
  const std::string data = dir.sub("data");
  auto r = demo::build_demo_school(data, o);
  REQUIRE(r.ok());
  return data;
}

void append_samples(log::EventLog& log, std::uint64_t first_index, std::uint64_t count) {
  std::atomic<std::uint64_t> left{count};
  std::atomic<bool> failed{false};
  std::promise<void> done;
  for (std::uint64_t i = 0; i < count; ++i) {
    log.append_async(testkit::sample_command(first_index + i), [&](Result<log::AppendResult> r) {
      if (!r.ok()) failed = true;
      if (--left == 0) done.set_value();
    });
  }
  if (count > 0) done.get_future().wait();
  REQUIRE_FALSE(failed.load());
}

void require_same_log(const log::LogReader& a, const log::LogReader& b) {
  REQUIRE(a.head() == b.head());
  auto ca = a.cursor(1);
  auto cb = b.cursor(1);
  std::uint64_t n = 0;
  for (; ca->valid(); ca->next(), cb->next()) {
    REQUIRE(cb->valid());
    REQUIRE(ca->position() == cb->position());
    if (ca->bytes() != cb->bytes()) FAIL("record " << ca->position() << " differs");
    ++n;
  }
  REQUIRE(ca->status().ok());
  REQUIRE_FALSE(cb->valid());
  REQUIRE(n == a.head());
}

int run(const std::string& command, std::string& output) {
  output.clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace ejournal::backup_test
