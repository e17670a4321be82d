#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD for SECONDS each, from its seed corpus (tests/fuzz/corpus/<target>,
# read only) plus the inputs earlier runs found (BUILD/corpus/<target>). Prints a line per target with the
# executions; exits 1 when a target found a crash, a leak or a timeout (the input is in BUILD/findings).
#   tools/run-fuzz.sh BUILD SECONDS
set -uo pipefail
build=$1
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/findings"
# What Debian's uninstrumented libraries keep for the process's life (the PDF reports' fontconfig).
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp"
failed=0
for bin in "$build"/bin/fuzz_*; do
  target=$(basename "$bin")
  [ "$target" = fuzz_seeds ] && continue
  mkdir -p "$build/corpus/$target"
  log="$build/findings/$target.log"
  "$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=30 -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$build/findings/$target-" "$build/corpus/$target" "$root/tests/fuzz/corpus/$target" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  corpus=$(ls "$build/corpus/$target" | wc -l)
  echo "{\"target\":\"$target\",\"seconds\":$seconds,\"executions\":${execs:-0},\"new_inputs\":$corpus,\"exit\":$rc}"
  if [ $rc -ne 0 ]; then
    failed=1
    echo "run-fuzz: $target failed; the end of its log ($log):" >&2
    tail -40 "$log" >&2
  fi
done
exit $failed
