// ejctl's subcommands. Each takes the arguments after its name and returns the process exit code:
// 0 all good, 1 the data is faulty (a bad record or file found), 2 usage or operational error (a target
// that could not be written included).
#pragma once

#include <string>
#include <vector>

namespace ejournal::ejctl {

int run_verify(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);
int run_backup(const std::vector<std::string>& args);
int run_archive(const std::vector<std::string>& args);
int run_restore(const std::vector<std::string>& args);
int run_report(const std::vector<std::string>& args);

}  // namespace ejournal::ejctl
