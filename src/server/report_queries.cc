// report.make: a report (src/reports) as a file for the browser to save — CSV, XLSX or PDF, base64 in the
// answer. The state is the journal's as of the time asked for, or of now: the journal and roster projections
// as_of that time, so both reflect the same last record, whose position and hash the pages carry.
// Deputies and the director may make every report; a curator those of their class; a teacher the journal of
// a class and subject they teach.
#include <sodium.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "ejournal/log/envelope.h"
#include "ejournal/projections/control.h"
#include "ejournal/projections/roster.h"
#include "ejournal/projections/stats.h"
#include "ejournal/projections/school_time.h"
#include "ejournal/reports/report.h"
#include "query_support.h"

namespace ejournal::server::query {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

constexpr std::size_t kMaxReportBytes = 4 << 20;  // base64 of it stays under a client's 8 MiB queue

bool allowed(const Caller& c, const reports::Query& q, const RosterProjection& roster, YearId year) {
  if (is_manager(c)) return true;
  if (q.kind == reports::Kind::usage) return c.account.has(Role::Administrator);
  if (q.kind == reports::Kind::timeliness || q.kind == reports::Kind::lesson_register || q.kind == reports::Kind::timesheet) return false;
  if (q.class_name.empty()) return false;
  ClassId k = 0;
  for (const auto& [id, klass] : roster.classes())
    if (klass.year == year && klass.name == q.class_name) k = id;
  if (k == 0) return false;
  if (std::find(c.account.curator_of.begin(), c.account.curator_of.end(), k) != c.account.curator_of.end()) return true;
  if (q.kind != reports::Kind::journal || q.subject.empty() || !c.account.has(Role::Teacher)) return false;
  for (const auto& [id, a] : roster.assignments()) {
    if (a.class_id != k || a.teacher != c.id || a.ended) continue;
    const auto s = roster.subjects().find(a.subject);
    if (s != roster.subjects().end() && (s->second.name == q.subject || s->second.short_name == q.subject)) return true;
  }
  return false;
}

// Writes through a temporary file (libxlsxwriter and cairo write files) and reads it back.
Result<std::string> render(const reports::Report& r, const std::string& format) {
  if (format == "csv") return reports::to_csv(r);
  char path[] = "/tmp/ejournal-report-XXXXXX";
  const int fd = ::mkstemp(path);
  if (fd < 0) return Status(Code::io_error, "cannot make a temporary file for the report");
  ::close(fd);
  const Status written = format == "xlsx" ? reports::write_xlsx(r, path) : reports::write_pdf(r, path);
  std::string bytes;
  if (written.ok()) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    bytes = all.str();
  }
  ::unlink(path);
  if (!written.ok()) return written;
  return bytes;
}

// The document model itself, for a page to show as tables: each table's heading rows and rows as text,
// and the cells flagged (too few marks) as [row, column] pairs.
json::object model_json(const reports::Report& r) {
  json::array tables;
  for (const reports::Table& t : r.tables) {
    json::array header, rows, flagged;
    for (const auto& h : t.header) header.push_back(json::value_from(h));
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      json::array row;
      for (std::size_t c = 0; c < t.rows[i].size(); ++c) {
        row.push_back(json::value(t.rows[i][c].text));
        if (t.rows[i][c].flagged) flagged.push_back(json::array{i, c});
      }
      rows.push_back(std::move(row));
    }
    tables.push_back(json::object{{"name", t.name}, {"caption", t.caption}, {"header", std::move(header)}, {"rows", std::move(rows)},
                                  {"bold_rows", json::value_from(t.bold_rows)}, {"flagged", std::move(flagged)}, {"notes", json::value_from(t.notes)}});
  }
  return json::object{{"title", r.stamp.title}, {"period", r.stamp.period}, {"as_of", r.stamp.as_of}, {"digest", r.stamp.digest()},
                      {"tables", std::move(tables)}};
}

Result<json::value> make(Services& s, const Caller& c, Args& a) {
  reports::Query q;
  const std::string kind = a.text("kind");
  const int format_index = a.choice("format", {"csv", "xlsx", "pdf", "json"});
  q.class_name = a.text_or("class");
  q.subject = a.text_or("subject");
  q.term = static_cast<int>(a.integer_or("term", 0, 8, 0));
  if (a.given("from")) q.from = a.day("from");
  if (a.given("to")) q.to = a.day("to");
  q.as_of = a.timestamp_or_none("as_of");
  q.min_marks = static_cast<int>(a.integer_or("min_marks", 1, 20, 3));
  const std::string school = a.text_or("school");
  if (!a.ok()) return a.status();
  const auto k = reports::kind_of(kind);
  if (!k)
    return Status(Code::invalid_argument,
                  "Поле «kind»: journal, summary, progress, attendance, accumulation, timeliness, register, timesheet или usage");
  q.kind = *k;
  static const char* kFormats[] = {"csv", "xlsx", "pdf", "json"};
  const std::string format = kFormats[format_index];

  const log::Timestamp printed = log::SystemClock().now();
  const log::Timestamp at = q.as_of.value_or(printed);
  auto position = s.log.position_at(at);
  if (!position.ok()) return position.status();
  if (*position == log::kNoPosition) return Status(Code::not_found, "Журнал на это время пуст");
  auto record = s.log.read(*position);
  if (!record.ok()) return record.status();
  auto roster = s.host.as_of("roster", at);
  if (!roster.ok()) return roster.status();
  const auto& r = static_cast<const RosterProjection&>(**roster);

  reports::Sources src;
  src.roster = &r;
  src.today = school_day(at);
  src.school = school.empty() ? "Школа" : school;
  src.printed_at = printed;
  src.position = *position;
  src.head_hash = log::record_hash(record->bytes).to_hex();
  src.student_name = [&s](UserId id, const std::string& sealed) { return person_name(s, DataSubject::Student, id, sealed); };
  YearId year = 0;
  for (const auto& [id, y] : r.years())
    if (y.first_day <= src.today && (year == 0 || y.first_day > r.years().at(year).first_day)) year = id;
  if (!allowed(c, q, r, year))
    return Status(Code::forbidden, "Отчёты делают заместители директора и директор; классный руководитель — по своему классу, "
                                   "учитель — журнал своего класса и предмета, администратор — отчёт о работе в журнале");
  auto journal = s.host.as_of("journal", at, year != 0 ? year : Projection::kAllParts);
  if (!journal.ok()) return journal.status();
  src.journal = &static_cast<const JournalProjection&>(**journal);
  std::shared_ptr<const Projection> control, stats;
  if (q.kind == reports::Kind::timeliness || q.kind == reports::Kind::lesson_register || q.kind == reports::Kind::timesheet) {
    const auto y = r.years().find(year);
    const Projection::PartKey part = y == r.years().end() ? Projection::kAllParts : ControlProjection::part_of(y->second.first_day, y->second.last_day);
    auto past = s.host.as_of("control", at, part);
    if (!past.ok()) return past.status();
    control = *past;
    src.control = &static_cast<const ControlProjection&>(*control);
  }
  if (q.kind == reports::Kind::usage) {
    auto past = s.host.as_of("stats", at);
    if (!past.ok()) return past.status();
    stats = *past;
    src.stats = &static_cast<const StatsProjection&>(*stats);
  }

  auto report = reports::build(q, src);
  if (!report.ok()) return report.status();
  if (format == "json") return json::value(model_json(*report));
  auto bytes = render(*report, format);
  if (!bytes.ok()) return bytes.status();
  if (bytes->size() > kMaxReportBytes)
    return Status(Code::invalid_argument, "Отчёт больше 4 МБ: выберите один класс, предмет или период");
  std::string b64(sodium_base64_encoded_len(bytes->size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(bytes->data()), bytes->size(),
                    sodium_base64_VARIANT_ORIGINAL);
  b64.resize(b64.size() - 1);  // the terminating NUL
  const char* types[] = {"text/csv; charset=utf-8", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "application/pdf"};
  std::string name = std::string(reports::kind_word(q.kind)) + (q.class_name.empty() ? "" : "-" + q.class_name) + "." + format;
  return json::value(json::object{{"name", name}, {"content_type", types[format_index]}, {"bytes", bytes->size()},
                                  {"title", report->stamp.title}, {"period", report->stamp.period},
                                  {"digest", report->stamp.digest()}, {"data", std::move(b64)}});
}

// verify.digest: is POSITION:HASH (printed on a report) in this journal's history?
Result<json::value> verify_digest(Services& s, const Caller& c, Args& a) {
  const std::string digest = a.text("digest");
  if (!a.ok()) return a.status();
  if (!is_manager(c) && !c.account.has(Role::Administrator)) return denied();
  const auto colon = digest.find(':');
  unsigned long long position = 0;
  int used = 0;
  const std::string hash = colon == std::string::npos ? std::string() : digest.substr(colon + 1);
  if (colon == std::string::npos || std::sscanf(digest.c_str(), "%llu%n", &position, &used) != 1 ||
      static_cast<std::size_t>(used) != colon || position == 0 || hash.size() != 64 ||
      hash.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Status(Code::invalid_argument, "Поле «digest»: ПОЗИЦИЯ:ХЕШ (номер записи и 64 шестнадцатеричные цифры), как на отчёте");
  if (position > s.log.head())
    return json::value(json::object{{"in_log", false}, {"reason", "такой записи в журнале нет"}});
  auto record = s.log.read(position);
  if (!record.ok()) return record.status();
  if (log::record_hash(record->bytes).to_hex() != hash)
    return json::value(json::object{{"in_log", false}, {"reason", "у записи с этим номером другой хеш: бумага не из этого журнала или изменена"}});
  // The record must also be linked, record by record, to the head the log anchors (a recent printout costs
  // little; `ejctl verify --digest` checks the chain from the first record).
  auto chain = s.log.verify(position, s.log.head());
  if (!chain.ok()) return chain.status();
  if (!chain->ok())
    return json::value(json::object{{"in_log", false}, {"reason", "цепочка записей нарушена в позиции " + std::to_string(chain->first_bad)}});
  return json::value(json::object{{"in_log", true}, {"reason", "запись есть в истории журнала"}});
}

}  // namespace

const HandlerTable& report_handlers() {
  static const HandlerTable table = {{"report.make", make}, {"verify.digest", verify_digest}};
  return table;
}

}  // namespace ejournal::server::query
