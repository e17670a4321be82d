// ejctl — the administrator's command-line tool. `ejctl help` lists the commands.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "ejournal/allocator.h"

namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&);
};

constexpr Command kCommands[] = {
    {"verify", "check a data directory or a backup: ejctl verify (--data DIR [--from N] [--to N] [--digest P:HASH] | --backup DIR)",
     ejournal::ejctl::run_verify},
    {"backup", "copy the log since the last backup: ejctl backup --data DIR --to A [--to B]",
     ejournal::ejctl::run_backup},
    {"archive", "archive a month: ejctl archive --data DIR --to A [--to B] [--month YYYY-MM]",
     ejournal::ejctl::run_archive},
    {"restore", "a new data directory from copies: ejctl restore --from A [--from B] [--at TIME] --to NEWDIR",
     ejournal::ejctl::run_restore},
    {"report", "a report as CSV, XLSX or PDF: ejctl report KIND --data DIR [--class 5А] [--subject S] [--term N] "
               "[--from D --to D] [--as-of TIME] --format csv|xlsx|pdf --out FILE",
     ejournal::ejctl::run_report},
    {"demo", "write the demo school into an empty directory: ejctl demo --data DIR [--seed S] [--students N] [--years Y]",
     ejournal::ejctl::run_demo},
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: ejctl COMMAND [OPTIONS]\n\ncommands:\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  ejournal::tune_allocator();
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "help" || name == "--help" || name == "-h") {
    usage(stdout);
    return 0;
  }
  for (const auto& c : kCommands) {
    if (name == c.name) return c.run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "ejctl: unknown command '%s'\n", name.c_str());
  usage(stderr);
  return 2;
}
