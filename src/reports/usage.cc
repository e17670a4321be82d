// The administrator's report on the work done in the journal (order 5.1, 5.5): accounts by role, sign-ins
// and entries per day over a period, who entered most, and the backups made — from the stats projection.
#include "ejournal/projections/school_time.h"
#include "ejournal/projections/stats.h"
#include "kinds.h"

namespace ejournal::reports::detail {

using namespace domain;
using namespace projections;

namespace {

const char* role_words(Role r) {
  switch (r) {
    case Role::Administrator: return "администраторы";
    case Role::Director: return "директор";
    case Role::Deputy: return "заместители директора";
    case Role::Teacher: return "учителя";
    case Role::Curator: return "классные руководители";
    case Role::Student: return "ученики";
    case Role::Parent: return "родители";
    default: return "прочие";
  }
}

}  // namespace

Result<Report> usage(const Scope& scope) {
  const auto [from, to] = scope.period();
  if (to < from) return Status(Code::invalid_argument, "Конец периода раньше начала");
  const StatsProjection& stats = *scope.sources().stats;
  Report report;
  report.kind = "usage";
  report.signatures = {"Администратор журнала", "Директор"};

  const AccountStats acc = stats.accounts();
  Table accounts;
  accounts.name = "Учётные записи";
  accounts.caption = "Учётные записи по ролям";
  accounts.header = {{"Роль", "Учётных записей"}};
  accounts.widths = {30, 14};
  for (const auto& [role, n] : acc.by_role) accounts.rows.push_back({Cell::of(role_words(role)), Cell::integer(n)});
  accounts.bold_rows.push_back(static_cast<int>(accounts.rows.size()));
  accounts.rows.push_back({Cell::of("Всего"), Cell::integer(acc.total)});
  accounts.rows.push_back({Cell::of("Из них заблокировано"), Cell::integer(acc.blocked)});
  report.tables.push_back(std::move(accounts));

  Table days;
  days.name = "По дням";
  days.caption = "Работа в журнале по дням, " + ru_day(from) + "–" + ru_day(to);
  days.header = {{"День", "Записей", "Входов", "Неудачных входов", "Отметок", "Пропусков"}};
  days.widths = {12, 10, 10, 12, 10, 10};
  DayStats sum;
  for (const DayStats& d : stats.days(from, to)) {
    days.rows.push_back({Cell::of(ru_day(d.day)), Cell::integer(static_cast<long long>(d.events)), Cell::integer(static_cast<long long>(d.logins)),
                         Cell::integer(static_cast<long long>(d.failed_logins)), Cell::integer(static_cast<long long>(d.marks)),
                         Cell::integer(static_cast<long long>(d.absences))});
    sum.events += d.events;
    sum.logins += d.logins;
    sum.failed_logins += d.failed_logins;
    sum.marks += d.marks;
    sum.absences += d.absences;
  }
  days.bold_rows.push_back(static_cast<int>(days.rows.size()));
  days.rows.push_back({Cell::of("Итого"), Cell::integer(static_cast<long long>(sum.events)), Cell::integer(static_cast<long long>(sum.logins)),
                       Cell::integer(static_cast<long long>(sum.failed_logins)), Cell::integer(static_cast<long long>(sum.marks)),
                       Cell::integer(static_cast<long long>(sum.absences))});
  report.tables.push_back(std::move(days));

  Table users;
  users.name = "Активность";
  users.caption = "Больше всего записей (за всё время)";
  users.header = {{"№", "Пользователь", "Записей"}};
  users.widths = {4, 36, 12};
  int n = 0;
  for (const auto& [user, events] : stats.events_by_user(30))
    users.rows.push_back({Cell::integer(++n), Cell::of(user == 0 ? "система" : scope.staff_name(user)), Cell::integer(static_cast<long long>(events))});
  report.tables.push_back(std::move(users));

  Table backups;
  backups.name = "Резервные копии";
  backups.caption = "Резервные копии и архивы по дискам";
  backups.header = {{"Диск", "Вид", "Последний запуск", "Итог", "Последний удачный", "Запусков", "Сбоев"}};
  backups.widths = {30, 10, 16, 30, 16, 9, 8};
  backups.landscape = true;
  for (const BackupRunStats& b : stats.backups())
    backups.rows.push_back({Cell::of(b.target), Cell::of(b.archive ? "архив " + b.month : "копия"), Cell::of(format_school_time(b.at)),
                            Cell::of(b.succeeded ? "успешно" : "сбой: " + b.message),
                            Cell::of(b.last_success == 0 ? "—" : format_school_time(b.last_success)),
                            Cell::integer(static_cast<long long>(b.runs)), Cell::integer(static_cast<long long>(b.failures))});
  report.tables.push_back(std::move(backups));
  report.stamp = scope.stamp("Отчёт о работе в электронном журнале", ru_day(from) + "–" + ru_day(to));
  return report;
}

}  // namespace ejournal::reports::detail
