// For the fault-injection tests only: the RocksDB-backed log opened on a file system of the test's choosing
// (tests/support/fault_fs.h wraps the default one to fail writes, syncs or reads on command). Internal to
// src/log and its tests; nothing in the program calls it.
#pragma once

#include <memory>
#include <string>

#include <rocksdb/env.h>

#include "ejournal/log/event_log.h"

namespace ejournal::log {

// open_event_log() with `env` as the database's environment (null: the default).
Result<std::unique_ptr<EventLog>> open_event_log_on(const std::string& dir, LogOptions options, rocksdb::Env* env);

}  // namespace ejournal::log
