// open_school: what ejournald opens before it listens — the log, the personal-data vault, the domain (its
// write model replayed from the log) and the projection host (restored from snapshots, then the tail
// replayed) — with the domain's replay and the host's start side by side on two threads: they read the log
// independently and share nothing, and each alone is most of a start (docs/architecture.md §5, "Start").
// ej-bench start times this same function.
//
// Errors: the first that stops a part, with the part named in the message; what opened is closed again.
// Thread-safety: call from one thread; the School it returns is used as ejournald's Services use it.
#pragma once

#include <memory>
#include <string>

#include "ejournal/domain/domain.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/host.h"

namespace ejournal::server {

struct School {
  std::unique_ptr<log::EventLog> log;
  std::unique_ptr<domain::PersonalDataVault> vault;
  std::unique_ptr<domain::Domain> domain;
  std::unique_ptr<projections::ProjectionHost> host;

  // How long each part took, in seconds (the domain's replay and the host's start overlap).
  struct Timings {
    double open_log = 0, open_vault = 0, domain = 0, host = 0, total = 0;
  } timings;

  School() = default;
  School(School&&) noexcept = default;
  School& operator=(School&&) noexcept = default;
  // Stops in the order the parts depend on: the host (writing its snapshots), the domain, the vault, the log.
  ~School();
};

Result<School> open_school(const std::string& data, const projections::HostOptions& host_options,
                           const domain::DomainOptions& domain_options = {});

}  // namespace ejournal::server
