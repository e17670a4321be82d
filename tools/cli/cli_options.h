// Command-line parsing shared by ejctl and ej-bench (Boost.Program_options).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace ejournal::cli {

// Parses `args` against `desc` into `vm`. Returns the exit code to stop with — 0 after printing the help
// for --help, 2 after printing what is wrong and the usage — or nullopt to go on. `positional`, when given,
// names the options that bare arguments stand for.
std::optional<int> parse_options(const std::string& program, const std::vector<std::string>& args,
                                 const boost::program_options::options_description& desc,
                                 boost::program_options::variables_map& vm,
                                 const boost::program_options::positional_options_description* positional = nullptr);

}  // namespace ejournal::cli
