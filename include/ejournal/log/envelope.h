// Envelopes: the bytes of one log record, and the drafts callers build them from.
//
// A caller (the domain) builds an event with FlatBuffers and turns it into a draft: a complete Envelope whose
// Header is all zeros. The log seals the draft when it appends it: it fills in the header (position,
// recorded-at, actor, command id, previous hash) in place, without rebuilding the buffer. The sealed bytes are
// what is stored and hashed. docs/log-format.md is the authority on the layout.
//
// Thread-safety: free functions on caller-owned bytes; no shared state.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ejournal/fb/envelope_generated.h"
#include "ejournal/log/types.h"
#include "ejournal/status.h"

namespace ejournal::log {

// Size of the header struct in bytes (docs/log-format.md).
inline constexpr std::size_t kHeaderBytes = sizeof(fb::Header);
static_assert(kHeaderBytes == 72, "docs/log-format.md fixes the header at 72 bytes");

// An unsealed envelope. Move it into an AppendRequest; the log takes ownership.
struct EventDraft {
  std::string bytes;
};

// Finishes `fbb` as an Envelope carrying the given event and a zero header, and returns its bytes. With
// `request_slot`, the envelope also holds a zero request_digest that set_request_digest() can fill in later
// (a command's first draft); without it the field is absent.
// REQUIRES: `event` was built in `fbb`, and `type` names its table. `fbb` is left finished; Clear() it to reuse.
EventDraft finish_draft(flatbuffers::FlatBufferBuilder& fbb, fb::Event type, flatbuffers::Offset<void> event,
                        bool request_slot = false);

// Fills the request_digest of a draft made with a request slot, in place. Returns false (and changes
// nothing) when the draft has no slot. REQUIRES: check_envelope(draft.bytes).ok().
bool set_request_digest(EventDraft& draft, std::uint64_t digest);

// The request digest a checked envelope carries: 0 when it has none (not a command's first record, or a
// record written before the field existed).
std::uint64_t request_digest_of(std::string_view bytes);

// The header fields the log assigns.
struct SealFields {
  Position position = kNoPosition;
  Timestamp recorded_at = 0;
  ActorId actor = 0;
  CommandId command_id;
  Digest prev_hash;
};

// Checks that `bytes` is a well-formed envelope: the FlatBuffers verifier passes (bounds, alignment,
// nesting), the file identifier is "EJL1", the header is present and the event is a known, non-empty kind.
// Returns invalid_argument naming what is wrong; never reads out of bounds.
Status check_envelope(std::string_view bytes);

// Fills the header of a checked envelope in place.
// REQUIRES: check_envelope(*bytes).ok().
void seal(std::string& bytes, const SealFields& fields);

// The envelope in checked bytes. REQUIRES: check_envelope(bytes).ok(); valid as long as the bytes are.
inline const fb::Envelope* envelope_of(std::string_view bytes) {
  return fb::GetEnvelope(bytes.data());
}

// BLAKE2b-256 of the stored bytes of a record: the value its successor names as prev_hash.
Digest record_hash(std::string_view bytes);

// The header fields of a checked envelope.
SealFields header_of(std::string_view bytes);

// True when two checked envelopes are equal except for their headers: the same event from the same caller.
bool same_event(std::string_view a, std::string_view b);

}  // namespace ejournal::log
