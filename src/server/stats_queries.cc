// Progress (stats.progress): a period's marks and absences by class, subject and teacher, with the figures a
// school judges teaching by — the average mark, успеваемость (the share of marks above 2) and качество
// знаний (the share of 4 and 5). For the director's start page and the deputies; a curator for their class.
#include <algorithm>
#include <cmath>

#include <boost/json.hpp>

#include "ejournal/log/types.h"
#include "ejournal/projections/journal.h"
#include "ejournal/projections/school_time.h"
#include "query_support.h"

namespace ejournal::server::query {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

// A share rounded to a tenth of a per cent (null when there is nothing to share).
json::value share(std::uint32_t part, std::uint32_t whole) {
  if (whole == 0) return nullptr;
  return std::round(1000.0 * part / whole) / 10.0;
}

json::object progress_json(const ProgressRow& r) {
  std::uint32_t count = 0;
  json::object marks;
  for (int v = 1; v <= 5; ++v) {
    marks[std::to_string(v)] = r.marks[static_cast<std::size_t>(v)];
    count += r.marks[static_cast<std::size_t>(v)];
  }
  const std::uint32_t above_two = r.marks[3] + r.marks[4] + r.marks[5];
  return json::object{
      {"class_id", r.class_id}, {"subject", r.subject}, {"teacher", r.teacher}, {"lessons", r.lessons_held},
      {"marks", std::move(marks)}, {"count", count},
      {"average", r.weights == 0 ? json::value() : json::value(JournalProjection::round_average(r.weighted_sum / r.weights))},
      {"success", share(above_two, count)}, {"quality", share(r.marks[4] + r.marks[5], count)},
      {"attendance", json::object{{"absent", r.attendance[0]}, {"excused", r.attendance[1]}, {"sick", r.attendance[2]},
                                  {"late", r.attendance[3]}}}};
}

Result<json::value> progress(Services& s, const Caller& c, Args& a) {
  const Day from = a.day("from"), to = a.day("to");
  const ClassId k = a.id_or0("class_id");
  const auto as_of = a.timestamp_or_none("as_of");
  if (a.ok() && to < from) a.fail("to", "раньше начала периода");
  if (a.ok() && to - from > 400) a.fail("to", "период длиннее учебного года");
  if (!a.ok()) return a.status();
  const bool curator = k != 0 && std::find(c.account.curator_of.begin(), c.account.curator_of.end(), k) != c.account.curator_of.end();
  if (!is_manager(c) && !curator) return denied();
  // One class: its year. Every class: those of the year the period starts in.
  const YearId year = s.host.read<JournalProjection>("journal", [&](const JournalProjection& j) {
    return k != 0 ? j.year_of_class(k) : j.year_at(from);
  });
  if (k != 0 && year == 0) return Status(Code::not_found, "Класс не найден");
  return on<JournalProjection>(s, "journal", as_of, [&](const JournalProjection& j) {
    json::array out;
    for (const ProgressRow& r : j.progress(year, k, from, to)) out.push_back(progress_json(r));
    return json::value(std::move(out));
  }, year != 0 ? year : Projection::kAllParts);
}

}  // namespace

const HandlerTable& stats_handlers() {
  static const HandlerTable table = {{"stats.progress", progress}};
  return table;
}

}  // namespace ejournal::server::query
