#include "ws_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <stdexcept>

namespace ejournal::testkit {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace json = boost::json;
using tcp = net::ip::tcp;

HttpReply http_get(std::uint16_t port, const std::string& target) {
  namespace http = beast::http;
  net::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  http::request<http::empty_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(socket, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res);
  beast::error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  return HttpReply{static_cast<int>(res.result_int()), std::string(res[http::field::content_type]), res.body()};
}

struct WsClient::Impl {
  net::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
};

WsClient::WsClient(std::uint16_t port) : WsClient(port, "") {}

WsClient::WsClient(std::uint16_t port, const std::string& source) : impl_(std::make_unique<Impl>()) {
  if (!source.empty()) {
    impl_->ws.next_layer().open(tcp::v4());
    impl_->ws.next_layer().bind(tcp::endpoint(net::ip::make_address(source), 0));
  }
  impl_->ws.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  impl_->ws.next_layer().set_option(tcp::no_delay(true));  // pipelined requests must not wait for ACKs
  impl_->ws.handshake("127.0.0.1", "/ws");
  impl_->ws.text(true);
}

WsClient::~WsClient() {
  beast::error_code ec;
  impl_->ws.close(websocket::close_code::normal, ec);
}

json::value WsClient::read_answer() {
  for (;;) {
    beast::flat_buffer buffer;
    impl_->ws.read(buffer);
    json::value v = json::parse(beast::buffers_to_string(buffer.data()));
    if (v.is_object() && v.get_object().contains("push")) {
      pushes_.push_back(std::move(v));
      continue;
    }
    return v;
  }
}

json::value WsClient::call(const std::string& op, const json::value& args, const std::string& command_id) {
  json::object req{{"id", next_id_++}, {"op", op}, {"args", args}};
  if (!command_id.empty()) req["command_id"] = command_id;
  impl_->ws.write(net::buffer(json::serialize(req)));
  json::value answer = read_answer();
  if (answer.at("id") != req.at("id")) throw std::runtime_error("answer for another request: " + json::serialize(answer));
  return answer;
}

json::value WsClient::raw(const std::string& text) {
  impl_->ws.write(net::buffer(text));
  return read_answer();
}

json::value WsClient::next_push() {
  while (pushes_.empty()) {
    beast::flat_buffer buffer;
    impl_->ws.read(buffer);
    json::value v = json::parse(beast::buffers_to_string(buffer.data()));
    if (v.is_object() && v.get_object().contains("push")) pushes_.push_back(std::move(v));
  }
  json::value v = pushes_.front();
  pushes_.pop_front();
  return v;
}

int WsClient::read_until_closed() {
  for (;;) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    impl_->ws.read(buffer, ec);
    if (ec) return impl_->ws.reason().code;
  }
}

json::value WsClient::next_frame() {
  if (!pushes_.empty()) {
    json::value v = pushes_.front();
    pushes_.pop_front();
    return v;
  }
  beast::flat_buffer buffer;
  impl_->ws.read(buffer);
  return json::parse(beast::buffers_to_string(buffer.data()));
}

void WsClient::send_only(const std::string& text) { impl_->ws.write(net::buffer(text)); }

std::size_t WsClient::count_until_closed() {
  std::size_t n = 0;
  for (;;) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    impl_->ws.read(buffer, ec);
    if (ec) return n;
    ++n;
  }
}

}  // namespace ejournal::testkit
