// The demo school generator: plans a gymnasium, then lives through its academic years day by day, issuing
// the commands its people would issue, at the times they would issue them.
#include "ejournal/demo/demo_school.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "demo/curriculum.h"
#include "demo/names.h"
#include "ejournal/domain/domain.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/event_log.h"

namespace ejournal::demo {
namespace {

using namespace domain;
using log::Timestamp;

constexpr Timestamp kMicrosPerDay = 86'400'000'000LL;
constexpr int kMoscowUtcOffsetHours = 3;

// The log's clock, moved by the generator through the simulated year.
class SimulatedClock final : public log::Clock {
 public:
  Timestamp now() const override { return now_.load(); }
  void set(Timestamp t) { now_.store(t); }

 private:
  std::atomic<Timestamp> now_{0};
};

int month_of(Day day) { return static_cast<int>(civil_of(day).month); }
int year_of(Day day) { return civil_of(day).year; }

Timestamp at(Day day, int hour, int minute) {
  return day * kMicrosPerDay + (static_cast<Timestamp>(hour - kMoscowUtcOffsetHours) * 60 + minute) * 60'000'000LL;
}

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct TeacherPlan {
  UserId id = 0;
  int subject = -1;  // main subject; -1 for primary-school class teachers
  int load = 0;      // hours a week
  ClassId curates = 0;
};

struct StudentPlan {
  UserId id = 0;
  int group = 1;  // 1 or 2
  double ability = 4.1;
  int class_id = 0;
  std::string family;  // masculine form
  std::string father;  // the father's first name (his account exists only in some families)
  std::vector<UserId> parents;
};

struct ClassPlan {
  ClassId id = 0;
  int grade = 0;
  std::string name;
  std::string letter;
  int curator = -1;  // index into teachers_
  GroupId groups[2] = {0, 0};
  std::vector<int> students;  // indices into students_
};

struct AssignmentPlan {
  AssignmentId id = 0;
  int teacher = 0;   // index into teachers_
  int class_index = 0;
  int group = 0;     // 0 whole class, 1 or 2
  int subject = 0;
  int lessons = 0;   // lessons given so far this year
};

struct EntryPlan {
  TimetableEntryId id = 0;
  int assignment = 0;  // index into assignments_
  int weekday = 0, period = 0;
};

struct LessonPlan {
  LessonId id = 0;
  int assignment = 0;
  Day day = 0;
  int period = 0;
  int substitute = -1;  // index into teachers_
  bool cancelled = false;
};

struct MarkTally {
  double weighted = 0;
  int weights = 0;
  int count = 0;
};

class Generator {
 public:
  Generator(Domain& domain, SimulatedClock& clock, const DemoOptions& o, DemoReport& report)
      : domain_(domain), clock_(clock), o_(o), report_(report), rng_(o.seed), horizon_(log::SystemClock().now()) {}

  void run() {
    const int first_year = o_.last_year_start - o_.years + 1;
    for (int y = first_year; y <= o_.last_year_start; ++y) {
      prepare_year(y, y == first_year);
      live_year(y);
    }
    if (o_.issue_credentials) issue_credentials();
    wait_all();
  }

 private:
  // ------------------------------------------------------------------ commands

  log::CommandId next_id() {
    log::CommandId id;
    const std::uint64_t a = mix(o_.seed * 0x100000001b3ULL + counter_), b = mix(a ^ counter_);
    ++counter_;
    for (int i = 0; i < 8; ++i) {
      id.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(a >> (8 * i));
      id.bytes[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(b >> (8 * i));
    }
    return id;
  }

  // Submits a command; returns what it created (0 if it was refused, which the report counts).
  std::uint32_t run(UserId actor, Command command) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return outstanding_ < kWindow; });
      ++outstanding_;
    }
    const std::string name = command_name(command);
    ++report_.commands;
    auto accepted = domain_.submit(actor, next_id(), std::move(command), [this, name](Result<Executed> r) {
      std::lock_guard lock(mu_);
      if (r.ok()) {
        report_.events += r->count;
      } else {
        note_refusal(name, r.status());
      }
      if (--outstanding_ == 0 || outstanding_ == kWindow / 2) cv_.notify_all();
    });
    if (!accepted.ok()) {
      std::lock_guard lock(mu_);
      note_refusal(name, accepted.status());
      if (--outstanding_ == 0 || outstanding_ == kWindow / 2) cv_.notify_all();
      return 0;
    }
    return accepted->created;
  }

  void note_refusal(const std::string& name, const Status& s) {  // REQUIRES: mu_ held
    ++report_.refusals;
    if (report_.first_refusals.size() < 10) report_.first_refusals.push_back(name + ": " + s.to_string());
  }

  void wait_all() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return outstanding_ == 0; });
  }

  // Everything submitted so far is stamped with the time it was made; later commands with `t` (never later
  // than the real time: the server goes on from there).
  void clock_at(Timestamp t) {
    wait_all();
    clock_.set(std::max(std::min(t, horizon_), clock_.now()));
  }

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int uniform_int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // ------------------------------------------------------------------ the plan of a year

  int new_teacher(int subject) {
    const bool female = uniform() < 0.8;
    TeacherPlan t;
    t.subject = subject;
    char login[32];
    std::snprintf(login, sizeof login, "teacher%02zu", teachers_.size() + 1);
    t.id = run(admin_, cmd::CreateStaffAccount{login, Role::Teacher, staff_name(rng_, female), 0});
    teachers_.push_back(t);
    return static_cast<int>(teachers_.size()) - 1;
  }

  // The least-loaded teacher of `subject` who can take `hours` more, or a new one.
  int teacher_for(int subject, int hours) {
    int best = -1;
    for (int i = 0; i < static_cast<int>(teachers_.size()); ++i) {
      const TeacherPlan& t = teachers_[static_cast<std::size_t>(i)];
      if (t.subject != subject || t.load + hours > 24) continue;
      if (best < 0 || t.load < teachers_[static_cast<std::size_t>(best)].load) best = i;
    }
    return best >= 0 ? best : new_teacher(subject);
  }

  void prepare_year(int y, bool first) {
    const Day aug25 = terms_of_year(y)[0].first_day - 7;
    clock_at(at(aug25, 9, 0));
    if (first) {
      admin_ = run(0, cmd::CreateStaffAccount{"admin", Role::Administrator, staff_name(rng_, true), 0});
      director_ = run(admin_, cmd::CreateStaffAccount{"director", Role::Director, staff_name(rng_, false), 0});
      deputies_[0] = run(admin_, cmd::CreateStaffAccount{"zavuch1", Role::Deputy, staff_name(rng_, true), 0});
      deputies_[1] = run(admin_, cmd::CreateStaffAccount{"zavuch2", Role::Deputy, staff_name(rng_, true), 0});
    }
    const UserId deputy = deputies_[0];
    const auto term_plans = terms_of_year(y);
    year_id_ = run(deputy, cmd::OpenYear{std::to_string(y) + "/" + std::to_string(y + 1), term_plans[0].first_day,
                                         term_plans[3].last_day});
    terms_.clear();
    for (const auto& t : term_plans) {
      terms_.push_back(run(deputy, cmd::DefineTerm{year_id_, t.name, t.first_day, t.last_day, t.grade_from, t.grade_to}));
    }
    term_plans_ = term_plans;
    if (first) {
      for (const auto& s : subjects()) subject_ids_.push_back(run(deputy, cmd::CreateSubject{s.name, s.short_name}));
      work_types_ = {
          static_cast<WorkTypeId>(run(deputy, cmd::DefineWorkType{"Ответ на уроке", 1})),
          static_cast<WorkTypeId>(run(deputy, cmd::DefineWorkType{"Домашняя работа", 1})),
          static_cast<WorkTypeId>(run(deputy, cmd::DefineWorkType{"Самостоятельная работа", 1})),
          static_cast<WorkTypeId>(run(deputy, cmd::DefineWorkType{"Контрольная работа", 2})),
          static_cast<WorkTypeId>(run(deputy, cmd::DefineWorkType{"Письменная работа", 2})),
      };
    }
    wait_all();

    // Classes of this year; students move up a grade, the 11th grade leaves, a new 1st grade comes.
    std::vector<ClassPlan> previous = std::move(classes_);
    classes_.clear();
    for (int grade = 1; grade <= 11; ++grade) {
      for (const std::string& letter : class_letters(grade)) {
        ClassPlan c;
        c.grade = grade;
        c.letter = letter;
        c.name = std::to_string(grade) + letter;
        c.id = run(deputy, cmd::CreateClass{year_id_, grade, c.name});
        classes_.push_back(c);
      }
    }
    wait_all();
    assign_curators(first);
    move_students(previous, y);
    plan_assignments();
    plan_timetable(term_plans[0].first_day, term_plans[3].last_day);
    wait_all();
    report_.classes = static_cast<int>(classes_.size());
    report_.teachers = static_cast<int>(teachers_.size());
    report_.subjects = static_cast<int>(subject_ids_.size());
  }

  void assign_curators(bool first) {
    // Primary classes (1–4) have a class teacher who teaches most of their subjects; older classes get a
    // subject teacher as curator.
    for (auto& t : teachers_) {
      if (t.curates != 0) {
        run(admin_, cmd::RevokeRole{t.id, Role::Curator, 0});
        t.curates = 0;
      }
    }
    (void)first;
    std::size_t primary_teacher = 0;
    std::vector<int> primary;
    for (std::size_t i = 0; i < teachers_.size(); ++i)
      if (teachers_[i].subject == -1) primary.push_back(static_cast<int>(i));
    for (auto& c : classes_) {
      int t = -1;
      if (c.grade <= 4) {
        t = primary_teacher < primary.size() ? primary[primary_teacher++] : new_teacher(-1);
      } else {
        for (std::size_t i = 0; i < teachers_.size(); ++i) {
          if (teachers_[i].subject >= 0 && teachers_[i].curates == 0) {
            t = static_cast<int>(i);
            break;
          }
        }
        if (t < 0) t = new_teacher(static_cast<int>(uniform_int(0, 3)) == 0 ? 0 : 6);
      }
      c.curator = t;
      teachers_[static_cast<std::size_t>(t)].curates = c.id;
      run(admin_, cmd::GrantRole{teachers_[static_cast<std::size_t>(t)].id, Role::Curator, c.id});
    }
    wait_all();
  }

  // A new pupil: of a new family (a mother's account, and in most families the father's), or, one time in
  // eight, a younger brother or sister of a pupil in another class, whose parents' accounts are linked to the
  // new child rather than made again. The patronymic is the father's; a son is not named after his father.
  void enroll(ClassPlan& c, int birth_year) {
    const UserId curator = teachers_[static_cast<std::size_t>(c.curator)].id;
    const Day day = term_plans_[0].first_day - 3;
    const bool female = uniform() < 0.5;
    const StudentPlan* sibling = nullptr;
    if (!students_.empty() && uniform() < 0.125) {
      const StudentPlan& other = students_[static_cast<std::size_t>(uniform_int(0, static_cast<int>(students_.size()) - 1))];
      if (other.class_id != static_cast<int>(c.id) && !other.parents.empty()) sibling = &other;
    }
    // The first pupil of 5А, whose parent is a demo login, has an elder sister or brother in 9А: so that a
    // parent's diary with two children can be tried.
    if (c.name == "9А" && c.students.empty()) {
      for (const auto& other : classes_)
        if (other.name == "5А" && !other.students.empty()) sibling = &students_[static_cast<std::size_t>(other.students[0])];
    }
    StudentPlan s;
    s.class_id = static_cast<int>(c.id);
    s.family = sibling != nullptr ? sibling->family : family_name(rng_);
    s.father = sibling != nullptr ? sibling->father : first_name(rng_, false);
    domain::PersonalData child = make_person(rng_, s.family, female, birth_year);
    while (!female && child.first_name == s.father) child.first_name = first_name(rng_, false);
    child.patronymic = patronymic(s.father, female);
    s.id = run(curator, cmd::EnrollStudent{c.id, day, std::move(child)});
    s.ability = std::clamp(std::normal_distribution<double>(4.2, 0.45)(rng_), 2.6, 5.0);
    if (sibling != nullptr) {
      s.parents = sibling->parents;
      for (UserId p : s.parents) run(curator, cmd::LinkParent{p, s.id});
      ++report_.siblings;
    } else {
      s.parents.push_back(run(curator, cmd::AddParent{s.id, make_person(rng_, s.family, true, birth_year - 28)}));
      if (uniform() < 0.6) {
        domain::PersonalData father = make_person(rng_, s.family, false, birth_year - 31);
        father.first_name = s.father;
        s.parents.push_back(run(curator, cmd::AddParent{s.id, std::move(father)}));
      }
      report_.parents += static_cast<int>(s.parents.size());
    }
    ++report_.students;
    c.students.push_back(static_cast<int>(students_.size()));
    students_.push_back(s);
  }

  void move_students(const std::vector<ClassPlan>& previous, int y) {
    const UserId deputy = deputies_[1];
    const Day day = term_plans_[0].first_day - 3;
    const int per_class = std::max(1, o_.students / static_cast<int>(classes_.size()));
    // Last year's students move up a grade: into the class with the same letter, or, where the next grade
    // has fewer classes (8В → 9), into the smallest one; the 11th grade leaves; a new 1st grade comes.
    for (const auto& p : previous) {
      for (int s : p.students) {
        const UserId id = students_[static_cast<std::size_t>(s)].id;
        if (p.grade == 11) {
          run(deputy, cmd::StudentLeaves{id, day, "Окончил обучение"});
          continue;
        }
        ClassPlan* to = nullptr;
        for (auto& c : classes_) {
          if (c.grade != p.grade + 1) continue;
          if (c.letter == p.letter) {
            to = &c;
            break;
          }
          if (to == nullptr || c.students.size() < to->students.size()) to = &c;
        }
        run(deputy, cmd::TransferStudent{id, to->id, day, "Перевод в следующий класс"});
        to->students.push_back(s);
        students_[static_cast<std::size_t>(s)].class_id = static_cast<int>(to->id);
      }
    }
    for (auto& c : classes_)
      if (c.grade == 1 || previous.empty())
        for (int k = 0; k < per_class; ++k) enroll(c, y - 6 - c.grade);
    wait_all();
    // Study groups (from grade 2): two halves of the class.
    for (auto& c : classes_) {
      if (c.grade < 2) continue;
      const UserId curator = teachers_[static_cast<std::size_t>(c.curator)].id;
      c.groups[0] = run(curator, cmd::CreateStudyGroup{c.id, "1 группа"});
      c.groups[1] = run(curator, cmd::CreateStudyGroup{c.id, "2 группа"});
      wait_all();
      for (std::size_t k = 0; k < c.students.size(); ++k) {
        StudentPlan& s = students_[static_cast<std::size_t>(c.students[k])];
        s.group = k % 2 == 0 ? 1 : 2;
        run(curator, cmd::AddStudentToGroup{s.id, c.groups[s.group - 1]});
      }
    }
    wait_all();
  }

  void plan_assignments() {
    assignments_.clear();
    for (auto& t : teachers_) t.load = 0;
    const UserId deputy = deputies_[0];
    for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
      ClassPlan& c = classes_[ci];
      for (const Hours& h : plan_for_grade(c.grade)) {
        const bool by_class_teacher = c.grade <= 4 && (h.subject == 0 || h.subject == 1 || h.subject == 3 ||
                                                        h.subject == 6 || h.subject == 11 || h.subject == 19 ||
                                                        h.subject == 21);
        for (int g = h.in_groups ? 1 : 0; g <= (h.in_groups ? 2 : 0); ++g) {
          AssignmentPlan a;
          a.teacher = by_class_teacher ? c.curator : teacher_for(h.subject, h.per_week);
          teachers_[static_cast<std::size_t>(a.teacher)].load += h.per_week;
          a.class_index = static_cast<int>(ci);
          a.group = g;
          a.subject = h.subject;
          a.id = run(deputy, cmd::AssignTeacher{teachers_[static_cast<std::size_t>(a.teacher)].id, c.id,
                                                g == 0 ? 0 : c.groups[g - 1], subject_ids_[static_cast<std::size_t>(h.subject)]});
          assignments_.push_back(a);
        }
      }
    }
    wait_all();
  }

  // Puts every class's weekly hours on a 5-day grid, keeping a teacher in one place at a time.
  void plan_timetable(Day first_day, Day last_day) {
    entries_.clear();
    std::set<std::tuple<int, int, int>> teacher_busy;  // teacher, weekday, period
    const UserId deputy = deputies_[0];
    std::vector<std::vector<int>> by_class(classes_.size());
    for (std::size_t i = 0; i < assignments_.size(); ++i)
      by_class[static_cast<std::size_t>(assignments_[i].class_index)].push_back(static_cast<int>(i));
    for (std::size_t ci = 0; ci < classes_.size(); ++ci) {
      // Each hour is a set of assignments taught at the same time (both groups of a split subject).
      std::vector<std::vector<int>> hours;
      for (const Hours& h : plan_for_grade(classes_[ci].grade)) {
        std::vector<int> together;
        for (int a : by_class[ci])
          if (assignments_[static_cast<std::size_t>(a)].subject == h.subject) together.push_back(a);
        for (int k = 0; k < h.per_week; ++k) hours.push_back(together);
      }
      std::shuffle(hours.begin(), hours.end(), rng_);
      int per_day[6] = {0, 0, 0, 0, 0, 0};
      for (const auto& hour : hours) {
        bool placed = false;
        for (int attempt = 0; attempt < 5 * 8 && !placed; ++attempt) {
          // The lightest day first, then the next free period of it.
          int day = 1;
          for (int d = 2; d <= 5; ++d)
            if (per_day[d] < per_day[day]) day = d;
          day = 1 + (day - 1 + attempt % 5) % 5;
          const int period = per_day[day] + 1 + attempt / 5;
          if (period > 8) continue;
          const bool free = std::all_of(hour.begin(), hour.end(), [&](int a) {
            return teacher_busy.count({assignments_[static_cast<std::size_t>(a)].teacher, day, period}) == 0;
          });
          if (!free || period != per_day[day] + 1) continue;
          for (int a : hour) {
            teacher_busy.insert({assignments_[static_cast<std::size_t>(a)].teacher, day, period});
            EntryPlan e;
            e.assignment = a;
            e.weekday = day;
            e.period = period;
            e.id = run(deputy, cmd::SetTimetableEntry{assignments_[static_cast<std::size_t>(a)].id, day, period,
                                                      first_day, last_day});
            entries_.push_back(e);
          }
          ++per_day[day];
          placed = true;
        }
      }
    }
    wait_all();
    std::sort(entries_.begin(), entries_.end(), [](const EntryPlan& a, const EntryPlan& b) { return a.id < b.id; });
  }

  // ------------------------------------------------------------------ living through the year

  // The term (index into term_plans_) of a grade on a day, or -1 on holidays.
  int term_index(int grade, Day day) const {
    for (std::size_t i = 0; i < term_plans_.size(); ++i) {
      const TermPlan& t = term_plans_[i];
      if (grade >= t.grade_from && grade <= t.grade_to && day >= t.first_day && day <= t.last_day)
        return static_cast<int>(i);
    }
    return -1;
  }

  const ClassPlan& class_of(const AssignmentPlan& a) const { return classes_[static_cast<std::size_t>(a.class_index)]; }

  // Mirrors Domain's ScheduleFromTimetable: day by day, timetable entries in id order.
  void schedule_week(Day monday, Day last_day) {
    const Day from = std::max(monday, term_plans_[0].first_day);
    const Day to = std::min(monday + 6, last_day);
    std::vector<LessonPlan> planned;
    for (Day d = from; d <= to; ++d) {
      for (const EntryPlan& e : entries_) {
        if (e.weekday != weekday_of(d)) continue;
        const int ti = term_index(class_of(assignments_[static_cast<std::size_t>(e.assignment)]).grade, d);
        if (ti < 0 || closed_[static_cast<std::size_t>(ti)]) continue;
        planned.push_back(LessonPlan{0, e.assignment, d, e.period, -1, false});
      }
    }
    if (planned.empty()) return;
    const LessonId first = run(deputies_[0], cmd::ScheduleFromTimetable{from, to});
    for (std::size_t i = 0; i < planned.size(); ++i) {
      planned[i].id = first + static_cast<LessonId>(i);
      lessons_by_day_[planned[i].day].push_back(planned[i]);
    }
    report_.lessons += planned.size();
  }

  // A teacher free in the lesson's period (the domain refuses one who teaches then), preferably of its
  // subject; -1 when none is free.
  int substitute_for(const LessonPlan& l, const std::vector<LessonPlan>& today) {
    const AssignmentPlan& a = assignments_[static_cast<std::size_t>(l.assignment)];
    std::vector<bool> busy(teachers_.size(), false);
    for (const LessonPlan& o : today) {
      if (o.period != l.period || o.cancelled) continue;
      busy[static_cast<std::size_t>(o.substitute >= 0 ? o.substitute : assignments_[static_cast<std::size_t>(o.assignment)].teacher)] = true;
    }
    for (int tries = 0; tries < 20; ++tries) {
      const int t = uniform_int(0, static_cast<int>(teachers_.size()) - 1);
      if (t != a.teacher && !busy[static_cast<std::size_t>(t)] &&
          (teachers_[static_cast<std::size_t>(t)].subject == a.subject || tries > 10))
        return t;
    }
    for (std::size_t t = 0; t < teachers_.size(); ++t)
      if (static_cast<int>(t) != a.teacher && !busy[t]) return static_cast<int>(t);
    return -1;
  }

  std::vector<int> students_of(const AssignmentPlan& a) const {
    std::vector<int> out;
    for (int s : class_of(a).students)
      if (a.group == 0 || students_[static_cast<std::size_t>(s)].group == a.group) out.push_back(s);
    return out;
  }

  int mark_value(const StudentPlan& s) {
    const double v = s.ability + std::normal_distribution<double>(0.0, 0.75)(rng_);
    return std::clamp(static_cast<int>(std::lround(v)), 2, 5);
  }

  void tally(int student, int subject, int term, int value, int weight, int delta_count) {
    MarkTally& t = tallies_[{student, subject, term}];
    t.weighted += value * weight;
    t.weights += weight;
    t.count += delta_count;
  }

  // A teacher fills in one lesson: topic, homework, attendance, marks (and now and then corrects one).
  void enter_lesson(LessonPlan& l) {
    AssignmentPlan& a = assignments_[static_cast<std::size_t>(l.assignment)];
    const ClassPlan& c = class_of(a);
    const int who = l.substitute >= 0 ? l.substitute : a.teacher;
    const UserId teacher = teachers_[static_cast<std::size_t>(who)].id;
    const int n = ++a.lessons;
    const std::string& subject = subjects()[static_cast<std::size_t>(a.subject)].name;
    run(teacher, cmd::SetTopic{l.id, subject + ": тема " + std::to_string(1 + n / 3) + ", урок " + std::to_string(n)});
    if (uniform() < (c.grade == 1 ? 0.2 : 0.85))
      run(teacher, cmd::SetHomework{l.id, "§ " + std::to_string(1 + n / 3) + ", упр. " + std::to_string(uniform_int(1, 40)),
                                    l.day + uniform_int(2, 7)});
    const int term = term_index(c.grade, l.day);
    const bool test = c.grade >= 2 && n % 10 == 9;
    const bool written = c.grade >= 2 && n % 10 == 4 && (a.subject == 0 || a.subject == 6 || a.subject == 7);
    const double p_mark = c.grade <= 4 ? 0.25 : c.grade <= 9 ? 0.30 : 0.35;
    if (uniform() < 0.97) run(teacher, cmd::TakeAttendance{l.id});  // now and then a teacher forgets the register
    for (int si : students_of(a)) {
      const StudentPlan& s = students_[static_cast<std::size_t>(si)];
      ++report_.student_lessons;
      if (absent_today_.count(si) != 0) {
        ++report_.absences;
        run(teacher, cmd::SetAttendance{l.id, s.id, absent_today_[si], std::nullopt});
        continue;
      }
      if (uniform() < 0.01) run(teacher, cmd::SetAttendance{l.id, s.id, Attendance::Late, std::nullopt});
      if (c.grade == 1) continue;
      WorkTypeId type = 0;
      if (test) type = work_types_[3];
      else if (written) type = work_types_[4];
      else if (uniform() < p_mark) type = uniform() < 0.7 ? work_types_[0] : (uniform() < 0.5 ? work_types_[1] : work_types_[2]);
      if (type == 0) continue;
      const int weight = (type == work_types_[3] || type == work_types_[4]) ? 2 : 1;
      int value = mark_value(s);
      const MarkId mark = run(teacher, cmd::SetMark{l.id, s.id, value, type, "", std::nullopt});
      ++report_.marks;
      mark_sum_ += value;
      tally(si, a.subject, term, value, weight, 1);
      if (uniform() < 0.02 && mark != 0) {
        const int corrected = std::clamp(value + (uniform() < 0.5 ? -1 : 1), 2, 5);
        static const char* kReasons[] = {"Описка при вводе", "Пересдача работы", "Перепроверка работы",
                                         "Ошибка в выборе ученика исправлена"};
        if (corrected != value) {
          run(teacher, cmd::CorrectMark{mark, corrected, type, kReasons[uniform_int(0, 3)], std::nullopt});
          ++report_.corrections;
          tally(si, a.subject, term, corrected - value, weight, 0);
          mark_sum_ += corrected - value;
        }
      }
    }
  }

  // After a term is closed, a few teachers find a mark they forgot and ask the deputy to add it; most
  // requests are approved, some rejected.
  void correction_requests(int ti, Day d) {
    const TermPlan& t = term_plans_[static_cast<std::size_t>(ti)];
    std::vector<const LessonPlan*> held;
    for (const auto& [day, lessons] : lessons_by_day_) {
      if (day < t.first_day || day > t.last_day) continue;
      for (const LessonPlan& l : lessons) {
        const int grade = class_of(assignments_[static_cast<std::size_t>(l.assignment)]).grade;
        if (!l.cancelled && grade >= 2 && grade >= t.grade_from && grade <= t.grade_to) held.push_back(&l);
      }
    }
    if (held.empty()) return;
    const UserId deputy = deputies_[static_cast<std::size_t>(ti) % 2];
    for (int i = 0, n = uniform_int(2, 4); i < n; ++i) {
      const LessonPlan& l = *held[static_cast<std::size_t>(uniform_int(0, static_cast<int>(held.size()) - 1))];
      const AssignmentPlan& a = assignments_[static_cast<std::size_t>(l.assignment)];
      const std::vector<int> students = students_of(a);
      if (students.empty()) continue;
      const StudentPlan& s = students_[static_cast<std::size_t>(students[static_cast<std::size_t>(uniform_int(0, static_cast<int>(students.size()) - 1))])];
      const int who = l.substitute >= 0 ? l.substitute : a.teacher;
      clock_at(at(d, 12, 0));
      const RequestId r = run(teachers_[static_cast<std::size_t>(who)].id,
                              cmd::RequestCorrection{fb::CorrectionKind::SetMark, l.id, s.id, 0, mark_value(s), work_types_[0],
                                                     Attendance::Absent, "Отметка за ответ не была внесена до закрытия периода"});
      if (r == 0) continue;
      clock_at(at(d, 15, 0));
      if (uniform() < 0.8) run(deputy, cmd::ApproveCorrection{r, "Согласовано"});
      else run(deputy, cmd::RejectCorrection{r, "Отметка должна была быть внесена до закрытия периода"});
    }
  }

  void term_marks(int ti, Day day) {
    clock_at(at(day, 17, 0));
    const TermPlan& t = term_plans_[static_cast<std::size_t>(ti)];
    for (const AssignmentPlan& a : assignments_) {
      const ClassPlan& c = class_of(a);
      if (c.grade < 2 || c.grade < t.grade_from || c.grade > t.grade_to) continue;
      const UserId teacher = teachers_[static_cast<std::size_t>(a.teacher)].id;
      for (int si : students_of(a)) {
        const MarkTally& m = tallies_[{si, a.subject, ti}];
        AttestationValue v = AttestationValue::NotAttested;
        if (m.count >= 3) {
          const double avg = m.weighted / m.weights;
          v = static_cast<AttestationValue>(std::clamp(static_cast<int>(std::floor(avg + 0.5)), 2, 5));
          year_[{si, a.subject}].push_back(static_cast<int>(v));
        }
        run(teacher, cmd::SetAttestationMark{students_[static_cast<std::size_t>(si)].id,
                                             subject_ids_[static_cast<std::size_t>(a.subject)], AttestationKind::Term,
                                             terms_[static_cast<std::size_t>(ti)], v, ""});
      }
    }
  }

  void year_marks(Day day) {
    clock_at(at(day, 18, 0));
    for (const AssignmentPlan& a : assignments_) {
      const ClassPlan& c = class_of(a);
      if (c.grade < 2) continue;
      const UserId teacher = teachers_[static_cast<std::size_t>(a.teacher)].id;
      for (int si : students_of(a)) {
        const auto& marks = year_[{si, a.subject}];
        AttestationValue v = AttestationValue::NotAttested;
        if (!marks.empty()) {
          double sum = 0;
          for (int m : marks) sum += m;
          v = static_cast<AttestationValue>(std::clamp(static_cast<int>(std::floor(sum / static_cast<double>(marks.size()) + 0.5)), 2, 5));
        }
        run(teacher, cmd::SetAttestationMark{students_[static_cast<std::size_t>(si)].id,
                                             subject_ids_[static_cast<std::size_t>(a.subject)], AttestationKind::Year, 0,
                                             v, "", year_id_});
      }
    }
  }

  void live_year(int y) {
    (void)y;
    const Day first = term_plans_[0].first_day, last = term_plans_[3].last_day;
    closed_.assign(term_plans_.size(), false);
    tallies_.clear();
    year_.clear();
    lessons_by_day_.clear();
    std::map<Day, std::vector<LessonPlan>> deferred;
    std::vector<LessonPlan> yesterday;
    const Day end = std::min<Day>(last + 3, o_.today);
    for (Day d = first - weekday_of(first) + 1; d <= end; ++d) {
      const int wd = weekday_of(d);
      const bool is_today = d == o_.today;
      if (wd == 1) {
        clock_at(at(d, 7, 0));
        schedule_week(d, last);
      }
      // Terms end: their marks on the last day, closed two days later.
      for (std::size_t ti = 0; ti < term_plans_.size(); ++ti) {
        if (!closed_[ti] && d == term_plans_[ti].last_day + 2) {
          clock_at(at(d, 10, 0));
          run(deputies_[ti % 2], cmd::CloseTerm{terms_[ti]});
          closed_[ti] = true;
          correction_requests(static_cast<int>(ti), d);
        }
      }
      auto today = lessons_by_day_.find(d);
      if (wd > 5 || today == lessons_by_day_.end()) {
        if (is_today) break;
        for (std::size_t ti = 0; ti < term_plans_.size(); ++ti)
          if (d == term_plans_[ti].last_day) term_marks(static_cast<int>(ti), d);
        if (d == last) year_marks(d);
        continue;
      }
      // Morning: sign-ins, substitutions and lessons that will not be held.
      clock_at(at(d, 7, 45));
      for (const auto& t : teachers_)
        if (uniform() < 0.7) run(0, cmd::RecordLogin{t.id, "", "10.0.0." + std::to_string(1 + rng_() % 200), true});
      if (uniform() < 0.3) run(0, cmd::RecordLogin{0, "teacher" + std::to_string(uniform_int(1, 99)), "10.0.0.7", false});
      const bool frost = month_of(d) == 12 || month_of(d) <= 2;
      for (LessonPlan& l : today->second) {
        const double r = uniform();
        if (r < 0.004) {
          static const char* kWhy[] = {"Карантин в классе", "Болезнь учителя, замены нет", "Актированный день (мороз)"};
          run(deputies_[1], cmd::CancelLesson{l.id, kWhy[uniform_int(0, frost ? 2 : 1)]});
          l.cancelled = true;
        } else if (r < 0.034) {
          const int substitute = substitute_for(l, today->second);
          if (substitute < 0) continue;
          l.substitute = substitute;
          run(deputies_[1], cmd::SubstituteLesson{l.id, teachers_[static_cast<std::size_t>(l.substitute)].id,
                                                  uniform() < 0.8 ? "Болезнь учителя" : "Курсы повышения квалификации"});
          ++report_.substitutions;
        }
      }
      if (is_today) break;  // the rest of today is the teachers'
      // Who is away today (about 8% of students, for the whole day).
      absent_today_.clear();
      for (std::size_t si = 0; si < students_.size(); ++si) {
        if (uniform() < 0.08) {
          const double r = uniform();
          absent_today_[static_cast<int>(si)] = r < 0.5 ? Attendance::Sick : r < 0.8 ? Attendance::Excused : Attendance::Absent;
        }
      }
      // Afternoon: teachers fill in today's lessons; some put it off for a few days (never past the term).
      clock_at(at(d, 15, 30));
      for (LessonPlan& l : today->second) {
        if (l.cancelled) continue;
        const int ti = term_index(class_of(assignments_[static_cast<std::size_t>(l.assignment)]).grade, l.day);
        const Day term_end = term_plans_[static_cast<std::size_t>(ti)].last_day;
        if (uniform() < 0.05 && d + 1 <= term_end) {
          deferred[std::min<Day>(term_end, d + uniform_int(1, 5))].push_back(l);
          continue;
        }
        enter_lesson(l);
      }
      if (auto late = deferred.find(d); late != deferred.end()) {
        for (LessonPlan& l : late->second) enter_lesson(l);
        deferred.erase(late);
      }
      // The deputy looks at some of yesterday's homework.
      for (const LessonPlan& l : yesterday) {
        if (l.cancelled || uniform() >= 0.01) continue;
        const bool conforms = uniform() < 0.9;
        run(deputies_[0], cmd::ReviewHomework{l.id, conforms, conforms ? "" : "Объём задания превышает норму"});
      }
      // Parents and students look at the diary in the evening.
      for (const auto& s : students_) {
        if (uniform() < 0.1) run(0, cmd::RecordLogin{s.id, "", "192.168.1." + std::to_string(1 + rng_() % 250), true});
        for (UserId p : s.parents)
          if (uniform() < 0.08) run(0, cmd::RecordLogin{p, "", "192.168.1." + std::to_string(1 + rng_() % 250), true});
      }
      yesterday = today->second;
      for (std::size_t ti = 0; ti < term_plans_.size(); ++ti) {
        const TermPlan& t = term_plans_[ti];
        if (d == t.first_day + 20) check_personal_data(d);
        if (d == t.last_day) term_marks(static_cast<int>(ti), d);
      }
      if (d == last) year_marks(d);
    }
    // On a weekend the deputy has scheduled the coming week already.
    if (o_.today <= last && weekday_of(o_.today) > 5) {
      clock_at(at(o_.today, 12, 0));
      schedule_week(o_.today + 8 - weekday_of(o_.today), last);
    }
    wait_all();
  }

  void check_personal_data(Day d) {
    for (const auto& c : classes_) {
      const UserId curator = teachers_[static_cast<std::size_t>(c.curator)].id;
      for (int si : c.students) run(curator, cmd::CheckPersonalData{DataSubject::Student, students_[static_cast<std::size_t>(si)].id, d});
    }
  }

  // ------------------------------------------------------------------ the few who may sign in

  void issue_credentials() {
    wait_all();
    log::SystemClock real;
    clock_.set(std::max(real.now(), clock_.now()));
    auto issue = [&](const std::string& role, UserId user, const std::string& login, const std::string& who) {
      const std::string password = one_time_password();
      auto hash = hash_password(password);
      if (!hash.ok()) return;
      run(admin_, cmd::IssueCredential{user, *hash, true});
      report_.logins.push_back(DemoLogin{role, login, password, who});
    };
    issue("администратор", admin_, "admin", "администратор журнала");
    issue("директор", director_, "director", "директор");
    issue("заместитель директора", deputies_[0], "zavuch1", "заместитель по учебной работе");
    const ClassPlan* c5 = nullptr;
    const ClassPlan* c10 = nullptr;
    for (const auto& c : classes_) {
      if (c.name == "5А") c5 = &c;
      if (c.name == "10А") c10 = &c;
    }
    char login[32];
    if (c5 != nullptr) {
      const int cur = c5->curator;
      std::snprintf(login, sizeof login, "teacher%02d", cur + 1);
      issue("учитель, классный руководитель", teachers_[static_cast<std::size_t>(cur)].id, login, "классный руководитель 5А");
      for (const auto& a : assignments_) {
        if (class_of(a).name == "5А" && a.teacher != cur && a.subject == 6) {
          std::snprintf(login, sizeof login, "teacher%02d", a.teacher + 1);
          issue("учитель", teachers_[static_cast<std::size_t>(a.teacher)].id, login, "учитель математики 5А");
          break;
        }
      }
      if (!c5->students.empty()) {
        const StudentPlan& s = students_[static_cast<std::size_t>(c5->students[0])];
        issue("ученик", s.id, "s" + std::to_string(s.id), "ученик 5А");
        // The parent: of a 5А pupil with a brother or sister at school, where there is one.
        std::map<UserId, int> children;
        for (const auto& c : classes_)
          for (int si : c.students)
            for (UserId p : students_[static_cast<std::size_t>(si)].parents) ++children[p];
        UserId parent = s.parents.empty() ? 0 : s.parents[0];
        for (int si : c5->students) {
          const StudentPlan& x = students_[static_cast<std::size_t>(si)];
          if (!x.parents.empty() && children[x.parents[0]] > 1) {
            parent = x.parents[0];
            break;
          }
        }
        // "родитель учеников 9А и 5А": the 5А last, where the tests look for it.
        std::string classes;
        for (const auto& c : classes_)
          for (int si : c.students)
            for (UserId p : students_[static_cast<std::size_t>(si)].parents)
              if (p == parent && c.name != "5А") classes += c.name + " и ";
        if (parent != 0)
          issue("родитель", parent, "p" + std::to_string(parent),
                (classes.empty() ? "родитель ученика " : "родитель учеников " + classes) + "5А");
      }
    }
    if (c10 != nullptr && !c10->students.empty()) {
      const StudentPlan& s = students_[static_cast<std::size_t>(c10->students[0])];
      issue("ученик", s.id, "s" + std::to_string(s.id), "ученик 10А");
    }
  }

  static constexpr int kWindow = 8192;

  Domain& domain_;
  SimulatedClock& clock_;
  const DemoOptions& o_;
  DemoReport& report_;
  Rng rng_;
  Timestamp horizon_;  // the real time when the generator started: its clock goes no further
  std::uint64_t counter_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  int outstanding_ = 0;
  double mark_sum_ = 0;

  UserId admin_ = 0, director_ = 0;
  UserId deputies_[2] = {0, 0};
  YearId year_id_ = 0;
  std::vector<TermId> terms_;
  std::vector<TermPlan> term_plans_;
  std::vector<bool> closed_;
  std::vector<SubjectId> subject_ids_;
  std::vector<WorkTypeId> work_types_;
  std::vector<TeacherPlan> teachers_;
  std::vector<StudentPlan> students_;
  std::vector<ClassPlan> classes_;
  std::vector<AssignmentPlan> assignments_;
  std::vector<EntryPlan> entries_;
  std::map<Day, std::vector<LessonPlan>> lessons_by_day_;
  std::map<int, Attendance> absent_today_;
  std::map<std::tuple<int, int, int>, MarkTally> tallies_;
  std::map<std::pair<int, int>, std::vector<int>> year_;

 public:
  double mean_mark() const { return report_.marks == 0 ? 0 : mark_sum_ / static_cast<double>(report_.marks); }
};

Day today_in_moscow() {
  return static_cast<Day>((log::SystemClock().now() + kMoscowUtcOffsetHours * 3'600'000'000LL) / kMicrosPerDay);
}

// The academic year `day` is in, by its first calendar year; in June–August, the one just ended.
int school_year_of(Day day) {
  const int year = year_of(day);
  return month_of(day) >= 9 ? year : year - 1;
}

Status write_logins(const std::string& dir, const std::vector<DemoLogin>& logins) {
  const std::string path = dir + "/demo-logins.txt";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status(Code::io_error, "cannot write " + tmp);
  std::string text = "# Демо-пользователи: роль, логин, одноразовый пароль (сменить при первом входе)\n";
  for (const auto& l : logins) text += l.role + "\t" + l.login + "\t" + l.password + "\t" + l.who + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return Status(Code::io_error, "cannot write " + path);
  return Status::OK();
}

}  // namespace

Result<DemoReport> build_demo_school(const std::string& dir, const DemoOptions& options_in) {
  DemoOptions options = options_in;
  if (options.years < 1 || options.years > 20) return Status(Code::invalid_argument, "--years must be 1..20");
  if (options.students < 30 || options.students > 5000)
    return Status(Code::invalid_argument, "--students must be 30..5000");
  if (options.today == 0) options.today = today_in_moscow();
  if (options.last_year_start == 0) options.last_year_start = school_year_of(options.today);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
    return Status(Code::conflict, "the demo school is written only into an empty data directory; " + dir + " is not empty");

  const auto started = std::chrono::steady_clock::now();
  auto clock = std::make_shared<SimulatedClock>();
  log::LogOptions log_options;
  log_options.clock = clock;
  auto log = log::open_event_log(dir, log_options);
  if (!log.ok()) return log.status();
  auto vault = open_vault(dir, **log);
  if (!vault.ok()) return vault.status();
  // One snapshot of the write model, at the end (when the domain closes): the generator decides as fast as
  // it can, and a snapshot every 100,000 events would hold it up dozens of times over twenty years.
  DomainOptions domain_options;
  domain_options.snapshot_every = 0;
  auto domain = Domain::open(**log, **vault, domain_options);
  if (!domain.ok()) return domain.status();

  DemoReport report;
  Generator generator(**domain, *clock, options, report);
  generator.run();
  report.mean_mark = generator.mean_mark();
  domain->reset();
  if (auto s = write_logins(dir, report.logins); !s.ok()) return s;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace ejournal::demo
