// ejctl restore: a new data directory from backup or archive copies, as the journal stood at a time.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/backup/backup.h"
#include "progress.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

// "@MICROS" (µs since 1970 UTC), or "YYYY-MM-DD[THH:MM[:SS]]" in the school's time (Moscow, UTC+3); a date
// alone means the end of that day.
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
  int y = 0;
  unsigned mo = 0, d = 0, h = 23, mi = 59, s = 59;
  char sep = 0, tail = 0;
  int n = std::sscanf(text.c_str(), "%4d-%2u-%2u%c%2u:%2u:%2u%c", &y, &mo, &d, &sep, &h, &mi, &s, &tail);
  bool whole_day = n == 3;
  if (n == 6) s = 0;
  if (!(n == 3 || ((n == 6 || n == 7) && (sep == 'T' || sep == ' ')))) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{mo}, std::chrono::day{d}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  const auto day_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::sys_days{ymd}.time_since_epoch()).count();
  const long long local = day_us + ((h * 60LL + mi) * 60LL + s) * 1'000'000LL + (whole_day ? 999'999 : 0);
  return local - 3LL * 3'600'000'000LL;
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
