// SealedVault: the PersonalDataVault of a data directory.
//
// Each data subject (a student or a parent) has a random 32-byte key. The key is stored in the log's
// KeyStore wrapped (XChaCha20-Poly1305) by the directory's master key, which lives in the file `master.key`
// (32 random bytes, mode 0600) beside the database. A record is sealed with XChaCha20-Poly1305 under the
// subject's key, with associated data naming the subject, so a sealed record cannot be moved to another
// person. Erasing a subject destroys its wrapped key. docs/log-format.md, "Personal data", has the bytes.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <string>

#include "ejournal/domain/vault.h"
#include "ejournal/log/key_store.h"

namespace ejournal::domain {

class SealedVault final : public PersonalDataVault {
 public:
  // Reads `dir`/master.key, creating it (0600) when absent. Refuses a key file that others may read.
  static Result<std::unique_ptr<SealedVault>> open(const std::string& dir, log::KeyStore& keys);
  ~SealedVault() override;

  Result<std::string> seal(DataSubject kind, UserId subject, const PersonalData& data) override;
  Result<PersonalData> open(DataSubject kind, UserId subject, std::string_view sealed) const override;
  Status erase(DataSubject kind, UserId subject) override;
  std::uint64_t request_digest(std::string_view canonical) const override;

 private:
  using Key = std::array<unsigned char, 32>;
  SealedVault(const Key& master, log::KeyStore& keys);
  Result<Key> subject_key(const std::string& name, bool create) const;

  Key master_;
  Key digest_key_;  // the request digests' key, derived from the master key once
  log::KeyStore* keys_;
  mutable std::mutex create_mu_;  // two seals for a new subject must not create two keys
};

}  // namespace ejournal::domain
