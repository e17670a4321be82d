#!/usr/bin/env bash
# The PostgreSQL peer of `ej-bench ws --mix` (issue #21): starts a PostgreSQL 15 cluster of its own in a
# temporary directory (Debian's postgresql-15; a Unix socket only, no TCP port; fsync and synchronous commit
# on), loads the school ej-bench wrote into TABLES (schema.sql), runs the same mix with pgbench for SECONDS
# with CLIENTS clients, stops and removes the cluster, and prints one JSON line: requests per second, p50/p99
# overall and per kind (from pgbench's per-transaction log).
#   tools/peer-pg/run.sh TABLES SECONDS CLIENTS W_DIARY W_PAGE W_MARK W_ASOF
# Exit 0 with the line; 2 when the cluster cannot be set up (what failed goes to stderr).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tables=$(cd "$1" && pwd)
seconds=${2%.*}; clients=$3; w_diary=$4; w_page=$5; w_mark=$6; w_asof=$7
bin=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || true)
if [ -z "$bin" ]; then echo "peer-pg: PostgreSQL 15 is not installed (tools/install-deps.sh installs it)" >&2; exit 2; fi

work=$(mktemp -d /tmp/ejournal-peer-pg.XXXXXX)
# PostgreSQL refuses to run as root: as root the cluster belongs to the postgres user Debian's package made.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then chown postgres "$work"; chmod 755 "$work"; as_pg=(runuser -u postgres --); fi
cleanup() {
  "${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# The tables are copied into the cluster's directory, where its server may read them.
mkdir "$work/tables"
cp "$tables"/*.tsv "$work/tables/"
chmod -R a+rX "$work/tables"
tables=$work/tables

"${as_pg[@]}" "$bin/initdb" -D "$work/db" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log" >&2; exit 2; }
"${as_pg[@]}" "$bin/pg_ctl" -D "$work/db" -w -l "$work/server.log" \
  -o "-k $work -c listen_addresses='' -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c timezone=Europe/Moscow -c max_connections=200" \
  start >/dev/null || { cat "$work/server.log" >&2; exit 2; }
psql=("${as_pg[@]}" "$bin/psql" -h "$work" -U postgres -d postgres -v ON_ERROR_STOP=1 -q)
"${psql[@]}" -f "$here/schema.sql" >/dev/null
for t in lesson pupil member page_target mark_target diary_target asof_target; do
  "${psql[@]}" -c "\\copy $t FROM '$tables/$t.tsv'" >/dev/null
done
"${psql[@]}" -c "\\copy mark (lesson, student, value, work_type, set_by, set_at) FROM '$tables/mark.tsv'" >/dev/null
"${psql[@]}" -f "$here/indexes.sql" >/dev/null
count() { "${psql[@]}" -At -c "SELECT count(*) FROM $1"; }
n_page=$(count page_target); n_mark=$(count mark_target); n_diary=$(count diary_target); n_asof=$(count asof_target)
marks_before=$(count mark)

cd "$work"
"${as_pg[@]}" "$bin/pgbench" -h "$work" -U postgres -n -M prepared -c "$clients" -j 2 -T "$seconds" \
  -D n_page="$n_page" -D n_mark="$n_mark" -D n_diary="$n_diary" -D n_asof="$n_asof" \
  -f "$here/diary.sql@$w_diary" -f "$here/page.sql@$w_page" -f "$here/mark.sql@$w_mark" -f "$here/asof.sql@$w_asof" \
  -l --log-prefix="$work/tx" postgres >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 2; }
marks_after=$(count mark); audit=$(count mark_audit)

# pgbench's log: one line per transaction: client, number, latency in µs, script number (in -f order), time.
python3 - "$work" "$seconds" "$clients" "$((marks_after - marks_before))" "$audit" "$marks_before" <<'PY'
import glob, json, sys
work, seconds, clients, new_marks, audit, marks = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
names = ["diary_week", "journal_page", "mark", "journal_page_as_of"]
per = {n: [] for n in names}
first, last = None, None
for path in glob.glob(work + "/tx*"):
    for line in open(path):
        f = line.split()
        per[names[int(f[3])]].append(int(f[2]) / 1000.0)
        t = int(f[4]) + int(f[5]) / 1e6
        first = t if first is None else min(first, t)
        last = t if last is None else max(last, t)
def q(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * len(v)))] if v else 0.0
out = {"bench": "ws_mix_postgresql", "clients": clients, "seconds": seconds}
everything = []
for n in names:
    everything += per[n]
    out[n + "_n"] = len(per[n]); out[n + "_p50_ms"] = q(per[n], 0.5); out[n + "_p99_ms"] = q(per[n], 0.99)
out["requests_per_s"] = len(everything) / seconds
out["p50_ms"] = q(everything, 0.5); out["p99_ms"] = q(everything, 0.99)
out["marks_loaded"] = marks; out["marks_added"] = new_marks; out["audit_rows"] = audit
print(json.dumps(out))
PY
