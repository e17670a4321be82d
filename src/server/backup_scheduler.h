// BackupScheduler: the order's weekly backup and monthly archive, run by the server itself onto the disks
// given with --backup-to. A thread of its own checks once a minute (or when asked by backup.run): a backup is
// due when a target's last complete copy is older than `every`; an archive is due when the last ended month
// has no complete archive on a target. Each run reads the log through a read-only view (src/backup), so the
// school keeps working meanwhile, and each target's outcome is recorded in the log as a BackupRecorded event
// (so it is in the statistics) and shown by state() to backup.status and /metrics. A failed disk is tried
// again after `retry_after`.
// When a target's disk holds a copy already, its manifest tells the scheduler when that copy was made, so a
// restart does not trigger an extra backup.
//
// Thread-safety: all public methods may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ejournal/domain/domain.h"
#include "ejournal/log/clock.h"

namespace ejournal::server {

struct BackupSchedule {
  std::vector<std::string> targets;
  std::chrono::hours every{24 * 7};
  bool archive_monthly = true;
  int zstd_level = 3;
  std::chrono::milliseconds check_every{60'000};
  // After a failed run, the next automatic attempt waits this long (backup.run does not), so a disk left
  // unplugged costs one failure record an hour, not one a minute.
  std::chrono::minutes retry_after{60};
};

struct BackupTargetState {
  std::string target;
  log::Timestamp last_success = 0;  // when the last complete backup finished (0: none)
  log::Timestamp last_attempt = 0;
  bool last_ok = false;
  std::string last_error;
  log::Position head = log::kNoPosition;  // what the last complete backup holds
  std::string archived_month;             // the newest complete archive's month
  log::Timestamp last_archive_attempt = 0;
};

struct BackupState {
  bool running = false;
  std::vector<BackupTargetState> targets;
};

class BackupScheduler {
 public:
  // Starts the thread. `data_dir` is the log's directory (read-only view, master.key); `domain` records runs.
  BackupScheduler(std::string data_dir, domain::Domain& domain, BackupSchedule schedule,
                  std::shared_ptr<const log::Clock> clock = nullptr);
  ~BackupScheduler();  // waits for a run in progress
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;

  // Starts a backup (and a due archive) now; busy while one is running.
  Status run_now();
  BackupState state() const;
  const BackupSchedule& schedule() const { return schedule_; }
  // Lines of Prometheus text: last success time and failures per target.
  std::string metrics() const;

 private:
  void loop();
  void run_once(bool forced);
  void record(bool archive, const std::string& target, const Status& status, log::Position first, log::Position last,
              std::uint64_t bytes, const std::string& month);

  std::string data_dir_;
  domain::Domain& domain_;
  BackupSchedule schedule_;
  std::shared_ptr<const log::Clock> clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  BackupState state_;
  std::vector<std::uint64_t> failures_;
  bool stop_ = false;
  bool forced_ = false;
  std::thread thread_;
};

}  // namespace ejournal::server
