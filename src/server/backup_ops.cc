#include "backup_ops.h"

#include <boost/json.hpp>

#include "backup_scheduler.h"
#include "ejournal/projections/stats.h"

namespace ejournal::server {
namespace json = boost::json;

bool is_backup_op(std::string_view op) { return op == "backup.status" || op == "backup.run"; }
std::vector<std::string> backup_ops() { return {"backup.status", "backup.run"}; }

std::optional<Result<json::value>> run_backup_op(Services& s, const Caller& c, std::string_view op, Args& a) {
  if (!is_backup_op(op)) return std::nullopt;
  if (!a.ok()) return Result<json::value>(a.status());
  if (!c.account.has(domain::Role::Administrator))
    return Result<json::value>(Status(Code::forbidden, "Резервными копиями управляет администратор"));
  if (op == "backup.run") {
    if (s.backups == nullptr)
      return Result<json::value>(Status(Code::unavailable, "Диски для резервных копий не заданы (ejournald --backup-to)"));
    if (auto st = s.backups->run_now(); !st.ok()) return Result<json::value>(st);
    return Result<json::value>(json::value(json::object{{"started", true}}));
  }
  json::object out;
  out["configured"] = s.backups != nullptr;
  if (s.backups != nullptr) {
    const BackupState st = s.backups->state();
    out["running"] = st.running;
    out["every_hours"] = s.backups->schedule().every.count();
    out["archive_monthly"] = s.backups->schedule().archive_monthly;
    json::array targets;
    for (const auto& t : st.targets)
      targets.push_back(json::object{{"target", t.target}, {"last_success_us", t.last_success},
                                     {"last_attempt_us", t.last_attempt}, {"ok", t.last_ok}, {"error", t.last_error},
                                     {"head", t.head}, {"archived_month", t.archived_month}});
    out["targets"] = std::move(targets);
  }
  // The history as the log recorded it: it survives restarts and shows runs of earlier configurations too.
  out["history"] = s.host.read<projections::StatsProjection>("stats", [](const projections::StatsProjection& p) {
    json::array runs;
    for (const auto& r : p.backups())
      runs.push_back(json::object{{"kind", r.archive ? "archive" : "backup"}, {"target", r.target}, {"ok", r.succeeded},
                                  {"at_us", r.at}, {"first", r.first}, {"last", r.last}, {"bytes", r.bytes},
                                  {"month", r.month}, {"message", r.message}, {"last_success_us", r.last_success},
                                  {"runs", r.runs}, {"failures", r.failures}});
    return json::value(std::move(runs));
  });
  return Result<json::value>(json::value(std::move(out)));
}

}  // namespace ejournal::server
