// The bit-flip campaign (issue #23, part 9): random single-bit flips in a stopped demo school's files, family by
// family, each judged by `ejctl verify --data` and, where verify says nothing, by reading every key and value
// of every family back and comparing with the untouched school. A flip is
//   detected — verify failed (exit 1 or 2) or warned (a damaged copy: snapshot, sealed segment);
//   harmless — verify passed and every family reads back exactly as before (padding, an unused field);
//   missed   — verify passed but something reads back differently: the defect this campaign exists to find.
// A flipped master.key must also stop ejournald from starting (never serve blank names). The write-ahead log
// is flipped in a second school, killed while it wrote (a clean stop leaves the log empty).
//
//   bit_flips [--flips N] [--seed S]      (make test: --flips 3; by hand --flips 200)
// Prints one JSON line: per family tried, detected, harmless, missed. Exit 0 when nothing is missed and every
// flipped master.key was refused; 1 otherwise; 2 when it cannot run.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <boost/program_options.hpp>
#include <rocksdb/db.h>

#include "child_process.h"

namespace fs = std::filesystem;
using namespace ejournal;
namespace json = boost::json;

namespace {

int fail(const std::string& what) {
  std::cerr << "bit_flips: " << what << "\n";
  return 2;
}

struct Run {
  int exit_code = -1;
  std::string output;
};

Run run(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return {};
  Run r;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Opens `dir` read-only with every column family; null when RocksDB refuses.
struct ReadOnly {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  explicit ReadOnly(const std::string& dir) {
    std::vector<std::string> names;
    if (!rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok()) return;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& n : names) descriptors.emplace_back(n, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* raw = nullptr;
    rocksdb::DBOptions options;
    options.paranoid_checks = true;
    // Read the write-ahead log as the log's own store does (rocks_store.cc), so that "reads back the same"
    // means the same to this judge as to ejournald.
    options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
    if (!rocksdb::DB::OpenForReadOnly(options, dir, descriptors, &handles, &raw).ok()) return;
    db.reset(raw);
  }
  ~ReadOnly() {
    for (auto* h : handles) (void)db->DestroyColumnFamilyHandle(h);
  }
};

// Everything the directory holds as its programs read it: every family's keys and values, and master.key.
// nullopt when a read fails (which verify, reading the same, reports too).
std::optional<std::string> contents(const std::string& dir) {
  ReadOnly ro(dir);
  if (!ro.db) return std::nullopt;
  std::size_t h = 0;
  const auto mix = [&h](std::string_view s) { h = h * 1'000'003 ^ std::hash<std::string_view>()(s); };
  for (auto* cf : ro.handles) {
    mix(cf->GetName());
    rocksdb::ReadOptions opts;
    opts.verify_checksums = true;
    std::unique_ptr<rocksdb::Iterator> it(ro.db->NewIterator(opts, cf));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      mix({it->key().data(), it->key().size()});
      mix({it->value().data(), it->value().size()});
    }
    if (!it->status().ok()) return std::nullopt;
  }
  std::ifstream key(dir + "/master.key", std::ios::binary);
  mix(std::string((std::istreambuf_iterator<char>(key)), std::istreambuf_iterator<char>()));
  return std::to_string(h);
}

// The files of each family: table files by their column family; the write-ahead log, the MANIFEST, master.key.
std::map<std::string, std::vector<fs::path>> families_of(const std::string& dir) {
  std::map<std::string, std::vector<fs::path>> out;
  ReadOnly ro(dir);
  if (!ro.db) return out;
  std::vector<rocksdb::LiveFileMetaData> files;
  ro.db->GetLiveFilesMetaData(&files);
  for (const auto& f : files) out[f.column_family_name].push_back(fs::path(dir) / f.name.substr(1));
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(".log") && fs::file_size(e.path()) > 0) out["WAL"].push_back(e.path());
    else if (name.starts_with("MANIFEST-")) out["MANIFEST"].push_back(e.path());
    else if (name == "master.key") out["master.key"].push_back(e.path());
  }
  out.erase("default");  // unused by ejournal, and empty
  return out;
}

struct Tally {
  int tried = 0, detected = 0, harmless = 0, missed = 0;
  std::vector<std::string> missed_at;
};

void flip_bit(const fs::path& file, std::uint64_t offset, int bit) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(c);
}

// Whether ejournald refuses to start on `dir` (it exits with an error naming master.key).
bool server_refuses(const std::string& dir, std::string& said) {
  testkit::ChildProcess server(EJOURNALD_PATH, {"--data", dir, "--listen", "127.0.0.1:0"});
  std::string line;
  if (server.read_line(line, 30'000) && line.find("http://") != std::string::npos) {
    said = line;
    server.kill_hard();
    server.wait();
    return false;
  }
  said = line;
  const int status = server.wait();
  return WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

// Whether the log's writer refuses to open `dir` (log_crash_child hold: opens it as ejournald's log does,
// says "ready" and waits to be killed).
bool writer_refuses(const std::string& dir) {
  testkit::ChildProcess writer(LOG_CRASH_CHILD_PATH, {"hold", dir});
  std::string line;
  if (writer.read_line(line, 60'000) && line == "ready") {
    writer.kill_hard();
    writer.wait();
    return false;
  }
  const int status = writer.wait();
  return WIFEXITED(status) && WEXITSTATUS(status) != 0;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  int flips = 3;
  unsigned seed = 7;
  po::options_description desc("bit_flips");
  desc.add_options()("help,h", "this text")("flips", po::value(&flips), "flips per family (default 3)")(
      "seed", po::value(&seed), "random seed (default 7)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (vm.count("help")) {
    std::cout << desc;
    return 0;
  }

  const fs::path root = fs::temp_directory_path() / ("ej-bit-flips-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string pristine = (root / "pristine").string();
  const std::string ejctl = EJCTL_PATH;

  // A small school with sealed segments, and its projections' snapshots, written by a clean stop of the
  // server (which flushes every family: its write-ahead log is then empty; the killed school below has one).
  if (auto r = run(ejctl + " demo --data " + pristine + " --students 60 --today 2026-10-20 --no-credentials");
      r.exit_code != 0)
    return fail("ejctl demo failed: " + r.output);
  {
    testkit::ChildProcess server(EJOURNALD_PATH,
                                 {"--data", pristine, "--listen", "127.0.0.1:0", "--snapshot-every", "5000"});
    std::string line;
    if (!server.read_line(line, 120'000)) return fail("ejournald did not start on the demo school");
    server.terminate();
    if (server.wait() != 0) return fail("ejournald did not stop cleanly");
  }
  const Run baseline = run(ejctl + " verify --data " + pristine);
  if (baseline.exit_code != 0 || baseline.output.find("WARNING") != std::string::npos)
    return fail("the untouched school does not verify cleanly:\n" + baseline.output);
  const auto original = contents(pristine);
  if (!original) return fail("the untouched school cannot be read back");
  const auto families = families_of(pristine);
  for (const char* needed : {"log", "idem", "meta", "snap", "keys", "seg", "MANIFEST", "master.key"})
    if (!families.contains(needed)) return fail(std::string("the demo school has no files of family ") + needed);

  // A second school killed while it wrote: a writer appended to a copy of the first and was SIGKILLed, so
  // its write-ahead log holds acknowledged records that no table file has yet. The campaign flips bits in
  // that log ("WAL"); a damaged record there must stop the log from opening, never be dropped silently
  // with everything after it.
  const std::string killed = (root / "killed").string();
  fs::copy(pristine, killed, fs::copy_options::recursive);
  {
    testkit::ChildProcess writer(LOG_CRASH_CHILD_PATH, {"append", killed, "0"});
    std::string line;
    int acked = 0;
    while (acked < 3000 && writer.read_line(line, 30'000)) ++acked;
    writer.kill_hard();
    writer.wait();
    if (acked < 3000) return fail("the writer of the killed school acknowledged only " + std::to_string(acked));
  }
  const Run killed_baseline = run(ejctl + " verify --data " + killed);
  if (killed_baseline.exit_code != 0 || killed_baseline.output.find("WARNING") != std::string::npos)
    return fail("the killed school does not verify cleanly:\n" + killed_baseline.output);
  const auto killed_original = contents(killed);
  if (!killed_original) return fail("the killed school cannot be read back");
  auto killed_families = families_of(killed);
  if (!killed_families.contains("WAL")) return fail("the killed school has no write-ahead log");

  struct Campaign {
    std::string family;
    std::string school;
    std::vector<fs::path> files;
    const std::optional<std::string>* original;
  };
  std::vector<Campaign> campaigns;
  for (const auto& [family, files] : families)
    if (family != "WAL") campaigns.push_back({family, pristine, files, &original});
  campaigns.push_back({"WAL", killed, killed_families["WAL"], &killed_original});

  std::mt19937_64 rng(seed);
  std::map<std::string, Tally> tally;
  int master_started = 0;
  for (const auto& [family, school, files, expected] : campaigns) {
    std::uint64_t total = 0;
    for (const auto& f : files) total += fs::file_size(f);
    for (int i = 0; i < flips; ++i) {
      const std::string trial = (root / "trial").string();
      fs::remove_all(trial);
      fs::copy(school, trial, fs::copy_options::recursive);
      // A byte anywhere in the family's files, each byte equally likely.
      std::uint64_t at = std::uniform_int_distribution<std::uint64_t>(0, total - 1)(rng);
      std::size_t k = 0;
      while (at >= fs::file_size(files[k])) at -= fs::file_size(files[k++]);
      const int bit = std::uniform_int_distribution<int>(0, 7)(rng);
      const fs::path target = fs::path(trial) / files[k].filename();
      flip_bit(target, at, bit);
      const std::string where = files[k].filename().string() + "@" + std::to_string(at) + "." + std::to_string(bit);

      Tally& t = tally[family];
      ++t.tried;
      // The write-ahead log is judged as a restart meets it: the log's writer opens the directory first
      // (replaying the WAL, then flushing what it replayed), and only then verify and the read-back look.
      if (family == "WAL" && writer_refuses(trial)) {
        ++t.detected;
        continue;
      }
      const Run v = run(ejctl + " verify --data " + trial);
      if (v.exit_code != 0 || v.output.find("WARNING") != std::string::npos) {
        ++t.detected;
      } else if (contents(trial) == *expected) {
        ++t.harmless;
      } else {
        ++t.missed;
        t.missed_at.push_back(where);
      }
      if (family == "master.key") {
        std::string said;
        if (!server_refuses(trial, said)) {
          ++master_started;
          t.missed_at.push_back(where + " (ejournald started: " + said + ")");
        }
      }
    }
  }
  fs::remove_all(root);

  json::object out{{"seed", seed}, {"flips_per_family", flips}};
  json::object per;
  int missed = 0;
  for (const auto& [family, t] : tally) {
    json::array at;
    for (const auto& w : t.missed_at) at.push_back(json::value(w));
    per[family] = json::object{{"tried", t.tried}, {"detected", t.detected}, {"harmless", t.harmless},
                               {"missed", t.missed}, {"missed_at", at}};
    missed += t.missed;
  }
  out["families"] = per;
  out["master_key_flips_served"] = master_started;
  std::cout << json::serialize(out) << "\n";
  return missed == 0 && master_started == 0 ? 0 : 1;
}
