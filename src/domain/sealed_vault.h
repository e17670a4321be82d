// SealedVault: the PersonalDataVault of a data directory.
//
// Each data subject (a student or a parent) has a random 32-byte key. The key is stored in the log's
// KeyStore wrapped (XChaCha20-Poly1305) by the directory's master key, which lives in the file `master.key`
// (32 random bytes, mode 0600) beside the database. A record is sealed with XChaCha20-Poly1305 under the
// subject's key, with associated data naming the subject, so a sealed record cannot be moved to another
// person. Erasing a subject destroys its wrapped key. The keys family also holds a check value under
// `check/master` (an empty plaintext sealed under the master key), so that a master.key that was altered,
// or taken from another directory, is refused at open instead of leaving every name unreadable.
// docs/log-format.md, "Personal data", has the bytes.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "ejournal/domain/vault.h"
#include "ejournal/log/key_store.h"

namespace ejournal::domain {

class SealedVault final : public PersonalDataVault {
 public:
  // The name of the master key's check value in the keys family.
  static constexpr std::string_view kCheckName = "check/master";

  // Reads `dir`/master.key, creating it (0600) when absent — unless `sample_key` names a wrapped key already
  // there (not_found: a new master key would open none of them). Refuses a key file that others may read,
  // and (corruption) a master key that does not open the check value, or, in a directory made before check
  // values, `sample_key`; it then stores the check value where `keys` is writable.
  static Result<std::unique_ptr<SealedVault>> open(const std::string& dir, log::KeyStore& keys,
                                                   const std::optional<std::string>& sample_key);
  ~SealedVault() override;

  Result<std::string> seal(DataSubject kind, UserId subject, const PersonalData& data) override;
  Result<PersonalData> open(DataSubject kind, UserId subject, std::string_view sealed) const override;
  Status erase(DataSubject kind, UserId subject) override;
  std::uint64_t request_digest(std::string_view canonical) const override;

  // Whether the wrapped key `name` opens under the master key (OK), with the reason when it does not.
  Status check_key(const std::string& name) const;

 private:
  using Key = std::array<unsigned char, 32>;
  SealedVault(const Key& master, log::KeyStore& keys);
  Result<Key> subject_key(const std::string& name, bool create) const;
  Status check_master(const std::optional<std::string>& sample_key);

  Key master_;
  Key digest_key_;  // the request digests' key, derived from the master key once
  log::KeyStore* keys_;
  mutable std::mutex create_mu_;  // two seals for a new subject must not create two keys
};

}  // namespace ejournal::domain
