// ejctl verify: walks a data directory's log and checks every record and hash link.
// Works while ejournald holds the directory open: it reads through a RocksDB secondary instance.
#include <cstdio>
#include <iostream>
#include <limits>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/log/event_log.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

int run_verify(const std::vector<std::string>& args) {
  std::string data;
  log::Position from = 1;
  log::Position to = std::numeric_limits<log::Position>::max();
  po::options_description desc("ejctl verify");
  desc.add_options()
      ("help,h", "this text")
      ("data", po::value(&data)->required(), "data directory of the journal")
      ("from", po::value(&from), "first position to check (default 1)")
      ("to", po::value(&to), "last position to check (default: the head)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl verify", args, desc, vm)) return *stop;

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
  return 0;
}

}  // namespace ejournal::ejctl
