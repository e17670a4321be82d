// Reports on the hand-built school (tests/support): each figure of each kind checked against what the test
// entered, the renderings read back by real readers (python3-openpyxl, pdftotext, pdffonts, qpdf), a report
// as of a past time against today's, and ejctl's report and verify --digest on the same data directory.
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include <catch2/catch.hpp>

#include "ejournal/log/envelope.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/stats.h"
#include "ejournal/reports/report.h"
#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
using testkit::kSep4;

namespace {

// Runs a shell command; its standard output, and the exit code.
std::pair<std::string, int> shell(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(p);
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// The projections a report reads, replayed from the school's log up to `upto` (its head by default).
struct State {
  projections::JournalProjection journal;
  projections::RosterProjection roster;
  projections::ControlProjection control;
  projections::StatsProjection stats;
  log::Position position = 0;
  std::string hash;
};

std::unique_ptr<State> replay(testkit::School& s, log::Position upto = log::kNoPosition) {
  auto st = std::make_unique<State>();
  if (upto == log::kNoPosition) upto = s.log().head();
  for (auto c = s.log().cursor(1); c->valid() && c->position() <= upto; c->next()) {
    const auto view = projections::view_of(c->position(), c->bytes());
    st->journal.apply(view);
    st->roster.apply(view);
    st->control.apply(view);
    st->stats.apply(view);
    st->position = c->position();
    st->hash = log::record_hash(c->bytes()).to_hex();
  }
  return st;
}

reports::Sources sources(testkit::School& s, const State& st) {
  reports::Sources src;
  src.journal = &st.journal;
  src.roster = &st.roster;
  src.control = &st.control;
  src.stats = &st.stats;
  src.student_name = [&s](UserId id, const std::string& sealed) {
    auto p = s.vault().open(DataSubject::Student, id, sealed);
    return p.ok() ? p->last_name + " " + p->first_name : std::string();
  };
  src.school = "Гимназия № 1";
  src.today = testkit::kNov6 + 10;
  src.position = st.position;
  src.head_hash = st.hash;
  src.printed_at = testkit::school_time(testkit::kNov6 + 10, 12, 30);
  return src;
}

const reports::Table& table(const reports::Report& r, const std::string& name) {
  for (const auto& t : r.tables)
    if (t.name == name) return t;
  FAIL("no table " << name);
  return r.tables.front();
}

// The row whose column 1 is `name`.
const std::vector<reports::Cell>& row_of(const reports::Table& t, const std::string& name) {
  for (const auto& r : t.rows)
    if (r.size() > 1 && r[1].text == name) return r;
  FAIL("no row " << name);
  return t.rows.front();
}

// The column whose heading rows read `top` / `bottom`.
std::size_t column(const reports::Table& t, const std::string& top, const std::string& bottom = "") {
  for (std::size_t c = 0; c < t.header[0].size(); ++c)
    if (t.header[0][c] == top && (bottom.empty() || (t.header.size() > 1 && t.header[1][c] == bottom))) return c;
  FAIL("no column " << top << " " << bottom);
  return 0;
}

// The school with what the reports show: term and year marks, lesson marks of two kinds, absences.
struct Fixture {
  testkit::School s{testkit::school_time(kSep4, 8)};
  Fixture() {
    s.clock->set(testkit::school_time(testkit::kOct31, 17));
    s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Term, s.q1, AttestationValue::Five, ""});
    s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a2, s.math, AttestationKind::Term, s.q1, AttestationValue::NotAttested, ""});
    // A second lesson: a 4 (test, weight 2) and a 2; student_a2 absent in the first, sick in the second.
    const auto second = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, kSep4 + 1, 1});
    s.must(s.teacher_a, cmd::SetMark{second, s.student_a1, 4, s.test, "", std::nullopt});
    s.must(s.teacher_a, cmd::SetMark{second, s.student_a2, 2, s.answer, "", std::nullopt});
    s.must(s.teacher_a, cmd::SetAttendance{s.lesson_5a, s.student_a2, Attendance::Absent, std::nullopt});
    s.must(s.teacher_a, cmd::SetAttendance{second, s.student_a2, Attendance::Sick, std::nullopt});
    s.must(s.teacher_a, cmd::SetTopic{second, "Дроби; сложение и вычитание"});
    // The third lesson of 5А's mathematics is given by teacher_b for teacher_a.
    const auto third = s.must(s.teacher_a, cmd::ScheduleLesson{s.math_5a, kSep4 + 2, 3});
    s.must(s.deputy, cmd::SubstituteLesson{third, s.teacher_b, "болезнь учителя"});
    s.clock->set(testkit::school_time(testkit::kNov6 + 5, 17));
    s.must(s.teacher_a, cmd::SetAttestationMark{s.student_a1, s.math, AttestationKind::Year, 0, AttestationValue::Four, "", s.year});
  }
};

}  // namespace

TEST_CASE("the сводная ведомость lists each pupil's term and year marks with the counts under them", "[reports]") {
  Fixture f;
  auto st = replay(f.s);
  reports::Query q;
  q.kind = reports::Kind::summary;
  q.class_name = "5А";
  auto r = reports::build(q, sources(f.s, *st));
  REQUIRE(r.ok());
  REQUIRE(r->tables.size() == 1);
  const auto& t = table(*r, "5А");
  CHECK(r->stamp.digest() == std::to_string(st->position) + ":" + st->hash);
  CHECK(r->stamp.period == "учебный год 2023/2024");
  const auto q1 = column(t, "мат", "1 ч."), q2 = column(t, "мат", "2 ч."), year = column(t, "мат", "год");
  const auto& ivanov = row_of(t, "Иванов Пётр");
  const auto& smirnova = row_of(t, "Смирнова Ольга");
  CHECK(ivanov[q1].kind == reports::Cell::Kind::number);
  CHECK(ivanov[q1].number == 5);
  CHECK(ivanov[q2].kind == reports::Cell::Kind::empty);
  CHECK(ivanov[year].number == 4);
  CHECK(smirnova[q1].text == "н/а");
  CHECK(row_of(t, "Всего «5»")[q1].number == 1);
  CHECK(row_of(t, "Всего «н/а»")[q1].number == 1);
  CHECK(row_of(t, "Всего «4»")[q1].number == 0);
  CHECK(row_of(t, "Всего «4»")[year].number == 1);
  // Grade 5 is not graduating: no examination columns; a class the year lacks is refused.
  for (const auto& h : t.header[1]) CHECK(h != "экз.");
  q.class_name = "7В";
  CHECK(reports::build(q, sources(f.s, *st)).status().code() == Code::invalid_argument);
  q.class_name = "5А";
  q.term = 3;
  CHECK(reports::build(q, sources(f.s, *st)).status().code() == Code::invalid_argument);
}

TEST_CASE("progress gives each class and subject its marks, average, успеваемость and качество", "[reports]") {
  Fixture f;
  auto st = replay(f.s);
  reports::Query q;
  q.kind = reports::Kind::progress;
  q.term = 1;
  q.class_name = "5А";
  auto r = reports::build(q, sources(f.s, *st));
  REQUIRE(r.ok());
  const auto& t = table(*r, "1 четверть");
  const auto& math = row_of(t, "Математика");
  // Marks 5 (the fixture's), 4 (weight 2), 2: average (5 + 8 + 2) / 4 = 3.75; 2 of 3 above 2; 2 of 3 are 4 or 5.
  CHECK(math[0].text == "5А");
  CHECK(math[2].text == "Анна Сергеевна");
  CHECK(math[3].number == 1);  // «5»
  CHECK(math[4].number == 1);  // «4»
  CHECK(math[6].number == 1);  // «2»
  CHECK(math[7].number == 3);
  CHECK(math[8].text == "3,75");
  CHECK(math[9].number == Approx(66.7));
  CHECK(math[10].number == Approx(66.7));
  CHECK(row_of(t, "Итого по классу")[7].number == 3);
  // On the term marks: Иванов's 5 and Смирнова's н/а — two graded, one without a pass.
  CHECK(t.header[0][11] == "Отметки за период");
  CHECK(math[11].number == 2);
  CHECK(math[12].number == 1);
  CHECK(math[13].number == Approx(50.0));  // успеваемость: without 2 and н/а
  CHECK(math[14].number == Approx(50.0));  // качество: 4 and 5
  CHECK(row_of(t, "Итого по классу")[11].number == 2);
}

TEST_CASE("the journal prints the grid and the lessons' topics; attendance counts the lessons missed", "[reports]") {
  Fixture f;
  auto st = replay(f.s);
  reports::Query q;
  q.kind = reports::Kind::journal;
  CHECK(reports::build(q, sources(f.s, *st)).status().code() == Code::invalid_argument);  // one class
  q.class_name = "5А";
  q.term = 1;
  auto r = reports::build(q, sources(f.s, *st));
  REQUIRE(r.ok());
  REQUIRE(r->tables.size() == 2);
  const auto& grid = r->tables[0];
  CHECK(grid.header[0][2] == "сентябрь");
  CHECK(grid.header[1][2] == "04");
  CHECK(row_of(grid, "Иванов Пётр")[2].number == 5);
  CHECK(row_of(grid, "Смирнова Ольга")[2].text == "н");
  CHECK(row_of(grid, "Смирнова Ольга")[3].text == "2 б");
  CHECK(row_of(grid, "Иванов Пётр")[column(grid, "Отм.")].number == 5);  // the term mark, after the average
  const auto& topics = r->tables[1];
  CHECK(topics.rows.at(1).at(2).text == "Дроби; сложение и вычитание");

  q.kind = reports::Kind::attendance;
  q.term = 0;
  auto a = reports::build(q, sources(f.s, *st));
  REQUIRE(a.ok());
  const auto& smirnova = row_of(a->tables[0], "Смирнова Ольга");
  CHECK(smirnova[2].number == 2);  // lessons missed
  CHECK(smirnova[3].number == 1);  // for a reason (sick)
  CHECK(smirnova[4].number == 1);  // without one
  CHECK(smirnova[6].number == 2);  // days
}

TEST_CASE("a report as of a past time shows the journal as it was then", "[reports]") {
  Fixture f;
  // The year mark was set on 11 November; as of 1 November it is not there, and the stamp names that state.
  const auto before = f.s.log().position_at(testkit::school_time(testkit::kNov6 - 5, 12));
  REQUIRE(before.ok());
  auto past = replay(f.s, *before);
  auto now = replay(f.s);
  reports::Query q;
  q.kind = reports::Kind::summary;
  q.class_name = "5А";
  q.as_of = testkit::school_time(testkit::kNov6 - 5, 12);
  auto then = reports::build(q, sources(f.s, *past));
  q.as_of.reset();
  auto today = reports::build(q, sources(f.s, *now));
  REQUIRE(then.ok());
  REQUIRE(today.ok());
  const auto year = column(then->tables[0], "мат", "год");
  CHECK(row_of(then->tables[0], "Иванов Пётр")[year].kind == reports::Cell::Kind::empty);
  CHECK(row_of(today->tables[0], "Иванов Пётр")[year].number == 4);
  CHECK(row_of(then->tables[0], "Иванов Пётр")[column(then->tables[0], "мат", "1 ч.")].number == 5);  // unchanged
  CHECK(then->stamp.as_of == "по состоянию на 01.11.2023 12:00");
  CHECK(then->stamp.position < today->stamp.position);
}

TEST_CASE("CSV, XLSX and PDF carry the figures, the Cyrillic names and the digest, as real readers see them", "[reports]") {
  Fixture f;
  auto st = replay(f.s);
  reports::Query q;
  q.kind = reports::Kind::summary;
  q.class_name = "5А";
  auto r = reports::build(q, sources(f.s, *st));
  REQUIRE(r.ok());
  testkit::TempDir dir;

  const std::string csv = reports::to_csv(*r);
  CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);  // a byte-order mark
  CHECK(csv.find("\r\n2;Смирнова Ольга;н/а;") != std::string::npos);
  CHECK(csv.find(r->stamp.digest()) != std::string::npos);

  const std::string xlsx = dir.sub("s.xlsx");
  REQUIRE(reports::write_xlsx(*r, xlsx).ok());
  // openpyxl: the sheet's name, a number cell as a number, the frozen pane, a word mark as text.
  const auto [cells, code] = shell(
      "/usr/bin/python3 -c \"import openpyxl,sys; wb=openpyxl.load_workbook(sys.argv[1]); ws=wb['5А']; "
      "rows=[r for r in ws.iter_rows(values_only=True)]; "
      "iv=[r for r in rows if r[1]=='Иванов Пётр'][0]; sm=[r for r in rows if r[1]=='Смирнова Ольга'][0]; "
      "print(type(iv[2]).__name__, iv[2], sm[2], ws.freeze_panes, rows[0][0])\" " + xlsx);
  REQUIRE(code == 0);
  CHECK(cells == "int 5 н/а C8 Гимназия № 1\n");

  const std::string pdf = dir.sub("s.pdf");
  REQUIRE(reports::write_pdf(*r, pdf).ok());
  CHECK(shell("qpdf --check " + pdf + " >/dev/null 2>&1").second == 0);
  const auto [text, text_code] = shell("pdftotext -layout " + pdf + " -");
  REQUIRE(text_code == 0);
  CHECK_THAT(text, Catch::Contains("Иванов Пётр"));
  CHECK_THAT(text, Catch::Contains("Гимназия № 1"));
  CHECK_THAT(text, Catch::Contains("учебный год 2023/2024"));
  CHECK_THAT(text, Catch::Contains(r->stamp.digest()));
  CHECK_THAT(text, Catch::Contains("Страница 1 из "));
  CHECK_THAT(text, Catch::Contains("Классный руководитель"));
  const auto [fonts, fonts_code] = shell("pdffonts " + pdf);
  REQUIRE(fonts_code == 0);
  CHECK_THAT(fonts, Catch::Contains("DejaVuSans"));
  CHECK(fonts.find(" no ") == std::string::npos);  // every font embedded
  CHECK(shell("pdfinfo " + pdf + " | grep -q 'Page size: *841.89 x 595.28'").second == 0);  // A4 landscape
}

TEST_CASE("ejctl report writes a report from the data directory, and its digest verifies; a changed one does not", "[reports]") {
  Fixture f;
  const std::string data = f.s.data_dir();
  f.s.close();
  testkit::TempDir dir;
  const std::string out = dir.sub("j.pdf");
  const auto [said, code] = shell(std::string(EJCTL_PATH) + " report journal --data " + data + " --class 5А --term 1 --today 2023-11-16 "
                                  "--school 'Гимназия № 1' --format pdf --out " + out);
  REQUIRE(code == 0);
  const auto at = said.find("запись журнала ");
  REQUIRE(at != std::string::npos);
  const std::string digest = said.substr(at + std::string("запись журнала ").size(), said.find('\n', at) - at - std::string("запись журнала ").size());
  CHECK_THAT(shell("pdftotext " + out + " -").first, Catch::Contains(digest));
  CHECK(shell(std::string(EJCTL_PATH) + " verify --data " + data + " --digest " + digest).second == 0);
  std::string changed = digest;
  changed.back() = changed.back() == '0' ? '1' : '0';
  CHECK(shell(std::string(EJCTL_PATH) + " verify --data " + data + " --digest " + changed).second == 1);
  const std::string earlier = std::to_string(std::stoull(digest.substr(0, digest.find(':'))) - 1) + digest.substr(digest.find(':'));
  CHECK(shell(std::string(EJCTL_PATH) + " verify --data " + data + " --digest " + earlier).second == 1);
  CHECK(shell(std::string(EJCTL_PATH) + " verify --data " + data + " --digest 12 2>/dev/null").second == 2);
  CHECK(shell(std::string(EJCTL_PATH) + " report nonsense --data " + data + " --format pdf --out " + out + " 2>/dev/null").second == 2);
}

TEST_CASE("the control reports: accumulation flags too few marks, the register, the табель and timeliness", "[reports]") {
  Fixture f;
  auto st = replay(f.s);
  auto src = sources(f.s, *st);
  reports::Query q;
  q.class_name = "5А";
  q.from = testkit::kSep1;
  q.to = testkit::kOct31;

  q.kind = reports::Kind::accumulation;
  q.min_marks = 2;
  auto acc = reports::build(q, src);
  REQUIRE(acc.ok());
  const auto& t = acc->tables.at(0);
  const auto math = column(t, "мат");
  CHECK(row_of(t, "Иванов Пётр")[math].number == 2);  // the 5 and the 4
  CHECK_FALSE(row_of(t, "Иванов Пётр")[math].flagged);
  CHECK(row_of(t, "Смирнова Ольга")[math].number == 1);  // the 2
  CHECK(row_of(t, "Смирнова Ольга")[math].flagged);
  CHECK(reports::to_csv(*acc).find(";1*") != std::string::npos);

  q.kind = reports::Kind::lesson_register;
  auto reg = reports::build(q, src);
  REQUIRE(reg.ok());
  REQUIRE(reg->tables.at(0).rows.size() == 1);
  const auto& sub = reg->tables[0].rows[0];
  CHECK(sub[0].text == "06.09.2023");
  CHECK(sub[4].text == "Анна Сергеевна");
  CHECK(sub[5].text == "Борис Иванович");
  CHECK(sub[6].text == "болезнь учителя");

  q.kind = reports::Kind::timesheet;
  q.from = kSep4 - 3;  // September
  q.to = kSep4 + 26;
  auto sheet = reports::build(q, src);
  REQUIRE(sheet.ok());
  const auto& ts = sheet->tables.at(0);
  const auto& anna = row_of(ts, "Анна Сергеевна");
  const auto& boris = row_of(ts, "Борис Иванович");
  // Columns: №, name, a day each of 1..30 September, then own, substitutions, missed, all.
  CHECK(anna[2 + 3].number == 2);  // 4 September: 5А's and 1А's lessons
  CHECK(anna[2 + 30].number == 3);  // own lessons held
  CHECK(anna[2 + 32].number == 1);  // missed: the substituted one
  CHECK(boris[2 + 31].number == 1);  // a substitution given
  CHECK(boris[2 + 33].number == 2);  // 5Б's lesson and the substitution
  q.to = kSep4 + 60;
  CHECK(reports::build(q, src).status().code() == Code::invalid_argument);  // a month at most

  q.kind = reports::Kind::timeliness;
  q.from = testkit::kSep1;
  q.to = testkit::kOct31;
  auto time = reports::build(q, src);
  REQUIRE(time.ok());
  const auto& anna_t = row_of(time->tables.at(0), "Анна Сергеевна");
  CHECK(anna_t[2].number == 3);  // lessons due: 5А twice, 1А once
  CHECK(anna_t[3].number == 3);  // without a topic by the lesson day: the first 5А lesson, 1А's, and the second
                                 // (its topic was entered on 31 October)

  q.kind = reports::Kind::usage;
  auto use = reports::build(q, src);
  REQUIRE(use.ok());
  const auto& roles = use->tables.at(0).rows;
  const auto total = std::find_if(roles.begin(), roles.end(), [](const auto& r) { return r[0].text == "Всего"; });
  REQUIRE(total != roles.end());
  CHECK((*total)[1].number == 11);  // the fixture: five staff, four pupils, two parents

}
