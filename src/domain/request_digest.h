// The canonical bytes of a request: what makes two submissions under one command id "the same change".
//
// A retry is the same actor sending the same command with the same arguments. canonical_request() writes
// those three in a fixed binary form (docs/log-format.md §3, "request digest"); the vault hashes it with a
// key of the data directory (PersonalDataVault::request_digest), and the digest is kept on the command's
// first record. Two exceptions, both of a value the server makes afresh for each attempt: the password hash
// of IssueCredential and ChangePassword (a new random salt each time) is not part of the request.
//
// Internal to src/domain. Thread-safety: a pure function.
#pragma once

#include <string>

#include "ejournal/domain/commands.h"

namespace ejournal::domain {

std::string canonical_request(UserId actor, const Command& command);

}  // namespace ejournal::domain
