#include "metrics.h"

#include <sstream>

namespace ejournal::server {

void Metrics::request(const std::string& op) {
  std::lock_guard lock(mu_);
  ++requests_[op];
}

void Metrics::error(const std::string& code) {
  std::lock_guard lock(mu_);
  ++errors_[code];
}

void Metrics::append_latency(double seconds) {
  std::lock_guard lock(mu_);
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  ++latency_[i];
  latency_sum_ += seconds;
  ++latency_count_;
}

std::string Metrics::render(std::uint64_t log_head, std::uint64_t applied, const std::string& extra) const {
  std::ostringstream out;
  out << "# HELP ejournal_connections Open WebSocket connections.\n# TYPE ejournal_connections gauge\n"
      << "ejournal_connections " << connections.load() << "\n"
      << "# TYPE ejournal_connections_total counter\nejournal_connections_total " << connections_total.load() << "\n"
      << "# TYPE ejournal_connections_refused_total counter\nejournal_connections_refused_total " << connections_refused.load() << "\n"
      << "# TYPE ejournal_pushes_total counter\nejournal_pushes_total " << pushes.load() << "\n"
      << "# TYPE ejournal_slow_clients_dropped_total counter\nejournal_slow_clients_dropped_total " << dropped_slow_clients.load() << "\n"
      << "# HELP ejournal_log_head Position of the newest durable record.\n# TYPE ejournal_log_head gauge\n"
      << "ejournal_log_head " << log_head << "\n"
      << "# HELP ejournal_projection_lag Records committed but not yet applied to the projections.\n"
      << "# TYPE ejournal_projection_lag gauge\nejournal_projection_lag " << (log_head > applied ? log_head - applied : 0) << "\n" << extra;
  std::lock_guard lock(mu_);
  out << "# HELP ejournal_requests_total Protocol requests by operation.\n# TYPE ejournal_requests_total counter\n";
  for (const auto& [op, n] : requests_) out << "ejournal_requests_total{op=\"" << op << "\"} " << n << "\n";
  out << "# HELP ejournal_errors_total Error answers by code.\n# TYPE ejournal_errors_total counter\n";
  for (const auto& [code, n] : errors_) out << "ejournal_errors_total{code=\"" << code << "\"} " << n << "\n";
  out << "# HELP ejournal_append_latency_seconds From a command's arrival to its durable answer.\n"
      << "# TYPE ejournal_append_latency_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += latency_[i];
    out << "ejournal_append_latency_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += latency_[kBuckets.size()];
  out << "ejournal_append_latency_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
      << "ejournal_append_latency_seconds_sum " << latency_sum_ << "\n"
      << "ejournal_append_latency_seconds_count " << latency_count_ << "\n";
  return out.str();
}

}  // namespace ejournal::server
