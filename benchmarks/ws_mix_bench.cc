// ej-bench ws --mix: a school day's mix of requests through a real ejournald, and the same mix against a
// PostgreSQL peer holding the same school (issue #21's goal: ≥ 10× PostgreSQL's throughput at an equal or
// lower p99).
//
// The mix, per 1,000 requests, from a school day of a 1,000-pupil school: ~2,000 entries (1.5 marks a pupil
// a day, and attendance), ~2,000 diary weeks read (families and pupils, once or twice a day), ~700 journal
// pages opened (60 teachers, 6 lessons, twice each), ~10 looks into the past (deputies settling a dispute):
//   420 diary weeks (a parent: their child's week, this week or one of the three before),
//   150 journal pages (a teacher: their class and subject in the open term),
//   425 marks (a teacher: a mark in one of their lessons; every mark is pushed to the subscribers below),
//     5 journal pages as of a past day (a deputy: any class and subject of this year, as it stood then).
// Each client is one person at a time, a request in flight (a closed loop, as pgbench's clients), and holds
// three connections: a teacher's (subscribed to their journal), a parent's (subscribed to their child's
// diary) and a deputy's. Push latency at scale is ws-many's measurement; here pushes are work the server
// does within the mix.
//
// The peer (tools/peer-pg/run.sh): PostgreSQL 15 from Debian in a temporary cluster, one row per mark, an
// audit trigger, synchronous commit, NOTIFY for each mark; the school is what this benchmark read out of
// ejournald over the protocol (lessons, pupils, groups, marks of this year), and the targets of every request
// kind are the same lists on both sides. pgbench runs the same mix with the same number of clients.
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "bench_school.h"
#include "bench_util.h"
#include "benches.h"
#include "child_process.h"
#include "cli_options.h"
#include "testkit.h"
#include "ws_client.h"

namespace ejournal::bench {
namespace po = boost::program_options;
namespace json = boost::json;

namespace {

enum Op { kDiary, kPage, kMark, kAsOf, kOps };
constexpr const char* kOpNames[kOps] = {"diary_week", "journal_page", "mark", "journal_page_as_of"};
constexpr int kWeights[kOps] = {420, 150, 425, 5};  // per 1,000: above

struct PageTarget {
  std::int64_t class_id = 0, group = 0, subject = 0, term = 0;
  std::string first_day, last_day, as_of;  // as_of: a day within the term, for the as-of kind
};
struct MarkTarget {
  std::size_t teacher = 0;  // index into the teachers used
  std::uint64_t lesson = 0, student = 0;
};
struct DiaryTarget {
  std::size_t family = 0;
  std::uint64_t student = 0;
  std::string monday;
};

// Everything both sides run against.
struct Targets {
  std::vector<PageTarget> pages;     // the teachers' own pages (one per teacher used), in teacher order
  std::vector<MarkTarget> marks;
  std::vector<DiaryTarget> diaries;
  std::vector<PageTarget> as_of;
};

std::string day_plus(const std::string& iso, int days) {
  std::tm t{};
  std::istringstream in(iso);
  in >> std::get_time(&t, "%Y-%m-%d");
  t.tm_hour = 12;
  std::time_t s = timegm(&t) + static_cast<std::time_t>(days) * 86400;
  std::tm out{};
  gmtime_r(&s, &out);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
  return buf;
}

std::string monday_of(const std::string& iso) {
  std::tm t{};
  std::istringstream in(iso);
  in >> std::get_time(&t, "%Y-%m-%d");
  t.tm_hour = 12;
  std::time_t s = timegm(&t);
  std::tm out{};
  gmtime_r(&s, &out);
  return day_plus(iso, -((out.tm_wday + 6) % 7));
}

std::string text(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : std::string(); }

// A TSV field: PostgreSQL's text COPY format, with its escapes.
std::string tsv(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out;
}

// Reads this year's school out of the server as a deputy sees it and writes the peer's tables into `dir`:
// lesson, pupil, member, mark (docs of tools/peer-pg/schema.sql). Returns the as-of targets (every page read,
// each with a day inside its term no later than today).
Result<std::vector<PageTarget>> export_school(testkit::WsClient& deputy, const std::string& dir, const std::string& today) {
  const json::value classes = deputy.call("roster.classes", json::object{});
  const json::value terms = deputy.call("roster.terms", json::object{});
  if (!classes.at("ok").as_bool() || !terms.at("ok").as_bool()) return Status(Code::internal, "roster unreadable");
  std::int64_t year = 0;
  for (const auto& t : terms.at("result").as_array()) year = std::max(year, t.at("year").to_number<std::int64_t>());
  std::map<std::int64_t, std::int64_t> grade_of;
  for (const auto& c : classes.at("result").as_array())
    if (c.at("year").to_number<std::int64_t>() == year) grade_of[c.at("id").to_number<std::int64_t>()] = c.at("grade").to_number<std::int64_t>();
  std::vector<json::value> assignments;
  json::value cursor;
  for (;;) {
    json::object args{{"limit", 10000}};
    if (!cursor.is_null()) args["cursor"] = cursor;
    const json::value page = deputy.call("roster.assignments", args);
    if (!page.at("ok").as_bool()) return Status(Code::internal, "assignments unreadable");
    for (const auto& a : page.at("result").at("items").as_array()) assignments.push_back(a);
    cursor = page.at("result").at("next");
    if (cursor.is_null()) break;
  }
  std::ofstream lessons(dir + "/lesson.tsv"), pupils(dir + "/pupil.tsv"), members(dir + "/member.tsv"), marks(dir + "/mark.tsv");
  std::set<std::uint64_t> seen_lessons, seen_pupils;
  std::set<std::tuple<std::uint64_t, std::int64_t, std::int64_t>> seen_members;
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> seen_pages;
  std::vector<PageTarget> as_of;
  for (const auto& a : assignments) {
    const std::int64_t class_id = a.at("class_id").to_number<std::int64_t>();
    const std::int64_t group = a.at("group").to_number<std::int64_t>();
    const std::int64_t subject = a.at("subject").to_number<std::int64_t>();
    const auto grade = grade_of.find(class_id);
    if (grade == grade_of.end()) continue;
    for (const auto& t : terms.at("result").as_array()) {
      if (t.at("year").to_number<std::int64_t>() != year || grade->second < t.at("grade_from").to_number<std::int64_t>() ||
          grade->second > t.at("grade_to").to_number<std::int64_t>())
        continue;
      const std::string first = text(t.at("first_day"));
      if (first > today) continue;
      const std::int64_t term = t.at("id").to_number<std::int64_t>();
      if (!seen_pages.insert({class_id, group, subject, term}).second) continue;
      const json::value page = deputy.call("journal.page", json::object{{"class_id", class_id}, {"group", group}, {"subject", subject}, {"term", term}});
      if (!page.at("ok").as_bool()) return Status(Code::internal, "journal.page: " + json::serialize(page));
      const json::array& ls = page.at("result").at("lessons").as_array();
      for (const auto& l : ls) {
        const auto id = l.at("id").to_number<std::uint64_t>();
        if (!seen_lessons.insert(id).second) continue;
        lessons << id << '\t' << class_id << '\t' << group << '\t' << subject << '\t' << l.at("teacher").to_number<std::uint64_t>() << '\t'
                << text(l.at("day")) << '\t' << tsv(text(l.at("topic"))) << '\t' << tsv(text(l.at("homework"))) << '\n';
      }
      for (const auto& r : page.at("result").at("rows").as_array()) {
        const auto student = r.at("student").to_number<std::uint64_t>();
        if (seen_pupils.insert(student).second) pupils << student << '\t' << tsv(text(r.at("name"))) << '\n';
        if (seen_members.insert({student, class_id, group}).second) members << student << '\t' << class_id << '\t' << group << '\n';
        const json::array& cells = r.at("cells").as_array();
        for (std::size_t i = 0; i < cells.size() && i < ls.size(); ++i)
          for (const auto& m : cells[i].at("marks").as_array())
            marks << ls[i].at("id").to_number<std::uint64_t>() << '\t' << student << '\t' << m.at("value").to_number<std::int64_t>() << '\t'
                  << m.at("work_type").to_number<std::int64_t>() << '\t' << ls[i].at("teacher").to_number<std::uint64_t>() << '\t'
                  << text(ls[i].at("day")) << " 13:00:00+03\n";
      }
      const std::string last = std::min(text(t.at("last_day")), today);
      as_of.push_back({class_id, group, subject, term, first, text(t.at("last_day")), ""});
      // A day inside the term, by the page's place in the list (deterministic, spread over the term).
      int span = 0;
      while (day_plus(first, span + 1) <= last) ++span;
      as_of.back().as_of = day_plus(first, static_cast<int>(as_of.size() * 7919 % static_cast<std::size_t>(span + 1)));
    }
  }
  if (!lessons || !pupils || !members || !marks) return Status(Code::io_error, "cannot write the peer's tables in " + dir);
  return as_of;
}

void write_targets(const Targets& t, const std::string& dir) {
  std::ofstream pages(dir + "/page_target.tsv"), marks(dir + "/mark_target.tsv"), diaries(dir + "/diary_target.tsv"), as_of(dir + "/asof_target.tsv");
  std::size_t n = 0;
  for (const auto& p : t.pages) pages << ++n << '\t' << p.class_id << '\t' << p.group << '\t' << p.subject << '\t' << p.first_day << '\t' << p.last_day << '\n';
  n = 0;
  for (const auto& m : t.marks) marks << ++n << '\t' << m.lesson << '\t' << m.student << '\n';
  n = 0;
  for (const auto& d : t.diaries) diaries << ++n << '\t' << d.student << '\t' << d.monday << '\n';
  n = 0;
  for (const auto& p : t.as_of)
    as_of << ++n << '\t' << p.class_id << '\t' << p.group << '\t' << p.subject << '\t' << p.first_day << '\t' << p.last_day << '\t' << p.as_of << '\n';
}

struct OpStats {
  std::vector<double> latency_ms;
  std::uint64_t errors = 0;
};

}  // namespace

int run_ws_mix(const std::vector<std::string>& args) {
  unsigned clients = 16, students = 300;
  double seconds = 20;
  std::string server_path = EJ_BENCH_EJOURNALD;
  std::string peer = std::string(EJ_BENCH_SOURCE_DIR) + "/tools/peer-pg/run.sh";
  bool no_peer = false;
  po::options_description desc("ej-bench ws --mix");
  desc.add_options()("help,h", "this text")("mix", "the school-day mix (this benchmark)")
      ("clients", po::value(&clients), "people sending one request at a time (default 16), on each side")
      ("seconds", po::value(&seconds), "how long each side runs (default 20)")
      ("students", po::value(&students), "pupils of the demo school (default 300)")
      ("server", po::value(&server_path), "the ejournald to run")
      ("peer", po::value(&peer), "the PostgreSQL peer's script (tools/peer-pg/run.sh)")
      ("no-peer", po::bool_switch(&no_peer), "ejournald's side only");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench ws --mix", args, desc, vm)) return *stop;
  if (clients == 0) return 2;

  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  const std::string peer_dir = dir.sub("peer");
  std::filesystem::create_directories(peer_dir);
  auto school = build_bench_school(data, students);
  if (!school.ok()) return std::cerr << "ej-bench ws --mix: " << school.status().to_string() << "\n", 2;
  // Each client stands for many people at once: the per-connection limit (made against a single abuser) is
  // lifted, as PostgreSQL has none.
  testkit::ChildProcess server(server_path, {"--data", data, "--listen", "127.0.0.1:0", "--requests-per-second", "1000000"});
  std::string line;
  if (!server.read_line(line, 120'000)) return std::cerr << "ej-bench ws --mix: ejournald did not start\n", 2;
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));

  std::vector<std::string> teacher_logins, parent_logins;
  std::vector<domain::UserId> teacher_ids;
  for (std::size_t i = 0; i < std::min<std::size_t>(clients, school->teacher_logins.size()); ++i) {
    teacher_logins.push_back(school->teacher_logins[i]);
    teacher_ids.push_back(school->teacher_ids[i]);
  }
  std::vector<std::uint64_t> children;
  for (std::size_t i = 0; i < std::min<std::size_t>(clients, school->families.size()); ++i) {
    parent_logins.push_back("p" + std::to_string(school->families[i].first));
    children.push_back(school->families[i].second);
  }
  const auto teacher_tokens = sign_in_all(port, teacher_logins);
  const auto parent_tokens = sign_in_all(port, parent_logins);
  const auto deputy_tokens = sign_in_all(port, {school->deputy_logins.front()});
  for (const auto* tokens : {&teacher_tokens, &parent_tokens, &deputy_tokens})
    for (const auto& t : *tokens)
      if (t.empty()) return std::cerr << "ej-bench ws --mix: a sign-in failed\n", 2;

  // The targets, and the school for the peer.
  testkit::WsClient deputy(port);
  deputy.call("auth.resume", json::object{{"token", deputy_tokens[0]}});
  Targets targets;
  std::string latest_day;  // the newest lesson day of the teachers' pages, standing for today
  for (std::size_t k = 0; k < teacher_ids.size(); ++k) {
    testkit::WsClient c(port);
    c.call("auth.resume", json::object{{"token", teacher_tokens[k]}});
    const TeacherPage p = teacher_page(c, teacher_ids[k], school->marked_classes);
    if (p.lessons.empty()) return std::cerr << "ej-bench ws --mix: teacher " << teacher_ids[k] << " has no page with lessons\n", 2;
    const json::value page = c.call("journal.page", json::object{{"class_id", p.class_id}, {"subject", p.subject}, {"term", p.term}});
    const json::array& ls = page.at("result").at("lessons").as_array();
    PageTarget t{p.class_id, 0, p.subject, p.term, "", "", ""};
    const json::value terms = c.call("roster.terms", json::object{});
    for (const auto& term : terms.at("result").as_array())
      if (term.at("id").to_number<std::int64_t>() == p.term) {
        t.first_day = text(term.at("first_day"));
        t.last_day = text(term.at("last_day"));
      }
    targets.pages.push_back(t);
    for (const auto& l : ls)
      if (l.at("held").as_bool()) latest_day = std::max(latest_day, text(l.at("day")));
    for (std::uint64_t lesson : p.lessons)
      for (std::uint64_t student : p.students) targets.marks.push_back({k, lesson, student});
  }
  const std::string this_monday = monday_of(latest_day);
  for (std::size_t f = 0; f < children.size(); ++f)
    for (int w = 0; w < 4; ++w) targets.diaries.push_back({f, children[f], day_plus(this_monday, -7 * w)});
  {
    auto as_of = export_school(deputy, peer_dir, day_plus(this_monday, 6));
    if (!as_of.ok()) return std::cerr << "ej-bench ws --mix: " << as_of.status().to_string() << "\n", 2;
    targets.as_of = std::move(*as_of);
  }
  if (targets.as_of.empty() || targets.marks.empty()) return std::cerr << "ej-bench ws --mix: nothing to ask for\n", 2;
  write_targets(targets, peer_dir);

  // ejournald's side.
  std::atomic<bool> stop{false};
  std::vector<std::array<OpStats, kOps>> stats(clients);
  std::vector<std::uint64_t> pushes(clients, 0);
  std::mutex error_mu;
  std::string first_error;
  std::vector<std::thread> people;
  std::atomic<unsigned> ready{0};
  std::atomic<bool> go{false};
  for (unsigned i = 0; i < clients; ++i)
    people.emplace_back([&, i] {
      bool counted = false;
      try {
        const std::size_t k = i % teacher_tokens.size();
        testkit::WsClient teacher(port), parent(port), dep(port);
        teacher.call("auth.resume", json::object{{"token", teacher_tokens[k]}});
        dep.call("auth.resume", json::object{{"token", deputy_tokens[0]}});
        const PageTarget& own = targets.pages[k];
        teacher.call("subscribe", json::object{{"topic", "journal"}, {"class_id", own.class_id}, {"subject", own.subject}});
        // The parent this client plays: a family of its own share, subscribed to the child's diary.
        const std::size_t family = i % parent_tokens.size();
        parent.call("auth.resume", json::object{{"token", parent_tokens[family]}});
        parent.call("subscribe", json::object{{"topic", "diary"}, {"student", children[family]}});
        std::vector<const MarkTarget*> own_marks;
        for (const auto& m : targets.marks)
          if (m.teacher == k) own_marks.push_back(&m);
        std::vector<const DiaryTarget*> own_diaries;
        for (const auto& d : targets.diaries)
          if (d.family % parent_tokens.size() == family) own_diaries.push_back(&d);
        std::mt19937_64 rng(i + 1);
        std::discrete_distribution<int> pick(std::begin(kWeights), std::end(kWeights));
        counted = true;
        ++ready;
        while (!go.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        for (std::uint64_t n = 0; !stop.load(); ++n) {
          const int op = pick(rng);
          const auto t0 = SteadyClock::now();
          json::value a;
          switch (op) {
            case kDiary: {
              const DiaryTarget& d = *own_diaries[rng() % own_diaries.size()];
              a = parent.call("diary.week", json::object{{"student", d.student}, {"monday", d.monday}});
              break;
            }
            case kPage:
              a = teacher.call("journal.page", json::object{{"class_id", own.class_id}, {"subject", own.subject}, {"term", own.term}});
              break;
            case kMark: {
              const MarkTarget& m = *own_marks[rng() % own_marks.size()];
              a = teacher.call("set_mark", json::object{{"lesson", m.lesson}, {"student", m.student}, {"value", 2 + static_cast<int>(rng() % 4)}, {"work_type", 1}},
                               "ws-mix-client-" + std::to_string(i) + "-" + std::to_string(n));
              break;
            }
            default: {
              const PageTarget& p = targets.as_of[rng() % targets.as_of.size()];
              a = dep.call("journal.page", json::object{{"class_id", p.class_id}, {"group", p.group}, {"subject", p.subject}, {"term", p.term}, {"as_of", p.as_of}});
            }
          }
          stats[i][op].latency_ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
          if (!a.at("ok").as_bool()) {
            ++stats[i][op].errors;
            std::lock_guard lock(error_mu);
            if (first_error.empty()) first_error = std::string(kOpNames[op]) + ": " + json::serialize(a);
          }
        }
        pushes[i] = teacher.pushes().size() + parent.pushes().size();
      } catch (const std::exception& e) {
        if (!counted) ++ready;
        std::lock_guard lock(error_mu);
        if (first_error.empty()) first_error = e.what();
      }
    });
  while (ready.load() < clients) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto started = SteadyClock::now();
  go = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : people) t.join();
  const double elapsed = seconds_since(started);
  server.terminate();
  server.wait();

  JsonLine ej("ws_mix_ejournal");
  std::vector<double> all;
  std::uint64_t errors = 0, total_pushes = 0;
  for (int op = 0; op < kOps; ++op) {
    std::vector<double> v;
    std::uint64_t e = 0;
    for (auto& s : stats) {
      v.insert(v.end(), s[op].latency_ms.begin(), s[op].latency_ms.end());
      e += s[op].errors;
    }
    all.insert(all.end(), v.begin(), v.end());
    errors += e;
    ej.add(std::string(kOpNames[op]) + "_n", static_cast<std::uint64_t>(v.size()))
        .add(std::string(kOpNames[op]) + "_p50_ms", quantile(v, 0.5))
        .add(std::string(kOpNames[op]) + "_p99_ms", quantile(v, 0.99));
  }
  for (auto p : pushes) total_pushes += p;
  const double ej_rate = static_cast<double>(all.size()) / elapsed;
  const double ej_p99 = quantile(all, 0.99);
  ej.add("clients", static_cast<std::uint64_t>(clients)).add("seconds", elapsed).add("requests_per_s", ej_rate)
      .add("p50_ms", quantile(all, 0.5)).add("p99_ms", ej_p99).add("errors", errors).add("first_error", first_error)
      .add("pushes_received", total_pushes)
      .print();
  if (errors != 0 || !first_error.empty()) return 1;
  if (no_peer) return 0;

  // PostgreSQL's side, on the same school and targets.
  std::ostringstream cmd;
  cmd << "'" << peer << "' '" << peer_dir << "' " << seconds << " " << clients << " " << kWeights[kDiary] << " " << kWeights[kPage]
      << " " << kWeights[kMark] << " " << kWeights[kAsOf];
  FILE* p = popen(cmd.str().c_str(), "r");
  if (p == nullptr) return std::cerr << "ej-bench ws --mix: cannot run " << peer << "\n", 2;
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int rc = pclose(p);
  boost::system::error_code ec;
  const json::value pg = json::parse(out.substr(0, out.find('\n')), ec);
  if (rc != 0 || ec || !pg.is_object() || !pg.as_object().contains("requests_per_s"))
    return std::cerr << "ej-bench ws --mix: the PostgreSQL peer failed (" << rc << "): " << out << "\n", 2;
  std::cout << out.substr(0, out.find('\n') + 1);
  const double pg_rate = pg.at("requests_per_s").to_number<double>();
  const double pg_p99 = pg.at("p99_ms").to_number<double>();
  JsonLine("ws_mix")
      .add("ejournal_requests_per_s", ej_rate)
      .add("postgresql_requests_per_s", pg_rate)
      .add("throughput_ratio", pg_rate > 0 ? ej_rate / pg_rate : 0.0)
      .add("ejournal_p99_ms", ej_p99)
      .add("postgresql_p99_ms", pg_p99)
      .add("goal_met", std::string(pg_rate > 0 && ej_rate >= 10 * pg_rate && ej_p99 <= pg_p99 ? "yes" : "no"))
      .print();
  return 0;
}

}  // namespace ejournal::bench
