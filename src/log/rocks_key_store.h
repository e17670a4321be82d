// KeyStore on the data directory's RocksDB, in the `keys` column family. Internal to src/log.
#pragma once

#include <utility>
#include <vector>

#include "ejournal/log/key_store.h"
#include "log/rocks_store.h"

namespace ejournal::log {

class RocksKeyStore final : public KeyStore {
 public:
  explicit RocksKeyStore(RocksStore& store) : store_(store) {}
  Result<std::optional<std::string>> get(std::string_view name) const override;
  Status put(std::string_view name, std::string_view value) override;
  Status destroy(std::string_view name) override;

 private:
  RocksStore& store_;
};

// Every entry of the keys family, in name order (empty when the family is absent).
Result<std::vector<std::pair<std::string, std::string>>> list_keys(const RocksStore& store);

}  // namespace ejournal::log
