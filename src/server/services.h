// What the server serves: the open log, the domain that writes to it, the projections that read it, and the
// personal-data vault. All outlive the server. Thread-safety: each part documents its own.
#pragma once

#include "ejournal/domain/domain.h"
#include "ejournal/domain/vault.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/host.h"

namespace ejournal::server {

struct Services {
  log::EventLog& log;
  domain::Domain& domain;
  projections::ProjectionHost& host;
  domain::PersonalDataVault& vault;
};

}  // namespace ejournal::server
