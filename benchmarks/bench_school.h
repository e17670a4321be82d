// The demo school the over-the-wire benchmarks (ws-many, ws --mix) serve: built into a directory, with one
// password (kBenchPassword) issued to every teacher who marks, every deputy and every parent, and the facts
// the benchmarks need to drive it. Built in this process; the benchmark then starts ejournald on it.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ejournal/domain/types.h"
#include "ejournal/status.h"

namespace ejournal::testkit {
class WsClient;
}

namespace ejournal::bench {

inline constexpr const char* kBenchPassword = "Bench-password-1";

struct BenchSchool {
  std::vector<std::pair<domain::UserId, domain::UserId>> families;  // a parent, their first child
  std::vector<domain::UserId> teacher_ids;    // teachers of an open whole-class assignment in grades 2 and up
  std::vector<std::string> teacher_logins;    // in the same order
  std::vector<std::string> deputy_logins;
  std::set<std::int64_t> marked_classes;      // classes of grade 2 and up (the first grade has no marks)
};

// A teacher's page in an open term that has lessons the teacher gives (not as a substitute): where the
// benchmarks set marks and read a journal page. Empty `lessons` when the teacher has none.
struct TeacherPage {
  std::int64_t class_id = 0, subject = 0, term = 0;
  std::vector<std::uint64_t> lessons;
  std::vector<std::uint64_t> students;
};
// Looks one up over `client`, signed in as `teacher` (or anyone who may read their pages).
TeacherPage teacher_page(testkit::WsClient& client, domain::UserId teacher, const std::set<std::int64_t>& marked_classes);

// Signs each of `logins` in with kBenchPassword on the server at `port` and returns their session tokens ("" for
// one refused). Argon2id each: a few threads, each from a loopback address of its own (the server throttles
// sign-ins per login and per address).
std::vector<std::string> sign_in_all(std::uint16_t port, const std::vector<std::string>& logins);

// Writes the demo school (one year up to today, `students` pupils) into the empty directory `data`.
Result<BenchSchool> build_bench_school(const std::string& data, unsigned students);

}  // namespace ejournal::bench
