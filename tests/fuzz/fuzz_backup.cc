// libFuzzer target: what a restore reads from a backup disk — the manifest, a segment file, the keys file.
// The first byte picks the reader; the rest is the file. Each must refuse damage with a status and never
// allocate without bound (backup/segment.h's limits).
#include <cstddef>
#include <cstdint>
#include <string>

#include "backup/keys_file.h"
#include "backup/manifest.h"
#include "backup/segment.h"

using namespace ejournal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto m = backup::decode_manifest(bytes);
      if (m.ok()) (void)backup::encode_manifest(*m);
      break;
    }
    case 1: {
      // A segment file as the manifest describes it: the file's own size and hash are what a manifest would
      // say of it, so the decoder goes on into the payload.
      backup::SegmentInfo info;
      info.file = "seg";
      info.first = 1;
      info.last = 1 + (bytes.size() % 64);
      info.file_bytes = bytes.size();
      info.file_hash = log::record_hash(bytes);
      (void)backup::decode_segment(bytes, info);
      break;
    }
    default:
      (void)backup::decode_keys(bytes);
  }
  return 0;
}
