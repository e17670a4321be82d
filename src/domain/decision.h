// Decision: the events a validated command becomes, and helpers shared by the decide_* files.
// Internal to src/domain.
#pragma once

#include <string>
#include <vector>

#include "domain/write_model.h"
#include "ejournal/domain/commands.h"
#include "ejournal/log/envelope.h"
#include "ejournal/status.h"

namespace ejournal::domain {

struct Decision {
  std::vector<log::EventDraft> events;
  std::uint32_t created = 0;  // id of the entity the command created (class, lesson, mark …), else 0
};

// Who is acting: an account, or the system itself (user 0: schedules, the first administrator).
struct ActorView {
  UserId id = 0;
  const UserState* user = nullptr;  // null for the system
  bool is(Role r) const { return user != nullptr && user->has_role(r); }
  bool system() const { return id == 0; }
};

// A refusal with a stable code and a message in Russian, for the person who sent the command.
inline Status refuse(Code code, std::string message) { return Status(code, std::move(message)); }
inline Status forbidden(const std::string& what) { return refuse(Code::forbidden, "Нет прав: " + what); }
inline Status not_found(const std::string& what) { return refuse(Code::not_found, what + " не найден(а)"); }
inline Status invalid(const std::string& what) { return refuse(Code::invalid_argument, what); }

// Builds one event into a fresh builder and appends its draft to the decision. The first draft gets the
// slot for the request digest, which the Domain fills in (idempotency, domain.h).
template <typename BuildFn>
void emit(Decision& d, fb::Event type, BuildFn&& build) {
  flatbuffers::FlatBufferBuilder fbb(256);
  flatbuffers::Offset<void> event = build(fbb);
  d.events.push_back(log::finish_draft(fbb, type, event, /*request_slot=*/d.events.empty()));
}

// Limits on free text, so that one command stays a small event.
inline constexpr std::size_t kMaxName = 200;
inline constexpr std::size_t kMaxText = 4000;
Status check_text(const std::string& text, std::size_t max, const char* what, bool required);
Status check_reason(const std::string& reason);

}  // namespace ejournal::domain
