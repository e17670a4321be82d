// Crash safety: a child process appends and reports each acknowledged position; the test kills it with
// SIGKILL at random moments, reopens the log, and checks that every acknowledged event is there with its
// exact bytes and that the hash chain verifies. Twenty cycles on one growing log.
#include <map>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "child_process.h"
#include "printers.h"
#include "testkit.h"

using namespace ejournal;

namespace {

// Everything the child acknowledged: index → position, from its complete output lines.
std::map<std::uint64_t, log::Position> parse_acks(const std::string& out) {
  std::map<std::uint64_t, log::Position> acks;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // a line cut by the kill has no newline: not a complete acknowledgement
    std::istringstream fields(line);
    std::uint64_t index = 0;
    log::Position position = 0;
    if (fields >> index >> position) acks[index] = position;
  }
  return acks;
}

}  // namespace

TEST_CASE("every acknowledged event survives SIGKILL with its exact bytes", "[log][crash]") {
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> kill_after_ms(20, 300);
  std::size_t total_acks = 0;
  log::Position last_head = 0;

  for (int cycle = 0; cycle < 20; ++cycle) {
    INFO("cycle " << cycle);
    const std::uint64_t start = static_cast<std::uint64_t>(cycle) * 10'000'000;
    std::string out;
    {
      testkit::ChildProcess child(std::string(EJ_CRASH_CHILD_PATH), {"append", data, std::to_string(start)});
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kill_after_ms(rng));
      while (std::chrono::steady_clock::now() < deadline) {
        if (!child.read_some(out, 5)) break;
      }
      child.kill_hard();
      while (child.read_some(out, 1000)) {
        // drain: lines written before the kill are acknowledgements too
      }
      const int status = child.wait();
      REQUIRE(WIFSIGNALED(status));  // it was still appending, not failed
    }
    const auto acks = parse_acks(out);
    total_acks += acks.size();

    auto opened = log::open_event_log(data);
    INFO(opened.status().to_string());
    REQUIRE(opened.ok());
    log::EventLog& log = **opened;
    CHECK(log.head() >= last_head);  // nothing acknowledged earlier went missing
    for (const auto& [index, position] : acks) {
      REQUIRE(position <= log.head());
      auto rec = log.read(position);
      REQUIRE(rec.ok());
      const log::SealFields stored = log::header_of(rec->bytes);
      const log::AppendRequest expected = testkit::sample_command(index);
      REQUIRE(stored.position == position);
      REQUIRE(stored.command_id == expected.command_id);
      REQUIRE(stored.actor == expected.actor);
      std::string bytes = expected.events[0].bytes;
      log::seal(bytes, stored);  // what the writer must have stored, given the time and link it chose
      REQUIRE(bytes == rec->bytes);
    }
    auto report = log.verify(1, log.head());
    REQUIRE(report.ok());
    INFO(report->problem);
    REQUIRE(report->ok());
    last_head = log.head();
  }
  CHECK(total_acks > 0);
}
