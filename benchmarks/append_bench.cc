// ej-bench append: durable appends per second through the group-commit writer.
//
// T threads each keep up to W commands in flight (append_async), as a server with many connections does;
// every command is one mark-sized event with its own command id. Latency is from submit to the durable
// callback. After the run the log is flushed and fully compacted, and bytes_per_event is the live table plus
// write-ahead log bytes divided by the events.
#include <atomic>
#include <iostream>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <boost/program_options.hpp>

#include "bench_util.h"
#include "cli_options.h"
#include "benches.h"
#include "ejournal/log/event_log.h"
#include "log/maintenance.h"
#include "testkit.h"

namespace ejournal::bench {
namespace po = boost::program_options;

int run_append(const std::vector<std::string>& args) {
  std::uint64_t events = 1'000'000;
  unsigned threads = 16;
  unsigned window = 64;
  po::options_description desc("ej-bench append");
  desc.add_options()("help,h", "this text")
      ("events", po::value(&events), "events to append (default 1,000,000)")
      ("threads", po::value(&threads), "appending threads (default 16)")
      ("window", po::value(&window), "commands each thread keeps in flight (default 64)");
  po::variables_map vm;
  if (auto stop = cli::parse_options("ej-bench append", args, desc, vm)) return *stop;
  if (threads == 0 || window == 0 || events == 0) {
    std::cerr << "events, threads and window must be positive\n";
    return 2;
  }

  testkit::TempDir dir;
  const std::string path = dir.sub("data");
  std::vector<double> latency_us(events);
  std::atomic<std::uint64_t> failures{0};
  double elapsed = 0;
  {
    auto opened = log::open_event_log(path);
    if (!opened.ok()) {
      std::cerr << opened.status().to_string() << "\n";
      return 2;
    }
    log::EventLog& log = **opened;
    const auto t0 = SteadyClock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        Window in_flight(window);
        for (std::uint64_t i = t; i < events; i += threads) {
          in_flight.acquire();
          const auto start = SteadyClock::now();
          log.append_async(testkit::sample_command(i), [&, i, start](Result<log::AppendResult> r) {
            latency_us[i] = std::chrono::duration<double, std::micro>(SteadyClock::now() - start).count();
            if (!r.ok()) failures.fetch_add(1);
            in_flight.release();
          });
        }
        in_flight.drain();
      });
    }
    for (auto& th : pool) th.join();
    elapsed = seconds_since(t0);
  }
  if (failures.load() != 0) {
    std::cerr << failures.load() << " appends failed\n";
    return 2;
  }
  auto size = log::compact_storage(path);
  if (!size.ok()) {
    std::cerr << size.status().to_string() << "\n";
    return 2;
  }
  const double p50 = quantile(latency_us, 0.50);
  const double p99 = quantile(latency_us, 0.99);
  JsonLine("append")
      .add("events", events)
      .add("threads", std::uint64_t{threads})
      .add("window", std::uint64_t{window})
      .add("events_per_s", static_cast<double>(events) / elapsed)
      .add("p50_us", p50)
      .add("p99_us", p99)
      .add("bytes_per_event", static_cast<double>(size->sst_bytes + size->wal_bytes) / static_cast<double>(events))
      .add("sst_bytes_per_event", static_cast<double>(size->sst_bytes) / static_cast<double>(events))
      .print();
  return 0;
}

}  // namespace ejournal::bench
