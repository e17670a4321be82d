// ej-bench ws-many: many parents' connections held open, each following a child's diary, while teachers set
// marks (issue #21's goal: 10,000 connections, 64 teachers, push p99 ≤ 50 ms, RSS bounded, no connection that
// reads dropped). The real ejournald runs as a child process over a demo school built here; the parents'
// connections are asynchronous Beast clients on one thread of this process, the teachers blocking clients on
// threads of their own. Prints one JSON line: connections held and lost, pushes delivered, their latency from
// the mark's request to each parent's receipt, and the server's RSS before and with the connections.
#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "bench_school.h"
#include "bench_util.h"
#include "benches.h"
#include "child_process.h"
#include "cli_options.h"
#include "testkit.h"
#include "ws_client.h"

namespace ejournal::bench {
namespace po = boost::program_options;
namespace json = boost::json;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

double server_metric(std::uint16_t port, const std::string& name) {
  const auto page = testkit::http_get(port, "/metrics").body;
  const auto at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

// What the parents' side shares: when each mark was requested (by log position), and every push's latency.
struct Deliveries {
  std::mutex mu;
  std::map<std::uint64_t, SteadyClock::time_point> requested;  // position → when its set_mark was sent
  std::map<std::uint64_t, std::uint64_t> student_of;           // position → the pupil it marked
  std::vector<std::pair<std::uint64_t, SteadyClock::time_point>> received;  // position, when a parent got it
  std::atomic<std::uint64_t> subscribed{0}, failed{0}, closed{0};
};

// One parent's connection: resume the session, subscribe to the child's diary, then read pushes until closed.
class Parent : public std::enable_shared_from_this<Parent> {
 public:
  Parent(net::io_context& ioc, Deliveries& d, std::string token, domain::UserId child)
      : ws_(ioc), d_(d), token_(std::move(token)), child_(child) {}

  void start(const tcp::endpoint& server) {
    ws_.next_layer().async_connect(server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->fail();
      self->ws_.async_handshake("127.0.0.1", "/ws", [self](beast::error_code ec2) {
        if (ec2) return self->fail();
        self->send(json::object{{"id", 1}, {"op", "auth.resume"}, {"args", json::object{{"token", self->token_}}}});
      });
    });
  }
  void close() {
    beast::error_code ignored;
    ws_.next_layer().socket().close(ignored);
  }

 private:
  void send(const json::object& request) {
    out_ = json::serialize(request);
    ws_.async_write(net::buffer(out_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->fail();
      self->read();
    });
  }
  void read() {
    ws_.async_read(in_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->d_.closed.fetch_add(1);
        return;
      }
      self->on_frame();
    });
  }
  void on_frame() {
    const auto now = SteadyClock::now();
    boost::system::error_code ec;
    json::value v = json::parse(beast::buffers_to_string(in_.data()), ec);
    in_.consume(in_.size());
    if (ec || !v.is_object()) return fail();
    const json::object& o = v.get_object();
    if (o.contains("push")) {
      if (const json::value* e = o.if_contains("event"); e != nullptr && e->is_object())
        if (const json::value* p = e->get_object().if_contains("position"); p != nullptr && p->is_number()) {
          std::lock_guard lock(d_.mu);
          d_.received.emplace_back(p->to_number<std::uint64_t>(), now);
        }
      return read();
    }
    if (!o.contains("ok") || !o.at("ok").as_bool()) return fail();
    if (stage_++ == 0) {
      return send(json::object{{"id", 2}, {"op", "subscribe"}, {"args", json::object{{"topic", "diary"}, {"student", child_}}}});
    }
    if (stage_ == 2) d_.subscribed.fetch_add(1);
    read();
  }
  void fail() { d_.failed.fetch_add(1); }

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer in_;
  std::string out_;
  Deliveries& d_;
  std::string token_;
  domain::UserId child_;
  int stage_ = 0;
};


}  // namespace

int run_ws_many(const std::vector<std::string>& args) {
  unsigned connections = 10'000, teachers = 64, students = 300;
  double seconds = 20, marks_per_teacher_s = 2;
  std::string server_path = EJ_BENCH_EJOURNALD;
  po::options_description desc("ej-bench ws-many");
  desc.add_options()("help,h", "this text")("connections", po::value(&connections), "parents' connections (default 10,000)")
      ("teachers", po::value(&teachers), "teachers' connections setting marks (default 64)")
      ("rate", po::value(&marks_per_teacher_s), "marks per second per teacher (default 2)")
      ("students", po::value(&students), "pupils of the demo school (default 300)")
      ("seconds", po::value(&seconds), "how long the teachers mark (default 20)")
      ("server", po::value(&server_path), "the ejournald to run");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench ws-many", args, desc, vm)) return *stop;
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < connections + teachers + 100) {
    std::cerr << "ej-bench ws-many: only " << files.rlim_cur << " file descriptors\n";
    return 2;
  }

  // The school, with one password for every parent and teacher (hashed once).
  testkit::TempDir dir;
  const std::string data = dir.sub("data");
  auto school = build_bench_school(data, students);
  if (!school.ok()) return std::cerr << "ej-bench ws-many: " << school.status().to_string() << "\n", 2;
  const auto& families = school->families;
  const auto& teacher_logins = school->teacher_logins;
  const auto& teacher_ids = school->teacher_ids;
  const auto& marked_classes = school->marked_classes;

  testkit::ChildProcess server(server_path, {"--data", data, "--listen", "127.0.0.1:0", "--max-connections",
                                             std::to_string(connections + teachers + 100)});
  std::string line;
  if (!server.read_line(line, 120'000)) return std::cerr << "ej-bench ws-many: ejournald did not start\n", 2;
  const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  const double rss_idle = server_metric(port, "process_resident_memory_bytes");

  const std::size_t parents_used = std::min<std::size_t>(families.size(), connections);
  std::vector<std::string> parent_logins;
  for (std::size_t i = 0; i < parents_used; ++i) parent_logins.push_back("p" + std::to_string(families[i].first));
  const auto sign_in_started = SteadyClock::now();
  const std::vector<std::string> parent_tokens = sign_in_all(port, parent_logins);
  const std::vector<std::string> teacher_tokens = sign_in_all(port, teacher_logins);
  const double sign_in_s = seconds_since(sign_in_started);

  // The parents' connections, opened a few hundred at a time.
  Deliveries d;
  net::io_context ioc;
  auto work = net::make_work_guard(ioc);
  std::thread io([&] { ioc.run(); });
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  std::vector<std::shared_ptr<Parent>> parents;
  const auto open_started = SteadyClock::now();
  for (unsigned i = 0; i < connections; ++i) {
    const std::size_t f = i % parents_used;
    if (parent_tokens[f].empty()) continue;
    auto p = std::make_shared<Parent>(ioc, d, parent_tokens[f], families[f].second);
    net::post(ioc, [p, endpoint] { p->start(endpoint); });
    parents.push_back(std::move(p));
    while (d.subscribed.load() + d.failed.load() + 400 < parents.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (d.subscribed.load() + d.failed.load() < parents.size() && seconds_since(open_started) < 120)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const double open_s = seconds_since(open_started);
  const double rss_connected = server_metric(port, "process_resident_memory_bytes");

  // The teachers: each marks the pupils of one of its pages, at a steady rate.
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> marks{0}, mark_errors{0};
  std::string first_error;
  const auto note_error = [&](const std::string& what) {
    std::lock_guard lock(d.mu);
    if (first_error.empty()) first_error = what;
  };
  std::vector<std::thread> marking;
  for (unsigned t = 0; t < teachers; ++t)
    marking.emplace_back([&, t] {
      try {
        testkit::WsClient c(port);
        const std::size_t k = t % teacher_tokens.size();
        if (!c.call("auth.resume", json::object{{"token", teacher_tokens[k]}}).at("ok").as_bool()) return mark_errors.fetch_add(1), void();
        const TeacherPage target = teacher_page(c, teacher_ids[k], marked_classes);
        if (target.lessons.empty()) return note_error("no page with lessons for teacher " + std::to_string(teacher_ids[k])), mark_errors.fetch_add(1), void();
        std::mt19937_64 rng(t + 1);
        const auto period = std::chrono::duration<double>(1.0 / marks_per_teacher_s);
        auto next_at = SteadyClock::now();
        for (std::uint64_t n = 0; !stop.load(); ++n) {
          std::this_thread::sleep_until(next_at);
          next_at += std::chrono::duration_cast<SteadyClock::duration>(period);
          const auto sent = SteadyClock::now();
          const std::uint64_t student = target.students[rng() % target.students.size()];
          const json::value a = c.call("set_mark", json::object{{"lesson", target.lessons[rng() % target.lessons.size()]},
                                                                {"student", student},
                                                                {"value", 2 + static_cast<int>(rng() % 4)}, {"work_type", 1}},
                                       "many-" + std::to_string(t) + "-" + std::to_string(n));
          if (!a.at("ok").as_bool()) {
            mark_errors.fetch_add(1);
            note_error(json::serialize(a));
            continue;
          }
          marks.fetch_add(1);
          std::lock_guard lock(d.mu);
          const auto position = a.at("result").at("position").to_number<std::uint64_t>();
          d.requested[position] = sent;
          d.student_of[position] = student;
        }
      } catch (const std::exception& e) {
        note_error(e.what());
        mark_errors.fetch_add(1);
      }
    });
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const double rss_marking = server_metric(port, "process_resident_memory_bytes");
  stop = true;
  for (auto& t : marking) t.join();
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the last pushes
  const double dropped = server_metric(port, "ejournal_slow_clients_dropped_total");
  const std::uint64_t closed_before_end = d.closed.load();
  for (auto& p : parents) net::post(ioc, [p] { p->close(); });
  work.reset();
  server.terminate();
  server.wait();
  ioc.stop();
  io.join();

  // Every mark is due once at each connection following its pupil's diary.
  std::map<std::uint64_t, std::uint64_t> followers;  // pupil → connections subscribed to the diary
  for (unsigned i = 0; i < connections; ++i)
    if (!parent_tokens[i % parents_used].empty()) ++followers[families[i % parents_used].second];
  std::uint64_t expected = 0;
  std::vector<double> latency;
  {
    std::lock_guard lock(d.mu);
    for (const auto& [position, student] : d.student_of) expected += followers[student];
    for (const auto& [position, at] : d.received)
      if (auto it = d.requested.find(position); it != d.requested.end())
        latency.push_back(std::chrono::duration<double, std::milli>(at - it->second).count());
  }
  JsonLine("ws_many")
      .add("connections", static_cast<std::uint64_t>(parents.size()))
      .add("subscribed", d.subscribed.load())
      .add("failed", d.failed.load())
      .add("closed_by_server", closed_before_end)
      .add("dropped_slow", dropped)
      .add("families", static_cast<std::uint64_t>(parents_used))
      .add("teachers", static_cast<std::uint64_t>(teachers))
      .add("sign_in_s", sign_in_s)
      .add("open_s", open_s)
      .add("marks", marks.load())
      .add("mark_errors", mark_errors.load())
      .add("first_error", first_error)
      .add("pushes_due", expected)
      .add("pushes_received", static_cast<std::uint64_t>(latency.size()))
      .add("push_p50_ms", quantile(latency, 0.5))
      .add("push_p99_ms", quantile(latency, 0.99))
      .add("push_max_ms", quantile(latency, 1.0))
      .add("rss_idle_mb", rss_idle / (1 << 20))
      .add("rss_connected_mb", rss_connected / (1 << 20))
      .add("rss_marking_mb", rss_marking / (1 << 20))
      .print();
  return d.failed.load() == 0 && closed_before_end == 0 && mark_errors.load() == 0 && latency.size() == expected ? 0 : 1;
}

}  // namespace ejournal::bench
