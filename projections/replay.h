// Replaying a stretch of the log into several projections at once. Internal to projections/.
//
// One thread reads and checks the records (sealed segments, envelope verification) into batches; three
// threads fold them, each a share of the projections in turn, in log order. Projections are independent by
// contract (apply changes only the projection's own state), so this gives the same states as applying
// every record to every projection in turn — the host's tests compare the two through snapshots — while
// reading and the heavy folds (journal, audit) overlap on separate cores.
//
// Memory: at most `kWindow` batches of about 1 MiB are held, whatever the length of the stretch.
#pragma once

#include <functional>
#include <span>

#include "ejournal/log/event_log.h"
#include "ejournal/projections/projection.h"

namespace ejournal::projections {

// Applies records (from[i], to] to projections[i], for every i (from[i] may differ: each projection was
// restored from its own snapshot). On an error reading the log, every projection stops at the same batch
// boundary or earlier and the error is returned; the states are then incomplete and must not be kept.
// `finish`, when given, runs for each projection i once its records are applied, on the thread that applied
// them, while others may still be applying theirs (the host compacts there).
Status replay_parallel(const log::EventLog& log, std::span<Projection* const> projections,
                       std::span<const log::Position> from, log::Position to,
                       const std::function<void(std::size_t)>& finish = {});

// Runs `restore` (which fills `projection` from a snapshot and returns the position it reflects) while the
// records after `expected` — the snapshot it should find — are already being read (up to 64 batches ahead),
// then applies them up to `to`. Restoring and reading overlap on two cores. When the restore lands
// elsewhere (a damaged snapshot was skipped), what was read is dropped and the log is read from there.
Status restore_and_replay(const log::EventLog& log, Projection& projection, log::Position expected, log::Position to,
                          const std::function<Result<log::Position>()>& restore);

}  // namespace ejournal::projections
