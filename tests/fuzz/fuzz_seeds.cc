// Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from real data: the test school's log
// (every kind of record it holds), sealed segments of it, each projection's snapshot, a backup of it, and a
// request for every example in docs/protocol.md, for three of the fuzzer's connections.
//   fuzz_seeds CORPUS_DIR
// The files are committed; run it again (make fuzz-seeds) when a format or the protocol changes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <string>

#include "domain/write_model.h"
#include "ejournal/backup/backup.h"
#include "ejournal/log/snapshot_frame.h"
#include "ejournal/projections/catalog.h"
#include "ejournal/projections/host.h"
#include "log/sealed_segment.h"
#include "school.h"

using namespace ejournal;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& dir, const std::string& name, std::string_view bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds CORPUS_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  testkit::School school;
  log::EventLog& log = school.log();

  // Records: up to three of each kind of event.
  std::map<int, int> kinds;
  std::vector<std::string> records;
  for (auto c = log.cursor(1); c->valid(); c->next()) {
    records.emplace_back(c->bytes());
    const int kind = static_cast<int>(c->envelope()->event_type());
    if (kinds[kind]++ < 3) write(out / "fuzz_envelope", "record-" + std::to_string(c->position()), c->bytes());
  }

  // Sealed segments of the first records, of a few sizes.
  for (std::size_t n : {1u, 7u, 64u}) {
    log::SegmentBuilder b(1);
    for (std::size_t i = 0; i < n && i < records.size(); ++i) b.add(records[i]);
    write(out / "fuzz_sealed_segment", "segment-" + std::to_string(n), b.seal());
  }

  // Snapshots: each projection's state at the head, framed as stored (the first byte picks the projection).
  const auto catalogue = projections::all_projections();
  for (std::size_t k = 0; k < catalogue.size(); ++k) {
    auto& p = *catalogue[k];
    for (auto c = log.cursor(1); c->valid(); c->next()) p.apply(projections::view_of(c->position(), c->bytes()));
    const std::string framed = projections::stored_snapshot(p, log.head());
    write(out / "fuzz_snapshot", std::string(p.name()), std::string(1, static_cast<char>(k)) + framed);
  }

  // The domain's write model, framed as stored (picked by the byte after the projections').
  {
    domain::WriteModel model;
    for (auto c = log.cursor(1); c->valid(); c->next())
      model.apply(*c->envelope(), static_cast<domain::UserId>(c->envelope()->header()->actor()));
    write(out / "fuzz_snapshot", "write_model",
          std::string(1, static_cast<char>(catalogue.size())) + log::frame_snapshot(log.head(), model.snapshot()));
  }

  // A backup's files: the manifest (0), a segment file (1), the keys file (2).
  const fs::path disk = fs::temp_directory_path() / ("ej-fuzz-seeds-" + std::to_string(::getpid()));
  fs::remove_all(disk);
  fs::create_directories(disk);
  auto report = backup::backup(log, school.data_dir(), {disk.string()});
  if (!report.ok() || !report->ok()) {
    std::cerr << "fuzz_seeds: the backup failed: "
              << (report.ok() ? report->targets.front().status.to_string() : report.status().to_string()) << "\n";
    return 1;
  }
  for (const auto& e : fs::recursive_directory_iterator(disk)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    const char which = name.starts_with("manifest") ? 0 : name.starts_with("seg-") ? 1 : name.starts_with("keys") ? 2 : -1;
    if (which >= 0) write(out / "fuzz_backup", name, std::string(1, which) + slurp(e.path()));
  }
  fs::remove_all(disk);

  // Requests: every example of docs/protocol.md's tables, as a teacher (1), the deputy (3), the administrator (5).
  const std::string doc = slurp(EJ_PROTOCOL_DOC);
  const std::regex row(R"(\| `([a-z_.]+)` \| `(\{[^`]*\})`)");
  int n = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), row); it != std::sregex_iterator(); ++it) {
    std::string args = (*it)[2];
    if (const auto arrow = args.find(" → "); arrow != std::string::npos) args.resize(arrow);
    const std::string frame = R"({"id":)" + std::to_string(++n) + R"(,"op":")" + std::string((*it)[1]) +
                              R"(","command_id":"seed-)" + std::to_string(n) + R"(","args":)" + args + "}";
    for (char role : {1, 3, 5}) write(out / "fuzz_protocol", "request-" + std::to_string(n) + "-" + std::to_string(role),
                                      std::string(1, role) + frame);
  }
  std::cout << "fuzz_seeds: " << records.size() << " records, " << kinds.size() << " kinds, " << n << " requests\n";
  return 0;
}
