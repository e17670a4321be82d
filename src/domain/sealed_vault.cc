#include "domain/sealed_vault.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ejournal/fb/personal_data_generated.h"

namespace ejournal::domain {
namespace {

constexpr unsigned char kWrapVersion = 1;
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string key_name(DataSubject kind, UserId subject) {
  return (kind == DataSubject::Student ? "student/" : "parent/") + std::to_string(subject);
}

// Associated data of a sealed record: binds it to its subject.
std::string record_ad(DataSubject kind, UserId subject) { return "ejournal-pd/v1/" + key_name(kind, subject); }

const unsigned char* u8(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }
const unsigned char* u8(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// nonce ‖ ciphertext ‖ tag
std::string encrypt(const unsigned char* key, std::string_view plain, const std::string& ad) {
  std::string out(kNonce + plain.size() + kTag, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kNonce, &written, u8(plain), plain.size(), u8(ad), ad.size(), nullptr,
                                             o, key);
  out.resize(kNonce + written);
  return out;
}

bool decrypt(const unsigned char* key, std::string_view sealed, const std::string& ad, std::string* plain) {
  if (sealed.size() < kNonce + kTag) return false;
  plain->assign(sealed.size() - kNonce - kTag, '\0');
  unsigned long long written = 0;
  const auto* s = u8(sealed);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain->data()), &written, nullptr,
                                                 s + kNonce, sealed.size() - kNonce, u8(ad), ad.size(), s, key) != 0)
    return false;
  plain->resize(written);
  return true;
}

std::string str(const flatbuffers::String* s) { return s != nullptr ? s->str() : std::string(); }

}  // namespace

Result<std::unique_ptr<SealedVault>> SealedVault::open(const std::string& dir, log::KeyStore& keys,
                                                       const std::optional<std::string>& sample_key) {
  if (sodium_init() < 0) return Status(Code::io_error, "libsodium cannot initialise");
  const std::string path = dir + "/master.key";
  Key master{};
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && sample_key) {
    return Status(Code::not_found, path + " is missing, but the directory holds wrapped personal-data keys: put back "
                                          "the master.key it was made with (a backup's keys file holds it)");
  }
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status(Code::io_error, "cannot create " + path + ": " + std::strerror(errno));
    randombytes_buf(master.data(), master.size());
    const bool ok = ::write(fd, master.data(), master.size()) == static_cast<ssize_t>(master.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) return Status(Code::io_error, "cannot write " + path);
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      (void)::fsync(dfd);  // the new name is durable before any key wrapped by it is
      ::close(dfd);
    }
  } else if (fd < 0) {
    return Status(Code::io_error, "cannot open " + path + ": " + std::strerror(errno));
  } else {
    struct stat st {};
    const bool readable = ::fstat(fd, &st) == 0 && (st.st_mode & 077) == 0;
    const bool read_all = ::read(fd, master.data(), master.size()) == static_cast<ssize_t>(master.size());
    ::close(fd);
    if (!readable) return Status(Code::forbidden, path + " must be readable by its owner only (chmod 600)");
    if (!read_all) return Status(Code::corruption, path + " is not a 32-byte key");
  }
  std::unique_ptr<SealedVault> vault(new SealedVault(master, keys));
  sodium_memzero(master.data(), master.size());
  if (auto s = vault->check_master(sample_key); !s.ok()) return s;
  return vault;
}

Status SealedVault::check_master(const std::optional<std::string>& sample_key) {
  const std::string name(kCheckName);
  const Status wrong(Code::corruption, "master.key does not open this directory's personal-data keys: it was changed, "
                                       "or belongs to another directory; restore it from a backup's keys file");
  auto stored = keys_->get(name);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) {
    const std::string& check = **stored;
    std::string plain;
    if (check.empty() || static_cast<unsigned char>(check[0]) != kWrapVersion ||
        !decrypt(master_.data(), std::string_view(check).substr(1), name, &plain) || !plain.empty())
      return wrong;
    return Status::OK();
  }
  // No check value yet: a new directory, or one made before them. Its keys must open before one is stored.
  if (sample_key) {
    if (auto s = check_key(*sample_key); !s.ok()) return wrong;
  }
  std::string check(1, static_cast<char>(kWrapVersion));
  check += encrypt(master_.data(), {}, name);
  auto s = keys_->put(name, check);
  return s.code() == Code::unsupported ? Status::OK() : s;  // a vault opened for reading stores nothing
}

Status SealedVault::check_key(const std::string& name) const {
  auto key = subject_key(name, false);
  if (!key.ok()) return key.status();
  sodium_memzero(key->data(), key->size());
  return Status::OK();
}

SealedVault::SealedVault(const Key& master, log::KeyStore& keys) : master_(master), keys_(&keys) {
  // The digest key is the master key hashed under a label of its own, so it never equals a wrapping key.
  static constexpr std::string_view kLabel = "ejournal request digest key v1";
  crypto_generichash(digest_key_.data(), digest_key_.size(), u8(kLabel), kLabel.size(), master_.data(), master_.size());
}

SealedVault::~SealedVault() {
  sodium_memzero(master_.data(), master_.size());
  sodium_memzero(digest_key_.data(), digest_key_.size());
}

Result<SealedVault::Key> SealedVault::subject_key(const std::string& name, bool create) const {
  auto stored = keys_->get(name);
  if (!stored.ok()) return stored.status();
  Key key{};
  if (stored->has_value()) {
    const std::string& wrapped = **stored;
    std::string plain;
    if (wrapped.empty() || static_cast<unsigned char>(wrapped[0]) != kWrapVersion ||
        !decrypt(master_.data(), std::string_view(wrapped).substr(1), name, &plain) || plain.size() != key.size())
      return Status(Code::corruption, "the key of " + name + " cannot be unwrapped with master.key");
    std::memcpy(key.data(), plain.data(), key.size());
    sodium_memzero(plain.data(), plain.size());
    return key;
  }
  if (!create) return Status(Code::not_found, "no key for " + name + " (never recorded, or erased)");
  randombytes_buf(key.data(), key.size());
  std::string wrapped(1, static_cast<char>(kWrapVersion));
  wrapped += encrypt(master_.data(), std::string_view(reinterpret_cast<const char*>(key.data()), key.size()), name);
  if (auto s = keys_->put(name, wrapped); !s.ok()) return s;
  return key;
}

Result<std::string> SealedVault::seal(DataSubject kind, UserId subject, const PersonalData& d) {
  const std::string name = key_name(kind, subject);
  Result<Key> key = Status(Code::io_error, "unset");
  {
    std::lock_guard lock(create_mu_);
    key = subject_key(name, true);
  }
  if (!key.ok()) return key.status();
  flatbuffers::FlatBufferBuilder fbb(256);
  auto rec = fb::CreatePersonalRecordDirect(fbb, d.last_name.c_str(), d.first_name.c_str(), d.patronymic.c_str(),
                                            d.birth_day, d.address.c_str(), d.phone.c_str(), d.email.c_str(),
                                            d.document.c_str());
  fb::FinishPersonalRecordBuffer(fbb, rec);
  const std::string_view plain(reinterpret_cast<const char*>(fbb.GetBufferPointer()), fbb.GetSize());
  std::string sealed = encrypt(key->data(), plain, record_ad(kind, subject));
  sodium_memzero(fbb.GetBufferPointer(), fbb.GetSize());
  sodium_memzero(key->data(), key->size());
  return sealed;
}

Result<PersonalData> SealedVault::open(DataSubject kind, UserId subject, std::string_view sealed) const {
  auto key = subject_key(key_name(kind, subject), false);
  if (!key.ok()) return key.status();
  std::string plain;
  const bool ok = decrypt(key->data(), sealed, record_ad(kind, subject), &plain);
  sodium_memzero(key->data(), key->size());
  if (!ok) return Status(Code::corruption, "a sealed personal-data record does not decrypt (altered or misplaced)");
  flatbuffers::Verifier verifier(u8(plain), plain.size());
  if (!fb::VerifyPersonalRecordBuffer(verifier)) return Status(Code::corruption, "a personal-data record is malformed");
  const auto* r = fb::GetPersonalRecord(plain.data());
  PersonalData d{str(r->last_name()), str(r->first_name()), str(r->patronymic()), r->birth_day(),
                 str(r->address()),   str(r->phone()),      str(r->email()),      str(r->document())};
  sodium_memzero(plain.data(), plain.size());
  return d;
}

Status SealedVault::erase(DataSubject kind, UserId subject) { return keys_->destroy(key_name(kind, subject)); }

std::uint64_t SealedVault::request_digest(std::string_view canonical) const {
  unsigned char out[8];
  crypto_generichash(out, sizeof out, u8(canonical), canonical.size(), digest_key_.data(), digest_key_.size());
  std::uint64_t d = 0;
  for (int i = 7; i >= 0; --i) d = (d << 8) | out[i];
  return d == 0 ? 1 : d;
}

}  // namespace ejournal::domain
