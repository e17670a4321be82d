// ej-bench ws-reads: a teacher's journal page over the wire while deputies loop as-of queries over old years
// (issue #21's goal: the page's p99 stays ≤ 5 ms). A real ejournald in this process, on a loopback port, over
// a demo school of several years (built here, or --data: a copy, since a deputy's password is written into it).
// Prints one JSON line: the page's p50/p99 alone, then under the as-of load, and the as-of queries answered.
#include <atomic>
#include <boost/json.hpp>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/roster.h"
#include "server.h"
#include "testkit.h"
#include "ws_client.h"

namespace ejournal::bench {
namespace po = boost::program_options;
namespace json = boost::json;

namespace {

// One journal page to ask for: a class-wide assignment's class and subject in one term of its year.
struct PageTarget {
  json::object args;
  domain::YearId year = 0;
};

std::vector<PageTarget> page_targets(const projections::RosterProjection& r) {
  std::vector<PageTarget> out;
  for (const auto& [id, a] : r.assignments()) {
    if (a.group != 0) continue;
    const auto c = r.classes().find(a.class_id);
    if (c == r.classes().end()) continue;
    for (const auto& [tid, t] : r.terms()) {
      if (t.year != c->second.year || c->second.grade < t.grade_from || c->second.grade > t.grade_to) continue;
      json::object args{{"class_id", a.class_id}, {"subject", a.subject}, {"term", tid}};
      // As of the term's last day: the page as it stood then (for the current year's, now).
      args["as_of_day"] = domain::format_day(t.last_day);
      out.push_back({std::move(args), t.year});
    }
  }
  return out;
}

double quantile_of(std::vector<double> v, double q) { return quantile(v, q); }

}  // namespace

int run_ws_reads(const std::vector<std::string>& args) {
  std::string data;
  int years = 3;
  unsigned slow_clients = 1;
  double seconds = 10;
  po::options_description desc("ej-bench ws-reads");
  desc.add_options()("help,h", "this text")("years", po::value(&years), "demo years to build (default 3)")
      ("data", po::value(&data), "an existing demo school instead (a copy: a deputy's password is written into it)")
      ("slow-clients", po::value(&slow_clients), "deputies looping as-of queries over old years (default 1)")
      ("seconds", po::value(&seconds), "how long each phase runs (default 10)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench ws-reads", args, desc, vm)) return *stop;

  testkit::TempDir dir;
  if (data.empty()) {
    demo::DemoOptions o;
    o.years = years;
    o.issue_credentials = false;
    data = dir.sub("data");
    auto built = demo::build_demo_school(data, o);
    if (!built.ok()) {
      std::cerr << built.status().to_string() << "\n";
      return 2;
    }
  }
  auto log = log::open_event_log(data);
  if (!log.ok()) return std::cerr << log.status().to_string() << "\n", 2;
  auto vault = domain::open_vault(data, **log);
  if (!vault.ok()) return std::cerr << vault.status().to_string() << "\n", 2;
  auto dom = domain::Domain::open(**log, **vault);
  if (!dom.ok()) return std::cerr << dom.status().to_string() << "\n", 2;
  const std::string password = "Bench-password-1";
  auto hash = domain::hash_password(password);
  if (!hash.ok()) return 2;
  // The administrator is user 1 and the first deputy ("zavuch1") user 3 in every demo school.
  if (auto r = (*dom)->execute(1, log::CommandId::random(), domain::cmd::IssueCredential{3, *hash, false}); !r.ok())
    return std::cerr << r.status().to_string() << "\n", 2;
  const auto started = SteadyClock::now();
  auto host = projections::ProjectionHost::start(**log, projections::all_projections());
  if (!host.ok()) return std::cerr << host.status().to_string() << "\n", 2;
  const double host_start_s = seconds_since(started);
  std::vector<PageTarget> targets = (*host)->read<projections::RosterProjection>(
      "roster", [](const projections::RosterProjection& r) { return page_targets(r); });
  domain::YearId newest = 0;
  for (const auto& t : targets) newest = std::max(newest, t.year);
  std::vector<json::object> current, old;
  for (auto& t : targets) {
    json::object a = t.args;
    const json::value day = a["as_of_day"];
    a.erase("as_of_day");
    if (t.year == newest) {
      current.push_back(a);
    } else {
      a["as_of"] = day;
      old.push_back(std::move(a));
    }
  }
  if (current.empty() || old.empty()) {
    std::cerr << "ej-bench ws-reads: the school needs at least two years (--years 2 or more)\n";
    return 2;
  }

  server::Services services{**log, **dom, **host, **vault};
  server::ServerOptions options;
  options.port = 0;
  options.api.requests_per_second = 1e9;
  options.api.request_burst = 1e9;
  auto srv = server::Server::start(services, options);
  if (!srv.ok()) return std::cerr << srv.status().to_string() << "\n", 2;
  const std::uint16_t port = (*srv)->port();
  // One sign-in (Argon2id, and one at a time per login); every connection resumes its session.
  json::value token;
  {
    testkit::WsClient c(port);
    const json::value in = c.call("auth.login", json::object{{"login", "zavuch1"}, {"password", password}});
    if (!in.at("ok").as_bool()) {
      std::cerr << "ej-bench ws-reads: cannot sign in as the demo deputy: " << json::serialize(in) << "\n";
      return 2;
    }
    token = in.at("result").at("token");
  }
  const auto signed_in = [&] {
    auto c = std::make_unique<testkit::WsClient>(port);
    c->call("auth.resume", json::object{{"token", token}});
    return c;
  };

  // The teacher's side: one page after another, each timed.
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> page_errors{0};
  std::mutex error_mu;
  std::string first_error;
  const auto note_error = [&](const json::value& answer, const json::object& asked) {
    std::lock_guard lock(error_mu);
    if (first_error.empty()) first_error = json::serialize(asked) + " → " + json::serialize(answer.at("error"));
  };
  const auto pages = [&](std::vector<double>& latencies) {
    auto c = signed_in();
    std::size_t k = 0;
    while (!stop.load()) {
      const auto t0 = SteadyClock::now();
      const json::object& asked = current[k++ % current.size()];
      const json::value a = c->call("journal.page", asked);
      latencies.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
      if (!a.at("ok").as_bool()) {
        page_errors.fetch_add(1);
        note_error(a, asked);
      }
    }
  };
  std::vector<double> alone, loaded;
  {
    std::thread t([&] { pages(alone); });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    t.join();
  }
  // The deputies' side: as-of pages of old years, at random, so the as-of cache seldom has them.
  stop = false;
  std::atomic<std::uint64_t> slow_answered{0}, slow_busy{0}, slow_errors{0};
  std::vector<std::vector<double>> slow_latencies(slow_clients);
  std::vector<std::thread> deputies;
  for (unsigned i = 0; i < slow_clients; ++i) {
    deputies.emplace_back([&, i] {
      auto c = signed_in();
      std::mt19937_64 rng(i + 1);
      while (!stop.load()) {
        const auto t0 = SteadyClock::now();
        const json::object& asked = old[rng() % old.size()];
        const json::value a = c->call("journal.page", asked);
        slow_latencies[i].push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count());
        if (a.at("ok").as_bool()) {
          slow_answered.fetch_add(1);
        } else if (a.at("error").at("code") == "busy") {
          slow_busy.fetch_add(1);
        } else {
          slow_errors.fetch_add(1);
          note_error(a, asked);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the deputies' first queries under way
  {
    std::thread t([&] { pages(loaded); });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    t.join();
  }
  for (auto& t : deputies) t.join();
  (*srv)->stop();
  std::vector<double> slow;
  for (auto& v : slow_latencies) slow.insert(slow.end(), v.begin(), v.end());
  JsonLine("ws_reads")
      .add("events", (*log)->head())
      .add("host_start_s", host_start_s)
      .add("slow_clients", static_cast<std::uint64_t>(slow_clients))
      .add("page_alone_n", static_cast<std::uint64_t>(alone.size()))
      .add("page_alone_p50_ms", quantile_of(alone, 0.5))
      .add("page_alone_p99_ms", quantile_of(alone, 0.99))
      .add("page_loaded_n", static_cast<std::uint64_t>(loaded.size()))
      .add("page_loaded_p50_ms", quantile_of(loaded, 0.5))
      .add("page_loaded_p99_ms", quantile_of(loaded, 0.99))
      .add("page_errors", page_errors.load())
      .add("asof_answered", slow_answered.load())
      .add("asof_busy", slow_busy.load())
      .add("asof_errors", slow_errors.load())
      .add("asof_p50_ms", quantile_of(slow, 0.5))
      .add("asof_p99_ms", quantile_of(slow, 0.99))
      .add("first_error", first_error)
      .print();
  return page_errors.load() == 0 && slow_errors.load() == 0 ? 0 : 1;
}

}  // namespace ejournal::bench
