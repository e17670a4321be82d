// Personal data never sits in clear anywhere in the data directory, and erasing a person makes their data
// unreadable while the log stays whole.
#include <filesystem>
#include <fstream>
#include <iterator>

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
