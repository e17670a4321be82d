// ejournald: opens the data directory (creating the demo school first with --demo when it is empty), brings
// the projections up to date, serves HTTP and the WebSocket protocol, and on SIGTERM or SIGINT stops
// accepting, answers what is in flight, writes projection snapshots and exits 0.
// Logs one JSON object per line on stderr.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "cli_options.h"
#include "ejournal/allocator.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/json_log.h"
#include "ejournal/log/event_log.h"
#include "ejournal/projections/accounts.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "backup_scheduler.h"
#include "open_school.h"
#include "server.h"

namespace {

namespace po = boost::program_options;
using namespace ejournal;

// The demo logins whose one-time password has not been changed yet.
void print_demo_logins(const std::string& data, projections::ProjectionHost& host) {
  std::ifstream in(data + "/demo-logins.txt");
  std::string line;
  std::cout << "Демо-пользователи (роль, логин, одноразовый пароль — сменить при первом входе):\n";
  int shown = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::size_t a = line.find('\t'), b = line.find('\t', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    const std::string login = line.substr(a + 1, b - a - 1);
    const bool still_one_time = host.read<projections::AccountsProjection>("accounts", [&](const projections::AccountsProjection& p) {
      const projections::Account* acc = p.by_login(login);
      return acc != nullptr && acc->one_time;
    });
    if (!still_one_time) continue;
    std::cout << "  " << line << "\n";
    ++shown;
  }
  if (shown == 0) std::cout << "  (все демо-пароли уже сменены)\n";
  std::cout.flush();
}

}  // namespace

int main(int argc, char** argv) {
  ejournal::tune_allocator();
  std::string data = "./data", listen = "127.0.0.1:8080", web_root;
  bool demo = false;
  server::ServerOptions options;
  std::uint64_t snapshot_every = 100'000;
  std::size_t idle_seconds = 300;
  server::BackupSchedule schedule;
  long backup_hours = 168;
  bool no_archive = false;
  po::options_description desc("ejournald");
  desc.add_options()("help,h", "this text")
      ("data", po::value(&data), "data directory (default ./data)")
      ("listen", po::value(&listen), "address:port (default 127.0.0.1:8080)")
      ("web-root", po::value(&web_root), "directory of the web client's files (default: none)")
      ("demo", po::bool_switch(&demo), "create the demo school when the data directory is empty")
      ("threads", po::value(&options.threads), "network threads (default 2)")
      ("max-frame-bytes", po::value(&options.max_frame_bytes), "largest WebSocket message (default 1 MiB)")
      ("max-connections", po::value(&options.max_connections), "open WebSocket connections (default 2000)")
      ("max-queued-bytes", po::value(&options.max_queued_bytes), "bytes queued for one client before it is dropped (default 8 MiB)")
      ("idle-seconds", po::value(&idle_seconds), "close a connection silent this long (default 300)")
      ("requests-per-second", po::value(&options.api.requests_per_second), "per connection (default 200)")
      ("snapshot-every", po::value(&snapshot_every), "projection snapshot every N events (default 100000)")
      ("backup-to", po::value(&schedule.targets), "a backup disk (its mount directory); repeat for the second")
      ("backup-every-hours", po::value(&backup_hours), "hours between backups (default 168: weekly)")
      ("no-archive", po::bool_switch(&no_archive), "do not archive each ended month onto the backup disks")
      ("backup-level", po::value(&schedule.zstd_level), "zstd level of backups, 1..19 (default 3)");
  po::variables_map vm;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto stop = cli::parse_options("ejournald", args, desc, vm)) return *stop;
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "ejournald: --listen must be address:port\n";
    return 2;
  }
  options.address = listen.substr(0, colon);
  try {
    options.port = static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    std::cerr << "ejournald: bad port in --listen\n";
    return 2;
  }
  options.web_root = web_root;
  options.idle_timeout = std::chrono::seconds(idle_seconds);

  // Signals are taken by a thread of ours (sigwait), never by a handler interrupting arbitrary code.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  namespace fs = std::filesystem;
  std::error_code ec;
  if (demo && (!fs::exists(data, ec) || fs::is_empty(data, ec))) {
    jlog::info("creating the demo school", {{"data", data}});
    auto report = demo::build_demo_school(data, {});
    if (!report.ok()) {
      jlog::error("cannot create the demo school", {{"error", report.status().to_string()}});
      return 1;
    }
    jlog::info("demo school created", {{"events", report->events}, {"seconds", report->seconds}});
  }
  projections::HostOptions host_options;
  host_options.snapshot_every = snapshot_every;
  auto school = server::open_school(data, host_options);
  if (!school.ok()) {
    jlog::error("cannot open the school", {{"error", school.status().to_string()}});
    return 1;
  }
  const server::School::Timings& took = school->timings;
  jlog::info("opened", {{"seconds", took.total}, {"log_seconds", took.open_log}, {"vault_seconds", took.open_vault},
                        {"domain_seconds", took.domain}, {"projections_seconds", took.host}});
  std::unique_ptr<server::BackupScheduler> backups;
  if (!schedule.targets.empty()) {
    if (backup_hours < 1 || schedule.zstd_level < 1 || schedule.zstd_level > 19) {
      std::cerr << "ejournald: --backup-every-hours must be at least 1 and --backup-level 1..19\n";
      return 2;
    }
    schedule.every = std::chrono::hours(backup_hours);
    schedule.archive_monthly = !no_archive;
    backups = std::make_unique<server::BackupScheduler>(data, *school->domain, schedule);
    jlog::info("backups scheduled", {{"targets", schedule.targets.size()}, {"every_hours", backup_hours}});
  }
  server::Services services{*school->log, *school->domain, *school->host, *school->vault, backups.get()};
  auto srv = server::Server::start(services, options);
  if (!srv.ok()) {
    jlog::error("cannot start the server", {{"error", srv.status().to_string()}});
    return 1;
  }
  jlog::info("listening", {{"address", options.address}, {"port", (*srv)->port()}, {"head", school->log->head()}});
  std::cout << "ejournald: http://" << options.address << ":" << (*srv)->port() << "/" << std::endl;
  if (demo) print_demo_logins(data, *school->host);

  int sig = 0;
  sigwait(&signals, &sig);
  jlog::info("stopping", {{"signal", sig}});
  (*srv)->stop();
  srv->reset();
  backups.reset();  // lets a running backup finish
  school->host.reset();  // writes the projections' snapshots
  school->domain.reset();
  jlog::info("stopped");
  return 0;
}
