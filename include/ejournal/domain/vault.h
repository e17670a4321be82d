// PersonalDataVault: seals and opens personal data with a key per data subject (student or parent), kept
// outside the log. Erasing a subject destroys its key: the sealed records stay in the log, the chain still
// verifies, and the data can no longer be read.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ejournal/domain/commands.h"
#include "ejournal/status.h"

namespace ejournal::domain {

// Shown in place of a person's name whose sealed record or key is damaged (open() fails with anything but
// not_found), so that damage never looks like a blank name; an erased person's name is simply absent.
inline constexpr std::string_view kUnreadableName = "⚠ данные не читаются";

class PersonalDataVault {
 public:
  virtual ~PersonalDataVault() = default;
  // Encrypts `data` for the subject, creating the subject's key if it has none. The result goes into a
  // PersonalDataRecorded event. Refuses with `conflict` if the subject was erased.
  virtual Result<std::string> seal(DataSubject kind, UserId subject, const PersonalData& data) = 0;
  // Decrypts what seal() produced. not_found once the subject's key is destroyed; corruption if the bytes
  // were altered.
  virtual Result<PersonalData> open(DataSubject kind, UserId subject, std::string_view sealed) const = 0;
  // Destroys the subject's key, durably. Idempotent.
  virtual Status erase(DataSubject kind, UserId subject) = 0;
  // A 64-bit digest of a request's canonical bytes (Domain idempotency), keyed with a secret of the data
  // directory so that the digest kept in the log tells nothing about the personal data a request carried.
  // Never 0 (0 means "no digest" in the log). The same directory (or a restore of it) gives the same digest.
  virtual std::uint64_t request_digest(std::string_view canonical) const = 0;
};

}  // namespace ejournal::domain
