#include "metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace ejournal::server {
namespace {

const char* kind_word(std::size_t k) {
  static const char* kWords[] = {"write", "query", "as_of"};
  return kWords[k];
}

// The process_… series, as Prometheus's own client libraries name them, from /proc/self.
void process_series(std::ostringstream& out, double start_time_seconds) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  double cpu = 0;
  std::uint64_t vsize = 0;
  std::int64_t rss_pages = 0;
  {
    std::ifstream stat("/proc/self/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    // Fields after the command name, which is in brackets and may hold spaces: field 3 is the state.
    const auto close = text.rfind(')');
    if (close != std::string::npos) {
      std::istringstream fields(text.substr(close + 2));
      std::string f;
      for (int i = 3; fields >> f; ++i) {
        if (i == 14) cpu += std::stod(f) / ticks;        // utime
        else if (i == 15) cpu += std::stod(f) / ticks;   // stime
        else if (i == 23) vsize = std::stoull(f);
        else if (i == 24) rss_pages = std::stoll(f);
      }
    }
  }
  std::uint64_t fds = 0;
  if (DIR* d = ::opendir("/proc/self/fd")) {
    while (const dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') ++fds;
    ::closedir(d);
    if (fds > 0) --fds;  // the directory stream itself
  }
  std::uint64_t max_fds = 0;
  {
    std::ifstream limits("/proc/self/limits");
    std::string line;
    while (std::getline(limits, line))
      if (line.rfind("Max open files", 0) == 0) {
        std::istringstream l(line.substr(14));
        l >> max_fds;
      }
  }
  out << "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      << "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total " << cpu << "\n"
      << "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      << "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "
      << rss_pages * ::sysconf(_SC_PAGESIZE) << "\n"
      << "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
      << "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes " << vsize << "\n"
      << "# HELP process_open_fds Number of open file descriptors.\n"
      << "# TYPE process_open_fds gauge\nprocess_open_fds " << fds << "\n"
      << "# HELP process_max_fds Maximum number of open file descriptors.\n"
      << "# TYPE process_max_fds gauge\nprocess_max_fds " << max_fds << "\n"
      << "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
      << "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds " << start_time_seconds << "\n";
}

}  // namespace

Metrics::Metrics() {
  // The process's start, not this object's: /proc/self/stat field 22 is in clock ticks after boot.
  const auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  start_time_seconds_ = now;
  std::ifstream stat("/proc/self/stat"), uptime("/proc/uptime");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  double up = 0;
  const auto close = text.rfind(')');
  if (close != std::string::npos && (uptime >> up)) {
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    for (int i = 3; fields >> f; ++i)
      if (i == 22) {
        start_time_seconds_ = now - up + std::stod(f) / static_cast<double>(::sysconf(_SC_CLK_TCK));
        break;
      }
  }
}

void Metrics::request(const std::string& op) {
  std::lock_guard lock(mu_);
  ++requests_[op];
}

void Metrics::error(const std::string& code) {
  std::lock_guard lock(mu_);
  ++errors_[code];
}

void Metrics::request_latency(RequestKind kind, double seconds) {
  std::lock_guard lock(mu_);
  Histogram& h = latency_[static_cast<std::size_t>(kind)];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++h.counts[i];
  h.sum += seconds;
  ++h.count;
}

std::string Metrics::render(std::uint64_t log_head, std::uint64_t applied, const std::string& extra) const {
  std::ostringstream out;
  out.precision(15);  // the stream's default of 6 digits would print a start time of 1.79628e+09
  out << "# HELP ejournal_connections Open WebSocket connections.\n# TYPE ejournal_connections gauge\n"
      << "ejournal_connections " << connections.load() << "\n"
      << "# HELP ejournal_connections_total WebSocket connections accepted since the start.\n"
      << "# TYPE ejournal_connections_total counter\nejournal_connections_total " << connections_total.load() << "\n"
      << "# HELP ejournal_connections_refused_total Connections refused because --max-connections were open.\n"
      << "# TYPE ejournal_connections_refused_total counter\nejournal_connections_refused_total " << connections_refused.load() << "\n"
      << "# HELP ejournal_push_position Log position up to which every subscription push has been sent.\n"
      << "# TYPE ejournal_push_position gauge\nejournal_push_position " << pushed_through.load() << "\n"
      << "# HELP ejournal_pushes_total Subscription pushes sent.\n"
      << "# TYPE ejournal_pushes_total counter\nejournal_pushes_total " << pushes.load() << "\n"
      << "# HELP ejournal_slow_clients_dropped_total Clients disconnected for leaving over --max-queued-bytes unread.\n"
      << "# TYPE ejournal_slow_clients_dropped_total counter\nejournal_slow_clients_dropped_total " << dropped_slow_clients.load() << "\n"
      << "# HELP ejournal_log_head Position of the newest durable record.\n# TYPE ejournal_log_head gauge\n"
      << "ejournal_log_head " << log_head << "\n"
      << "# HELP ejournal_projection_lag Records committed but not yet applied to the projections.\n"
      << "# TYPE ejournal_projection_lag gauge\nejournal_projection_lag " << (log_head > applied ? log_head - applied : 0) << "\n" << extra;
  process_series(out, start_time_seconds_);
  std::lock_guard lock(mu_);
  out << "# HELP ejournal_requests_total Protocol requests by operation.\n# TYPE ejournal_requests_total counter\n";
  for (const auto& [op, n] : requests_) out << "ejournal_requests_total{op=\"" << op << "\"} " << n << "\n";
  out << "# HELP ejournal_errors_total Error answers by code.\n# TYPE ejournal_errors_total counter\n";
  for (const auto& [code, n] : errors_) out << "ejournal_errors_total{code=\"" << code << "\"} " << n << "\n";
  out << "# HELP ejournal_request_duration_seconds From a request's arrival to its answer (a write: to its durable answer), "
         "by kind: write, query, as_of.\n"
      << "# TYPE ejournal_request_duration_seconds histogram\n";
  for (std::size_t k = 0; k < latency_.size(); ++k) {
    const Histogram& h = latency_[k];
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.counts[i];
      out << "ejournal_request_duration_seconds_bucket{kind=\"" << kind_word(k) << "\",le=\"" << kBuckets[i] << "\"} "
          << cumulative << "\n";
    }
    cumulative += h.counts[kBuckets.size()];
    out << "ejournal_request_duration_seconds_bucket{kind=\"" << kind_word(k) << "\",le=\"+Inf\"} " << cumulative << "\n"
        << "ejournal_request_duration_seconds_sum{kind=\"" << kind_word(k) << "\"} " << h.sum << "\n"
        << "ejournal_request_duration_seconds_count{kind=\"" << kind_word(k) << "\"} " << h.count << "\n";
  }
  return out.str();
}

}  // namespace ejournal::server
