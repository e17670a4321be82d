#include "ejournal/status.h"

namespace ejournal {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::ok: return "ok";
    case Code::invalid_argument: return "invalid_argument";
    case Code::forbidden: return "forbidden";
    case Code::not_found: return "not_found";
    case Code::conflict: return "conflict";
    case Code::term_closed: return "term_closed";
    case Code::busy: return "busy";
    case Code::unsupported: return "unsupported";
    case Code::corruption: return "corruption";
    case Code::io_error: return "io_error";
    case Code::unavailable: return "unavailable";
    case Code::internal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (ok()) return "ok";
  std::string s(code_name(code_));
  s += ": ";
  s += message_;
  return s;
}

}  // namespace ejournal
