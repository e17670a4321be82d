// ejctl demo: writes the demo school into an empty data directory and prints the demo logins.
#include <iomanip>
#include <iostream>

#include <boost/program_options.hpp>

#include "cli_options.h"
#include "commands.h"
#include "ejournal/demo/demo_school.h"

namespace ejournal::ejctl {
namespace po = boost::program_options;

int run_demo(const std::vector<std::string>& args) {
  std::string data, today;
  demo::DemoOptions o;
  po::options_description desc("ejctl demo");
  desc.add_options()
      ("help,h", "this text")
      ("data", po::value(&data)->required(), "data directory (must be absent or empty)")
      ("seed", po::value(&o.seed), "seed of the school's people and events (default 1)")
      ("students", po::value(&o.students), "number of students (default 800)")
      ("years", po::value(&o.years), "academic years of journal (default 1)")
      ("today", po::value(&today), "the school's today, YYYY-MM-DD: the journal is lived up to it, and its year is the last (default: today in Moscow)")
      ("no-credentials", "issue no passwords (faster; nobody can sign in)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ejctl demo", args, desc, vm)) return *stop;
  o.issue_credentials = vm.count("no-credentials") == 0;
  if (!today.empty() && !domain::parse_day(today, &o.today)) {
    std::cerr << "ejctl demo: --today must be a date, YYYY-MM-DD: " << today << "\n";
    return 2;
  }
  auto report = demo::build_demo_school(data, o);
  if (!report.ok()) {
    std::cerr << "ejctl demo: " << report.status().to_string() << "\n";
    return 2;
  }
  const auto& r = *report;
  std::cout << "Демо-школа записана в " << data << ": " << r.classes << " классов, " << r.students << " учеников, "
            << r.parents << " родителей (братьев и сестёр: " << r.siblings << "), " << r.teachers << " учителей, " << r.subjects << " предметов.\n"
            << r.events << " событий (" << r.commands << " команд, отказов: " << r.refusals << ") за " << std::fixed
            << std::setprecision(1) << r.seconds << " с; средняя отметка " << std::setprecision(2) << r.mean_mark
            << ", пропусков " << std::setprecision(1)
            << (r.student_lessons == 0 ? 0.0 : 100.0 * static_cast<double>(r.absences) / static_cast<double>(r.student_lessons))
            << " %.\n";
  if (!r.logins.empty()) {
    std::cout << "\nВход (одноразовые пароли, сохранены в " << data << "/demo-logins.txt):\n";
    for (const auto& l : r.logins)
      std::cout << "  " << std::left << std::setw(12) << l.login << " " << std::setw(12) << l.password << " " << l.role
                << " — " << l.who << "\n";
  }
  for (const auto& f : r.first_refusals) std::cerr << "refused: " << f << "\n";
  return r.refusals == 0 ? 0 : 1;
}

}  // namespace ejournal::ejctl
