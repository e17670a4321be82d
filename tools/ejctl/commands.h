// ejctl's subcommands. Each takes the arguments after its name and returns the process exit code:
// 0 all good, 1 the data is faulty (verify found a bad record), 2 usage or operational error.
#pragma once

#include <string>
#include <vector>

namespace ejournal::ejctl {

int run_verify(const std::vector<std::string>& args);
int run_demo(const std::vector<std::string>& args);

}  // namespace ejournal::ejctl
