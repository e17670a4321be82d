// Personal data never sits in clear anywhere in the data directory, and erasing a person makes their data
// unreadable while the log stays whole.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>

#include <catch2/catch.hpp>

#include "school.h"

using namespace ejournal;
using namespace ejournal::domain;
namespace fs = std::filesystem;

namespace {

// Every file under `dir` that contains `needle`, byte for byte.
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.find(needle) != std::string::npos) hits.push_back(entry.path().string());
  }
  return hits;
}

// The sealed record of the newest PersonalDataRecorded for a subject.
std::string newest_sealed(log::EventLog& log, DataSubject kind, UserId subject) {
  std::string sealed;
  for (auto c = log.cursor(1); c->valid(); c->next()) {
    const auto* e = c->envelope()->event_as_PersonalDataRecorded();
    if (e != nullptr && e->subject_kind() == kind && e->subject() == subject)
      sealed.assign(reinterpret_cast<const char*>(e->sealed()->data()), e->sealed()->size());
  }
  return sealed;
}

}  // namespace

TEST_CASE("names and contacts are nowhere in the data directory in clear", "[domain][personal-data]") {
  testkit::School s;
  PersonalData p = testkit::person("Зыряновский", "Евлампий");
  p.patronymic = "Qwertyuiopzxcv";
  p.address = "ул. Неповторимая, 17";
  p.phone = "+7 999 123-45-67";
  p.document = "II-МЮ 654321";
  const UserId student = s.must(s.teacher_a, cmd::EnrollStudent{s.class_5a, testkit::kSep1, p});
  const UserId parent = s.must(s.teacher_a, cmd::AddParent{student, testkit::person("Зыряновская", "Аграфена")});

  // Whatever RocksDB keeps in memtables, WAL, table files or logs: search it all, also after a flush.
  s.reopen();
  for (const std::string& secret : {p.last_name, p.first_name, p.patronymic, p.address, p.phone, p.document,
                                    std::string("Зыряновская"), std::string("Аграфена")}) {
    INFO(secret);
    CHECK(files_containing(s.data_dir(), secret).empty());
  }
  // Those allowed can still read it back.
  auto back = s.vault().open(DataSubject::Student, student, newest_sealed(s.log(), DataSubject::Student, student));
  REQUIRE(back.ok());
  CHECK(*back == p);
  auto parent_back = s.vault().open(DataSubject::Parent, parent, newest_sealed(s.log(), DataSubject::Parent, parent));
  REQUIRE(parent_back.ok());
  CHECK(parent_back->first_name == "Аграфена");

  SECTION("a sealed record cannot be passed off as another person's") {
    auto moved = s.vault().open(DataSubject::Student, s.student_a1, newest_sealed(s.log(), DataSubject::Student, student));
    CHECK_FALSE(moved.ok());
  }
}

TEST_CASE("erasing a student destroys their key, while the events stay and the chain verifies", "[domain][personal-data]") {
  testkit::School s;
  const std::string sealed = newest_sealed(s.log(), DataSubject::Student, s.student_a2);
  REQUIRE(s.vault().open(DataSubject::Student, s.student_a2, sealed).ok());
  const auto head_before = s.log().head();

  CHECK(s.run(s.teacher_a, cmd::ErasePersonalData{DataSubject::Student, s.student_a2, "x"}).status().code() ==
        Code::forbidden);
  REQUIRE(s.run(s.admin, cmd::ErasePersonalData{DataSubject::Student, s.student_a2, "срок хранения истёк"}).ok());

  auto gone = s.vault().open(DataSubject::Student, s.student_a2, sealed);
  CHECK(gone.status().code() == Code::not_found);
  CHECK(newest_sealed(s.log(), DataSubject::Student, s.student_a2) == sealed);  // the event is still there
  CHECK(s.log().head() == head_before + 1);
  auto report = s.log().verify(1, s.log().head());
  REQUIRE(report.ok());
  CHECK(report->ok());
  CHECK(s.run(s.teacher_a, cmd::RecordPersonalData{DataSubject::Student, s.student_a2, testkit::person("А", "Б")})
            .status()
            .code() == Code::conflict);

  s.reopen();  // and it stays erased
  CHECK(s.vault().open(DataSubject::Student, s.student_a2, sealed).status().code() == Code::not_found);
  CHECK(s.vault().open(DataSubject::Student, s.student_a1, newest_sealed(s.log(), DataSubject::Student, s.student_a1)).ok());
}

TEST_CASE("the master key file is private to its owner", "[domain][personal-data]") {
  testkit::School s;
  const fs::path key = fs::path(s.data_dir()) / "master.key";
  REQUIRE(fs::exists(key));
  CHECK((fs::status(key).permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  CHECK(fs::file_size(key) == 32);
  fs::permissions(key, fs::perms::others_read, fs::perm_options::add);
  CHECK(open_vault(s.data_dir(), s.log()).status().code() == Code::forbidden);
}

TEST_CASE("a birth date before 1970 is accepted; one outside 1900-2100 is refused", "[domain][personal-data]") {
  testkit::School s;
  Day born = 0;
  REQUIRE(parse_day("1965-03-08", &born));
  PersonalData older = testkit::person("Петрова", "Галина");
  older.birth_day = born;
  CHECK(s.run(s.teacher_a, cmd::AddParent{s.student_a1, older}).ok());
  REQUIRE(parse_day("1899-12-31", &born));
  PersonalData too_old = testkit::person("Петров", "Иван");
  too_old.birth_day = born;
  const auto refused = s.run(s.teacher_a, cmd::AddParent{s.student_a1, too_old});
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == Code::invalid_argument);
}

namespace {

void flip_master_key_bit(const std::string& dir, int byte, int bit) {
  const std::string path = dir + "/master.key";
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(byte);
  char c = 0;
  f.get(c);
  f.seekp(byte);
  f.put(static_cast<char>(c ^ (1 << bit)));
}

}  // namespace

TEST_CASE("a master key that opens nothing is refused at open, never shown as blank names", "[domain][personal-data]") {
  testkit::School s;
  const std::string dir = s.data_dir();
  s.close();
  {
    auto log = log::open_event_log(dir);
    REQUIRE(log.ok());
    auto keys = (*log)->wrapped_keys();
    REQUIRE(keys.ok());
    CHECK(std::any_of(keys->begin(), keys->end(), [](const auto& k) { return k.first == "check/master"; }));
    auto reader_check = domain::check_vault(dir, **log);
    REQUIRE(reader_check.ok());
    CHECK(reader_check->ok());
    CHECK(reader_check->has_check_value);
    CHECK(reader_check->keys > 0);
  }

  SECTION("one flipped bit of master.key") {
    flip_master_key_bit(dir, 17, 3);
    auto log = log::open_event_log(dir);
    REQUIRE(log.ok());
    auto vault = open_vault(dir, **log);
    REQUIRE_FALSE(vault.ok());
    CHECK(vault.status().code() == Code::corruption);
    CHECK_THAT(vault.status().message(), Catch::Contains("master.key does not open"));
    CHECK(open_vault_for_reading(dir, **log).status().code() == Code::corruption);
    CHECK(check_vault(dir, **log).status().code() == Code::corruption);
  }
  SECTION("master.key missing while wrapped keys exist: never replaced by a new one") {
    fs::remove(dir + "/master.key");
    auto log = log::open_event_log(dir);
    REQUIRE(log.ok());
    auto vault = open_vault(dir, **log);
    CHECK(vault.status().code() == Code::not_found);
    CHECK_FALSE(fs::exists(dir + "/master.key"));
  }
  SECTION("a directory made before check values: its keys are tried, then the check value is stored") {
    {
      auto log = log::open_event_log(dir);
      REQUIRE(log.ok());
      REQUIRE((*log)->key_store().destroy("check/master").ok());
    }
    SECTION("the right master key") {
      auto log = log::open_event_log(dir);
      REQUIRE(log.ok());
      REQUIRE(open_vault(dir, **log).ok());
      CHECK((*log)->key_store().get("check/master")->has_value());
    }
    SECTION("a changed one") {
      flip_master_key_bit(dir, 0, 0);
      auto log = log::open_event_log(dir);
      REQUIRE(log.ok());
      CHECK(open_vault(dir, **log).status().code() == Code::corruption);
      CHECK_FALSE((*log)->key_store().get("check/master")->has_value());
    }
  }
  SECTION("one person's wrapped key altered: check_vault names it") {
    {
      auto log = log::open_event_log(dir);
      REQUIRE(log.ok());
      auto keys = (*log)->wrapped_keys();
      REQUIRE(keys.ok());
      std::string name, wrapped;
      for (const auto& [n, w] : *keys)
        if (n.starts_with("student/")) std::tie(name, wrapped) = std::tie(n, w);
      REQUIRE_FALSE(name.empty());
      wrapped[10] = static_cast<char>(wrapped[10] ^ 1);
      REQUIRE((*log)->key_store().put(name, wrapped).ok());
    }
    auto reader = log::open_log_reader(dir);
    REQUIRE(reader.ok());
    auto checked = check_vault(dir, **reader);
    REQUIRE(checked.ok());
    CHECK(checked->bad == 1);
    REQUIRE(checked->problems.size() == 1);
    CHECK_THAT(checked->problems[0], Catch::Contains("cannot be unwrapped with master.key"));
  }
}
