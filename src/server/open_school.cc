#include "open_school.h"

#include <chrono>
#include <thread>

#include "ejournal/projections/catalog.h"

namespace ejournal::server {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

School::~School() {
  host.reset();
  domain.reset();
  vault.reset();
  log.reset();
}

Result<School> open_school(const std::string& data, const projections::HostOptions& host_options,
                           const domain::DomainOptions& domain_options) {
  School school;
  const auto t0 = std::chrono::steady_clock::now();
  auto log = log::open_event_log(data);
  if (!log.ok()) return Status(log.status().code(), "cannot open the log: " + log.status().message());
  school.log = std::move(*log);
  school.timings.open_log = seconds_since(t0);
  const auto t_vault = std::chrono::steady_clock::now();
  auto vault = domain::open_vault(data, *school.log);
  if (!vault.ok()) return Status(vault.status().code(), "cannot open the personal-data vault: " + vault.status().message());
  school.vault = std::move(*vault);
  school.timings.open_vault = seconds_since(t_vault);

  // The domain replays on a thread of its own while this one starts the projections.
  Result<std::unique_ptr<domain::Domain>> dom = Status(Code::internal, "the domain did not open");
  std::thread replaying([&] {
    const auto t = std::chrono::steady_clock::now();
    dom = domain::Domain::open(*school.log, *school.vault, domain_options);
    school.timings.domain = seconds_since(t);
  });
  const auto t_host = std::chrono::steady_clock::now();
  auto host = projections::ProjectionHost::start(*school.log, projections::all_projections(), host_options);
  school.timings.host = seconds_since(t_host);
  replaying.join();
  if (!dom.ok()) return Status(dom.status().code(), "cannot replay the journal: " + dom.status().message());
  school.domain = std::move(*dom);
  if (!host.ok()) return Status(host.status().code(), "cannot start the projections: " + host.status().message());
  school.host = std::move(*host);
  school.timings.total = seconds_since(t0);
  return school;
}

}  // namespace ejournal::server
