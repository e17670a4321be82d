// ejournald — until the WebSocket server lands (issue 5): opens the data directory the way the server will,
// creating the demo school first when asked to and the directory is empty, replays the journal into the
// domain, prints its state as one JSON line per record on stderr and the demo logins on stdout, and exits.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "ejournal/demo/demo_school.h"
#include "ejournal/domain/domain.h"
#include "ejournal/log/event_log.h"

namespace {

// A JSON string literal of `s` (quotes, backslashes and control characters escaped).
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void log_line(const char* level, const std::string& msg, const std::string& extra = "") {
  std::cerr << "{\"level\":\"" << level << "\",\"msg\":" << json_string(msg) << extra << "}\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "./data";
  std::string listen = "127.0.0.1:8080";
  bool demo = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
    else if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) listen = argv[++i];
    else if (std::strcmp(argv[i], "--demo") == 0) demo = true;
    else {
      std::cerr << "usage: ejournald [--data DIR] [--listen HOST:PORT] [--demo]\n";
      return 2;
    }
  }
  namespace fs = std::filesystem;
  std::error_code ec;
  if (demo && (!fs::exists(data, ec) || fs::is_empty(data, ec))) {
    log_line("info", "creating the demo school", ",\"data\":" + json_string(data));
    auto report = ejournal::demo::build_demo_school(data, {});
    if (!report.ok()) {
      log_line("error", "cannot create the demo school", ",\"error\":" + json_string(report.status().to_string()));
      return 1;
    }
    log_line("info", "demo school created", ",\"events\":" + std::to_string(report->events) +
                                                ",\"seconds\":" + std::to_string(report->seconds));
  }
  auto log = ejournal::log::open_event_log(data);
  if (!log.ok()) {
    log_line("error", "cannot open the log", ",\"error\":" + json_string(log.status().to_string()));
    return 1;
  }
  auto vault = ejournal::domain::open_vault(data, **log);
  if (!vault.ok()) {
    log_line("error", "cannot open the personal-data vault", ",\"error\":" + json_string(vault.status().to_string()));
    return 1;
  }
  auto domain = ejournal::domain::Domain::open(**log, **vault);
  if (!domain.ok()) {
    log_line("error", "cannot replay the journal", ",\"error\":" + json_string(domain.status().to_string()));
    return 1;
  }
  log_line("info", "journal replayed; the network server is not built yet (issue 5)",
           ",\"data\":" + json_string(data) + ",\"head\":" + std::to_string((*log)->head()) + ",\"listen\":" + json_string(listen));
  if (demo) {
    std::ifstream logins(data + "/demo-logins.txt");
    std::string line;
    std::cout << "Демо-пользователи (роль, логин, одноразовый пароль):\n";
    while (std::getline(logins, line))
      if (!line.empty() && line[0] != '#') std::cout << "  " << line << "\n";
  }
  return 0;
}
