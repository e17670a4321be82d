// StatsProjection: the administrator's statistics (order 5.5) — accounts by role, sign-ins per day, events
// per day and per user, and the size of the log. Days are school days (Moscow time) of the records.
// Thread-safety: none; use it through a ProjectionHost.
#pragma once

#include <array>
#include <cstdint>
#include <map>
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
};

struct LogStats {
  std::uint64_t events = 0;
  std::uint64_t stored_bytes = 0;  // sum of record sizes before RocksDB's compression
  log::Position head = log::kNoPosition;
};

class StatsProjection final : public Projection {
 public:
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

 private:
  struct Account {
    std::array<std::uint16_t, 8> roles{};  // grants per role (a curator may keep several classes)
    bool blocked = false;
    bool exists = false;
  };

  std::vector<Account> accounts_;  // by user id
  std::map<domain::Day, DayStats> days_;
  std::map<domain::UserId, std::uint64_t> by_user_;
  LogStats log_;
};

}  // namespace ejournal::projections
