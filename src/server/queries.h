// The projections' queries as protocol operations (journal.page, diary.week, audit.*, control.*, stats.*,
// roster.*, me), each with its rights check and an optional "as_of" time (docs/protocol.md).
// Thread-safety: free functions; they read projections through the host's locks.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "args.h"
#include "ejournal/projections/accounts.h"
#include "services.h"

namespace ejournal::server {

struct Caller {
  domain::UserId id = 0;
  projections::Account account;
};

// nullopt when `op` is not a query.
std::optional<Result<boost::json::value>> run_query(Services& services, const Caller& caller, std::string_view op, Args& args);

// Whether `op` names a query.
bool is_query_op(std::string_view op);
// Every query's operation name.
std::vector<std::string> query_ops();

// The caller's account as the answer of auth.login / auth.resume / me.
boost::json::value describe_caller(Services& services, const Caller& caller);

// Whether `caller` may read `student`'s diary (the student, a parent, the curator, the student's teachers,
// the deputies and the director). Shared with subscriptions.
bool may_read_diary(Services& services, const Caller& caller, domain::UserId student);
// Whether `caller` may read the journal of (class, group, subject).
bool may_read_journal(Services& services, const Caller& caller, domain::ClassId class_id, domain::GroupId group,
                      domain::SubjectId subject);
bool is_manager(const Caller& caller);  // deputy or director

}  // namespace ejournal::server
