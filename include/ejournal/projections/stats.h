// StatsProjection: the administrator's statistics (order 5.5) — accounts by role, sign-ins per day, events,
// marks and absences entered per day, events per user, and the size of the log. Days are school days (Moscow time) of the records.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

struct AccountStats {
  std::map<domain::Role, int> by_role;  // accounts holding each role (a teacher who is a curator counts in both)
  int total = 0;
  int blocked = 0;
};

struct DayStats {
  domain::Day day = 0;
  std::uint64_t events = 0;
  std::uint64_t logins = 0;
  std::uint64_t failed_logins = 0;
  std::uint64_t marks = 0;     // marks set that day (MarkSet; corrections and removals not counted)
  std::uint64_t absences = 0;  // absences and lateness recorded that day (AbsenceMarked)
};

// The last backup or archive run on one target, and how the target has fared (BackupRecorded events).
struct BackupRunStats {
  bool archive = false;
  std::string target;
  bool succeeded = false;
  log::Timestamp at = 0;             // when the last run was recorded
  std::uint64_t first = 0, last = 0, bytes = 0;
  std::string month;                 // archives
  std::string message;               // why it failed
  log::Timestamp last_success = 0;   // 0: never
  std::uint64_t runs = 0, failures = 0;
};

struct LogStats {
  std::uint64_t events = 0;
  std::uint64_t stored_bytes = 0;  // sum of record sizes before RocksDB's compression
  log::Position head = log::kNoPosition;
};

class StatsProjection final : public Projection {
 public:
  StatsProjection() = default;
  // Not copyable: the cached entry pointers would point into the original.
  StatsProjection(const StatsProjection&) = delete;
  StatsProjection& operator=(const StatsProjection&) = delete;
  StatsProjection(StatsProjection&&) = default;
  StatsProjection& operator=(StatsProjection&&) = default;
  std::string_view name() const override { return "stats"; }
  void apply(const EventView& event) override;
  std::string snapshot() const override;
  Status restore(std::string_view bytes) override;
  std::unique_ptr<Projection> fresh() const override { return std::make_unique<StatsProjection>(); }

  AccountStats accounts() const;
  // Days in from..to that saw at least one event, in order.
  std::vector<DayStats> days(domain::Day from, domain::Day to) const;
  // Events recorded per acting user (0: the system), the busiest first; at most `limit`.
  std::vector<std::pair<domain::UserId, std::uint64_t>> events_by_user(std::size_t limit) const;
  const LogStats& log_size() const { return log_; }
  // Per target, its backups then its archives, in target order.
  std::vector<BackupRunStats> backups() const;

 private:
  struct Account {
    std::array<std::uint16_t, 8> roles{};  // grants per role (a curator may keep several classes)
    bool blocked = false;
    bool exists = false;
  };

  std::vector<Account> accounts_;  // by user id
  std::map<domain::Day, DayStats> days_;
  std::map<domain::UserId, std::uint64_t> by_user_;
  // The entries the last event counted in: the next event is almost always of the same day, and often of
  // the same actor (a command's events come together). Map nodes stay put, so these stay valid.
  DayStats* last_day_ = nullptr;
  std::pair<const domain::UserId, std::uint64_t>* last_actor_ = nullptr;
  LogStats log_;
  std::map<std::pair<std::string, bool>, BackupRunStats> backups_;  // (target, archive)
};

}  // namespace ejournal::projections
