// ej-bench execute: realistic mark commands through validation and the log, as teachers send them.
// ej-bench demo: the time to build one demo school year.
#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include <boost/program_options.hpp>

#include "bench_util.h"
#include "cli_options.h"
#include "benches.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;
using namespace domain;

namespace {

struct BenchSchool {
  std::vector<UserId> teachers;
  struct Lesson {
    LessonId id;
    UserId teacher;
    std::vector<UserId> students;
  };
  std::vector<Lesson> lessons;
  WorkTypeId work_type = 0;
};

// A year with one open term, 10 classes of 30 students, a math teacher each, 200 lessons each.
Result<BenchSchool> build(Domain& d) {
  BenchSchool s;
  auto must = [&](UserId actor, Command c) -> std::uint32_t {
    auto r = d.execute(actor, log::CommandId::random(), std::move(c));
    return r.ok() ? r->created : 0;
  };
  const UserId admin = must(0, cmd::CreateStaffAccount{"admin", Role::Administrator, "Администратор", 0});
  const UserId deputy = must(admin, cmd::CreateStaffAccount{"deputy", Role::Deputy, "Завуч", 0});
  Day first = 0, last = 0;
  parse_day("2023-09-01", &first);
  parse_day("2024-05-31", &last);
  const YearId year = must(deputy, cmd::OpenYear{"2023/2024", first, last});
  must(deputy, cmd::DefineTerm{year, "Год", first, last, 1, 11});
  const SubjectId math = must(deputy, cmd::CreateSubject{"Математика", "мат"});
  s.work_type = static_cast<WorkTypeId>(must(deputy, cmd::DefineWorkType{"Ответ на уроке", 1}));
  for (int k = 0; k < 10; ++k) {
    const ClassId c = must(deputy, cmd::CreateClass{year, 5 + k % 6, std::to_string(5 + k % 6) + "-" + std::to_string(k)});
    const UserId t = must(admin, cmd::CreateStaffAccount{"teacher" + std::to_string(k), Role::Teacher, "Учитель", c});
    const AssignmentId a = must(deputy, cmd::AssignTeacher{t, c, 0, math});
    std::vector<UserId> students;
    PersonalData p;
    p.last_name = "Ученик";
    p.first_name = "Тест";
    for (int i = 0; i < 30; ++i) students.push_back(must(t, cmd::EnrollStudent{c, first, p}));
    for (int l = 0; l < 200; ++l) {
      const LessonId lesson = must(t, cmd::ScheduleLesson{a, first + l, 1});
      if (lesson != 0) s.lessons.push_back({lesson, t, students});
    }
  }
  if (s.lessons.size() != 2000) return Status(Code::io_error, "the benchmark school was not built");
  return s;
}

}  // namespace

int run_execute(const std::vector<std::string>& args) {
  std::uint64_t events = 300'000;
  unsigned threads = 16, window = 64;
  po::options_description desc("ej-bench execute");
  desc.add_options()("help,h", "this text")("events", po::value(&events), "mark commands (default 300,000)")
      ("threads", po::value(&threads), "client threads (default 16)")
      ("window", po::value(&window), "commands each thread keeps in flight (default 64)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench execute", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  auto log = log::open_event_log(dir.sub("data"));
  if (!log.ok()) return 2;
  auto vault = open_vault(dir.sub("data"), **log);
  if (!vault.ok()) return 2;
  auto domain = Domain::open(**log, **vault);
  if (!domain.ok()) return 2;
  auto school = build(**domain);
  if (!school.ok()) {
    std::cerr << school.status().to_string() << "\n";
    return 2;
  }
  std::atomic<std::uint64_t> refused{0};
  const auto t0 = SteadyClock::now();
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      Window in_flight(window);
      for (std::uint64_t i = t; i < events; i += threads) {
        const auto& lesson = school->lessons[i % school->lessons.size()];
        const UserId student = lesson.students[(i / school->lessons.size()) % lesson.students.size()];
        in_flight.acquire();
        auto done = [&](Result<Executed> r) {
          if (!r.ok()) refused.fetch_add(1);
          in_flight.release();
        };
        auto accepted = (*domain)->submit(lesson.teacher, log::CommandId::random(),
                                          cmd::SetMark{lesson.id, student, static_cast<int>(2 + i % 4), school->work_type, "", std::nullopt},
                                          done);
        if (!accepted.ok()) done(accepted.status());
      }
      in_flight.drain();
    });
  }
  for (auto& th : pool) th.join();
  const double elapsed = seconds_since(t0);
  JsonLine("execute")
      .add("events", events)
      .add("threads", std::uint64_t{threads})
      .add("commands_per_s", static_cast<double>(events) / elapsed)
      .add("refused", refused.load())
      .print();
  return refused.load() == 0 ? 0 : 2;
}

int run_demo(const std::vector<std::string>& args) {
  demo::DemoOptions o;
  po::options_description desc("ej-bench demo");
  desc.add_options()("help,h", "this text")("students", po::value(&o.students), "students (default 800)")
      ("seed", po::value(&o.seed), "seed (default 1)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench demo", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  auto report = demo::build_demo_school(dir.sub("data"), o);
  if (!report.ok()) {
    std::cerr << report.status().to_string() << "\n";
    return 2;
  }
  JsonLine("demo")
      .add("events", report->events)
      .add("commands", report->commands)
      .add("seconds", report->seconds)
      .add("events_per_s", static_cast<double>(report->events) / report->seconds)
      .add("refusals", report->refusals)
      .add("rss_mb", rss_mb())
      .print();
  return report->refusals == 0 ? 0 : 2;
}

}  // namespace ejournal::bench
