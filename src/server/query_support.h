// Helpers shared by the files that answer queries (queries.cc, people_queries.cc). Internal to the server.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "ejournal/domain/types.h"
#include "ejournal/domain/vault.h"
#include "ejournal/log/types.h"
#include "ejournal/projections/journal.h"
#include "queries.h"

namespace ejournal::server::query {

inline Status denied() { return Status(Code::forbidden, "Нет прав на просмотр этих данных"); }

// Runs fn(const P&) on projection `name`, live or as of a time. For a partitioned projection, `part` is the
// one part fn reads (projection.h): a past state is then restored in that part's scope only.
template <typename P, typename F>
Result<boost::json::value> on(Services& s, std::string_view name, const std::optional<log::Timestamp>& as_of, F&& fn,
                              projections::Projection::PartKey part = projections::Projection::kAllParts) {
  if (!as_of) {
    Result<boost::json::value> out = boost::json::value();
    s.host.read_raw(name, [&](const projections::Projection& p) { out = fn(static_cast<const P&>(p)); });
    return out;
  }
  auto past = s.host.as_of(name, *as_of, part);
  if (!past.ok()) return past.status();
  return fn(static_cast<const P&>(**past));
}

// The journal's part (an academic year) that fn reads, from the live state: `year_of(journal)`, or every
// part when that is 0 (unknown, or more than one year).
template <typename F>
projections::Projection::PartKey journal_part(Services& s, F&& year_of) {
  const domain::YearId year = s.host.read<projections::JournalProjection>("journal", std::forward<F>(year_of));
  return year != 0 ? year : projections::Projection::kAllParts;
}

// "YYYY-MM-DD", or null for day 0.
boost::json::value day_json(domain::Day d);
// "Фамилия Имя Отчество".
std::string full_name(const domain::PersonalData& p);
// The name of a student or parent, opened from the roster's sealed record; "" when erased or absent,
// domain::kUnreadableName when the record or its key is damaged.
std::string person_name(Services& s, domain::DataSubject kind, domain::UserId id, const std::string& sealed);

using Handler = std::function<Result<boost::json::value>(Services&, const Caller&, Args&)>;
using HandlerTable = std::map<std::string, Handler, std::less<>>;

// The personal-data queries (people.*), for the curators and the deputies.
const HandlerTable& people_handlers();
// The correction requests (control.corrections), for the teachers who made them and the deputies.
const HandlerTable& correction_handlers();
// Progress by class, subject and teacher (stats.progress), for the director's page and the deputies.
const HandlerTable& stats_handlers();
// What school setup reads (roster.years, roster.timetable).
const HandlerTable& setup_handlers();
// Reports as files (report.make) and the check of a printed digest (verify.digest).
const HandlerTable& report_handlers();

}  // namespace ejournal::server::query
