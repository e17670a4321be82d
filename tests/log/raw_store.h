// Direct access to a closed log's RocksDB database, bypassing EventLog: how the tests play an intruder or a
// faulty disk. Test-only.
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <memory>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "log/format.h"

namespace ejournal::testkit {

class RawStore {
 public:
  explicit RawStore(const std::string& dir) {
    std::vector<std::string> names;
    check(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names));
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    check(rocksdb::DB::Open(rocksdb::DBOptions(), dir, descriptors, &handles_, &raw));
    db_.reset(raw);
    for (std::size_t i = 0; i < names.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawStore() {
    for (auto* h : handles_) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
  }

  std::string get(std::string_view family, const std::string& key) {
    std::string v;
    check(db_->Get(rocksdb::ReadOptions(), by_name_.at(std::string(family)), key, &v));
    return v;
  }
  void put(std::string_view family, const std::string& key, const std::string& value) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    check(db_->Put(wo, by_name_.at(std::string(family)), key, value));
  }
  void erase(std::string_view family, const std::string& key) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    check(db_->Delete(wo, by_name_.at(std::string(family)), key));
  }
  // The live table files of `family` (full paths), after flushing its memtable into one.
  std::vector<std::string> table_files(std::string_view family, const std::string& dir) {
    check(db_->Flush(rocksdb::FlushOptions(), by_name_.at(std::string(family))));
    std::vector<rocksdb::LiveFileMetaData> files;
    db_->GetLiveFilesMetaData(&files);
    std::vector<std::string> out;
    for (const auto& f : files)
      if (f.column_family_name == family) out.push_back(dir + f.name);
    return out;
  }
  // Reads record `p`, lets `edit` change its bytes, writes it back.
  void rewrite_record(log::Position p, const std::function<void(std::string&)>& edit) {
    std::string bytes = get(log::format::kLogFamily, log::format::position_key(p));
    edit(bytes);
    put(log::format::kLogFamily, log::format::position_key(p), bytes);
  }

 private:
  static void check(const rocksdb::Status& s) {
    if (!s.ok()) throw std::runtime_error("raw RocksDB access failed: " + s.ToString());
  }
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace ejournal::testkit
