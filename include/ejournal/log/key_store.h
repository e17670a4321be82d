// KeyStore: small secrets kept beside the log but outside it — the wrapped keys of personal-data subjects.
// Unlike the log, entries can be destroyed: destroying a key is how personal data is erased.
//
// Contract: put() and destroy() are durable when they return (synced). After destroy() returns, the value is
// gone from the store's live files (its family is flushed and compacted), though a backup taken before may
// still hold it. Thread-safety: every method may be called from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ejournal/status.h"

namespace ejournal::log {

class KeyStore {
 public:
  virtual ~KeyStore() = default;
  // The value under `name`, or nullopt.
  virtual Result<std::optional<std::string>> get(std::string_view name) const = 0;
  // Stores `value` under `name`, replacing any value there.
  virtual Status put(std::string_view name, std::string_view value) = 0;
  // Removes `name` and purges it from the store's files. Idempotent.
  virtual Status destroy(std::string_view name) = 0;
};

}  // namespace ejournal::log
