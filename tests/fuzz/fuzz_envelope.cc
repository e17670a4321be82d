// libFuzzer target: the envelope verifier, and the domain's write model and every projection folding what
// it accepts (a server replays both at start). A record that passes
// check_envelope is what the log hands to the projections; whatever its fields say (ids, days, kinds never
// seen together), folding it must not crash, and a snapshot of the result must restore.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ejournal/log/envelope.h"
#include "domain/write_model.h"
#include "ejournal/projections/catalog.h"

using namespace ejournal;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // FlatBuffers reads scalars in place: the log hands out aligned bytes, and so does this copy.
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (!log::check_envelope(bytes).ok()) return 0;
  const auto view = projections::view_of(1, bytes);
  domain::WriteModel model;
  model.apply(view.envelope, view.actor);
  for (const auto& p : projections::all_projections()) {
    p->apply(view);
    const std::string snap = p->snapshot();
    auto again = p->fresh();
    if (auto s = again->restore(snap); !s.ok()) {  // a state's own snapshot always restores
      std::fprintf(stderr, "fuzz_envelope: %s's own snapshot does not restore: %s\n", std::string(p->name()).c_str(),
                   s.to_string().c_str());
      __builtin_trap();
    }
  }
  return 0;
}
