// libFuzzer target: the protocol's request parsing and dispatch (server/api.h), signed in as each role of the
// test school — anonymous, teacher, another class's teacher, deputy, director, administrator, student,
// parent — over the real domain, log (RocksDB in a temporary directory) and projections. The first byte picks
// the connection, the rest is one text frame. Every frame must get exactly one answer, an object with
// "ok" (a frame never answered, or answered twice, is a defect), and nothing may crash or leak.
#include <cstddef>
#include <cstdint>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "api.h"
#include "ejournal/projections/catalog.h"
#include "metrics.h"
#include "school.h"
#include "services.h"

using namespace ejournal;

namespace {

class Connection final : public server::Client {
 public:
  void send(std::string text) override {
    std::lock_guard lock(answers_mu);
    answers.push_back(std::move(text));
    cv.notify_all();
  }
  const std::string& address() const override { return address_; }

  std::mutex answers_mu;
  std::condition_variable cv;
  std::vector<std::string> answers;

 private:
  std::string address_ = "127.0.0.1";
};

struct World {
  testkit::School school;
  std::unique_ptr<projections::ProjectionHost> host;
  std::unique_ptr<server::Services> services;
  server::Metrics metrics;
  std::unique_ptr<server::Api> api;
  std::vector<std::shared_ptr<Connection>> connections;
  std::vector<domain::UserId> roles;  // who each connection is signed in as
  std::vector<std::string> tokens;    // its session (an input may end it: signing out, a password reset)

  World() {
    host = std::move(projections::ProjectionHost::start(school.log(), projections::all_projections()).value());
    services = std::make_unique<server::Services>(server::Services{school.log(), school.domain(), *host, school.vault()});
    server::ApiOptions options;
    options.requests_per_second = 1e9;  // the fuzzer is one very fast client
    options.request_burst = 1e9;
    options.hashing_threads = 1;
    api = std::make_unique<server::Api>(*services, metrics, options);
    for (domain::UserId u : {domain::UserId{0}, school.teacher_a, school.teacher_b, school.deputy, school.director,
                             school.admin, school.student_a1, school.parent_a1}) {
      auto c = std::make_shared<Connection>();
      connections.push_back(std::move(c));
      roles.push_back(u);
      tokens.push_back(u == 0 ? std::string() : api->open_session(u));
    }
  }
  ~World() { api->stop(std::chrono::seconds(10)); }
};

World& world() {
  static World* w = new World();  // lives for the process: libFuzzer exits without running destructors
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  World& w = world();
  const std::size_t k = data[0] % w.connections.size();
  const auto& c = w.connections[k];
  const std::string_view frame(reinterpret_cast<const char*>(data) + 1, size - 1);
  // An earlier input may have signed in or out, or ended the role's session: every input starts as its role,
  // with a live session (every request of a signed-in connection checks it).
  if (w.roles[k] != 0 && !w.api->session_live(w.tokens[k])) w.tokens[k] = w.api->open_session(w.roles[k]);
  {
    std::lock_guard session(c->mu);
    c->user = w.roles[k];
    c->token = w.tokens[k];
    c->must_change_password = false;
  }
  {
    std::lock_guard lock(c->answers_mu);
    c->answers.clear();
  }
  w.api->handle(c, frame);
  std::unique_lock lock(c->answers_mu);
  // Commands are answered once durable, queries by their pool at once; a login's password check takes a
  // fraction of a second.
  if (!c->cv.wait_for(lock, std::chrono::seconds(20), [&] { return !c->answers.empty(); })) __builtin_trap();
  boost::system::error_code ec;
  const auto answer = boost::json::parse(c->answers.front(), ec);
  if (ec || !answer.is_object() || !answer.as_object().contains("ok")) __builtin_trap();
  // A subscription may push afterwards; anything else answered twice is a defect.
  lock.unlock();
  return 0;
}
