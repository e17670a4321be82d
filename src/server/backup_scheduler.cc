#include "backup_scheduler.h"

#include <filesystem>
#include <iostream>
#include <sstream>

#include "ejournal/json_log.h"
#include "ejournal/backup/backup.h"

namespace ejournal::server {

BackupScheduler::BackupScheduler(std::string data_dir, domain::Domain& domain, BackupSchedule schedule,
                                 std::shared_ptr<const log::Clock> clock)
    : data_dir_(std::move(data_dir)), domain_(domain), schedule_(std::move(schedule)),
      clock_(clock ? std::move(clock) : std::make_shared<log::SystemClock>()) {
  failures_.assign(schedule_.targets.size(), 0);
  for (const auto& t : schedule_.targets) {
    BackupTargetState s;
    s.target = t;
    // What the disk already holds: a restart must not forget the last backup.
    if (auto summary = backup::read_backup_summary(t); summary.ok() && summary->has_value()) {
      s.last_success = (*summary)->created_at;
      s.last_ok = true;
      s.head = (*summary)->head;
    }
    state_.targets.push_back(std::move(s));
  }
  thread_ = std::thread([this] { loop(); });
}

BackupScheduler::~BackupScheduler() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

Status BackupScheduler::run_now() {
  std::lock_guard lock(mu_);
  if (state_.running || forced_) return Status(Code::busy, "Резервное копирование уже идёт");
  forced_ = true;
  cv_.notify_all();
  return Status::OK();
}

BackupState BackupScheduler::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

std::string BackupScheduler::metrics() const {
  std::lock_guard lock(mu_);
  std::ostringstream out;
  auto label = [](const std::string& t) {
    std::string v;
    for (char c : t) {
      if (c == '"' || c == '\\') v.push_back('\\');
      if (c != '\n') v.push_back(c);
    }
    return "{target=\"" + v + "\"}";
  };
  out << "# HELP ejournal_last_backup_time_seconds Unix time of the last complete backup on each target (0: none).\n"
      << "# TYPE ejournal_last_backup_time_seconds gauge\n";
  for (const auto& t : state_.targets)
    out << "ejournal_last_backup_time_seconds" << label(t.target) << " " << t.last_success / 1'000'000 << "\n";
  out << "# HELP ejournal_backup_failures_total Backup and archive runs that failed on each target.\n"
      << "# TYPE ejournal_backup_failures_total counter\n";
  for (std::size_t i = 0; i < state_.targets.size(); ++i)
    out << "ejournal_backup_failures_total" << label(state_.targets[i].target) << " " << failures_[i] << "\n";
  return out.str();
}

void BackupScheduler::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, schedule_.check_every, [this] { return stop_ || forced_; });
    if (stop_) break;
    const bool forced = forced_;
    forced_ = false;
    state_.running = true;
    lock.unlock();
    run_once(forced);
    lock.lock();
    state_.running = false;
  }
}

void BackupScheduler::record(bool archive, const std::string& target, const Status& status, log::Position first,
                             log::Position last, std::uint64_t bytes, const std::string& month) {
  domain::cmd::RecordBackup c;
  c.archive = archive;
  c.target = target;
  c.succeeded = status.ok();
  c.first = first;
  c.last = last;
  c.bytes = bytes;
  c.month = month;
  c.message = status.ok() ? std::string() : status.to_string().substr(0, 2000);
  auto r = domain_.execute(0, log::CommandId::random(), c);
  if (!r.ok()) jlog::error("cannot record a backup run", {{"error", r.status().to_string()}});
}

void BackupScheduler::run_once(bool forced) {
  const log::Timestamp now = clock_->now();
  const auto every_us = std::chrono::duration_cast<std::chrono::microseconds>(schedule_.every).count();
  const auto retry_us = std::chrono::duration_cast<std::chrono::microseconds>(schedule_.retry_after).count();
  bool backup_due = forced;
  const std::string month = backup::previous_month(now);
  bool archive_due = false;
  {
    std::lock_guard lock(mu_);
    for (const auto& t : state_.targets) {
      const bool may_retry = forced || t.last_attempt == 0 || now - t.last_attempt >= retry_us;
      if ((t.last_success == 0 || now - t.last_success >= every_us) && may_retry) backup_due = true;
      const bool may_retry_archive = forced || t.last_archive_attempt == 0 || now - t.last_archive_attempt >= retry_us;
      if (schedule_.archive_monthly && t.archived_month != month && may_retry_archive) archive_due = true;
    }
  }
  if (!backup_due && !archive_due) return;
  auto reader = log::open_log_reader(data_dir_);
  if (!reader.ok()) {
    for (const auto& t : schedule_.targets) record(false, t, reader.status(), 0, 0, 0, "");
    return;
  }
  backup::BackupOptions options;
  options.zstd_level = schedule_.zstd_level;
  options.now = now;
  if (backup_due) {
    auto r = backup::backup(**reader, data_dir_, schedule_.targets, options);
    for (std::size_t i = 0; i < schedule_.targets.size(); ++i) {
      const Status s = !r.ok() ? r.status() : r->targets[i].status;
      const log::Position first = r.ok() ? r->targets[i].from : 0, last = r.ok() ? r->targets[i].to : 0;
      const std::uint64_t bytes = r.ok() ? r->targets[i].bytes : 0;
      record(false, schedule_.targets[i], s, first, last, bytes, "");
      std::lock_guard lock(mu_);
      BackupTargetState& t = state_.targets[i];
      t.last_attempt = now;
      t.last_ok = s.ok();
      t.last_error = s.ok() ? std::string() : s.to_string();
      if (s.ok()) {
        t.last_success = clock_->now();
        t.head = r->head;
      } else {
        ++failures_[i];
      }
    }
  }
  if (archive_due) {
    auto r = backup::archive(**reader, data_dir_, schedule_.targets, month, options);
    for (std::size_t i = 0; i < schedule_.targets.size(); ++i) {
      Status s = !r.ok() ? r.status() : r->targets[i].status;
      // A month with nothing recorded (a new journal) has nothing to archive: not a failure.
      const bool nothing = !r.ok() && r.status().code() == Code::not_found;
      if (!nothing) record(true, schedule_.targets[i], s, r.ok() ? r->targets[i].from : 0, r.ok() ? r->targets[i].to : 0,
                           r.ok() ? r->targets[i].bytes : 0, month);
      std::lock_guard lock(mu_);
      state_.targets[i].last_archive_attempt = now;
      if (s.ok() || nothing) {
        state_.targets[i].archived_month = month;
      } else {
        ++failures_[i];
        state_.targets[i].last_error = s.to_string();
      }
    }
  }
}

}  // namespace ejournal::server
