// The domain's commands as protocol operations: op = the command's snake_case name ("set_mark"), args = its
// fields by name (docs/protocol.md lists each with an example). Days are "YYYY-MM-DD"; enums are words.
// Thread-safety: free functions.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ejournal/domain/commands.h"
#include "ejournal/status.h"

namespace ejournal::server {

// nullopt when `op` is not a command; otherwise the command or the first bad field (invalid_argument).
std::optional<Result<domain::Command>> command_from_json(std::string_view op, const boost::json::object& args);

// Whether `op` names a command.
bool is_command_op(std::string_view op);
// Every command's operation name.
std::vector<std::string> command_ops();

// Protocol words for enums, shared with the answers.
const char* role_word(domain::Role r);
const char* attendance_word(domain::Attendance a);
const char* attestation_word(domain::AttestationValue v);

}  // namespace ejournal::server
