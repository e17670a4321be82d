// libFuzzer target: snapshot decoding — the frame (ejournal/log/snapshot_frame.h) and, behind a frame that
// holds, each projection's restore of the raw bytes, whole and as parts, and the domain's write model's. The
// first byte picks the projection (or the write model). A restore refuses what it cannot verify and leaves the
// state as it was: a refused restore must leave a state whose snapshot is still the empty state's.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/write_model.h"
#include "ejournal/log/snapshot_frame.h"
#include "ejournal/projections/catalog.h"

using namespace ejournal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const auto catalogue = projections::all_projections();
  const std::size_t pick = data[0] % (catalogue.size() + 1);
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  // As stored: a frame around the raw bytes.
  auto unframed = log::unframe_snapshot(bytes);
  // As raw bytes behind a frame that holds: what a frame's checksum lets through is exercised directly.
  const std::string raw = unframed.ok() ? unframed->raw : bytes;

  if (pick == catalogue.size()) {  // the write model (src/domain/write_model_snapshot.cc)
    static const std::string empty = domain::WriteModel().snapshot();
    domain::WriteModel wm;
    if (!wm.restore(raw).ok() && wm.snapshot() != empty) __builtin_trap();
    return 0;
  }
  const auto& model = catalogue[pick];

  auto whole = model->fresh();
  const std::string empty = whole->snapshot();
  if (!whole->restore(raw).ok() && whole->snapshot() != empty) __builtin_trap();

  if (!model->parts().empty() || model->name() == "journal") {
    auto parted = model->fresh();
    const std::vector<std::string_view> parts{std::string_view(raw)};
    if (!parted->restore_parts(parts, projections::Projection::kAllParts).ok() && parted->snapshot() != empty)
      __builtin_trap();
  }
  return 0;
}
