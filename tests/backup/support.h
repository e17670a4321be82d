// Shared by the backup tests: logs to copy, and comparisons of whole logs.
#pragma once

#include <memory>
#include <string>

#include "ejournal/log/event_log.h"
#include "testkit.h"

namespace ejournal::backup_test {

// A small demo school (a year of lessons, marks, absences, personal data) in dir/data.
std::string demo_school(const testkit::TempDir& dir, std::uint64_t seed);

// Appends `count` synthetic commands numbered from `first_index` (pipelined, so it is quick).
void append_samples(log::EventLog& log, std::uint64_t first_index, std::uint64_t count);

// Every record of `a` equals the same position's in `b`, and the heads are equal.
void require_same_log(const log::LogReader& a, const log::LogReader& b);

// Runs a command through the shell; returns its exit code, and its stdout and stderr together in `output`.
int run(const std::string& command, std::string& output);

inline std::string ejctl() { return EJ_EJCTL_PATH; }

}  // namespace ejournal::backup_test
