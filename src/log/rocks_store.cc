#include "log/rocks_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include "ejournal/json_log.h"
#include "log/format.h"

namespace ejournal::log {
namespace fs = std::filesystem;

Status RocksStore::write(rocksdb::WriteBatch& batch, bool sync, std::string_view what) const {
  std::lock_guard lock(write_mu_);
  if (!write_failure_.ok())
    return Status(Code::unavailable, "the data directory refused a write earlier (" + write_failure_.message() +
                                         "); nothing more is written until it is reopened");
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  const rocksdb::Status s = db_->Write(wo, &batch);
  if (s.ok()) return Status::OK();
  // A refusal of this one write (a bad batch, a busy or timed-out write) says nothing of the disk: only
  // I/O errors and the like latch.
  if (s.IsInvalidArgument() || s.IsNotSupported() || s.IsBusy() || s.IsTryAgain() || s.IsTimedOut())
    return from_rocks(s, what);
  write_failure_ = from_rocks(s, what);
  return write_failure_;
}

Status from_rocks(const rocksdb::Status& s, std::string_view what) {
  std::string msg(what);
  msg += ": ";
  msg += s.ToString();
  if (s.ok()) return Status::OK();
  if (s.IsNotFound()) return Status(Code::not_found, msg);
  if (s.IsCorruption()) return Status(Code::corruption, msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status(Code::busy, msg);
  if (s.IsInvalidArgument()) return Status(Code::invalid_argument, msg);
  if (s.IsNotSupported()) return Status(Code::unsupported, msg);
  return Status(Code::io_error, msg);
}

namespace {

// One block cache for the whole process: the log is read sequentially by replay and at random by
// position_at; 64 MiB keeps the hot tail and the binary-search spine.
std::shared_ptr<rocksdb::Cache> shared_block_cache() {
  static std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(64 << 20);
  return cache;
}

rocksdb::ColumnFamilyOptions log_family_options() {
  rocksdb::ColumnFamilyOptions o;
  // The log is written once and read in order: big blocks compress better and scan faster.
  o.compression = rocksdb::kZSTD;
  o.bottommost_compression = rocksdb::kZSTD;
  o.level_compaction_dynamic_level_bytes = true;
  // Keys arrive in increasing order and all share their first 4 bytes (positions below 2^32): with this
  // hint the memtable appends at the last insert point instead of searching the skiplist from the top.
  o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  rocksdb::BlockBasedTableOptions t;
  t.block_size = 32 * 1024;
  t.block_cache = shared_block_cache();
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

rocksdb::ColumnFamilyOptions idem_family_options() {
  rocksdb::ColumnFamilyOptions o;
  // Looked up once per appended command, almost always for an id that is not there: a bloom filter on every
  // level answers those misses without reading blocks.
  o.compression = rocksdb::kZSTD;
  o.level_compaction_dynamic_level_bytes = true;
  // Command ids are random and only ever looked up whole: a hash memtable inserts and finds them in O(1),
  // where a skiplist spent most of the writer thread's time comparing random keys.
  o.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(16));
  o.memtable_factory.reset(rocksdb::NewHashLinkListRepFactory(1 << 20));
  o.write_buffer_size = 32 << 20;
  rocksdb::BlockBasedTableOptions t;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.block_cache = shared_block_cache();
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

// The small families, and `snap`, whose values are zstd frames already: stored as they are. (RocksDB's
// default would Snappy-compress them, which gains nothing on compressed bytes and costs a pass over every
// multi-megabyte snapshot part on each read.)
rocksdb::ColumnFamilyOptions uncompressed_family_options() {
  rocksdb::ColumnFamilyOptions o;
  o.compression = rocksdb::kNoCompression;
  o.bottommost_compression = rocksdb::kNoCompression;
  return o;
}

// Sealed segments: zstd frames of about 0.7 MB, read in order by replay; big blocks, stored as they are.
rocksdb::ColumnFamilyOptions segment_family_options() {
  rocksdb::ColumnFamilyOptions o = uncompressed_family_options();
  o.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions t;
  t.block_size = 256 * 1024;
  t.block_cache = shared_block_cache();
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors() {
  return {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {std::string(format::kLogFamily), log_family_options()},
      {std::string(format::kIdemFamily), idem_family_options()},
      {std::string(format::kMetaFamily), uncompressed_family_options()},
      {std::string(format::kSnapFamily), uncompressed_family_options()},
      {std::string(format::kKeysFamily), uncompressed_family_options()},
      {std::string(format::kSegFamily), segment_family_options()},
  };
}

// RocksDB's own diagnostic log goes to the server's log (stderr, as JSON lines), not to a LOG file in the
// data directory: on a full disk a failed LOG write makes Debian's RocksDB, which is built with assertions,
// abort the process at its next line (WritableFileWriter's "sync_without_flush_called_"; the disk_full test
// met it). Errors only: the info level writes hundreds of lines at every start, the warning level notes
// such as table files without unique ids on every verify.
class RocksToServerLog : public rocksdb::Logger {
 public:
  RocksToServerLog() : rocksdb::Logger(rocksdb::InfoLogLevel::ERROR_LEVEL) {}
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::ERROR_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel() || level == rocksdb::InfoLogLevel::HEADER_LEVEL) return;
    char text[2048];
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wformat-nonliteral"  // RocksDB's own format strings, passed through
#endif
    std::vsnprintf(text, sizeof text, format, ap);
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
    jlog::error("rocksdb", {{"message", text}});
  }
};

rocksdb::DBOptions db_options(bool create) {
  rocksdb::DBOptions o;
  static const auto server_log = std::make_shared<RocksToServerLog>();
  o.info_log = server_log;
  o.create_if_missing = create;
  o.create_missing_column_families = create;
  o.max_background_jobs = 2;
  o.bytes_per_sync = 1 << 20;
  // A damaged record inside the write-ahead log refuses the open (corruption). RocksDB's default,
  // point-in-time recovery, would replay up to the damage, drop it and every record after it — records
  // already acknowledged as durable — and flush the rest, after which nothing could tell (issue #23's bit-flip
  // campaign met it: a flipped bit in a killed server's WAL lost 1,487 acknowledged records, silently). A
  // torn last record, which is all a crash or power cut leaves (it was never acknowledged), is still dropped.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // The meta family is rewritten by every commit and would otherwise keep old write-ahead logs alive.
  // The bound is a trade-off: after a crash every byte of write-ahead log is replayed, and the idem family's
  // hash memtable sorts itself then (~7 s per 100 MB measured here); but a small bound forces early flushes
  // of that memtable, whose sort then competes with appends (64 MiB: 75k appends/s, 256 MiB: 110-120k).
  o.max_total_wal_size = 256 << 20;
  // One thread writes (GroupCommitWriter), and the hash memtable of the idem family cannot take concurrent
  // inserts anyway.
  o.allow_concurrent_memtable_write = false;
  return o;
}

bool has_rocksdb(const fs::path& dir) { return fs::exists(dir / "CURRENT"); }

// Files RocksDB writes while creating a database, before CURRENT names it. A directory holding only these
// (and our lock file) is a creation killed half-way: no record was ever acknowledged from it.
bool is_creation_leftover(const std::string& name) {
  auto starts = [&](std::string_view p) { return name.rfind(p, 0) == 0; };
  auto ends = [&](std::string_view s) { return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
  return name == "LOCK" || name == "IDENTITY" || starts("LOG") || starts("MANIFEST-") || starts("OPTIONS-") ||
         ends(".dbtmp") || ends(".log");
}

// Anything in the directory besides our lock file and the leftovers of a creation that was killed?
Result<bool> dir_is_empty(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == format::kLockFile) continue;
    if (!entry.is_regular_file() || !is_creation_leftover(name)) return false;
  }
  if (ec) return Status(Code::io_error, "cannot list " + dir.string() + ": " + ec.message());
  return true;
}

// Removes a killed creation's leftovers so that it starts over. REQUIRES: our lock is held.
Status remove_creation_leftovers(const fs::path& dir) {
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().filename() != format::kLockFile && is_creation_leftover(entry.path().filename().string()))
      leftovers.push_back(entry.path());
  for (const auto& p : leftovers) {
    fs::remove(p, ec);
    if (ec) return Status(Code::io_error, "cannot remove " + p.string() + ": " + ec.message());
  }
  return Status::OK();
}

// Whether every family of a read-only opened database is empty.
bool all_empty(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, descriptors, &handles, &raw).ok()) return false;
  std::unique_ptr<rocksdb::DB> db(raw);
  bool empty = true;
  for (auto* h : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), h));
    it->SeekToFirst();
    empty = empty && !it->Valid() && it->status().ok();
    (void)db->DestroyColumnFamilyHandle(h);
  }
  return empty;
}

// Is the RocksDB database in `dir` an ejournal log? All our families must be there — except right after a
// creation that a crash interrupted (RocksDB creates the families one by one): then the database has only
// families of ours, all of them empty, and opening it finishes the creation.
Status check_families(const std::string& dir) {
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
  if (!s.ok()) return from_rocks(s, "cannot read the column families of " + dir);
  const std::vector<std::string_view> ours = {rocksdb::kDefaultColumnFamilyName, format::kLogFamily, format::kIdemFamily,
                                              format::kMetaFamily, format::kSnapFamily, format::kKeysFamily,
                                              format::kSegFamily};
  const auto is_ours = [&](std::string_view n) { return std::find(ours.begin(), ours.end(), n) != ours.end(); };
  const auto has = [&](std::string_view n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  const bool complete = has(format::kLogFamily) && has(format::kIdemFamily) && has(format::kMetaFamily);
  if (complete || (std::all_of(names.begin(), names.end(), is_ours) && all_empty(dir, names))) return Status::OK();
  std::string have;
  for (const auto& n : names) have += (have.empty() ? "" : ", ") + n;
  return Status(Code::unsupported,
                dir + " holds a RocksDB database that is not an ejournal log (column families: " + have + ")");
}

Status require_zstd() {
  auto supported = rocksdb::GetSupportedCompressions();
  if (std::find(supported.begin(), supported.end(), rocksdb::kZSTD) == supported.end())
    return Status(Code::unsupported, "this RocksDB build lacks zstd compression, which the log family requires");
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<RocksStore>> RocksStore::open(const std::string& dir, Mode mode, bool create, rocksdb::Env* env) {
  if (auto s = require_zstd(); !s.ok()) return s;
  std::unique_ptr<RocksStore> store(new RocksStore());
  store->dir_ = dir;
  store->mode_ = mode;
  const fs::path path(dir);
  std::error_code ec;
  const bool exists = fs::is_directory(path, ec);
  if (mode == Mode::secondary || !create) {
    if (!exists || !has_rocksdb(path)) return Status(Code::not_found, "no ejournal log in " + dir);
  }

  bool fresh = false;
  if (has_rocksdb(path)) {
    // Before anything is created in it: is it ours?
    if (auto s = check_families(dir); !s.ok()) return s;
  }
  if (mode == Mode::primary) {
    if (!exists) {
      if (fs::exists(path, ec)) return Status(Code::invalid_argument, dir + " exists and is not a directory");
      fs::create_directories(path, ec);
      if (ec) return Status(Code::io_error, "cannot create " + dir + ": " + ec.message());
    }
    if (!has_rocksdb(path)) {
      auto empty = dir_is_empty(path);
      if (!empty.ok()) return empty.status();
      if (!*empty)
        return Status(Code::unsupported, dir + " is not empty and holds no ejournal log; refusing to take it over");
      fresh = true;
    }
    // Our own lock, taken before RocksDB's, so that a second opener gets a clear "busy" (flock conflicts
    // across processes and across open file descriptions within one process alike).
    const std::string lock_path = (path / format::kLockFile).string();
    store->lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (store->lock_fd_ < 0)
      return Status(Code::io_error, "cannot open " + lock_path + ": " + std::strerror(errno));
    if (::flock(store->lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK)
        return Status(Code::busy, "the data directory " + dir + " is already open in another process");
      return Status(Code::io_error, "cannot lock " + lock_path + ": " + std::strerror(err));
    }
    // Checked again under the lock: only now can no other process be creating the log here.
    if (fresh && !has_rocksdb(path)) {
      if (auto s = remove_creation_leftovers(path); !s.ok()) return s;
    }
  }

  auto descriptors = family_descriptors();
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status rs;
  if (mode == Mode::primary) {
    rocksdb::DBOptions o = db_options(create);
    if (env != nullptr) o.env = env;
    // A log made before a family existed (snap, seg) gets it here; check_families has made sure it is ours.
    o.create_missing_column_families = true;
    rs = rocksdb::DB::Open(o, dir, descriptors, &handles, &raw);
  } else {
    char scratch[] = "/tmp/ejournal-secondary-XXXXXX";
    if (::mkdtemp(scratch) == nullptr)
      return Status(Code::io_error, std::string("cannot create a scratch directory: ") + std::strerror(errno));
    store->secondary_dir_ = scratch;
    rocksdb::DBOptions o = db_options(false);
    o.max_open_files = -1;  // required by secondary instances
    // A secondary may not list a family the primary lacks; snap may not exist in logs made before it did.
    std::vector<std::string> names;
    (void)rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    std::erase_if(descriptors, [&](const auto& d) {
      return std::find(names.begin(), names.end(), d.name) == names.end();
    });
    rs = rocksdb::DB::OpenAsSecondary(o, dir, store->secondary_dir_, descriptors, &handles, &raw);
  }
  if (rs.IsCorruption())  // the directory is left exactly as it was: nothing replayed, flushed or dropped
    return Status(Code::corruption, "cannot open the log in " + dir + ": its storage is damaged (" + rs.ToString() +
                                        "); nothing was changed. Run ejctl verify --data " + dir +
                                        " to see what, and restore the journal from a backup (ejctl restore)");
  if (!rs.ok()) return from_rocks(rs, "cannot open the log in " + dir);
  store->db_.reset(raw);
  for (std::size_t i = 0; i < descriptors.size(); ++i) {
    const std::string& name = descriptors[i].name;
    if (name == format::kLogFamily) store->log_cf_ = handles[i];
    else if (name == format::kIdemFamily) store->idem_cf_ = handles[i];
    else if (name == format::kMetaFamily) store->meta_cf_ = handles[i];
    else if (name == format::kSnapFamily) store->snap_cf_ = handles[i];
    else if (name == format::kKeysFamily) store->keys_cf_ = handles[i];
    else if (name == format::kSegFamily) store->seg_cf_ = handles[i];
    else store->default_cf_ = handles[i];  // unused, but RocksDB requires it open
  }

  // Creating a log is two steps (RocksDB creates the database, then we write the format marker), and a crash
  // can fall between them. A database with our families, all empty, and no marker is such an interrupted
  // creation of ours: finish it.
  if (fresh || (mode == Mode::primary && store->is_unfinished_creation())) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    auto s = store->db_->Put(wo, store->meta_cf_, format::kFormatKey, format::format_value());
    if (!s.ok()) return from_rocks(s, "cannot write the format marker");
  }
  if (auto s = store->check_format(); !s.ok()) return s;
  return store;
}

Status RocksStore::check_format() {
  std::string value;
  auto s = db_->Get(rocksdb::ReadOptions(), meta_cf_, format::kFormatKey, &value);
  if (s.IsNotFound())
    return Status(Code::unsupported, dir_ + " has ejournal's column families but no format marker");
  if (!s.ok()) return from_rocks(s, "cannot read the format marker");
  const auto& magic = format::kFormatMagic;
  if (value.size() != magic.size() + 4 || std::string_view(value).substr(0, magic.size()) != magic)
    return Status(Code::unsupported, dir_ + " has a format marker this program does not recognise");
  const std::uint32_t version = format::get_u32_be(value.data() + magic.size());
  if (version > format::kFormatVersion)
    return Status(Code::unsupported, dir_ + " holds log format version " + std::to_string(version) +
                                         ", newer than this program's " + std::to_string(format::kFormatVersion));
  if (version == 0) return Status(Code::unsupported, dir_ + " has format version 0, which never existed");
  return Status::OK();
}

std::vector<rocksdb::ColumnFamilyHandle*> RocksStore::families() const {
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  for (auto* h : {default_cf_, log_cf_, idem_cf_, meta_cf_, snap_cf_, keys_cf_, seg_cf_})
    if (h != nullptr) all.push_back(h);
  return all;
}

bool RocksStore::is_unfinished_creation() const {
  for (auto* cf : families()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

Status RocksStore::refresh() {
  if (mode_ != Mode::secondary) return Status::OK();
  return from_rocks(db_->TryCatchUpWithPrimary(), "cannot catch up with the primary");
}

RocksStore::~RocksStore() {
  if (db_ && mode_ == Mode::primary) {
    // A clean close leaves nothing to replay: the next open is fast. (Durability never depends on this.)
    rocksdb::FlushOptions fo;
    fo.allow_write_stall = true;
    for (auto* h : families()) (void)db_->Flush(fo, h);
  }
  if (db_) {
    for (auto* h : families()) (void)db_->DestroyColumnFamilyHandle(h);
    (void)db_->Close();
    db_.reset();
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  if (!secondary_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(secondary_dir_, ec);
  }
}

}  // namespace ejournal::log
