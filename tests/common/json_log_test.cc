// The JSON logger: every line parses, whatever its texts hold.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ejournal/json_log.h"

using namespace ejournal;

TEST_CASE("a log line is one JSON object, its texts escaped, its fields in order", "[log][json]") {
  const std::string nasty = "кавычка \" обратная \\ черта,\nновая строка и\tтабуляция \x01";
  const std::string line = jlog::format(1'764'745'200'123'456, jlog::Level::warn, nasty,
                                        {{"error", nasty}, {"count", 3}, {"big", std::uint64_t{1} << 63}, {"ok", true}, {"rate", 0.5}});
  CHECK(line.find('\n') == std::string::npos);
  const boost::json::value v = boost::json::parse(line);
  CHECK(v.at("time") == "2025-12-03T07:00:00.123456Z");
  CHECK(v.at("level") == "warn");
  CHECK(v.at("msg") == nasty.c_str());
  CHECK(v.at("error") == nasty.c_str());
  CHECK(v.at("count").as_int64() == 3);
  CHECK(v.at("big").as_uint64() == std::uint64_t{1} << 63);
  CHECK(v.at("ok").as_bool());
  CHECK(v.at("rate").as_double() == 0.5);
  CHECK(line.find("\"time\"") < line.find("\"level\""));
  CHECK(line.find("\"error\"") < line.find("\"count\""));
}

TEST_CASE("lines written from many threads arrive whole", "[log][json]") {
  std::vector<std::string> lines;
  jlog::set_sink([&](std::string_view l) { lines.emplace_back(l); });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) jlog::info("шаг", {{"thread", t}, {"i", i}});
    });
  for (auto& th : threads) th.join();
  jlog::set_sink(nullptr);
  REQUIRE(lines.size() == 800);
  for (const auto& l : lines) {
    REQUIRE(l.back() == '\n');
    CHECK(boost::json::parse(l).at("msg") == "шаг");
  }
}
