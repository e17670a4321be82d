// Personal data at rest (issue #23, part 8): a school with a pupil and a parent whose name, birth date, phone,
// address, e-mail and document are unique strings is served by the real ejournald, which is used — the pupil's
// card read, reports made in every format, a backup run onto two disks — then an archive is made and the
// server stopped. Then every file the journal keeps or leaves behind is searched for each of those strings in
// clear: the data directory, both backup disks, the archive, the server's log, and the temporary directory
// the server was given. (The protocol's answers and a report the user saves hold names by design.)
//
//   personal_data_scan
// Prints one JSON line: files and bytes searched, hits. Exit 0 when nothing is found (and the search itself
// finds a control file planted with one of the strings); 1 otherwise; 2 when it cannot run.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "child_process.h"
#include "ejournal/domain/passwords.h"
#include "ejournal/log/clock.h"
#include "school.h"
#include "ws_client.h"

using namespace ejournal;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

constexpr const char* kPassword = "Пароль-для-проверки-8";

int fail(const std::string& what) {
  std::cerr << "personal_data_scan: " << what << "\n";
  return 2;
}

bool ok(const json::value& v) { return v.is_object() && v.as_object().contains("ok") && v.at("ok").as_bool(); }

struct Scan {
  std::uint64_t files = 0, bytes = 0;
  std::vector<std::string> hits;  // "file: secret"
};

void scan(const fs::path& root, const std::vector<std::string>& secrets, Scan& out) {
  std::error_code ec;
  if (!fs::exists(root, ec)) return;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++out.files;
    out.bytes += bytes.size();
    for (const auto& s : secrets)
      if (bytes.find(s) != std::string::npos) out.hits.push_back(it->path().string() + ": " + s);
  }
}

}  // namespace

int main() {
  const fs::path root = fs::temp_directory_path() / ("ej-pd-scan-" + std::to_string(::getpid()));
  fs::remove_all(root);
  const fs::path disk_a = root / "disk-a", disk_b = root / "disk-b", archive = root / "archive", tmp = root / "tmp";
  for (const auto& d : {disk_a, disk_b, archive, tmp}) fs::create_directories(d);
  const fs::path server_log = root / "ejournald.log";

  domain::PersonalData pupil = testkit::person("Зыряновская", "Евлампия");
  pupil.patronymic = "Квирмундовна";
  pupil.birth_day = 15416;  // 2012-03-17
  pupil.address = "ул. Неповторимая, д. 17, кв. 4";
  pupil.phone = "+7 999 123-45-67";
  pupil.email = "evlampia.z@example.org";
  pupil.document = "II-МЮ 654321";
  domain::PersonalData parent = testkit::person("Зыряновский", "Агафангел");
  parent.phone = "+7 912 765-43-21";
  const std::vector<std::string> secrets = {pupil.last_name, pupil.first_name, pupil.patronymic, "2012-03-17",
                                            "17.03.2012",    pupil.address,    pupil.phone,      pupil.email,
                                            pupil.document,  parent.last_name, parent.first_name, parent.phone};

  std::string data;
  domain::UserId student = 0;
  domain::ClassId class_id = 0;
  {
    // Made five weeks ago, so that last month's archive holds it.
    testkit::School school(log::SystemClock().now() - 35LL * 86'400'000'000LL);
    student = school.must(school.teacher_a, domain::cmd::EnrollStudent{school.class_5a, testkit::kSep1, pupil});
    school.must(school.teacher_a, domain::cmd::AddParent{student, parent});
    auto hash = domain::hash_password(kPassword);
    if (!hash.ok()) return fail("hashing a password: " + hash.status().to_string());
    for (domain::UserId u : {school.deputy, school.admin})
      school.must(school.admin, domain::cmd::IssueCredential{u, *hash, false});
    class_id = school.class_5a;
    school.close();
    data = (root / "data").string();
    fs::copy(school.data_dir(), data, fs::copy_options::recursive);
  }

  std::string said;
  {
    const std::string cmd = "TMPDIR=" + tmp.string() + " exec " + EJOURNALD_PATH + " --data " + data +
                            " --listen 127.0.0.1:0 --backup-to " + disk_a.string() + " --backup-to " +
                            disk_b.string() + " --no-archive 2>" + server_log.string();
    testkit::ChildProcess server("/bin/sh", {"-c", cmd});
    std::string line;
    if (!server.read_line(line, 60'000)) return fail("ejournald did not start");
    const auto port = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
    testkit::WsClient deputy(port);
    if (!ok(deputy.call("auth.login", json::object{{"login", "deputy"}, {"password", kPassword}})))
      return fail("the deputy cannot sign in");
    const json::value card =
        deputy.call("people.personal_data", json::object{{"kind", "student"}, {"subject", student}});
    if (!ok(card) || card.at("result").at("data").at("phone").as_string() != pupil.phone)
      return fail("the pupil's card does not read back: " + json::serialize(card));
    (void)deputy.call("roster.class", json::object{{"class_id", class_id}});
    for (const char* kind : {"journal", "summary", "attendance"})
      for (const char* format : {"pdf", "xlsx", "csv"}) {
        const json::value r = deputy.call("report.make", json::object{{"kind", kind}, {"format", format}, {"class", "5А"}});
        if (!ok(r)) return fail(std::string("report.make ") + kind + " " + format + ": " + json::serialize(r));
      }
    testkit::WsClient admin(port);
    if (!ok(admin.call("auth.login", json::object{{"login", "admin"}, {"password", kPassword}})))
      return fail("the administrator cannot sign in");
    if (!ok(admin.call("backup.run", json::object{}))) return fail("backup.run was refused");
    bool done = false;
    for (int i = 0; i < 600 && !done; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const json::value st = admin.call("backup.status", json::object{});
      if (!ok(st)) continue;
      const auto& targets = st.at("result").at("targets").as_array();
      done = !st.at("result").at("running").as_bool() && targets.size() == 2;
      for (const auto& t : targets) done = done && t.at("ok").as_bool() && t.at("head").as_int64() > 0;
    }
    if (!done) return fail("the backup did not complete on both disks");
    server.terminate();
    server.wait();
  }
  // Last month's archive, made by the tool beside the stopped server.
  const std::string month = [] {
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm t = *std::gmtime(&now);
    t.tm_mon -= 1;
    if (t.tm_mon < 0) {
      t.tm_mon = 11;
      t.tm_year -= 1;
    }
    char buf[8];
    std::strftime(buf, sizeof buf, "%Y-%m", &t);
    return std::string(buf);
  }();
  const std::string archive_cmd = std::string(EJCTL_PATH) + " archive --data " + data + " --to " + archive.string() +
                                  " --month " + month + " >/dev/null 2>&1";
  if (std::system(archive_cmd.c_str()) != 0) return fail("ejctl archive failed: " + archive_cmd);

  // The search must be able to find what it looks for: a planted control file.
  const fs::path control = root / "control";
  fs::create_directories(control);
  std::ofstream(control / "planted.txt") << "x " << pupil.phone << " x";
  Scan planted;
  scan(control, secrets, planted);

  Scan found;
  for (const auto& d : {fs::path(data), disk_a, disk_b, archive, tmp}) scan(d, secrets, found);
  {
    std::ifstream in(server_log, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++found.files;
    found.bytes += bytes.size();
    for (const auto& s : secrets)
      if (bytes.find(s) != std::string::npos) found.hits.push_back(server_log.string() + ": " + s);
  }
  fs::remove_all(root);

  json::array hits;
  for (const auto& h : found.hits) hits.push_back(json::value(h));
  std::cout << json::serialize(json::object{{"files", found.files},
                                            {"bytes", found.bytes},
                                            {"secrets", secrets.size()},
                                            {"control_found", planted.hits.size()},
                                            {"hits", hits}})
            << "\n";
  if (planted.hits.size() != 1) return fail("the search did not find the planted control string");
  return found.hits.empty() ? 0 : 1;
}
