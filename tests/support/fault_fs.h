// FaultFs: the default RocksDB file system with faults injected on command, as leveldb's fault_injection_test
// does — writes (appends), syncs and table reads fail while a switch is on; and it keeps, for every file it
// has seen written, how many bytes had been synced, so that a test can build the directory a power cut
// would leave (unsynced bytes dropped). Test-only.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace ejournal::testkit {

class FaultFs final : public rocksdb::FileSystemWrapper {
 public:
  FaultFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "FaultFs"; }
  const char* Name() const override { return kClassName(); }

  std::atomic<bool> fail_append{false};
  std::atomic<bool> fail_sync{false};
  std::atomic<bool> fail_read{false};  // reads of table files (.sst)
  // When >= 0: that many more appends succeed, then every append fails (fail_append turns on) — a disk that
  // fills in the middle of a run of writes. (To clear it, set this back to -1 and fail_append to false.)
  std::atomic<int> appends_before_fault{-1};
  std::atomic<int> injected{0};        // faults returned so far
  std::atomic<int> appends{0};         // appends that succeeded so far

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* out,
                                    rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewWritableFile(name, options, out, dbg);
    if (s.ok()) {
      note(name, 0, 0);
      *out = std::make_unique<File>(std::move(*out), this, name);
    }
    return s;
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& name, const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* out,
                                        rocksdb::IODebugContext* dbg) override {
    auto s = target()->NewRandomAccessFile(name, options, out, dbg);
    if (s.ok() && name.ends_with(".sst")) *out = std::make_unique<Reader>(std::move(*out), this);
    return s;
  }

  // Copies `dir` to `to` as a power cut would leave it: each file written through this file system cut to
  // the bytes that were synced when the copy is made. Files it never wrote are copied whole.
  void copy_as_after_power_cut(const std::string& dir, const std::string& to) {
    std::filesystem::copy(dir, to, std::filesystem::copy_options::recursive);
    std::lock_guard lock(mu_);
    for (const auto& [name, sizes] : files_) {
      const auto rel = std::filesystem::relative(name, dir);
      const auto copy = std::filesystem::path(to) / rel;
      std::error_code ec;
      if (std::filesystem::exists(copy, ec)) std::filesystem::resize_file(copy, sizes.synced, ec);
    }
  }

 private:
  struct Sizes {
    std::uint64_t written = 0, synced = 0;
  };

  void note(const std::string& name, std::uint64_t appended, int synced) {
    std::lock_guard lock(mu_);
    Sizes& s = files_[name];
    if (appended == 0 && synced == 0 && s.written == 0) s = Sizes{};
    s.written += appended;
    if (synced != 0) s.synced = s.written;
  }
  void appended(const std::string& name, std::uint64_t bytes) {
    ++appends;
    note(name, bytes, 0);
  }
  bool append_fails() {
    if (fail_append) return true;
    int left = appends_before_fault.load();
    while (left >= 0) {
      if (left == 0) {
        fail_append = true;
        return true;
      }
      if (appends_before_fault.compare_exchange_weak(left, left - 1)) return false;
    }
    return false;
  }
  rocksdb::IOStatus fault(const char* what) {
    ++injected;
    return rocksdb::IOStatus::IOError(std::string("injected fault: ") + what);
  }

  class File final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FaultFs* fs, std::string name)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), name_(std::move(name)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override {
      if (fs_->append_fails()) return fs_->fault("append");
      auto s = target()->Append(data, o, d);
      if (s.ok()) fs_->appended(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& v, rocksdb::IODebugContext* d) override {
      if (fs_->append_fails()) return fs_->fault("append");
      auto s = target()->Append(data, o, v, d);
      if (s.ok()) fs_->appended(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override { return sync(o, d, false); }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d) override { return sync(o, d, true); }
    rocksdb::IOStatus RangeSync(std::uint64_t, std::uint64_t, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
      return rocksdb::IOStatus::OK();  // a hint to start writing back: makes nothing durable
    }

   private:
    rocksdb::IOStatus sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* d, bool full) {
      if (fs_->fail_sync) return fs_->fault("sync");
      auto s = full ? target()->Fsync(o, d) : target()->Sync(o, d);
      if (s.ok()) fs_->note(name_, 0, 1);
      return s;
    }
    FaultFs* fs_;
    std::string name_;
  };

  class Reader final : public rocksdb::FSRandomAccessFileOwnerWrapper {
   public:
    Reader(std::unique_ptr<rocksdb::FSRandomAccessFile> f, FaultFs* fs) : FSRandomAccessFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Read(std::uint64_t offset, std::size_t n, const rocksdb::IOOptions& o, rocksdb::Slice* result,
                           char* scratch, rocksdb::IODebugContext* d) const override {
      if (fs_->fail_read) return fs_->fault("read");
      return target()->Read(offset, n, o, result, scratch, d);
    }
    rocksdb::IOStatus MultiRead(rocksdb::FSReadRequest* reqs, std::size_t n, const rocksdb::IOOptions& o,
                                rocksdb::IODebugContext* d) override {
      if (fs_->fail_read) {
        for (std::size_t i = 0; i < n; ++i) reqs[i].status = fs_->fault("read");
        return rocksdb::IOStatus::OK();
      }
      return target()->MultiRead(reqs, n, o, d);
    }

   private:
    FaultFs* fs_;
  };

  std::mutex mu_;
  std::map<std::string, Sizes> files_;
};

// An Env over a FaultFs, for LogOptions-free opening (src/log/testing.h).
inline std::unique_ptr<rocksdb::Env> env_over(const std::shared_ptr<FaultFs>& fs) { return rocksdb::NewCompositeEnv(fs); }

}  // namespace ejournal::testkit
