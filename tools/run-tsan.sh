#!/usr/bin/env bash
# Runs the threaded tests of BUILD (a ThreadSanitizer build: make test-tsan) with the committed suppressions,
# the three programs at once. Exits 1 when any reports a race or fails a test; each program's output is in
# BUILD/tsan-<name>.log.
#   tools/run-tsan.sh BUILD
# What runs, and what not:
#   log_tests          all but the [crash] tests: those SIGKILL a child process at set times to test
#                      durability, not threads (the plain and ASan runs have them), and a TSan child is too
#                      slow for their clock;
#   projection_tests   the host's tests (host_test.cc: its follower, snapshot writer and as-of cache threads);
#                      the others fold records on one thread, and replay large logs that take TSan ten times
#                      as long for nothing it can find. EJ_SHORT_TESTS makes their demo school 30 pupils;
#   server_tests       all.
set -uo pipefail
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
# history_size=7: the most memory-access history TSan keeps, so that the other side of a report can be shown
# (and matched by the suppressions) rather than "failed to restore the stack".
export TSAN_OPTIONS="suppressions=$root/tests/sanitizers/tsan.supp halt_on_error=1 second_deadlock_stack=1 report_signal_unsafe=0 history_size=7"
export EJ_SHORT_TESTS=1
failed=0
pids=()
names=()
run() {
  local name=$1
  shift
  "$build/bin/$name" "$@" >"$build/tsan-$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
}
run log_tests "~[crash]"
run projection_tests -# "[#host_test]"
run server_tests
for i in "${!pids[@]}"; do
  log="$build/tsan-${names[$i]}.log"
  if wait "${pids[$i]}"; then
    echo "tsan: ${names[$i]} passed, no race reported ($(grep -a -m1 -o 'All tests passed.*' "$log"))"
  else
    failed=1
    echo "tsan: ${names[$i]} failed; the end of $log:" >&2
    tail -80 "$log" >&2
  fi
done
exit $failed
