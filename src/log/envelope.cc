#include "ejournal/log/envelope.h"

#include <sodium.h>

#include <cstring>

#include "log/sodium.h"

namespace ejournal::log {
namespace {

// Offset of the header struct inside checked envelope bytes.
std::size_t header_offset(std::string_view bytes) {
  const auto* header = envelope_of(bytes)->header();
  return static_cast<std::size_t>(reinterpret_cast<const char*>(header) - bytes.data());
}

}  // namespace

EventDraft finish_draft(flatbuffers::FlatBufferBuilder& fbb, fb::Event type, flatbuffers::Offset<void> event,
                        bool request_slot) {
  const fb::Header zero_header;  // all fields zero: the log fills them when it seals the draft
  // A zero digest is a default value, which FlatBuffers leaves out unless told to keep it; the slot must
  // exist to be filled in place later.
  fbb.ForceDefaults(request_slot);
  fb::EnvelopeBuilder builder(fbb);
  if (request_slot) builder.add_request_digest(0);
  builder.add_event(event);
  builder.add_header(&zero_header);
  builder.add_event_type(type);
  auto envelope = builder.Finish();
  fbb.ForceDefaults(false);
  fb::FinishEnvelopeBuffer(fbb, envelope);
  return EventDraft{std::string(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize())};
}

bool set_request_digest(EventDraft& draft, std::uint64_t digest) {
  return fb::GetMutableEnvelope(draft.bytes.data())->mutate_request_digest(digest);
}

std::uint64_t request_digest_of(std::string_view bytes) { return envelope_of(bytes)->request_digest(); }

Status check_envelope(std::string_view bytes) {
  if (bytes.size() < 8 + kHeaderBytes)
    return Status(Code::invalid_argument, "envelope shorter than its fixed parts");
  // FlatBuffers reads scalars at their natural alignment; std::string storage is at least 8-aligned, and so
  // is the memory RocksDB hands out for values. Refuse anything else rather than read misaligned.
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0)
    return Status(Code::invalid_argument, "envelope bytes are not 8-byte aligned");
  if (!fb::EnvelopeBufferHasIdentifier(bytes.data()))
    return Status(Code::invalid_argument, "envelope lacks the file identifier EJL1");
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (!fb::VerifyEnvelopeBuffer(verifier))
    return Status(Code::invalid_argument, "envelope fails FlatBuffers verification");
  const fb::Envelope* env = envelope_of(bytes);
  if (env->header() == nullptr) return Status(Code::invalid_argument, "envelope has no header");
  if (env->event_type() == fb::Event::NONE || env->event() == nullptr)
    return Status(Code::invalid_argument, "envelope carries no event");
  if (static_cast<unsigned>(env->event_type()) > static_cast<unsigned>(fb::Event::MAX))
    return Status(Code::invalid_argument, "envelope carries an event kind this program does not know");
  return Status::OK();
}

void seal(std::string& bytes, const SealFields& f) {
  auto* header = fb::GetMutableEnvelope(bytes.data())->mutable_header();
  header->mutate_position(f.position);
  header->mutate_recorded_at_us(f.recorded_at);
  header->mutate_actor(f.actor);
  std::memcpy(header->mutable_command_id()->Data(), f.command_id.bytes.data(), f.command_id.bytes.size());
  std::memcpy(header->mutable_prev_hash()->Data(), f.prev_hash.bytes.data(), f.prev_hash.bytes.size());
}

Digest record_hash(std::string_view bytes) {
  ensure_sodium();
  Digest d;
  crypto_generichash(d.bytes.data(), d.bytes.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                     bytes.size(), nullptr, 0);
  return d;
}

SealFields header_of(std::string_view bytes) {
  const fb::Header* h = envelope_of(bytes)->header();
  SealFields f;
  f.position = h->position();
  f.recorded_at = h->recorded_at_us();
  f.actor = h->actor();
  std::memcpy(f.command_id.bytes.data(), h->command_id()->Data(), f.command_id.bytes.size());
  std::memcpy(f.prev_hash.bytes.data(), h->prev_hash()->Data(), f.prev_hash.bytes.size());
  return f;
}

bool same_event(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const std::size_t ha = header_offset(a);
  if (ha != header_offset(b)) return false;
  return a.substr(0, ha) == b.substr(0, ha) && a.substr(ha + kHeaderBytes) == b.substr(ha + kHeaderBytes);
}

}  // namespace ejournal::log
