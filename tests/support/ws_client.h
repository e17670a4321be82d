// A blocking WebSocket client for the server tests and ej-bench ws: requests with ids, answers matched to them, pushes kept
// aside in arrival order. Thread-safety: one thread per client.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace ejournal::testkit {

// A plain HTTP GET on loopback.
struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
};
HttpReply http_get(std::uint16_t port, const std::string& target);

class WsClient {
 public:
  explicit WsClient(std::uint16_t port);
  // Connects from `source`, a loopback address other than 127.0.0.1 (127.0.0.2 …): a client at another
  // address, as the server sees it.
  WsClient(std::uint16_t port, const std::string& source);
  ~WsClient();

  // Sends {"id":n,"op":op,"args":args[,"command_id":cid]} and returns the answer with that id.
  boost::json::value call(const std::string& op, const boost::json::value& args, const std::string& command_id = "");
  // Sends raw text and returns the next answer (not a push).
  boost::json::value raw(const std::string& text);
  // The next push, waiting for it.
  boost::json::value next_push();
  const std::deque<boost::json::value>& pushes() const { return pushes_; }
  // Reads until the connection ends; returns the close code the server sent (0 if none).
  int read_until_closed();
  // Writes a frame without reading anything (a client that does not read).
  void send_only(const std::string& text);
  // The next answer (pushes are kept aside), for clients that pipeline with send_only().
  boost::json::value next_answer() { return read_answer(); }
  // The next frame of any kind.
  boost::json::value next_frame();
  // Reads frames until the connection ends; returns how many arrived.
  std::size_t count_until_closed();

 private:
  boost::json::value read_answer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::deque<boost::json::value> pushes_;
  std::int64_t next_id_ = 1;
};

}  // namespace ejournal::testkit
