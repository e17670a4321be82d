// PersonalDataVault: seals and opens personal data with a key per data subject (student or parent), kept
// outside the log. Erasing a subject destroys its key: the sealed records stay in the log, the chain still
// verifies, and the data can no longer be read.
//
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <string>

#include "ejournal/domain/commands.h"
#include "ejournal/status.h"

namespace ejournal::domain {

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
};

}  // namespace ejournal::domain
