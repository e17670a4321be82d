// libFuzzer target: the sealed-segment decoder (the `seg` family, docs/log-format.md §9a). A damaged value
// must be refused with a status, never read out of bounds; a segment it accepts hands out records that each
// pass check_envelope, as cursors assume.
#include <cstddef>
#include <cstdint>
#include <string>

#include "ejournal/log/envelope.h"
#include "log/sealed_segment.h"

using namespace ejournal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static log::SegmentDecoder decoder;
  log::Segment segment;
  const std::string value(reinterpret_cast<const char*>(data), size);
  if (!decoder.decode(1, value, segment).ok()) return 0;
  for (std::size_t i = 0; i < segment.size(); ++i)
    if (!log::check_envelope(segment.record(i)).ok()) __builtin_trap();
  return 0;
}
