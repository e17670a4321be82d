// The network layer: listener, HTTP sessions and WebSocket sessions on Boost.Beast (after the structure of
// Beast's advanced server: a strand per connection, asynchronous reads and a write queue per session).
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <thread>

#include "backup_scheduler.h"
#include "ejournal/json_log.h"
#include "server.h"

namespace ejournal::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

void log_error(const char* what, const beast::error_code& ec) { jlog::warn(what, {{"error", ec.message()}}); }

std::string content_type(const std::filesystem::path& p) {
  const std::string ext = p.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

// The file under `root` that `target` names, or "" when it names none (traversal, hidden files, no file).
std::string resolve(const std::string& root, std::string_view target) {
  if (root.empty()) return {};
  std::string path(target.substr(0, target.find('?')));
  if (path.empty() || path[0] != '/') return {};
  if (path.back() == '/') path += "index.html";
  // Only plain segments: no "..", no ".", no empty segments, no hidden files, no backslashes or NULs.
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view seg = std::string_view(path).substr(start, end - start);
    if (seg.empty() || seg[0] == '.' || seg.find('\\') != std::string_view::npos || seg.find('\0') != std::string_view::npos) return {};
    start = end + 1;
  }
  std::error_code ec;
  const std::filesystem::path full = std::filesystem::path(root) / path.substr(1);
  if (!std::filesystem::is_regular_file(full, ec)) return {};
  return full.string();
}

}  // namespace

struct Server::Impl {
  Services& services;
  ServerOptions options;
  Metrics metrics;
  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::unique_ptr<Api> api;  // after ioc: it goes first, and no worker of it can touch a session then
  std::vector<std::thread> threads;

  class WsSession;
  std::mutex sessions_mu;
  std::set<std::shared_ptr<WsSession>> sessions;

  std::mutex done_mu;
  std::condition_variable done_cv;
  bool done = false;
  std::atomic<bool> stopping{false};

  Impl(Services& s, ServerOptions o) : services(s), options(std::move(o)) {}

  // ------------------------------------------------------------------------------------------ WebSocket
  // What the protocol layer holds of a session: a weak link. Replies waiting on the log or on password
  // hashing, and the hub's pushes, never keep a session (and its socket) alive, so a session always ends on
  // the network side, never on some worker thread after the io_context is gone.
  class Link final : public Client {
   public:
    Link(std::weak_ptr<WsSession> session, std::string address) : session_(std::move(session)), address_(std::move(address)) {}
    // Queues a text frame (any thread); past the cap on queued bytes the client is dropped instead.
    void send(std::string text) override {
      if (auto s = session_.lock()) s->send(std::move(text));
    }
    const std::string& address() const override { return address_; }

   private:
    std::weak_ptr<WsSession> session_;
    std::string address_;
  };

  class WsSession : public std::enable_shared_from_this<WsSession> {
   public:
    WsSession(Impl& server, tcp::socket&& socket, std::string address)
        : server_(server), ws_(std::move(socket)), address_(std::move(address)) {}

    void run(http::request<http::string_body> req) {
      link_ = std::make_shared<Link>(weak_from_this(), address_);
      websocket::stream_base::timeout t;
      t.handshake_timeout = std::chrono::seconds(30);
      t.idle_timeout = server_.options.idle_timeout;
      t.keep_alive_pings = false;  // idle means: nothing received from the client for that long
      ws_.set_option(t);
      ws_.read_message_max(server_.options.max_frame_bytes);
      ws_.text(true);
      ws_.async_accept(req, beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
    }

    // Queues a text frame (any thread). A client whose unread frames would pass the cap on queued bytes is
    // dropped instead — but a frame into an empty queue is always taken, whatever its size: a client that
    // reads must get an answer bigger than the cap (a long journal page, a report), not lose its connection.
    void send(std::string text) {
      const std::size_t n = text.size();
      const std::size_t before = queued_.fetch_add(n);
      if (before > 0 && before + n > server_.options.max_queued_bytes) {
        queued_.fetch_sub(n);
        if (!dropped_.exchange(true)) {
          server_.metrics.dropped_slow_clients.fetch_add(1);
          net::post(ws_.get_executor(), [self = shared_from_this()] { self->drop(); });
        }
        return;
      }
      net::post(ws_.get_executor(), [self = shared_from_this(), text = std::move(text)]() mutable {
        self->outbox_.push_back(std::move(text));
        if (!self->writing_) self->write_next();
      });
    }

    // Closes with a normal close frame (on the session's strand).
    void close() {
      net::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->closing_) return;
        self->closing_ = true;
        self->ws_.async_close(websocket::close_code::going_away, [self](beast::error_code) {});
      });
    }

   private:
    void on_accept(beast::error_code ec) {
      if (ec) return finish();
      read();
    }
    void read() {
      ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
    }
    void on_read(beast::error_code ec, std::size_t) {
      if (ec) return finish();  // closed, idle, too big (Beast closes with 1009), or a network error
      if (!ws_.got_text()) {
        buffer_.consume(buffer_.size());
        send("{\"id\":null,\"ok\":false,\"error\":{\"code\":\"invalid_argument\",\"message\":\"Ожидается текстовый кадр с JSON\"}}");
        return read();
      }
      const std::string text = beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
      server_.api->handle(link_, text);
      read();
    }
    void write_next() {
      writing_ = true;
      ws_.async_write(net::buffer(outbox_.front()), beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
    }
    void on_write(beast::error_code ec, std::size_t) {
      queued_.fetch_sub(outbox_.front().size());
      outbox_.pop_front();
      writing_ = false;
      if (ec) return finish();
      if (!outbox_.empty()) write_next();
    }
    void drop() {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(ws_).close();
    }
    void finish() {
      if (finished_) return;
      finished_ = true;
      server_.api->closed(link_);
      server_.metrics.connections.fetch_sub(1);
      std::lock_guard lock(server_.sessions_mu);
      server_.sessions.erase(shared_from_this());
    }

    Impl& server_;
    websocket::stream<beast::tcp_stream> ws_;
    std::string address_;
    std::shared_ptr<Link> link_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    std::atomic<std::size_t> queued_{0};
    std::atomic<bool> dropped_{false};
    bool writing_ = false;
    bool closing_ = false;
    bool finished_ = false;
  };

  // ------------------------------------------------------------------------------------------ HTTP
  class HttpSession : public std::enable_shared_from_this<HttpSession> {
   public:
    HttpSession(Impl& server, tcp::socket&& socket) : server_(server), stream_(std::move(socket)) {}
    void run() { net::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::read, shared_from_this())); }

   private:
    void read() {
      parser_.emplace();
      parser_->header_limit(16 * 1024);
      parser_->body_limit(64 * 1024);
      stream_.expires_after(std::chrono::seconds(30));
      http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream) return shutdown();
      if (ec) return;
      http::request<http::string_body> req = parser_->release();
      if (websocket::is_upgrade(req)) {
        if (req.target() != "/ws") return respond(req, http::status::not_found, "text/plain; charset=utf-8", "not found\n");
        if (server_.stopping.load() ||
            static_cast<std::size_t>(server_.metrics.connections.load()) >= server_.options.max_connections) {
          server_.metrics.connections_refused.fetch_add(1);
          return respond(req, http::status::service_unavailable, "text/plain; charset=utf-8", "too many connections\n");
        }
        beast::error_code aec;
        const auto endpoint = stream_.socket().remote_endpoint(aec);
        const std::string address = aec ? std::string("?") : endpoint.address().to_string();
        stream_.expires_never();
        auto session = std::make_shared<WsSession>(server_, stream_.release_socket(), address);
        server_.metrics.connections.fetch_add(1);
        server_.metrics.connections_total.fetch_add(1);
        {
          std::lock_guard lock(server_.sessions_mu);
          server_.sessions.insert(session);
        }
        session->run(std::move(req));
        return;
      }
      if (req.method() != http::verb::get && req.method() != http::verb::head)
        return respond(req, http::status::method_not_allowed, "text/plain; charset=utf-8", "method not allowed\n");
      const std::string_view target(req.target().data(), req.target().size());
      if (target == "/healthz") return respond(req, http::status::ok, "text/plain; charset=utf-8", "ok\n");
      if (target == "/metrics")
        return respond(req, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                       server_.metrics.render(server_.services.log.head(), server_.services.host.applied(),
                                              server_.services.backups != nullptr ? server_.services.backups->metrics() : std::string()));
      const std::string file = resolve(server_.options.web_root, target == "/" ? std::string_view("/index.html") : target);
      if (file.empty()) return respond(req, http::status::not_found, "text/plain; charset=utf-8", "not found\n");
      std::ifstream in(file, std::ios::binary);
      std::ostringstream body;
      body << in.rdbuf();
      respond(req, http::status::ok, content_type(file), body.str());
    }

    void respond(const http::request<http::string_body>& req, http::status status, const std::string& type, std::string body) {
      auto res = std::make_shared<http::response<http::string_body>>(status, req.version());
      res->set(http::field::server, "ejournald");
      res->set(http::field::content_type, type);
      res->set("X-Content-Type-Options", "nosniff");
      res->set(http::field::cache_control, "no-store");
      res->keep_alive(req.keep_alive());
      if (req.method() != http::verb::head) res->body() = std::move(body);
      res->prepare_payload();
      http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
        if (ec) return;
        if (!res->keep_alive()) return self->shutdown();
        self->read();
      });
    }

    void shutdown() {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    Impl& server_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
  };

  // ------------------------------------------------------------------------------------------ listener
  void accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
        log_error("accept failed", ec);
      } else {
        // Answers and pushes are small frames written one after another: without TCP_NODELAY, Nagle's
        // algorithm holds each behind the peer's delayed ACK (~40 ms).
        beast::error_code nodelay;
        socket.set_option(tcp::no_delay(true), nodelay);
        std::make_shared<HttpSession>(*this, std::move(socket))->run();
      }
      accept();
    });
  }
};

Result<std::unique_ptr<Server>> Server::start(Services& services, ServerOptions options) {
  auto impl = std::make_unique<Impl>(services, std::move(options));
  Impl& s = *impl;
  s.api = std::make_unique<Api>(services, s.metrics, s.options.api);
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.address, ec);
  if (ec) return Status(Code::invalid_argument, "bad listen address " + s.options.address);
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.open(endpoint.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(endpoint, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status(Code::unavailable, "cannot listen on " + s.options.address + ":" + std::to_string(s.options.port) + ": " + ec.message());
  s.accept();
  for (unsigned i = 0; i < std::max(1u, s.options.threads); ++i) s.threads.emplace_back([&s] { s.ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { stop(); }

std::uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

Metrics& Server::metrics() { return impl_->metrics; }

void Server::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return wait();
  net::post(s.ioc, [&s] {
    beast::error_code ec;
    s.acceptor.close(ec);
  });
  s.api->stop(std::chrono::seconds(10));  // answers in flight still go out: the sessions are open
  std::vector<std::shared_ptr<Impl::WsSession>> open;
  {
    std::lock_guard lock(s.sessions_mu);
    open.assign(s.sessions.begin(), s.sessions.end());
  }
  for (auto& session : open) session->close();
  // Give close handshakes a moment, then stop the loop whatever remains.
  for (int i = 0; i < 50 && s.metrics.connections.load() > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
  {
    std::lock_guard lock(s.sessions_mu);
    s.sessions.clear();
  }
  std::lock_guard lock(s.done_mu);
  s.done = true;
  s.done_cv.notify_all();
}

void Server::wait() {
  std::unique_lock lock(impl_->done_mu);
  impl_->done_cv.wait(lock, [&] { return impl_->done; });
}

}  // namespace ejournal::server
