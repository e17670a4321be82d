// ej-bench's benchmarks. Each parses the arguments after its name, prints JSON lines on stdout, and returns
// the exit code (2 for bad arguments or a failure).
#pragma once

#include <string>
#include <vector>

namespace ejournal::bench {

int run_append(const std::vector<std::string>& args);
int run_read(const std::vector<std::string>& args);
int run_execute(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);
int run_replay(const std::vector<std::string>& args);
int run_query(const std::vector<std::string>& args);
int run_asof(const std::vector<std::string>& args);
int run_start(const std::vector<std::string>& args);  // restart of an existing directory
int run_ws(const std::vector<std::string>& args);
int run_ws_mix(const std::vector<std::string>& args);  // ej-bench ws --mix
int run_ws_reads(const std::vector<std::string>& args);
int run_ws_many(const std::vector<std::string>& args);
int run_backup(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);

}  // namespace ejournal::bench
