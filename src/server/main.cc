// ejournald — placeholder until the WebSocket server lands (issue 5): opens the data directory's log the way
// the server will (creating it if empty), prints its head as one JSON line, and exits.
#include <cstdio>
#include <cstring>
#include <string>

#include "ejournal/log/event_log.h"

int main(int argc, char** argv) {
  std::string data = "./data";
  std::string listen = "127.0.0.1:8080";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--data") == 0 && i + 1 < argc) data = argv[++i];
    else if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) listen = argv[++i];
    else if (std::strcmp(argv[i], "--demo") == 0) continue;  // accepted; the demo school arrives with issue 3
    else {
      std::fprintf(stderr, "usage: ejournald [--data DIR] [--listen HOST:PORT] [--demo]\n");
      return 2;
    }
  }
  auto log = ejournal::log::open_event_log(data);
  if (!log.ok()) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"cannot open the log\",\"error\":\"%s\"}\n",
                 log.status().to_string().c_str());
    return 1;
  }
  std::printf("{\"level\":\"info\",\"msg\":\"log open; the network server is not built yet\",\"data\":\"%s\","
              "\"head\":%llu,\"listen\":\"%s\"}\n",
              data.c_str(), static_cast<unsigned long long>((*log)->head()), listen.c_str());
  return 0;
}
