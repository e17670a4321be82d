// ejctl restore: a new data directory from backup or archive copies, as the journal stood at a time.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/backup/backup.h"
#include "ejournal/projections/school_time.h"
#include "progress.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

// "@MICROS" (µs since 1970 UTC), or a date or time as projections::parse_school_time reads it (a date alone:
// the end of that school day).
std::optional<log::Timestamp> parse_time_arg(const std::string& text) {
  if (text.size() > 1 && text[0] == '@') {
    try {
      std::size_t used = 0;
      const long long v = std::stoll(text.substr(1), &used);
      if (used == text.size() - 1) return v;
    } catch (const std::exception&) {
    }
    return std::nullopt;
  }
  return projections::parse_school_time(text);
}

int run_restore(const std::vector<std::string>& args) {
  std::vector<std::string> from;
  std::string to, at;
  po::options_description desc("ejctl restore");
  desc.add_options()
      ("help,h", "this text")
      ("from", po::value(&from)->required(), "a backup or archive directory; repeat: later copies serve damaged parts")
      ("to", po::value(&to)->required(), "the new data directory (must not exist, or be empty)")
      ("at", po::value(&at), "keep what was recorded up to this time: YYYY-MM-DD[THH:MM[:SS]] school time, or @MICROS");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl restore", args, desc, vm)) return *stop;
  backup::RestoreOptions options;
  if (!at.empty()) {
    options.at = parse_time_arg(at);
    if (!options.at) {
      std::cerr << "ejctl restore: cannot read the time '" << at << "'\n";
      return 2;
    }
  }
  cli::ProgressBar bar("restore", "records");
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  options.notice = [](const std::string& text) { std::cerr << "NOTICE " << text << "\n"; };
  auto r = backup::restore(from, to, options);
  if (!r.ok()) {
    std::cerr << "ejctl restore: " << r.status().to_string() << "\n";
    return r.status().code() == Code::corruption ? 1 : 2;
  }
  std::cout << "OK restored to " << to << ": head " << r->head << " hash " << r->head_hash.to_hex() << " recorded at "
            << r->head_time << "\n";
  return 0;
}

}  // namespace ejournal::ejctl
