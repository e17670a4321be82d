// Passwords: Argon2id hashing (libsodium crypto_pwhash_str, "interactive" limits) and one-time passwords.
// Hashing costs ~0.1 s of CPU and 64 MiB: never call it on an I/O thread or under the Domain's lock.
// Thread-safety: free functions, safe from any thread.
#pragma once

#include <string>

#include "ejournal/status.h"

namespace ejournal::domain {

// The encoded Argon2id hash of `password` ($argon2id$v=19$…), for IssueCredential / ChangePassword.
Result<std::string> hash_password(const std::string& password);

// Whether `password` matches `encoded_hash`. Constant-time in the password.
bool verify_password(const std::string& encoded_hash, const std::string& password);

// A random one-time password of 10 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
std::string one_time_password();

// At least 8 characters with a letter and a digit; the message says what is missing (in Russian).
Status check_password_strength(const std::string& password);

}  // namespace ejournal::domain
