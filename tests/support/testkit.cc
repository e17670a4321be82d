#include "testkit.h"

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>

namespace ejournal::testkit {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/ejournal-test-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

log::EventDraft mark_draft(std::uint32_t lesson, std::uint32_t student, std::uint8_t value, std::uint16_t work_type) {
  flatbuffers::FlatBufferBuilder fbb(128);
  auto mark = fb::CreateMarkSet(fbb, lesson, student, value, work_type);
  return log::finish_draft(fbb, fb::Event::MarkSet, mark.Union());
}

namespace {
// splitmix64: a fast, well-mixed bijection, so distinct indices give distinct ids.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

log::CommandId sample_command_id(std::uint64_t index) {
  log::CommandId id;
  const std::uint64_t a = mix(index), b = mix(index ^ 0x5555555555555555ULL);
  for (int i = 0; i < 8; ++i) {
    id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a >> (8 * i));
    id.bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(b >> (8 * i));
  }
  return id;
}

log::AppendRequest sample_command(std::uint64_t index) {
  const std::uint64_t r = mix(index + 17);
  log::AppendRequest req;
  req.actor = 1 + index % 64;
  req.command_id = sample_command_id(index);
  // A school year: ~6,000 lessons a month, ~800 students, marks mostly 4 and 5.
  const auto lesson = static_cast<std::uint32_t>(1 + (index / 25) % 200000);
  const auto student = static_cast<std::uint32_t>(1 + r % 800);
  static constexpr std::uint8_t kValues[] = {5, 5, 5, 4, 4, 4, 4, 3, 3, 2};
  const std::uint8_t value = kValues[(r >> 16) % 10];
  const auto work_type = static_cast<std::uint16_t>(1 + (r >> 24) % 6);
  req.events.push_back(mark_draft(lesson, student, value, work_type));
  return req;
}

Status read_all(const log::LogReader& log, std::uint64_t* count) {
  std::uint64_t n = 0;
  auto c = log.cursor(1);
  for (; c->valid(); c->next()) ++n;
  if (count != nullptr) *count = n;
  return c->status();
}

}  // namespace ejournal::testkit
