// ejctl backup / ejctl archive: copy the journal onto external disks (src/backup). They read the data
// directory through a RocksDB secondary instance, so they run while ejournald works on it.
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/backup/backup.h"
#include "progress.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

namespace {

// Prints one line per target; returns the exit code: 0 all complete, 2 when any target failed.
int report(const char* what, const backup::BackupReport& r) {
  int code = 0;
  for (const auto& t : r.targets) {
    if (!t.status.ok()) {
      std::cerr << "FAILED " << t.target << ": " << t.status.to_string() << "\n";
      code = 2;
    } else if (t.from > t.to) {
      std::cout << "OK " << t.target << ": up to date at position " << t.to << "\n";
    } else {
      std::cout << "OK " << t.target << ": " << what << " positions " << t.from << ".." << t.to << ", " << t.files
                << " files, " << t.bytes << " bytes\n";
    }
  }
  return code;
}

struct Common {
  std::string data;
  std::vector<std::string> targets;
  int level = 3;
};

void add_common(po::options_description& desc, Common& c) {
  desc.add_options()
      ("help,h", "this text")
      ("data", po::value(&c.data)->required(), "data directory of the journal")
      ("to", po::value(&c.targets)->required(), "a target directory (a mounted disk); repeat for each")
      ("level", po::value(&c.level)->default_value(3), "zstd level, 1..19 (3: fast; 7: ~5 % smaller)");
}

}  // namespace

int run_backup(const std::vector<std::string>& args) {
  Common c;
  po::options_description desc("ejctl backup");
  add_common(desc, c);
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl backup", args, desc, vm)) return *stop;
  auto reader = log::open_log_reader(c.data);
  if (!reader.ok()) {
    std::cerr << "ejctl backup: " << reader.status().to_string() << "\n";
    return 2;
  }
  cli::ProgressBar bar("backup", "records");
  backup::BackupOptions options;
  options.zstd_level = c.level;
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  auto r = backup::backup(**reader, c.data, c.targets, options);
  if (!r.ok()) {
    std::cerr << "ejctl backup: " << r.status().to_string() << "\n";
    return r.status().code() == Code::corruption ? 1 : 2;
  }
  return report("copied", *r);
}

int run_archive(const std::vector<std::string>& args) {
  Common c;
  std::string month;
  po::options_description desc("ejctl archive");
  add_common(desc, c);
  desc.add_options()("month", po::value(&month), "YYYY-MM (default: the last complete month)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl archive", args, desc, vm)) return *stop;
  auto reader = log::open_log_reader(c.data);
  if (!reader.ok()) {
    std::cerr << "ejctl archive: " << reader.status().to_string() << "\n";
    return 2;
  }
  if (month.empty()) {
    const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    month = backup::previous_month(now.count());
  }
  cli::ProgressBar bar("archive " + month, "records");
  backup::BackupOptions options;
  options.zstd_level = c.level;
  options.progress = [&bar](std::uint64_t done, std::uint64_t total) { bar.update(done, total); };
  auto r = backup::archive(**reader, c.data, c.targets, month, options);
  if (!r.ok()) {
    std::cerr << "ejctl archive: " << r.status().to_string() << "\n";
    return r.status().code() == Code::corruption ? 1 : 2;
  }
  return report(("archived " + month + ",").c_str(), *r);
}

}  // namespace ejournal::ejctl
