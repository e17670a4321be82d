// One warning line on stderr, as JSON (the format ejournald's other warnings use). Internal to src/log:
// for what the log works around rather than fails on (a damaged sealed segment, sealing that stopped).
#pragma once

#include <string>

#include "ejournal/json_log.h"

namespace ejournal::log {

inline void warn(const std::string& msg) { jlog::warn(msg); }

}  // namespace ejournal::log
