// What the server serves: the open log, the domain that writes to it, the projections that read it, and the
// personal-data vault, and the backup scheduler when disks are configured. All outlive the server. Thread-safety: each part documents its own.
#pragma once

#include "ejournal/domain/domain.h"
#include "ejournal/domain/vault.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/host.h"

namespace ejournal::server {

class BackupScheduler;

struct Services {
  log::EventLog& log;
  domain::Domain& domain;
  projections::ProjectionHost& host;
  domain::PersonalDataVault& vault;
  BackupScheduler* backups = nullptr;  // null: no --backup-to disks configured
};

}  // namespace ejournal::server
