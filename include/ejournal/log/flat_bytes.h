// Writing and reading a state as FlatBuffers (a snapshot's raw bytes, before framing): the projections' and
// the domain's write model's.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ejournal::log {

// The bytes of a finished builder.
inline std::string finished_bytes(const flatbuffers::FlatBufferBuilder& b) {
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

// The root of `raw` once its identifier and structure verify, else nullptr. FlatBuffers reads in place and
// wants the buffer 8-byte aligned: when `raw` is not, it is copied into `storage`, which must outlive the root.
template <typename Root>
const Root* verified_root(std::string_view raw, const char* identifier, std::string& storage) {
  if (reinterpret_cast<std::uintptr_t>(raw.data()) % 8 != 0) raw = storage.assign(raw);
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size(), 64, 100'000'000);
  if (raw.size() < 8 || !flatbuffers::BufferHasIdentifier(raw.data(), identifier) || !verifier.VerifyBuffer<Root>(identifier))
    return nullptr;
  return flatbuffers::GetRoot<Root>(raw.data());
}

}  // namespace ejournal::log
