// ejctl verify: checks a data directory (every record and hash link; then every table file's block checksums,
// the command-id index, the snapshots and the personal-data keys) or a backup/archive directory
// (its manifest, every file's hash, every record rebuilt and chained). A data directory is read through a
// RocksDB secondary instance, so it works while ejournald holds it open.
#include <cctype>
#include <cstdio>
#include <stdexcept>
#include <iostream>
#include <limits>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/backup/backup.h"
#include "ejournal/domain/domain.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/host.h"
#include "progress.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

namespace {

// The checks beyond the chain: block checksums, the command-id index, snapshots, and the personal-data keys.
// Prints a line per family; returns the number of faults (warnings are in copies that lose nothing).
int verify_families(const std::string& data, const log::LogReader& reader) {
  int faults = 0;
  const auto print = [&](const char* label, const std::vector<std::string>& lines) {
    for (const auto& l : lines) std::cout << label << " " << l << "\n";
  };
  auto storage = reader.verify_storage();
  if (!storage.ok()) {
    std::cout << "FAULT the storage cannot be read: " << storage.status().message() << "\n";
    return 1;
  }
  print("FAULT", storage->faults);
  print("WARNING", storage->warnings);
  faults += static_cast<int>(storage->faults.size());
  std::cout << "tables " << storage->table_files << " files, every block checksum read\n"
            << "commands " << storage->commands << ", command-id index " << storage->index_entries << " entries\n";

  auto snapshots = projections::check_snapshots(reader.saved_snapshots());
  if (!snapshots.ok()) {
    std::cout << "WARNING the snapshots cannot be read: " << snapshots.status().message() << "\n";
  } else {
    for (const auto& l : snapshots->problems)
      std::cout << "WARNING " << l << " (a saved state: it is skipped and the log replayed instead)\n";
    std::cout << "snapshots " << snapshots->snapshots << " (" << snapshots->parts << " parts), " << snapshots->bad
              << " damaged\n";
  }

  auto keys = domain::check_vault(data, reader);
  if (!keys.ok()) {
    std::cout << "FAULT personal-data keys: " << keys.status().message() << "\n";
    return faults + 1;
  }
  for (const auto& l : keys->problems) std::cout << "FAULT " << l << "\n";
  faults += static_cast<int>(keys->bad);
  std::cout << "keys " << keys->keys << " wrapped, " << keys->bad << " do not open under master.key"
            << (keys->has_check_value ? "" : " (no check value stored yet: ejournald stores it at its next start)")
            << "\n";
  return faults;
}

int verify_data(const std::string& data, log::Position from, log::Position to, bool chain_only) {
  auto reader = log::open_log_reader(data);
  if (!reader.ok()) {
    std::cerr << "ejctl verify: " << reader.status().to_string() << "\n";
    return 2;
  }
  auto report = (*reader)->verify(from, to);
  if (!report.ok()) {
    std::cerr << "ejctl verify: " << report.status().to_string() << "\n";
    return 2;
  }
  if (!report->ok()) {
    std::cout << "FAULT at position " << report->first_bad << ": " << report->problem << "\n";
    return 1;
  }
  const log::Position head = (*reader)->head();
  std::cout << "OK head " << head << " hash " << report->last_hash.to_hex() << " (checked " << report->from << ".."
            << report->to << ")\n";
  // The sealed segments are copies for fast reading: a fault there loses nothing (the log is intact, and
  // is read instead), so it is a warning, not a failure.
  auto segments = (*reader)->verify_segments();
  if (!segments.ok()) {
    std::cerr << "ejctl verify: " << segments.status().to_string() << "\n";
    return 2;
  }
  if (!segments->ok())
    std::cout << "WARNING " << segments->problem << " (a copy for fast reading: the log itself is intact and is read "
              << "in its place)\n";
  else
    std::cout << "segments " << segments->segments << " sealed up to " << segments->sealed_end - 1 << "\n";
  if (chain_only) return 0;
  const int faults = verify_families(data, **reader);
  if (faults > 0) {
    std::cout << "FAULT " << faults << " problem" << (faults == 1 ? "" : "s") << " beyond the chain (above)\n";
    return 1;
  }
  return 0;
}

// A printed page's "POSITION:HASH": is that the hash of the record at that position, in a log whose chain
// verifies up to it? (A report printed from this journal says yes; a changed position or hash says no.)
int verify_digest(const std::string& data, const std::string& digest) {
  const auto colon = digest.find(':');
  log::Position position = 0;
  const std::string hash = colon == std::string::npos ? std::string() : digest.substr(colon + 1);
  try {
    if (colon == std::string::npos || colon == 0) throw std::invalid_argument("no position");
    std::size_t used = 0;
    position = std::stoull(digest.substr(0, colon), &used);
    if (used != colon || position == 0) throw std::invalid_argument("bad position");
  } catch (const std::exception&) {
    std::cerr << "ejctl verify: --digest must be POSITION:HASH (a position and 64 hex digits), as printed on a report\n";
    return 2;
  }
  if (hash.size() != 64 || hash.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    std::cerr << "ejctl verify: --digest must be POSITION:HASH (a position and 64 hex digits), as printed on a report\n";
    return 2;
  }
  auto reader = log::open_log_reader(data);
  if (!reader.ok()) {
    std::cerr << "ejctl verify: " << reader.status().to_string() << "\n";
    return 2;
  }
  if (position > (*reader)->head()) {
    std::cout << "NOT IN LOG: position " << position << " is beyond the head " << (*reader)->head() << "\n";
    return 1;
  }
  // The chain up to the position must hold, or the record found there proves nothing.
  auto chain = (*reader)->verify(1, position);
  if (!chain.ok()) {
    std::cerr << "ejctl verify: " << chain.status().to_string() << "\n";
    return 2;
  }
  if (!chain->ok()) {
    std::cout << "FAULT at position " << chain->first_bad << ": " << chain->problem << "\n";
    return 1;
  }
  std::string lower = hash;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (chain->last_hash.to_hex() != lower) {
    std::cout << "NOT IN LOG: the record at position " << position << " has hash " << chain->last_hash.to_hex()
              << ", not the one given: the paper does not come from this journal, or was changed\n";
    return 1;
  }
  std::cout << "OK position " << position << " hash " << lower << " is in the journal's history (the chain verifies up to it)\n";
  return 0;
}

int verify_backup(const std::string& dir) {
  cli::ProgressBar bar("verify", "records");
  auto check = backup::verify_backup(dir, [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); });
  if (!check.ok()) {
    std::cerr << "ejctl verify: " << check.status().to_string() << "\n";
    return 2;
  }
  if (!check->ok()) {
    std::cout << "FAULT in " << dir << "/" << check->bad_file;
    if (check->bad_position != log::kNoPosition) std::cout << " at position " << check->bad_position;
    std::cout << ": " << check->problem << "\n";
    return 1;
  }
  std::cout << "OK head " << check->head << " hash " << check->head_hash.to_hex() << " (" << check->files << " files, "
            << check->bytes << " bytes)\n";
  return 0;
}

}  // namespace

int run_verify(const std::vector<std::string>& args) {
  std::string data, backup_dir, digest;
  log::Position from = 1;
  log::Position to = std::numeric_limits<log::Position>::max();
  po::options_description desc("ejctl verify");
  desc.add_options()
      ("help,h", "this text")
      ("data", po::value(&data), "data directory of the journal")
      ("backup", po::value(&backup_dir), "a backup or archive directory")
      ("from", po::value(&from), "with --data: first position to check (default 1)")
      ("to", po::value(&to), "with --data: last position to check (default: the head)")
      ("digest", po::value(&digest), "with --data: POSITION:HASH printed on a report — is it in the journal's history?")
      ("chain-only", "with --data: check the records and their chain only (not block checksums, the command-id "
                     "index, snapshots and keys)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl verify", args, desc, vm)) return *stop;
  if (data.empty() == backup_dir.empty()) {
    std::cerr << "ejctl verify: name either --data DIR or --backup DIR\n" << desc;
    return 2;
  }
  if (!digest.empty()) {
    if (data.empty()) {
      std::cerr << "ejctl verify: --digest checks a data directory: give --data DIR\n";
      return 2;
    }
    return verify_digest(data, digest);
  }
  // A part of the chain is checked alone; the whole directory is checked when the whole chain is.
  const bool chain_only = vm.count("chain-only") > 0 || vm.count("from") > 0 || vm.count("to") > 0;
  return data.empty() ? verify_backup(backup_dir) : verify_data(data, from, to, chain_only);
}

}  // namespace ejournal::ejctl
