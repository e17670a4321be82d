// ej-bench ws: acknowledged commands per second through a real ejournald (started in this process on a
// loopback port, over the test school) from --clients WebSocket connections, each keeping a window of
// requests in flight; and the latency from a teacher's mark to the push at the subscribed parent.
#include <atomic>
#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "bench_util.h"
#include "benches.h"
#include "cli_options.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/projections/catalog.h"
#include "school.h"
#include "server.h"
#include "ws_client.h"

namespace ejournal::bench {
namespace po = boost::program_options;
namespace json = boost::json;
using namespace domain;

int run_ws(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "--mix") return run_ws_mix(args);
  unsigned clients = 64, window = 16, threads = 2;
  std::uint64_t snapshot_every = 100'000;
  double seconds = 10;
  po::options_description desc("ej-bench ws");
  desc.add_options()("help,h", "this text")("clients", po::value(&clients), "connections sending marks (default 64)")
      ("seconds", po::value(&seconds), "how long they send (default 10)")
      ("window", po::value(&window), "requests in flight per connection (default 16)")
      ("threads", po::value(&threads), "server network threads (default 2)")
      ("snapshot-every", po::value(&snapshot_every), "projection snapshots every N events (default 100,000, as ejournald)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench ws", args, desc, vm)) return *stop;
  if (clients == 0 || window == 0) return 2;

  testkit::School school;
  const std::string password = "Bench-password-1";
  auto hash = hash_password(password);
  if (!hash.ok()) return 2;
  for (UserId u : {school.teacher_a, school.teacher_b, school.parent_a1}) school.must(school.admin, cmd::IssueCredential{u, *hash, false});
  projections::HostOptions host_options;
  host_options.snapshot_every = snapshot_every;
  auto host = projections::ProjectionHost::start(school.log(), projections::all_projections(), host_options);
  if (!host.ok()) return 2;
  server::Services services{school.log(), school.domain(), **host, school.vault()};
  server::ServerOptions options;
  options.port = 0;
  options.threads = threads;
  options.api.requests_per_second = 1e9;
  options.api.request_burst = 1e9;
  auto srv = server::Server::start(services, options);
  if (!srv.ok()) {
    std::cerr << srv.status().to_string() << "\n";
    return 2;
  }
  const std::uint16_t port = (*srv)->port();
  auto token_of = [&](const std::string& login) {
    testkit::WsClient c(port);
    return c.call("auth.login", json::object{{"login", login}, {"password", password}}).at("result").at("token");
  };
  const json::value token_a = token_of("teacher.a"), token_b = token_of("teacher.b");
  const json::value token_parent = token_of("p" + std::to_string(school.parent_a1));

  // The parent follows student_a1's diary; a prober marks student_a1 once every 20 ms and notes when.
  using Clock = SteadyClock;
  std::mutex probe_mu;
  std::map<std::uint64_t, Clock::time_point> sent_at, pushed_at;
  std::atomic<bool> stop{false};
  testkit::WsClient parent(port);
  parent.call("auth.resume", json::object{{"token", token_parent}});
  parent.call("subscribe", json::object{{"topic", "diary"}, {"student", school.student_a1}});
  std::thread listener([&] {
    try {
      for (;;) {
        const json::value push = parent.next_push();
        const auto now = Clock::now();
        std::lock_guard lock(probe_mu);
        pushed_at[push.at("event").at("position").to_number<std::uint64_t>()] = now;
      }
    } catch (const std::exception&) {
      // the server closed the connection at the end
    }
  });
  std::thread prober([&] {
    testkit::WsClient c(port);
    c.call("auth.resume", json::object{{"token", token_a}});
    for (std::uint64_t n = 0; !stop.load(); ++n) {
      const auto t0 = Clock::now();
      const json::value a = c.call("set_mark", json::object{{"lesson", school.lesson_5a}, {"student", school.student_a1}, {"value", 5},
                                                            {"work_type", school.answer}}, "probe-" + std::to_string(n));
      if (!a.at("ok").as_bool()) continue;
      {
        std::lock_guard lock(probe_mu);
        sent_at[a.at("result").at("position").to_number<std::uint64_t>()] = t0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  std::atomic<std::uint64_t> acknowledged{0}, refused{0};
  std::string first_refusal;
  std::vector<std::vector<double>> latencies(clients);
  std::vector<std::thread> senders;
  const auto start = Clock::now();
  for (unsigned i = 0; i < clients; ++i) {
    senders.emplace_back([&, i] {
      const bool a = i % 2 == 0;
      testkit::WsClient c(port);
      c.call("auth.resume", json::object{{"token", a ? token_a : token_b}});
      const LessonId lesson = a ? school.lesson_5a : school.lesson_5b;
      const UserId student = a ? school.student_a2 : school.student_b1;
      std::vector<Clock::time_point> t0(window);
      std::uint64_t n = 0;
      while (!stop.load()) {
        for (unsigned k = 0; k < window; ++k) {
          t0[k] = Clock::now();
          c.send_only(json::serialize(json::object{
              {"id", k}, {"op", "set_mark"}, {"command_id", "ws-client-" + std::to_string(i) + "-" + std::to_string(n++)},
              {"args", json::object{{"lesson", lesson}, {"student", student}, {"value", 1 + n % 5}, {"work_type", school.answer}}}}));
        }
        for (unsigned k = 0; k < window; ++k) {
          const json::value answer = c.next_answer();
          const auto id = static_cast<std::size_t>(answer.at("id").to_number<std::int64_t>());
          latencies[i].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0[id]).count());
          if (answer.at("ok").as_bool()) {
            acknowledged.fetch_add(1);
          } else if (refused.fetch_add(1) == 0) {
            std::lock_guard lock(probe_mu);
            first_refusal = json::serialize(answer.at("error"));
          }
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  for (auto& t : senders) t.join();
  const double elapsed = seconds_since(start);
  prober.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the last pushes
  (*srv)->stop();
  listener.join();

  std::vector<double> all;
  for (auto& v : latencies) all.insert(all.end(), v.begin(), v.end());
  std::vector<double> push;
  for (const auto& [position, t0] : sent_at)
    if (auto it = pushed_at.find(position); it != pushed_at.end())
      push.push_back(std::chrono::duration<double, std::milli>(it->second - t0).count());
  JsonLine("ws")
      .add("clients", static_cast<std::uint64_t>(clients))
      .add("window", static_cast<std::uint64_t>(window))
      .add("seconds", elapsed)
      .add("commands_per_s", static_cast<double>(acknowledged.load()) / elapsed)
      .add("refused", refused.load())
      .add("first_refusal", first_refusal)
      .add("p50_ms", quantile(all, 0.5))
      .add("p99_ms", quantile(all, 0.99))
      .add("p999_ms", quantile(all, 0.999))
      .add("push_samples", static_cast<std::uint64_t>(push.size()))
      .add("push_p50_ms", quantile(push, 0.5))
      .add("push_p99_ms", quantile(push, 0.99))
      .print();
  return 0;
}

}  // namespace ejournal::bench
