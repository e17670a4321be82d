#include "cli_options.h"

#include <iostream>

namespace ejournal::cli {
namespace po = boost::program_options;

std::optional<int> parse_options(const std::string& program, const std::vector<std::string>& args,
                                 const po::options_description& desc, po::variables_map& vm,
                                 const po::positional_options_description* positional) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), vm);
    if (vm.count("help") != 0) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << program << ": " << e.what() << "\n" << desc;
    return 2;
  }
  return std::nullopt;
}

}  // namespace ejournal::cli
