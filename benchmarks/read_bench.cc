// ej-bench read: sequential read + decode of the whole log, as a projection replay does it.
//
// Builds a log of N mark events, flushes and compacts it so that everything is read from table files,
// reopens it, then times full cursor passes (the first with a cold block cache; the median is reported): each record is fetched, checked with the
// FlatBuffers verifier, and its mark is decoded.
#include <iostream>

#include <boost/program_options.hpp>

#include "bench_util.h"
#include "cli_options.h"
#include "benches.h"
#include "ejournal/log/event_log.h"
#include "log/maintenance.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;


int run_read(const std::vector<std::string>& args) {
  std::uint64_t events = 1'000'000;
  unsigned passes = 5;
  std::string data;
  po::options_description desc("ej-bench read");
  desc.add_options()("help,h", "this text")
      ("events", po::value(&events), "events in the log (default 1,000,000)")
      ("passes", po::value(&passes), "full passes over the log; the median is reported (default 5)")
      ("data", po::value(&data), "read this existing data directory as it is instead (not compacted)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench read", args, desc, vm)) return *stop;
  testkit::TempDir dir;
  const std::string path = data.empty() ? dir.sub("data") : data;
  if (data.empty()) {
    if (auto s = fill_sample_log(path, 0, events); !s.ok()) {
      std::cerr << s.to_string() << "\n";
      return 2;
    }
    if (auto s = log::compact_storage(path); !s.ok()) {
      std::cerr << s.status().to_string() << "\n";
      return 2;
    }
  }
  auto opened = log::open_event_log(path);
  if (!opened.ok()) {
    std::cerr << opened.status().to_string() << "\n";
    return 2;
  }
  if (!data.empty()) events = (*opened)->head();
  if (passes == 0) passes = 1;
  std::vector<double> rates;
  std::uint64_t n = 0, value_sum = 0, bytes = 0;
  for (unsigned pass = 0; pass < passes; ++pass) {
    n = value_sum = bytes = 0;
    const auto t0 = SteadyClock::now();
    auto c = (*opened)->cursor(1);
    for (; c->valid(); c->next()) {
      const auto* mark = c->envelope()->event_as_MarkSet();
      if (mark != nullptr) value_sum += mark->value();
      bytes += c->bytes().size();
      ++n;
    }
    const double elapsed = seconds_since(t0);
    if (!c->status().ok() || n != events) {
      std::cerr << "read " << n << " of " << events << ": " << c->status().to_string() << "\n";
      return 2;
    }
    rates.push_back(static_cast<double>(n) / elapsed);
  }
  const double bytes_per_record = static_cast<double>(bytes) / static_cast<double>(n);
  std::vector<double> sorted = rates;
  const double median = quantile(sorted, 0.5);
  JsonLine("read")
      .add("events", n)
      .add("passes", std::uint64_t{passes})
      .add("events_per_s", median)
      .add("min_events_per_s", sorted.front())
      .add("max_events_per_s", sorted.back())
      .add("mb_per_s", median * bytes_per_record / 1e6)
      .add("mean_value", static_cast<double>(value_sum) / static_cast<double>(n))
      .print();
  return 0;
}

}  // namespace ejournal::bench
