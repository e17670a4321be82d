// What school setup reads (roster.years, roster.timetable): the academic years, and a class's week of
// timetable entries — the deputies' and the administrator's setup pages build from these, and every staff
// member may read them (a timetable is not personal).
#include <algorithm>
#include <tuple>

#include <boost/json.hpp>

#include "ejournal/projections/roster.h"
#include "query_support.h"

namespace ejournal::server::query {
namespace {

using namespace domain;
using namespace projections;
namespace json = boost::json;

bool is_family(const Caller& c) { return c.account.has(Role::Student) || c.account.has(Role::Parent); }

Result<json::value> years(Services& s, const Caller& c, Args& a) {
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  if (is_family(c)) return denied();
  return on<RosterProjection>(s, "roster", as_of, [](const RosterProjection& r) {
    json::array out;
    for (const auto& [id, y] : r.years())
      out.push_back(json::object{{"id", id}, {"title", y.title}, {"first_day", format_day(y.first_day)}, {"last_day", format_day(y.last_day)}});
    return json::value(out);
  });
}

// The class's entries in force on some day of first_day..last_day, whoever teaches them, by (weekday, period).
Result<json::value> timetable(Services& s, const Caller& c, Args& a) {
  const ClassId k = a.id("class_id");
  const auto as_of = a.timestamp_or_none("as_of");
  if (!a.ok()) return a.status();
  if (is_family(c)) return denied();
  return on<RosterProjection>(s, "roster", as_of, [&](const RosterProjection& r) -> Result<json::value> {
    if (r.classes().count(k) == 0) return Status(Code::not_found, "Класс не найден");
    std::vector<const RosterEntry*> entries;
    for (const auto& [id, e] : r.timetable()) {
      if (e.removed) continue;
      const auto as = r.assignments().find(e.assignment);
      if (as != r.assignments().end() && as->second.class_id == k) entries.push_back(&e);
    }
    std::stable_sort(entries.begin(), entries.end(), [](const RosterEntry* x, const RosterEntry* y) {
      return std::tie(x->weekday, x->period, x->id) < std::tie(y->weekday, y->period, y->id);
    });
    json::array out;
    for (const RosterEntry* e : entries) {
      const RosterAssignment& as = r.assignments().at(e->assignment);
      out.push_back(json::object{{"id", e->id}, {"assignment", e->assignment}, {"weekday", e->weekday}, {"period", e->period},
                                 {"first_day", format_day(e->first_day)}, {"last_day", format_day(e->last_day)},
                                 {"teacher", as.teacher}, {"group", as.group}, {"subject", as.subject}});
    }
    return json::value(std::move(out));
  });
}

}  // namespace

const HandlerTable& setup_handlers() {
  static const HandlerTable table = {{"roster.years", years}, {"roster.timetable", timetable}};
  return table;
}

}  // namespace ejournal::server::query
