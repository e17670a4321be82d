#include "ejournal/projections/stats.h"

#include <algorithm>

#include "ejournal/fb/stats_snapshot_generated.h"
#include "ejournal/log/flat_bytes.h"
#include "ejournal/projections/school_time.h"

namespace ejournal::projections {
namespace {

using namespace domain;

constexpr std::size_t kMaxUser = 50'000'000;  // far beyond any school; guards the vector against a bad id

}  // namespace

void StatsProjection::apply(const EventView& ev) {
  using E = fb::Event;
  const Day day = school_day(ev.recorded_at);
  if (last_day_ == nullptr || last_day_->day != day) {
    last_day_ = &days_[day];
    last_day_->day = day;
  }
  DayStats& d = *last_day_;
  ++d.events;
  if (last_actor_ == nullptr || last_actor_->first != ev.actor) last_actor_ = &*by_user_.try_emplace(ev.actor, 0).first;
  ++last_actor_->second;
  ++log_.events;
  log_.stored_bytes += ev.stored_bytes;
  log_.head = ev.position;

  auto account = [&](UserId user) -> Account* {
    if (user == 0 || user > kMaxUser) return nullptr;
    if (accounts_.size() <= user) accounts_.resize(std::max<std::size_t>(user + 1, accounts_.size() * 3 / 2));
    return &accounts_[user];
  };
  auto grant = [&](UserId user, Role role, int delta) {
    const auto r = static_cast<std::size_t>(role);
    Account* a = account(user);
    if (a == nullptr || r == 0 || r >= a->roles.size()) return;
    a->exists = true;
    if (delta > 0) ++a->roles[r];
    else if (a->roles[r] > 0) --a->roles[r];
  };
  switch (ev.type) {
    case E::AccountCreated: grant(ev.as<fb::AccountCreated>()->user(), ev.as<fb::AccountCreated>()->role(), +1); break;
    case E::RoleGranted: grant(ev.as<fb::RoleGranted>()->user(), ev.as<fb::RoleGranted>()->role(), +1); break;
    case E::RoleRevoked: grant(ev.as<fb::RoleRevoked>()->user(), ev.as<fb::RoleRevoked>()->role(), -1); break;
    case E::AccountBlocked:
      if (Account* a = account(ev.as<fb::AccountBlocked>()->user())) a->blocked = true;
      break;
    case E::AccountUnblocked:
      if (Account* a = account(ev.as<fb::AccountUnblocked>()->user())) a->blocked = false;
      break;
    case E::LoginSucceeded: ++d.logins; break;
    case E::LoginFailed: ++d.failed_logins; break;
    case E::MarkSet: ++d.marks; break;
    case E::AbsenceMarked: ++d.absences; break;
    case E::BackupRecorded: {
      const auto* e = ev.as<fb::BackupRecorded>();
      const std::string target = e->target() != nullptr ? e->target()->str() : std::string();
      BackupRunStats& r = backups_[{target, e->archive()}];
      r.archive = e->archive();
      r.target = target;
      r.succeeded = e->succeeded();
      r.at = ev.recorded_at;
      r.first = e->first();
      r.last = e->last();
      r.bytes = e->bytes();
      r.month = e->month() != nullptr ? e->month()->str() : std::string();
      r.message = e->message() != nullptr ? e->message()->str() : std::string();
      ++r.runs;
      if (r.succeeded) {
        r.last_success = ev.recorded_at;
      } else {
        ++r.failures;
      }
      break;
    }
    default: break;
  }
}

std::vector<BackupRunStats> StatsProjection::backups() const {
  std::vector<BackupRunStats> out;
  for (const auto& [key, r] : backups_) out.push_back(r);
  return out;
}

AccountStats StatsProjection::accounts() const {
  AccountStats out;
  for (const Account& a : accounts_) {
    if (!a.exists) continue;
    ++out.total;
    if (a.blocked) ++out.blocked;
    for (std::size_t r = 1; r < a.roles.size(); ++r)
      if (a.roles[r] > 0) ++out.by_role[static_cast<Role>(r)];
  }
  return out;
}

std::vector<DayStats> StatsProjection::days(Day from, Day to) const {
  std::vector<DayStats> out;
  for (auto it = days_.lower_bound(from); it != days_.end() && it->first <= to; ++it) out.push_back(it->second);
  return out;
}

std::vector<std::pair<UserId, std::uint64_t>> StatsProjection::events_by_user(std::size_t limit) const {
  std::vector<std::pair<UserId, std::uint64_t>> out(by_user_.begin(), by_user_.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string StatsProjection::snapshot() const {
  namespace s = fb::snap;
  flatbuffers::FlatBufferBuilder b(1 << 16);
  std::vector<flatbuffers::Offset<s::SAccount>> accounts;
  for (std::size_t id = 0; id < accounts_.size(); ++id) {
    const Account& a = accounts_[id];
    if (!a.exists) continue;
    const std::vector<std::uint16_t> roles(a.roles.begin(), a.roles.end());
    accounts.push_back(s::CreateSAccountDirect(b, static_cast<std::uint32_t>(id), &roles, a.blocked));
  }
  std::vector<flatbuffers::Offset<s::SDay>> days;
  for (const auto& [day, d] : days_) days.push_back(s::CreateSDay(b, day, d.events, d.logins, d.failed_logins, d.marks, d.absences));
  std::vector<flatbuffers::Offset<s::SUser>> users;
  for (const auto& [user, n] : by_user_) users.push_back(s::CreateSUser(b, user, n));
  std::vector<flatbuffers::Offset<s::SBackup>> backups;
  for (const auto& [key, r] : backups_)
    backups.push_back(s::CreateSBackupDirect(b, r.archive, r.target.c_str(), r.succeeded, r.at, r.first, r.last, r.bytes,
                                             r.month.c_str(), r.message.c_str(), r.last_success, r.runs, r.failures));
  b.Finish(s::CreateStatsDirect(b, &accounts, &days, &users, log_.events, log_.stored_bytes, log_.head, &backups, true),
           s::StatsIdentifier());
  return log::finished_bytes(b);
}

Status StatsProjection::restore(std::string_view raw) {
  namespace s = fb::snap;
  std::string aligned;
  const s::Stats* st = log::verified_root<s::Stats>(raw, s::StatsIdentifier(), aligned);
  if (st == nullptr) return Status(Code::corruption, "not a stats snapshot");
  if (!st->entries_counted()) return Status(Code::unsupported, "a stats snapshot from before marks and absences were counted per day");
  StatsProjection next;
  if (st->accounts())
    for (const auto* a : *st->accounts()) {
      if (a->user() == 0 || a->user() > kMaxUser) return Status(Code::corruption, "stats snapshot: bad user id");
      if (next.accounts_.size() <= a->user()) next.accounts_.resize(a->user() + 1);
      Account& acc = next.accounts_[a->user()];
      acc.exists = true;
      acc.blocked = a->blocked();
      if (a->roles())
        for (flatbuffers::uoffset_t r = 0; r < a->roles()->size() && r < acc.roles.size(); ++r) acc.roles[r] = a->roles()->Get(r);
    }
  if (st->days())
    for (const auto* d : *st->days()) next.days_[d->day()] = DayStats{d->day(), d->events(), d->logins(), d->failed_logins(), d->marks(), d->absences()};
  if (st->users())
    for (const auto* u : *st->users()) next.by_user_[u->user()] = u->events();
  next.log_ = LogStats{st->events(), st->stored_bytes(), st->head()};
  if (st->backups())
    for (const auto* x : *st->backups()) {
      BackupRunStats r;
      r.archive = x->archive();
      r.target = x->target() != nullptr ? x->target()->str() : std::string();
      r.succeeded = x->succeeded();
      r.at = x->at_us();
      r.first = x->first();
      r.last = x->last();
      r.bytes = x->bytes();
      r.month = x->month() != nullptr ? x->month()->str() : std::string();
      r.message = x->message() != nullptr ? x->message()->str() : std::string();
      r.last_success = x->last_success_us();
      r.runs = x->runs();
      r.failures = x->failures();
      next.backups_[{r.target, r.archive}] = std::move(r);
    }
  *this = std::move(next);
  return Status::OK();
}

}  // namespace ejournal::projections
