// Disk full, for real (issue #23, part 3): the data directory lives on a small tmpfs mounted by the test; the
// disk is filled but for a little, and a teacher sets marks through the real ejournald until the disk runs out.
// Then: the server refuses with a clear error (never "ok" for a mark it did not write), refuses the next
// write too, keeps answering reads; when space returns and the server is started again, it takes writes, and
// the log holds every acknowledged mark exactly once with the chain whole. Then a backup onto two disks of
// which one is too small: the other completes and verifies, the full one is reported by name, and checking
// it gives a clear answer (no complete copy), never a crash.
//
//   disk_full      (needs to mount a tmpfs: root, or CAP_SYS_ADMIN; exit 77 — skipped — when it cannot)
// Prints one JSON line: marks acknowledged before the disk filled, the refusal, what came after.
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "child_process.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/event_log.h"
#include "school.h"
#include "ws_client.h"

using namespace ejournal;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kPassword = "Пароль-для-проверки-3";
constexpr int kSkipped = 77;

int fail(const std::string& what) {
  std::cerr << "disk_full: " << what << "\n";
  return 2;
}

bool ok(const json::value& v) { return v.is_object() && v.as_object().contains("ok") && v.at("ok").as_bool(); }

// Fills `dir`'s file system with 1 MiB files until it is full, then removes `leave_mib` of them.
std::vector<fs::path> fill(const fs::path& dir, int leave_mib) {
  std::vector<fs::path> files;
  const std::string chunk(1 << 20, 'f');
  for (int i = 0;; ++i) {
    const fs::path p = dir / ("filler-" + std::to_string(i));
    std::ofstream out(p, std::ios::binary);
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    out.flush();
    if (!out) {
      out.close();
      fs::remove(p);
      break;
    }
    files.push_back(p);
  }
  for (int i = 0; i < leave_mib && !files.empty(); ++i) {
    fs::remove(files.back());
    files.pop_back();
  }
  return files;
}

struct Server {
  testkit::ChildProcess process;
  std::uint16_t port = 0;
  explicit Server(const std::string& data)
      : process(EJOURNALD_PATH, {"--data", data, "--listen", "127.0.0.1:0", "--snapshot-every", "100000000"}) {
    std::string line;
    if (process.read_line(line, 60'000)) port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
  }
};

}  // namespace

int main() {
  const fs::path root = fs::temp_directory_path() / ("ej-disk-full-" + std::to_string(::getpid()));
  const fs::path disk = root / "disk";
  fs::create_directories(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=48m") != 0) {
    std::cout << "disk_full: skipped: cannot mount a tmpfs here (" << std::strerror(errno) << ")\n";
    fs::remove_all(root);
    return kSkipped;
  }
  int result = 0;
  json::object out;
  {
    ::setenv("TMPDIR", disk.c_str(), 1);  // the school's data directory is made on the small disk
    testkit::School s;
    ::unsetenv("TMPDIR");
    auto hash = domain::hash_password(kPassword);
    if (!hash.ok()) return fail("cannot hash the password");
    s.must(s.admin, domain::cmd::IssueCredential{s.teacher_a, *hash, false});
    const std::string data = s.data_dir();
    const auto lesson = s.lesson_5a;
    const auto work_type = s.answer;
    const domain::UserId students[2] = {s.student_a1, s.student_a2};
    s.close();

    struct Ack {
      log::Position position;
      domain::UserId student;
      int value;
    };
    std::vector<Ack> acked;
    std::string refusal_code, refusal_message, second_code;
    bool reads_ok = false;
    {
      Server server(data);
      if (server.port == 0) return fail("ejournald did not start");
      auto fillers = fill(disk, 1);
      testkit::WsClient c(server.port);
      if (!ok(c.call("auth.login", json::object{{"login", "teacher.a"}, {"password", kPassword}})))
        return fail("sign-in refused");
      for (int n = 0; n < 200'000; ++n) {
        const std::string id = "disk-full-" + std::to_string(n);
        const json::value a = c.call("set_mark", json::object{{"lesson", lesson}, {"student", students[n % 2]},
                                                              {"value", 2 + n % 4}, {"work_type", work_type}}, id);
        if (ok(a)) {
          acked.push_back(Ack{a.at("result").at("position").to_number<log::Position>(), students[n % 2], 2 + n % 4});
          std::this_thread::sleep_for(std::chrono::milliseconds(4));  // under the connection's request rate
          continue;
        }
        if (a.at("error").at("code").as_string() == "busy") {  // the rate limit: the same command again
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          --n;
          continue;
        }
        refusal_code = std::string(a.at("error").at("code").as_string());
        refusal_message = std::string(a.at("error").at("message").as_string());
        break;
      }
      const json::value again = c.call("set_mark", json::object{{"lesson", lesson}, {"student", students[0]},
                                                                {"value", 5}, {"work_type", work_type}}, "after-full");
      second_code = ok(again) ? "ok" : std::string(again.at("error").at("code").as_string());
      const json::value page = c.call("journal.page", json::object{{"class_id", s.class_5a}, {"subject", s.math}, {"term", s.q1}});
      reads_ok = ok(page);
      for (const auto& f : fillers) fs::remove(f);  // space returns
      server.process.kill_hard();
      server.process.wait();
    }
    bool recovered = false;
    {
      Server server(data);
      if (server.port != 0) {
        testkit::WsClient c(server.port);
        if (ok(c.call("auth.login", json::object{{"login", "teacher.a"}, {"password", kPassword}})))
          recovered = ok(c.call("set_mark", json::object{{"lesson", lesson}, {"student", students[1]}, {"value", 4},
                                                          {"work_type", work_type}}, "after-space-returned"));
        server.process.terminate();
        server.process.wait();
      }
    }

    // What the log holds: every acknowledged mark once, and the chain whole.
    std::uint64_t missing = 0, duplicated = 0;
    bool chain = false;
    {
      auto log = log::open_event_log(data);
      if (!log.ok()) return fail("cannot open the log afterwards: " + log.status().to_string());
      chain = (*log)->verify(1, (*log)->head()).value().ok();
      std::map<std::string, int> records;
      for (auto cur = (*log)->cursor(1); cur->valid(); cur->next()) {
        log::CommandId id;
        std::memcpy(id.bytes.data(), cur->envelope()->header()->command_id()->data(), id.bytes.size());
        ++records[id.to_hex()];
      }
      for (const Ack& a : acked) {
        auto r = (*log)->read(a.position);
        const auto* mark = r.ok() ? r->envelope()->event_as_MarkSet() : nullptr;
        if (mark == nullptr || mark->student() != a.student || static_cast<int>(mark->value()) != a.value) {
          ++missing;
          continue;
        }
        log::CommandId id;
        std::memcpy(id.bytes.data(), r->envelope()->header()->command_id()->data(), id.bytes.size());
        if (records[id.to_hex()] != 1) ++duplicated;
      }
    }
    // A backup disk that fills during the backup.
    const fs::path small = root / "small-backup-disk", big = root / "backup-disk";
    fs::create_directories(small);
    fs::create_directories(big);
    bool small_mounted = ::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=64k") == 0;
    int backup_exit = -1, big_verify = -1, small_verify = -1;
    bool small_named = false;
    if (small_mounted) {
      const std::string ejctl = EJCTL_PATH;
      const std::string log_file = (root / "backup.out").string();
      backup_exit = std::system((ejctl + " backup --data " + data + " --to " + big.string() + " --to " + small.string() +
                                 " >" + log_file + " 2>&1").c_str());
      std::ifstream in(log_file);
      const std::string said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      small_named = said.find("FAILED " + small.string()) != std::string::npos &&
                    said.find("OK " + big.string()) != std::string::npos;
      big_verify = std::system((ejctl + " verify --backup " + big.string() + " >/dev/null 2>&1").c_str());
      small_verify = std::system((ejctl + " verify --backup " + small.string() + " >/dev/null 2>&1").c_str());
      ::umount(small.c_str());
    }
    const auto exit_of = [](int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; };
    out = json::object{{"acked_before_full", acked.size()}, {"refusal_code", refusal_code},
                       {"refusal_message", refusal_message}, {"next_write", second_code}, {"reads_served", reads_ok},
                       {"recovered_after_restart", recovered}, {"missing", missing}, {"duplicated", duplicated},
                       {"chain_verifies", chain}, {"backup_exit", exit_of(backup_exit)},
                       {"full_backup_disk_named", small_named}, {"other_disk_verifies", exit_of(big_verify) == 0},
                       {"full_disk_verify_exit", exit_of(small_verify)}};
    // Clear to the teacher who sees it: in Russian, saying the mark is not saved, with the disk's reason.
    const bool clear = (refusal_code == "io_error" || refusal_code == "unavailable") &&
                       refusal_message.find("Запись не сохранена") != std::string::npos &&
                       refusal_message.find("No space left on device") != std::string::npos;
    if (acked.empty() || !clear || second_code != "unavailable" || !reads_ok || !recovered || missing != 0 ||
        duplicated != 0 || !chain)
      result = 1;
    // The full disk is reported (a failed run: exit 1 or 2), the other verifies, the full one is judged
    // (verify exits 1 or 2, with its reason) rather than crashing on what the run left there.
    if (small_mounted && (exit_of(backup_exit) == 0 || !small_named || exit_of(big_verify) != 0 ||
                          (exit_of(small_verify) != 1 && exit_of(small_verify) != 2)))
      result = 1;
  }
  ::umount(disk.c_str());
  fs::remove_all(root);
  std::cout << json::serialize(out) << "\n";
  return result;
}
