// Domain: the one entry point for changing the journal. A command from the server, ejctl or the demo
// generator is checked against the write model and the actor's role and scope; if it passes, its events are
// appended to the log, and the caller hears the outcome once they are durable.
//
// Order and concurrency: commands are decided one at a time (a mutex), against a model that already includes
// every command decided before — also those still being synced — and are queued to the log in that same
// order, so the log's order is the order of decision. Deciding is cheap (no I/O except sealing personal data);
// waiting for the fsync happens outside the lock, so commands in flight share group commits.
//
// Idempotency: a command id already in the log (or in flight) is not decided again. If the request is the same
// (the same actor, command and arguments: request_digest.h), the caller gets the first outcome with
// duplicate = true; any other request under that id is refused with `conflict` and records nothing. The
// first record of every command carries the request's digest, so this holds after a restart and a restore.
//
// Failure: if the log fails a write, the model may be ahead of the disk; the Domain then refuses everything
// with `unavailable` until it is reopened (which replays the log).
//
// Start: the write model is restored from its newest snapshot that verifies (the `snap` family, name
// "domain"), and only the log past it is replayed; without one, the whole log. A snapshot is taken at a
// moment when no command is in flight, so the model then reflects exactly the log up to its head: every
// `snapshot_every` committed events (on a thread of the Domain's, never the caller's or the writer's) and
// when the Domain closes. The two newest are kept. Deciding waits while the model is encoded (a fraction of
// a second at twenty years of a school's log: docs/domain.md, "The write model's snapshot").
//
// Thread-safety: execute() and execute_async() may be called from any thread. Callbacks run on the log's
// writer thread (or on the calling thread for an immediate refusal); they must be quick.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ejournal/domain/commands.h"
#include "ejournal/domain/vault.h"
#include "ejournal/log/event_log.h"

namespace ejournal::domain {

struct DomainOptions {
  std::uint64_t snapshot_every = 100'000;  // committed events between snapshots of the write model (0: none)
  bool snapshot_at_close = true;           // write one when the Domain closes (after a clean stop)
  bool from_snapshot = true;               // false: replay the whole log, ignoring stored snapshots
};

struct Executed {
  log::Position first = log::kNoPosition;  // the command's events are first … first + count - 1
  std::uint32_t count = 0;
  log::Timestamp recorded_at = 0;
  bool duplicate = false;  // the command id was seen before; nothing new was written
  std::uint32_t created = 0;  // id of the entity the command created (class, lesson, mark, user …), else 0
};

using ExecuteCallback = std::function<void(Result<Executed>)>;

// A command that passed its checks and is queued (or a retry of one): what it creates is known at once.
struct Accepted {
  std::uint32_t created = 0;
  bool duplicate = false;
};

class Domain {
 public:
  // Rebuilds the write model from its snapshot and the log past it (see Start above). The log and the vault
  // must outlive the Domain.
  static Result<std::unique_ptr<Domain>> open(log::EventLog& log, PersonalDataVault& vault, DomainOptions options = {});
  // Writes a snapshot of the write model now if none is at the head yet (snapshot_at_close).
  ~Domain();

  // Writes a snapshot of the write model at the log's head: `busy` while a command is in flight (try again),
  // `unavailable` after a failed write, OK at once when the newest snapshot is at the head already.
  Status write_snapshot();
  // Where the model came from at open(): the position of the snapshot it was restored from (kNoPosition:
  // none), and how many records were replayed after it.
  struct Opened {
    log::Position snapshot = log::kNoPosition;
    std::uint64_t replayed = 0;
  };
  Opened opened() const;

  // Decides the command now. A refusal is returned and `done` is never called. Otherwise the command is
  // queued (its effects already count for the next command) and `done` runs exactly once, when it is durable
  // or the log failed. For bulk callers that need created ids before durability (the demo generator).
  // `actor` 0 is the system itself.
  Result<Accepted> submit(UserId actor, const log::CommandId& id, Command command, ExecuteCallback done);

  // submit(), with a refusal also delivered through `done`.
  void execute_async(UserId actor, const log::CommandId& id, Command command, ExecuteCallback done);
  Result<Executed> execute(UserId actor, const log::CommandId& id, Command command);

  // Decides `command` against the current state without recording anything: OK if execute() would accept
  // it now, else the refusal it would give. For previews (a class list import) and for tests.
  Status check(UserId actor, const Command& command) const;

  // The id of the entity an event creates (for Executed::created), or 0.
  static std::uint32_t created_by(const fb::Envelope& event);

 private:
  struct State;
  explicit Domain(std::unique_ptr<State> state);
  std::shared_ptr<State> state_;  // shared with in-flight callbacks
};

// Opens the data directory's personal-data vault (master.key beside the database, keys in the log's
// KeyStore).
Result<std::unique_ptr<PersonalDataVault>> open_vault(const std::string& dir, log::EventLog& log);

// A vault that only opens sealed records, for tools reading a directory ejournald may hold open (through a
// LogReader, a RocksDB secondary instance): it reads `dir`/master.key (never creates it: not_found) and the
// wrapped keys as they are now; seal and erase are refused (unsupported).
Result<std::unique_ptr<PersonalDataVault>> open_vault_for_reading(const std::string& dir, const log::LogReader& reader);

// What check_vault() found.
struct VaultCheck {
  std::uint64_t keys = 0;             // wrapped subject keys tried
  std::uint64_t bad = 0;              // of them, keys that do not open under the master key
  bool has_check_value = false;       // the master key's check value is stored (directories made before: no)
  std::vector<std::string> problems;  // the first 20, one line each
  bool ok() const { return bad == 0; }
};

// Opens every wrapped personal-data key of the directory under its master.key. An error status when the
// master key itself is refused (missing while keys exist: not_found; altered or another directory's:
// corruption) or the keys cannot be read.
Result<VaultCheck> check_vault(const std::string& dir, const log::LogReader& reader);

}  // namespace ejournal::domain
