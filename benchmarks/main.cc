// ej-bench — ejournal's performance goals, measured. Prints one JSON object per line.
//   ej-bench append --events N --threads T [--window W]
//   ej-bench read --events N
//   ej-bench execute --events N [--threads T]
//   ej-bench demo [--students N]
//   ej-bench replay [--years Y | --data DIR]
//   ej-bench query [--queries N]
//   ej-bench asof [--events N] [--samples S] [--data DIR]
//   ej-bench start --data DIR [--each false] [--snapshots true] [--domain-snapshot false]
//   ej-bench ws [--clients N] [--seconds S] [--window W] [--threads T]
//   ej-bench ws --mix [--clients N] [--seconds S] [--students P] [--no-peer]   (beside PostgreSQL: tools/peer-pg)
//   ej-bench ws-reads [--years Y | --data DIR] [--slow-clients N] [--seconds S]
//   ej-bench ws-many [--connections N] [--teachers T] [--rate R] [--students P] [--seconds S]
//   ej-bench report [--students N] [--year-start Y]
#include <cstdio>
#include <string>
#include <vector>

#include "benches.h"
#include "ejournal/allocator.h"

int main(int argc, char** argv) {
  ejournal::tune_allocator();
  struct Bench {
    const char* name;
    int (*run)(const std::vector<std::string>&);
  };
  static constexpr Bench kBenches[] = {
      {"append", ejournal::bench::run_append},
      {"read", ejournal::bench::run_read},
      {"execute", ejournal::bench::run_execute},
      {"demo", ejournal::bench::run_demo},
      {"replay", ejournal::bench::run_replay},
      {"query", ejournal::bench::run_query},
      {"asof", ejournal::bench::run_asof},
      {"start", ejournal::bench::run_start},
      {"ws", ejournal::bench::run_ws},
      {"ws-reads", ejournal::bench::run_ws_reads},
      {"ws-many", ejournal::bench::run_ws_many},
      {"backup", ejournal::bench::run_backup},
      {"report", ejournal::bench::run_report},
  };
  if (argc >= 2) {
    for (const auto& b : kBenches)
      if (argv[1] == std::string(b.name)) return b.run(std::vector<std::string>(argv + 2, argv + argc));
  }
  std::fprintf(stderr, "usage: ej-bench {append|read|execute|demo|replay|query|asof|start|ws|ws-reads|ws-many|backup|report} [--help]\n");
  return 2;
}
