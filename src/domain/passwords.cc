#include "ejournal/domain/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

namespace ejournal::domain {

Result<std::string> hash_password(const std::string& password) {
  if (sodium_init() < 0) return Status(Code::io_error, "libsodium cannot initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return Status(Code::io_error, "out of memory while hashing a password");
  return std::string(out);
}

bool verify_password(const std::string& encoded_hash, const std::string& password) {
  if (sodium_init() < 0) return false;
  return crypto_pwhash_str_verify(encoded_hash.c_str(), password.data(), password.size()) == 0;
}

std::string one_time_password() {
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  if (sodium_init() < 0) return {};
  std::string p;
  for (int i = 0; i < 10; ++i) p.push_back(kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)]);
  return p;
}

Status check_password_strength(const std::string& password) {
  // Characters, not bytes: a Cyrillic letter is two bytes of UTF-8, and counts as one letter.
  std::size_t chars = 0;
  bool letter = false, digit = false;
  for (char ch : password) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) ++chars;  // not a continuation byte
    if (std::isdigit(c) != 0) digit = true;
    if (std::isalpha(c) != 0 || c >= 0x80) letter = true;
  }
  if (chars < 8) return Status(Code::invalid_argument, "Пароль должен быть не короче 8 символов");
  if (chars > 128) return Status(Code::invalid_argument, "Пароль должен быть не длиннее 128 символов");
  if (!digit || !letter) return Status(Code::invalid_argument, "Пароль должен содержать буквы и цифры");
  return Status::OK();
}

}  // namespace ejournal::domain
