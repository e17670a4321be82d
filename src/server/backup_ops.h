// The administrator's backup operations: backup.status (the scheduler's state and the recorded history of
// runs) and backup.run (start one now). docs/protocol.md. Thread-safety: free functions.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string_view>

#include "args.h"
#include "queries.h"
#include "services.h"

namespace ejournal::server {

bool is_backup_op(std::string_view op);
std::vector<std::string> backup_ops();
// nullopt when `op` is not a backup operation.
std::optional<Result<boost::json::value>> run_backup_op(Services& services, const Caller& caller, std::string_view op,
                                                        Args& args);

}  // namespace ejournal::server
