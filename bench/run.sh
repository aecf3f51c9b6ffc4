#!/usr/bin/env bash
# Benchmarks of build-index, driven by wrk, all against servers this script starts on 127.0.0.1.
# See BENCHMARKS.md for what each scenario measures and the last full run's numbers.
#
#   bench/run.sh                 # every scenario: hot random put rss drain lag
#   bench/run.sh hot put         # only these, in the order given
#   DURATION=30s bench/run.sh    # longer measured runs
#
# Scenarios (each one a function scenario_<name>; add one by defining scenario_<name> and
# listing it in ALL_SCENARIOS):
#   hot     GET of one hot tag vs a bare Javalin endpoint returning a constant, at -c64 and -c16
#   random  GET of random tags among RANDOM_TAGS (100k) seeded ones
#   put     durable PUTs of unique tags, wrk -c64 (plus group-commit metrics from /metrics)
#   memory  RSS (and PSS) of `java -jar` with no options, the launcher (Java 21 only) and server: idle, after random
#           reads over MEM_SMALL (200k) then RSS_TAGS (1M) tags; restart time to /readiness with
#           them and MEM_TASKS (100k) queued replication tasks
#   rss     RSS of the server holding RSS_TAGS (1M) tags, after seeding them and a random-GET pass
#   get     hot then random
#   drain   replication: a backlog of DRAIN_TASKS (10k) tasks built on a source node while its
#           remote is down, drained once the remote starts (cold round); then another backlog
#           built while the remote is frozen (SIGSTOP) and drained when it resumes (warm round);
#           tasks/s vs a fresh node's own PUT/s
#   lag     replication: LAG_PUTS (200) sequential PUTs ?replicate=true on an idle source, one every
#           50 ms, each polled on the remote (every LAG_POLL_MS) until visible: ack-to-visible quantiles
#   shared  shared mode: durable PUT/s and hot GET/s of 3 nodes sharing one PostgreSQL (a server of
#           its own, fsync on; one wrk per node, CONNS split between them) vs one SQLite node
#   ringlist  GET /list of a RINGLIST_LIMIT (1000)-name page: a ring of RINGLIST_NODES (5) nodes with
#           max_replica 2 holding RINGLIST_TAGS (5000) tags (the page merged from every member) vs
#           one single node holding the same tags; wrk -c$THREADS (one request per wrk thread at a
#           time), p50/p99 latency (not in the default set: run it by name)
#   With RTT_MS set (e.g. RTT_MS=0,20,100), drain and lag instead measure replication over a link
#   with that round-trip time: the source reaches its remote through bench/LatencyProxy.java,
#   both nodes run the default tag_replication configuration, and for each RTT drain reports a
#   backlog of DRAIN_TASKS drained (remote frozen while it is built, as in the warm round) next to
#   the remote's own PUT/s measured right after it on the same process; lag the ack-to-visible p50
#   as a share of the RTT.
#
# Environment (defaults in brackets):
#   DURATION [15s]       each measured wrk run
#   WARMUP [30s]         warm-up run (discarded) of each fresh server: the JIT is still compiling the
#                        write path after 10 s; REWARMUP [5s] before a further connection count
#   SHARED_WARMUP_ROUNDS [3] warm-up runs of the shared scenario's 3 nodes before their PUTs: three JVMs
#                        on the same cores compile three times the code with a third of the CPU each
#                        (on 2 cores their C2 threads still took 16% of a core each after 45 s)
#   HOT_ROUNDS [2]       rounds of the hot-GET comparison, bare and build-index in turn each round
#   PUT_ROUNDS [2]       rounds of the durable-PUT comparison, likewise
#   THREADS [2]          wrk threads, same for every run
#   CONNS [64]           wrk connections for random, put and the rss GET pass
#   HOT_CONNS ["64 16"]  connection counts of the hot-GET comparison
#   RANDOM_TAGS [100000] RSS_TAGS [1000000] MEM_SMALL [200000] MEM_TASKS [100000] SEED_CONCURRENCY [64] SEED_DEADLINE [1200] (seconds)
#   DRAIN_TASKS [10000; 30000 with RTT_MS] DRAIN_DEADLINE [300] (seconds)  LAG_PUTS [200]  LAG_POLL_MS [0.5] (pause between a lag
#                        run's polls of the remote: the measurement's granularity)
#   LAG_WARMUP_PUTS [3000] LAG_WARMUP_INTERVAL_MS [5] discarded PUTs before each lag run (Lag.java's
#                        warm-up): the JIT of both nodes compiles the write, replication and read
#                        paths and SQLite's WAL reaches the size it is reused at, as on a node that
#                        has been running. Before 2026-12-06: 50, then 300, one per 50 ms; after 300
#                        a 20 ms link's p50 was ~0.8 ms higher than after 3,000
#   LAG_CLIENT_WARMUP [100] discarded PUTs (one per 20 ms) in the measuring process itself, so that
#                        its own JIT is done before it measures
#   RINGLIST_NODES [5] RINGLIST_TAGS [5000] RINGLIST_LIMIT [1000]
#   RTT_MS                comma-separated round-trip times in ms for drain and lag (see above)
#   MAX_REQUESTS [5000000] cap on the requests of one wrk run (wrk also stops at DURATION)
#   SERVER_JAVA_OPTS     extra JVM options of the server (default: none, as `java -jar` runs it)
#   BARE_JAVA_OPTS       JVM options of bare Javalin, e.g. -Dbare.responseBufferSize=32768 for
#                        Javalin's default copy buffer (BareJavalin.java mirrors the server's 4096)
#   PROFILE [0]          1: record JFR profiles of the server during the measured PUT run and an
#                        extra (unreported) hot-GET run (results/<timestamp>/{put,hot}.jfr), and of
#                        the asked node during the ring's ringlist run (ringlist.jfr), and of the
#                        first of the 3 shared-mode nodes during their PUT run (shared-put.jfr)
#   NICE [0]             run servers, wrk and Seed at this niceness (e.g. -10, needs root), and set
#                        it on the session's autogroup, so that other work on a shared machine
#                        takes less of their CPU (it then gets less: use with care)
#   REBUILD [0]          1: rebuild buildindex/target/buildindex.jar even when it exists
#   DATA_DIR             where to make the temp dir of the servers' SQLite files (default: TMPDIR)
#   KEEP [0]             1: keep the temp dir (server logs, databases) after the run
#   WAIT_QUIET [0]       before each run, wait up to this many seconds for the rest of the machine
#                        to use less than QUIET_CORES [0.3] cores (a shared machine running builds)
#
# Needs wrk and curl: installs them with apt-get when missing (root, or sudo). Builds
# buildindex/target/buildindex.jar when it is missing (or REBUILD=1) and runs a copy of it. Writes
# bench/results/<timestamp>.md (gitignored) plus raw wrk outputs and /metrics scrapes in
# bench/results/<timestamp>/, and prints a summary. Every server it starts is stopped on exit.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
JAR="$ROOT/buildindex/target/buildindex.jar"
JDK="$ROOT/with-jdk"

ALL_SCENARIOS=(hot random put memory rss drain lag shared)

DURATION="${DURATION:-15s}"
WARMUP="${WARMUP:-30s}"
REWARMUP="${REWARMUP:-5s}"
SHARED_WARMUP_ROUNDS="${SHARED_WARMUP_ROUNDS:-3}"
HOT_ROUNDS="${HOT_ROUNDS:-2}"
PUT_ROUNDS="${PUT_ROUNDS:-2}"
THREADS="${THREADS:-2}"
CONNS="${CONNS:-64}"
HOT_CONNS="${HOT_CONNS:-64 16}"
RANDOM_TAGS="${RANDOM_TAGS:-100000}"
RSS_TAGS="${RSS_TAGS:-1000000}"
MEM_SMALL="${MEM_SMALL:-200000}"
MEM_TASKS="${MEM_TASKS:-100000}"
SEED_CONCURRENCY="${SEED_CONCURRENCY:-64}"
SEED_DEADLINE="${SEED_DEADLINE:-1200}"
MAX_REQUESTS="${MAX_REQUESTS:-5000000}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:-}"
BARE_JAVA_OPTS="${BARE_JAVA_OPTS:-}"
PROFILE="${PROFILE:-0}"
REBUILD="${REBUILD:-0}"
NICE="${NICE:-0}"
KEEP="${KEEP:-0}"
WAIT_QUIET="${WAIT_QUIET:-0}"
QUIET_CORES="${QUIET_CORES:-0.3}"
# Over a link (RTT_MS) 30,000: a 10,000-task drain lasts under a second there, and its ratio moved
# from 0.57x to 1.25x between identical runs of one build at 20 ms (2026-12-06).
if [ -n "${RTT_MS:-}" ]; then DRAIN_TASKS="${DRAIN_TASKS:-30000}"; else DRAIN_TASKS="${DRAIN_TASKS:-10000}"; fi
DRAIN_DEADLINE="${DRAIN_DEADLINE:-300}"
LAG_PUTS="${LAG_PUTS:-200}"
LAG_POLL_MS="${LAG_POLL_MS:-0.5}"
LAG_WARMUP_PUTS="${LAG_WARMUP_PUTS:-3000}"
LAG_WARMUP_INTERVAL_MS="${LAG_WARMUP_INTERVAL_MS:-5}"
LAG_CLIENT_WARMUP="${LAG_CLIENT_WARMUP:-100}"
RINGLIST_NODES="${RINGLIST_NODES:-5}"
RINGLIST_TAGS="${RINGLIST_TAGS:-5000}"
RINGLIST_LIMIT="${RINGLIST_LIMIT:-1000}"
RTT_MS="${RTT_MS:-}"
PUT_TARGET=10000
DRAIN_TARGET=0.5  # drain tasks/s >= this x the remote's own PUT/s
LAG_TARGET_MS=50  # p50 of PUT-ack-to-visible-on-the-remote
HOT_TARGET=0.85
PUT_RATIO_TARGET=0.5 # durable PUT req/s >= this x bare Javalin's PUT (empty 200) in the same run

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RESULTS_DIR="$BENCH_DIR/results"
RAW_DIR="$RESULTS_DIR/$STAMP"
REPORT="$RESULTS_DIR/$STAMP.md"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/buildindex-bench.XXXXXX")"
# A scrape with no series: hist_quantile "$NO_METRICS" AFTER ... reads a histogram since its start.
NO_METRICS="$WORK/no-metrics.txt"; printf '#\n' > "$NO_METRICS"
if [ -n "${DATA_DIR:-}" ]; then
  mkdir -p "$DATA_DIR"
  DATA_DIR="$(mktemp -d "$DATA_DIR/buildindex-bench.XXXXXX")"
else
  DATA_DIR="$WORK"
fi
CLK_TCK="$(getconf CLK_TCK)"

PIDS=()          # every process started here, stopped on exit
declare -A LAUNCHER_OF=() # server JVM pid -> pid of the `java -jar` launcher that started it
PRIO=()          # command prefix giving the benchmark's processes niceness NICE
AUTOGROUP_NICE_WAS=""
if [ "$NICE" != 0 ]; then
  PRIO=(nice -n "$NICE")
  # With autogroup scheduling (Linux default) CPU is shared between sessions first, whatever the
  # processes' own niceness: set it on this session's autogroup too, and restore it on exit.
  if [ -w /proc/self/autogroup ]; then
    AUTOGROUP_NICE_WAS="$(sed -nE 's/.* nice (-?[0-9]+).*/\1/p' /proc/self/autogroup)"
    echo "$NICE" > /proc/self/autogroup 2>/dev/null || AUTOGROUP_NICE_WAS=""
  fi
fi
ROWS=()          # markdown rows of the results table
SUMMARY=()       # lines of the summary (ratios vs targets)
NOTES=()         # extra markdown sections (metrics, RSS, ...)

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && { kill -CONT "$pid"; kill "$pid"; } 2>/dev/null || true # CONT: a frozen remote
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then log "kept $WORK and $DATA_DIR"; else rm -rf "$WORK" "$DATA_DIR"; fi
  if [ -n "$AUTOGROUP_NICE_WAS" ]; then echo "$AUTOGROUP_NICE_WAS" > /proc/self/autogroup 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- setup -------------------------------------------------------------------------------------

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "missing ${missing[*]}: install them (apt-get install -y ${missing[*]})"
    sudo="sudo"
  fi
  log "installing ${missing[*]} with apt-get (apt-get update; apt-get install -y ${missing[*]})"
  $sudo apt-get update -q >&2
  $sudo apt-get install -y -q "${missing[@]}" >&2
}

ensure_jar() {
  if [ "$REBUILD" = 1 ] || [ ! -f "$JAR" ]; then build_jar; fi
  # Run a private copy: others may rebuild buildindex/target while the benchmark runs.
  cp "$JAR" "$WORK/buildindex.jar"
  JAR_INFO="$(stat -c %y "$JAR" | cut -d. -f1), sha256 $(sha256sum "$JAR" | cut -c1-12)"
  JAR="$WORK/buildindex.jar"
}

build_jar() {
  log "building $JAR (missing)"
  # package, never install: the jar needs only the reactor, not the shared local repository.
  (cd "$ROOT" && ./with-jdk mvn -B -q -pl buildindex -am package -DskipTests) >&2
  [ -f "$JAR" ] || die "build did not produce $JAR"
}

# --- processes ---------------------------------------------------------------------------------

# free_port: a port nobody listens on, below the kernel's ephemeral range (a port in that range
# can be the local end of some outgoing connection, which makes bind fail), and not seen by ss.
free_port() {
  local p lo=20000 hi
  hi="$(awk '{ print $1 - 1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32767)"
  [ "$hi" -gt $(( lo + 1000 )) ] || hi=$(( lo + 10000 ))
  for _ in $(seq 1 100); do
    p=$(( lo + RANDOM % (hi - lo) ))
    if command -v ss > /dev/null 2>&1 && ss -Htan 2>/dev/null | awk -v p=":$p" '$4 ~ p "$" { f = 1 } END { exit !f }'; then continue; fi
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port found"
}

# wait_ready URL PID LOG: until URL answers 200, the process dies (fail) or 90 s pass (fail).
wait_ready() {
  local url="$1" pid="$2" logfile="$3"
  for _ in $(seq 1 450); do
    kill -0 "$pid" 2>/dev/null || { tail -20 "$logfile" >&2; die "process $pid exited while starting (log: $logfile)"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ] && return
    sleep 0.2
  done
  die "$url not ready after 90 s (log: $logfile)"
}

# start_server NAME [EXTRA_YAML] [PORT]: a build-index node with a fresh database under
# DATA_DIR/NAME, on PORT (default: a free one). Sets SERVER_PID, SERVER_PORT, SERVER_URL,
# SERVER_DIR. EXTRA_YAML is appended to its config (e.g. "remotes: {...}" for the replication
# scenarios).
start_server() {
  local name="$1" extra="${2:-}"
  SERVER_DIR="$DATA_DIR/$name"
  rm -rf "$SERVER_DIR"
  mkdir -p "$SERVER_DIR"
  SERVER_PORT="${3:-$(free_port)}"
  SERVER_URL="http://127.0.0.1:$SERVER_PORT"
  cat > "$SERVER_DIR/config.yaml" <<EOF
localdb: {source: "$SERVER_DIR/index.db"}
tagserver: {listener: {addr: "127.0.0.1:$SERVER_PORT"}}
$extra
EOF
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
  "${PRIO[@]}" "$JDK" java $SERVER_JAVA_OPTS -jar "$JAR" --config "$SERVER_DIR/config.yaml" > "$SERVER_DIR/server.log" 2>&1 &
  LAUNCHER_PID=$!
  PIDS+=("$LAUNCHER_PID")
  wait_ready "$SERVER_URL/health" "$LAUNCHER_PID" "$SERVER_DIR/server.log"
  # With no memory options, `java -jar` runs the server in a child JVM (JvmDefaults): measure that
  # one. Stopping it stops the launcher too; stop_pid stops the launcher, which stops it.
  SERVER_PID="$(pgrep -P "$LAUNCHER_PID" | head -1 || true)"
  if [ -n "$SERVER_PID" ]; then
    PIDS+=("$SERVER_PID")
    LAUNCHER_OF[$SERVER_PID]=$LAUNCHER_PID
    log "build-index '$name' pid $SERVER_PID (launcher pid $LAUNCHER_PID) on $SERVER_URL"
  else
    SERVER_PID=$LAUNCHER_PID
    LAUNCHER_PID=""
    log "build-index '$name' pid $SERVER_PID on $SERVER_URL"
  fi
}

# start_bare: bench/BareJavalin.java with the source launcher on the shaded jar's classpath.
# Sets BARE_PID, BARE_URL.
start_bare() {
  local port; port="$(free_port)"
  BARE_URL="http://127.0.0.1:$port"
  # shellcheck disable=SC2086 # BARE_JAVA_OPTS is a list of options
  "${PRIO[@]}" "$JDK" java $BARE_JAVA_OPTS -cp "$JAR" "$BENCH_DIR/BareJavalin.java" "$port" > "$WORK/bare.log" 2>&1 &
  BARE_PID=$!
  PIDS+=("$BARE_PID")
  wait_ready "$BARE_URL/health" "$BARE_PID" "$WORK/bare.log"
  log "bare Javalin pid $BARE_PID on $BARE_URL"
}

# stop_pid PID: SIGTERM (graceful: the server drains and closes its database), SIGKILL after 20 s.
stop_pid() {
  local pid="$1"
  [ -z "${LAUNCHER_OF[$pid]:-}" ] || { local server="$pid"; pid="${LAUNCHER_OF[$pid]}"; unset "LAUNCHER_OF[$server]"; }
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# --- measurements ------------------------------------------------------------------------------

cpu_busy_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
pid_jiffies() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Sets KIDS_CPU to the CPU seconds used so far by this shell's reaped children (wrk, Seed). Not
# in a $(...) subshell: a subshell's children counters start at zero.
children_cpu() {
  times > "$WORK/times"
  KIDS_CPU="$(awk 'NR == 2 { s = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += a[1] * 60 + a[2] } printf "%.2f\n", s }' "$WORK/times")"
}
# thread_jiffies PID NAME: CPU jiffies of the thread of PID named NAME (0 when there is none).
thread_jiffies() {
  local t
  for t in /proc/"$1"/task/*; do
    if [ "$(cat "$t/comm" 2>/dev/null)" = "$2" ]; then awk '{ print $14 + $15 }' "$t/stat"; return; fi
  done
  echo 0
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
file_bytes() { if [ -f "$1" ]; then stat -c %s "$1"; else echo 0; fi; }
bytes_mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# scrape URL FILE: GET /metrics into FILE.
scrape() { curl -sf --max-time 10 "$1/metrics" > "$2" || die "cannot scrape $1/metrics"; }
# metric FILE NAME [LABELS]: the value of series NAME{LABELS} (as written in the scrape, e.g.
# 'quantile="0.5"'), or of NAME when no LABELS; "n/a" if absent.
metric() {
  local series="$2"
  [ -z "${3:-}" ] || series="$2{$3}"
  SERIES="$series" awk '
    BEGIN { series = ENVIRON["SERIES"] }
    index($0, series " ") == 1 { print $NF; found = 1; exit }
    END { if (!found) print "n/a" }' "$1"
}
# hist_quantile BEFORE AFTER NAME LABELS Q: quantile Q of histogram NAME's observations between the
# scrapes BEFORE and AFTER (series NAME_bucket{LABELS,le=...}; LABELS may be empty), interpolated
# linearly within its bucket as Prometheus's histogram_quantile does; "n/a" without observations.
hist_quantile() {
  local prefix="$3_bucket{"
  [ -z "$4" ] || prefix="$prefix$4,"
  PREFIX="$prefix" awk -v q="$5" '
    BEGIN { prefix = ENVIRON["PREFIX"] }
    index($0, prefix "le=\"") == 1 {
      le = substr($0, length(prefix) + 5); le = substr(le, 1, index(le, "\"") - 1)
      if (FNR == NR) before[le] = $NF; else { after[le] = $NF - before[le]; order[n++] = le }
    }
    END {
      if (n == 0 || after[order[n - 1]] <= 0) { print "n/a"; exit }
      rank = q * after[order[n - 1]]; lower = 0; below = 0
      for (i = 0; i < n; i++) {
        if (after[order[i]] >= rank) {
          if (order[i] == "+Inf") { printf "%g", lower; exit }
          upper = order[i] + 0; inside = after[order[i]] - below
          printf "%g", lower + (upper - lower) * (inside > 0 ? (rank - below) / inside : 1); exit
        }
        lower = order[i] + 0; below = after[order[i]]
      }
    }' "$1" "$2"
}
ms() { awk -v s="$1" 'BEGIN { if (s == "n/a") print s; else printf "%.2f", s * 1000 }'; }
sum() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# cpu_begin PID / cpu_end: CPU used between the two calls, in cores on average, as
# "server | client | other": the process PID (the server under test), this shell's children that
# finished in between (wrk or Seed), and everything else on the machine. Sets CPU_COLS, and
# CPU_SRV_SECONDS, CPU_WRITER_SECONDS (its thread localdb-writer), CPU_WALL (seconds elapsed).
cpu_begin() {
  CPU_PID="$1"
  children_cpu; CPU_K0=$KIDS_CPU; CPU_B0=$(cpu_busy_jiffies); CPU_S0=$(pid_jiffies "$CPU_PID"); CPU_T0=$(date +%s.%N)
  CPU_W0=$(thread_jiffies "$CPU_PID" localdb-writer)
}
cpu_end() {
  local b1 s1 k1 t1
  local w1; w1=$(thread_jiffies "$CPU_PID" localdb-writer)
  b1=$(cpu_busy_jiffies); s1=$(pid_jiffies "$CPU_PID"); t1=$(date +%s.%N); children_cpu; k1=$KIDS_CPU
  CPU_COLS="$(awk -v b0="$CPU_B0" -v b1="$b1" -v s0="$CPU_S0" -v s1="$s1" -v k0="$CPU_K0" -v k1="$k1" \
      -v t0="$CPU_T0" -v t1="$t1" -v hz="$CLK_TCK" 'BEGIN {
        t = t1 - t0; all = (b1 - b0) / hz / t; srv = (s1 - s0) / hz / t; c = (k1 - k0) / t; o = all - srv - c; if (o < 0) o = 0
        printf "%.2f | %.2f | %.2f", srv, c, o }')"
  CPU_SRV_SECONDS="$(awk -v s0="$CPU_S0" -v s1="$s1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (s1 - s0) / hz }')"
  CPU_WRITER_SECONDS="$(awk -v w0="$CPU_W0" -v w1="$w1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (w1 - w0) / hz }')"
  CPU_WALL="$(awk -v t0="$CPU_T0" -v t1="$t1" 'BEGIN { printf "%.3f", t1 - t0 }')"
}
# cpu_us_per N: server CPU microseconds per request, N requests since cpu_begin.
cpu_us_per() { awk -v c="$CPU_SRV_SECONDS" -v n="$1" 'BEGIN { if (n > 0) printf "%.0f", c / n * 1e6; else print "n/a" }'; }

# wait_quiet: with WAIT_QUIET=N > 0, waits up to N s until the machine's CPU use over 2 s is below
# QUIET_CORES (the servers are idle between runs, so that is other processes: builds, tests).
# The CPU columns of the report show how busy the machine was during each run either way.
wait_quiet() {
  [ "$WAIT_QUIET" -gt 0 ] || return 0
  local deadline=$(( SECONDS + WAIT_QUIET )) b0 b1 busy said=0
  while :; do
    b0=$(cpu_busy_jiffies); sleep 2; b1=$(cpu_busy_jiffies)
    busy="$(awk -v a="$b0" -v b="$b1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz / 2 }')"
    at_least "$busy" "$QUIET_CORES" || return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "machine still busy ($busy cores used by other processes) after ${WAIT_QUIET} s: measuring anyway"
      return 0
    fi
    [ "$said" = 1 ] || log "waiting up to ${WAIT_QUIET} s for other processes to use < $QUIET_CORES cores (now $busy)"
    said=1
  done
}

# wrk_run LABEL PID CONNS DURATION URL SCRIPT [SCRIPT_ARGS...]
# One wrk run of THREADS threads, CONNS connections, DURATION, capped at MAX_REQUESTS requests
# (the script's last argument is the per-thread cap). PID is the server under test, for its CPU
# share. Sets R_RPS, R_OK_RPS, R_P50, R_P99, R_ERRORS, R_REQUESTS, R_SECONDS. LABELs starting
# with "warmup" or "profile" are not reported.
wrk_run() {
  local label="$1" pid="$2" conns="$3" duration="$4" url="$5" script="$6"
  shift 6
  local out; out="$RAW_DIR/$(printf '%s-c%s' "$label" "$conns" | tr -c 'A-Za-z0-9_.-' '_').txt"
  local cap=$(( MAX_REQUESTS / THREADS ))
  [[ "$label" == warmup* || "$label" == profile* ]] || wait_quiet
  cpu_begin "$pid"
  "${PRIO[@]}" wrk -t"$THREADS" -c"$conns" -d"$duration" --timeout 10s --latency -s "$BENCH_DIR/$script" "$url" -- "$@" "$cap" > "$out" 2>&1 \
    || { cat "$out" >&2; die "wrk failed for $label"; }
  cpu_end
  local line; line="$(grep '^WRK_RESULT ' "$out")" || { cat "$out" >&2; die "no WRK_RESULT from $label"; }
  local key
  for key in requests seconds rps ok_rps p50_ms p99_ms status_errors socket_errors; do
    printf -v "W_$key" '%s' "$(sed -E "s/.* $key=([^ ]+).*/\\1/" <<< "$line")"
  done
  R_REQUESTS=$W_requests R_SECONDS=$W_seconds R_RPS=$W_rps R_OK_RPS=$W_ok_rps R_P50=$W_p50_ms R_P99=$W_p99_ms
  R_ERRORS=$(( W_status_errors + W_socket_errors ))
  # wrk always runs for the whole DURATION, so a run that hit the cap understates its rate.
  [ "$W_requests" -lt $(( cap * THREADS )) ] || log "WARNING: $label reached MAX_REQUESTS=$MAX_REQUESTS: its req/s is understated; raise MAX_REQUESTS"
  if [[ "$label" != warmup* && "$label" != profile* ]]; then
    R_US="$(cpu_us_per "$R_REQUESTS")"
    ROWS+=("| $label | $conns | $(printf '%.0f' "$R_OK_RPS") | $R_P50 | $R_P99 | $R_ERRORS | $CPU_COLS | $R_US |")
    log "$label: $(printf '%.0f' "$R_OK_RPS") req/s ok, p50 ${R_P50} ms, p99 ${R_P99} ms, errors $R_ERRORS (cpu server|wrk|other: $CPU_COLS; server ${R_US} µs CPU/request)"
  fi
}

# seed PID URL N REPO LABEL [QUERY]: bench/Seed.java PUTs <REPO>:t0..t<N-1> (QUERY appended to
# each PUT's path, e.g. "?replicate=true"). Sets S_SECONDS, S_RPS.
seed() {
  local pid="$1" url="$2" n="$3" repo="$4" label="$5" query="${6:-}"
  local out="$RAW_DIR/seed-${repo//\//_}-$n.txt"
  wait_quiet
  log "seeding $n tags $repo:t0.. with $SEED_CONCURRENCY connections"
  cpu_begin "$pid"
  "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Seed.java" "$url" "$n" "$SEED_CONCURRENCY" "$repo" "$SEED_DEADLINE" "$query" > "$out" 2> "$out.log" \
    || { tail -5 "$out.log" >&2; cat "$out" >&2; die "seeding failed"; }
  cpu_end
  local line; line="$(grep '^SEED_RESULT ' "$out")"
  S_SECONDS="$(sed -E 's/.* seconds=([^ ]+).*/\1/' <<< "$line")"
  S_RPS="$(sed -E 's/.* rps=([^ ]+).*/\1/' <<< "$line")"
  ROWS+=("| $label | $SEED_CONCURRENCY | $(printf '%.0f' "$S_RPS") | – | – | $(sed -E 's/.* failed=([^ ]+).*/\1/' <<< "$line") | $CPU_COLS | $(cpu_us_per "$n") |")
  log "$label: $n puts in $S_SECONDS s = $(printf '%.0f' "$S_RPS") puts/s (cpu server|seed|other: $CPU_COLS; server $(cpu_us_per "$n") µs CPU/put)"
}

# profile_start PID NAME / profile_stop PID NAME: with PROFILE=1, a JFR recording (profile
# settings) of PID between the two calls, in RAW_DIR/NAME.jfr, plus its hot-methods and
# native-methods views as text.
profile_start() {
  [ "$PROFILE" = 1 ] || return 0
  "$JDK" jcmd "$1" JFR.start name="$2" settings=profile filename="$RAW_DIR/$2.jfr" > /dev/null
}
profile_stop() {
  [ "$PROFILE" = 1 ] || return 0
  "$JDK" jcmd "$1" JFR.stop name="$2" > /dev/null
  "$JDK" jfr view --width 160 hot-methods "$RAW_DIR/$2.jfr" > "$RAW_DIR/$2-hot-methods.txt" 2>&1 || true
  "$JDK" jfr view --width 160 native-methods "$RAW_DIR/$2.jfr" > "$RAW_DIR/$2-native-methods.txt" 2>&1 || true
}

put_tag() { # put_tag URL TAG_ESCAPED DIGEST
  [ "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$1/tags/$2/digest/$3")" = 200 ] || die "PUT $2 failed"
}

# --- scenarios ---------------------------------------------------------------------------------

HOT_DIGEST="sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

scenario_hot() {
  log "== hot: GET of one tag vs bare Javalin (wrk -t$THREADS, -c ${HOT_CONNS// /, -c }, $HOT_ROUNDS rounds)"
  start_bare
  start_server hot
  put_tag "$SERVER_URL" "team%2Fapp:hot" "$HOT_DIGEST"
  [ "$(curl -s "$SERVER_URL/tags/team%2Fapp:hot")" = "$HOT_DIGEST" ] || die "GET of the hot tag did not return its digest"
  [ "$(curl -s "$BARE_URL/tags/team%2Fapp:hot" | wc -c)" = 71 ] || die "bare Javalin body is not 71 bytes"
  local bare_url="$BARE_URL/tags/team%2Fapp:hot" hot_url="$SERVER_URL/tags/team%2Fapp:hot"
  local c warm="$WARMUP" round side
  for c in $HOT_CONNS; do
    wrk_run "warmup bare" "$BARE_PID" "$c" "$warm" "$bare_url" get.lua
    wrk_run "warmup hot" "$SERVER_PID" "$c" "$warm" "$hot_url" get.lua
    warm="$REWARMUP" # the JVMs are warm; the next connection count only needs a short run-in
    # Sums over the rounds, each side measured in turn (order alternating between rounds).
    local b_req=0 b_sec=0 b_cpu=0 s_req=0 s_sec=0 s_cpu=0
    for round in $(seq 1 "$HOT_ROUNDS"); do
      local order=(bare server)
      [ $(( round % 2 )) = 1 ] || order=(server bare)
      for side in "${order[@]}"; do
        if [ "$side" = bare ]; then
          wrk_run "GET constant, bare Javalin (round $round)" "$BARE_PID" "$c" "$DURATION" "$bare_url" get.lua
          b_req=$(( b_req + R_REQUESTS - R_ERRORS )); b_sec="$(sum "$b_sec" "$R_SECONDS")"; b_cpu="$(sum "$b_cpu" "$CPU_SRV_SECONDS")"
        else
          wrk_run "GET hot tag, build-index (round $round)" "$SERVER_PID" "$c" "$DURATION" "$hot_url" get.lua
          s_req=$(( s_req + R_REQUESTS - R_ERRORS )); s_sec="$(sum "$s_sec" "$R_SECONDS")"; s_cpu="$(sum "$s_cpu" "$CPU_SRV_SECONDS")"
        fi
      done
    done
    if [ "$PROFILE" = 1 ] && [ "$c" = "${HOT_CONNS%% *}" ]; then # an extra, unreported run: JFR costs CPU
      profile_start "$SERVER_PID" hot
      wrk_run "profile hot" "$SERVER_PID" "$c" "$DURATION" "$hot_url" get.lua
      profile_stop "$SERVER_PID" hot
    fi
    local bare_rps server_rps bare_us server_us r r_cpu
    bare_rps="$(ratio "$b_req" "$b_sec")"; server_rps="$(ratio "$s_req" "$s_sec")"
    bare_us="$(awk -v c="$b_cpu" -v n="$b_req" 'BEGIN { printf "%.1f", c / n * 1e6 }')"
    server_us="$(awk -v c="$s_cpu" -v n="$s_req" 'BEGIN { printf "%.1f", c / n * 1e6 }')"
    r="$(ratio "$server_rps" "$bare_rps")"
    r_cpu="$(ratio "$bare_us" "$server_us")"
    local verdict="MISSED"; at_least "$r" "$HOT_TARGET" && verdict="met"
    local verdict_cpu="MISSED"; at_least "$r_cpu" "$HOT_TARGET" && verdict_cpu="met"
    SUMMARY+=("hot GET -c$c ($HOT_ROUNDS rounds): build-index $(printf '%.0f' "$server_rps") req/s / bare Javalin $(printf '%.0f' "$bare_rps") req/s = **${r}x** (target >= ${HOT_TARGET}x): $verdict; by server CPU per request (bare ${bare_us} µs / build-index ${server_us} µs) = **${r_cpu}x**: $verdict_cpu")
  done
  stop_pid "$SERVER_PID"
  stop_pid "$BARE_PID"
}

# get: both GET scenarios.
scenario_get() {
  scenario_hot
  scenario_random
}

scenario_random() {
  log "== random: GET of random tags among $RANDOM_TAGS (wrk -t$THREADS -c$CONNS)"
  start_server random
  seed "$SERVER_PID" "$SERVER_URL" "$RANDOM_TAGS" "bench/seed" "seed $RANDOM_TAGS tags (Seed.java, PUT)"
  wrk_run "warmup random" "$SERVER_PID" "$CONNS" "$WARMUP" "$SERVER_URL" random.lua "$RANDOM_TAGS" "bench%2Fseed"
  wrk_run "GET random tag of $RANDOM_TAGS" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" random.lua "$RANDOM_TAGS" "bench%2Fseed"
  local m="$RAW_DIR/metrics-random.txt"
  scrape "$SERVER_URL" "$m"
  SUMMARY+=("random GET over $RANDOM_TAGS tags: $(printf '%.0f' "$R_OK_RPS") req/s, p99 $R_P99 ms (read-cache hit ratio $(metric "$m" tagstore_cache_hit_ratio), cache entries $(metric "$m" tagstore_cache_entries))")
  stop_pid "$SERVER_PID"
}

scenario_put() {
  log "== put: durable PUTs of unique tags vs bare Javalin's empty PUT (wrk -t$THREADS -c$CONNS, $PUT_ROUNDS rounds)"
  start_bare
  start_server put
  # What one fsync costs on this disk, for reading the commit times: 4 KiB O_DSYNC writes.
  local dd_out dsync_ms
  dd_out="$(dd if=/dev/zero of="$SERVER_DIR/dsync-probe" bs=4k count=200 oflag=dsync 2>&1 | tail -1)"
  rm -f "$SERVER_DIR/dsync-probe"
  dsync_ms="$(awk '{ for (i = 1; i <= NF; i++) if ($i == "s,") printf "%.2f", $(i - 1) * 1000 / 200 }' <<< "$dd_out")"
  wrk_run "warmup bare put" "$BARE_PID" "$CONNS" "$WARMUP" "$BARE_URL" put.lua w
  wrk_run "warmup put" "$SERVER_PID" "$CONNS" "$WARMUP" "$SERVER_URL" put.lua w
  local before="$RAW_DIR/metrics-put-before.txt" after="$RAW_DIR/metrics-put-after.txt"
  scrape "$SERVER_URL" "$before"
  # Sums over the rounds, each side measured in turn (order alternating between rounds, as in
  # `hot`): one round per side moved the ratio by a third between runs of the same build, as the
  # two JVMs' costs per request drift with the machine's load. The bare side stays idle while
  # build-index is measured and the other way round. Each round's tags are new (label m<round>).
  local b_req=0 b_sec=0 b_cpu=0 s_req=0 s_sec=0 s_cpu=0 w_cpu=0 s_wall=0 round side
  for round in $(seq 1 "$PUT_ROUNDS"); do
    local order=(server bare)
    [ $(( round % 2 )) = 1 ] || order=(bare server)
    for side in "${order[@]}"; do
      if [ "$side" = bare ]; then
        wrk_run "PUT, bare Javalin (empty 200) (round $round)" "$BARE_PID" "$CONNS" "$DURATION" "$BARE_URL" put.lua "m$round"
        b_req=$(( b_req + R_REQUESTS - R_ERRORS )); b_sec="$(sum "$b_sec" "$R_SECONDS")"; b_cpu="$(sum "$b_cpu" "$CPU_SRV_SECONDS")"
      else
        wrk_run "PUT unique tags (durable) (round $round)" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" put.lua "m$round"
        s_req=$(( s_req + R_REQUESTS - R_ERRORS )); s_sec="$(sum "$s_sec" "$R_SECONDS")"; s_cpu="$(sum "$s_cpu" "$CPU_SRV_SECONDS")"
        w_cpu="$(sum "$w_cpu" "$CPU_WRITER_SECONDS")"; s_wall="$(sum "$s_wall" "$CPU_WALL")"
      fi
    done
  done
  scrape "$SERVER_URL" "$after"
  if [ "$PROFILE" = 1 ]; then # an extra, unreported run: JFR costs CPU
    profile_start "$SERVER_PID" put
    wrk_run "profile put" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" put.lua p
    profile_stop "$SERVER_PID" put
  fi
  local puts=$s_req put_seconds=$s_sec put_rps bare_put_rps put_us bare_put_us
  put_rps="$(ratio "$s_req" "$s_sec")"; bare_put_rps="$(ratio "$b_req" "$b_sec")"
  put_us="$(awk -v c="$s_cpu" -v n="$s_req" 'BEGIN { printf "%.0f", c / n * 1e6 }')"
  bare_put_us="$(awk -v c="$b_cpu" -v n="$b_req" 'BEGIN { printf "%.0f", c / n * 1e6 }')"
  # CPU of the whole server and of its single writer thread (every SQL statement and commit).
  local cpu_line
  cpu_line="$(awk -v w="$w_cpu" -v sv="$s_cpu" -v t="$s_wall" -v n="$puts" 'BEGIN {
      if (n < 1) n = 1
      printf "server %.2f cores = %.0f µs CPU per put; its thread localdb-writer %.2f cores (busy %.0f%% of the run) = %.0f µs per put", sv / t, sv / n * 1e6, w / t, w / t * 100, w / n * 1e6 }')"
  local gc_line
  local young='gc="G1 Young Generation"' old='gc="G1 Old Generation"'
  # The serial collector (the java -jar defaults) names its collectors Copy and MarkSweepCompact.
  [ "$(metric "$after" jvm_gc_collection_seconds_count 'gc="Copy"')" = n/a ] || { young='gc="Copy"'; old='gc="MarkSweepCompact"'; }
  gc_line="$(awk -v c0="$(metric "$before" jvm_gc_collection_seconds_count "$young")" -v c1="$(metric "$after" jvm_gc_collection_seconds_count "$young")" \
      -v m0="$(metric "$before" jvm_gc_collection_seconds_sum "$young")" -v m1="$(metric "$after" jvm_gc_collection_seconds_sum "$young")" \
      -v o0="$(metric "$before" jvm_gc_collection_seconds_count "$old")" -v o1="$(metric "$after" jvm_gc_collection_seconds_count "$old")" -v t="$put_seconds" 'BEGIN {
        n = c1 - c0; ms = (m1 - m0) * 1000
        printf "%d young collections, %d ms in all (%.1f%% of the run, %.0f ms each), %d full", n, ms, ms / 10 / t, (n > 0 ? ms / n : 0), o1 - o0 }')"
  local commits=$(( $(printf '%.0f' "$(metric "$after" localdb_commit_duration_seconds_count)") - $(printf '%.0f' "$(metric "$before" localdb_commit_duration_seconds_count)") ))
  local mean_batch commits_per_s
  mean_batch="$(ratio "$puts" "$commits")"
  commits_per_s="$(awk -v c="$commits" -v s="$put_seconds" 'BEGIN { printf "%.0f", c / s }')"
  local verdict="MISSED"; at_least "$put_rps" "$PUT_TARGET" && verdict="met"
  SUMMARY+=("durable PUT -c$CONNS ($PUT_ROUNDS rounds): $(printf '%.0f' "$put_rps") acknowledged puts/s (target >= $PUT_TARGET): $verdict; $commits commits = $commits_per_s commits/s, mean batch $mean_batch")
  stop_pid "$SERVER_PID"
  stop_pid "$BARE_PID"
  local r_put; r_put="$(ratio "$put_rps" "$bare_put_rps")"
  local verdict_r="MISSED"; at_least "$r_put" "$PUT_RATIO_TARGET" && verdict_r="met"
  SUMMARY+=("durable PUT / bare Javalin PUT (empty 200), -c$CONNS ($PUT_ROUNDS rounds): $(printf '%.0f' "$put_rps") / $(printf '%.0f' "$bare_put_rps") req/s = **${r_put}x** (target >= ${PUT_RATIO_TARGET}x): $verdict_r; server CPU per request $put_us / $bare_put_us µs")
  local q
  local section="### Group commit during the PUT run (GET /metrics)

4 KiB O_DSYNC write on the data disk (dd, 200 writes): **${dsync_ms} ms** each.

Measured ($PUT_ROUNDS rounds): $puts acknowledged puts in ${put_seconds} s, $commits commits ($commits_per_s/s), mean batch **$mean_batch** puts/commit.
CPU: $cpu_line.
GC during the run: $gc_line.
Quantiles below are of the measured run only (histogram buckets, the scrape before the run subtracted),
interpolated within a bucket as histogram_quantile does: as precise as the bucket bounds (MetricCatalog).

| quantile | localdb_commit_duration_seconds (ms) | localdb_commit_batch_size | PUT request time in server (ms) |
|---|---|---|---|"
  for q in 0.5 0.75 0.95 0.98 0.99 0.999; do
    section+="
| $q | $(ms "$(hist_quantile "$before" "$after" localdb_commit_duration_seconds "" "$q")") | $(hist_quantile "$before" "$after" localdb_commit_batch_size "" "$q") | $(ms "$(hist_quantile "$before" "$after" http_request_duration_seconds 'route="PUT /tags/{tag}/digest/{digest}"' "$q")") |"
  done
  NOTES+=("$section")
}

scenario_rss() {
  log "== rss: $RSS_TAGS tags stored"
  start_server rss
  sleep 2
  local idle_rss; idle_rss="$(rss_kib "$SERVER_PID")"
  seed "$SERVER_PID" "$SERVER_URL" "$RSS_TAGS" "bench/rss" "seed $RSS_TAGS tags (Seed.java, PUT)"
  local seed_seconds=$S_SECONDS seed_rps=$S_RPS
  local after_seed_rss; after_seed_rss="$(rss_kib "$SERVER_PID")"
  wrk_run "warmup rss" "$SERVER_PID" "$CONNS" "$WARMUP" "$SERVER_URL" random.lua "$RSS_TAGS" "bench%2Frss"
  wrk_run "GET random tag of $RSS_TAGS" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" random.lua "$RSS_TAGS" "bench%2Frss"
  local m="$RAW_DIR/metrics-rss.txt"
  sleep 11 # tagstore_tags is a gauge cached for 10 s
  scrape "$SERVER_URL" "$m"
  local rss hwm; rss="$(rss_kib "$SERVER_PID")"; hwm="$(hwm_kib "$SERVER_PID")"
  local db="$SERVER_DIR/index.db"
  local db_bytes wal_bytes
  db_bytes="$(file_bytes "$db")"; wal_bytes="$(file_bytes "$db-wal")"
  "$JDK" jcmd "$SERVER_PID" GC.run > /dev/null
  sleep 2
  local gc_rss; gc_rss="$(rss_kib "$SERVER_PID")"
  local m2="$RAW_DIR/metrics-rss-after-gc.txt"
  scrape "$SERVER_URL" "$m2"
  SUMMARY+=("RSS with $(printf '%.0f' "$(metric "$m" tagstore_tags)") tags: $(mib "$rss") MiB (peak $(mib "$hwm") MiB, $(mib "$gc_rss") MiB after a full GC); SQLite $(bytes_mib "$db_bytes") MiB + WAL $(bytes_mib "$wal_bytes") MiB; seeding took ${seed_seconds} s = $(printf '%.0f' "$seed_rps") puts/s")
  NOTES+=("### Memory with $RSS_TAGS tags

| what | value |
|---|---|
| tags stored (tagstore_tags) | $(printf '%.0f' "$(metric "$m" tagstore_tags)") |
| seeding ($SEED_CONCURRENCY connections) | ${seed_seconds} s, $(printf '%.0f' "$seed_rps") puts/s |
| RSS idle after start | $(mib "$idle_rss") MiB |
| RSS after seeding | $(mib "$after_seed_rss") MiB |
| RSS after seeding + random-GET pass | **$(mib "$rss") MiB** |
| peak RSS (VmHWM) | $(mib "$hwm") MiB |
| RSS after jcmd GC.run | $(mib "$gc_rss") MiB |
| heap used / committed / max before GC | $(bytes_mib "$(metric "$m" jvm_memory_used_bytes 'area="heap"')") / $(bytes_mib "$(metric "$m" jvm_memory_committed_bytes 'area="heap"')") / $(bytes_mib "$(metric "$m" jvm_memory_max_bytes 'area="heap"')") MiB |
| heap used / committed after GC | $(bytes_mib "$(metric "$m2" jvm_memory_used_bytes 'area="heap"')") / $(bytes_mib "$(metric "$m2" jvm_memory_committed_bytes 'area="heap"')") MiB |
| non-heap used | $(bytes_mib "$(metric "$m" jvm_memory_used_bytes 'area="nonheap"')") MiB |
| read cache entries (tagstore_cache_entries) / hit ratio | $(printf '%.0f' "$(metric "$m" tagstore_cache_entries)") / $(metric "$m" tagstore_cache_hit_ratio) |
| SQLite index.db / index.db-wal | $(bytes_mib "$db_bytes") MiB / $(bytes_mib "$wal_bytes") MiB |")
  stop_pid "$SERVER_PID"
}

# mem_kib PID FIELD: FIELD (VmRSS, VmHWM) of /proc/PID/status, or Pss from its smaps_rollup, in KiB; 0 without PID.
mem_kib() {
  [ -n "$1" ] || { echo 0; return; }
  if [ "$2" = Pss ]; then awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; else awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; fi
}

# mem_row WHAT: a row of the memory table: RSS and PSS of the server and of its launcher, their
# sums, and the server's heap (from /metrics: jvm_memory_{used,committed,max}_bytes{area="heap"}).
mem_row() {
  local s_rss s_pss l_rss l_pss m="$RAW_DIR/metrics-memory-$(tr -c 'A-Za-z0-9' '_' <<< "$1").txt"
  scrape "$SERVER_URL" "$m"
  s_rss="$(mem_kib "$SERVER_PID" VmRSS)"; s_pss="$(mem_kib "$SERVER_PID" Pss)"
  l_rss="$(mem_kib "$LAUNCHER_PID" VmRSS)"; l_pss="$(mem_kib "$LAUNCHER_PID" Pss)"
  MEM_ROWS+=("| $1 | **$(mib "$s_rss")** | $(mib "$s_pss") | $(mib "$l_rss") | $(mib "$l_pss") | **$(mib $(( s_rss + l_rss )))** | $(mib $(( s_pss + l_pss ))) | $(bytes_mib "$(metric "$m" jvm_memory_used_bytes 'area="heap"')") / $(bytes_mib "$(metric "$m" jvm_memory_committed_bytes 'area="heap"')") / $(bytes_mib "$(metric "$m" jvm_memory_max_bytes 'area="heap"')") | $(mib "$(mem_kib "$SERVER_PID" VmHWM)") |")
  MEM_LAST_SERVER=$s_rss MEM_LAST_SUM=$(( s_rss + l_rss ))
  log "memory, $1: server RSS $(mib "$s_rss") MiB (PSS $(mib "$s_pss")), launcher RSS $(mib "$l_rss") MiB (PSS $(mib "$l_pss"))"
}

# read_pass N: a warm-up and a measured random-GET pass over bench/mem:t0..t<N-1>.
read_pass() {
  wrk_run "warmup memory $1" "$SERVER_PID" "$CONNS" "$REWARMUP" "$SERVER_URL" random.lua "$1" "bench%2Fmem"
  wrk_run "GET random tag of $1 (memory, plain java -jar)" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" random.lua "$1" "bench%2Fmem"
}

# memory: RSS of a node started as `java -jar` with no options (the launcher and the server JVM it
# starts, JvmDefaults), idle and after random reads over MEM_SMALL then RSS_TAGS tags; then the
# restart time to /readiness with those tags and MEM_TASKS queued replication tasks.
scenario_memory() {
  local small="$MEM_SMALL" big="$RSS_TAGS" tasks="$MEM_TASKS" dead_port
  log "== memory: plain java -jar${SERVER_JAVA_OPTS:+ $SERVER_JAVA_OPTS}: idle, $small and $big tags, restart with $tasks queued tasks"
  dead_port="$(free_port)" # a remote that never answers: ?replicate=true writes stay queued
  start_server memory "remotes: {\"127.0.0.1:$dead_port\": [\".*\"]}"
  MEM_ROWS=()
  sleep 5
  mem_row "idle after start, 0 tags"
  seed "$SERVER_PID" "$SERVER_URL" "$small" "bench/mem" "seed $small tags (memory)"
  read_pass "$small"
  mem_row "$small tags, after a random-GET pass"
  local at_small=$MEM_LAST_SERVER at_small_sum=$MEM_LAST_SUM
  SEED_FIRST="$small" seed "$SERVER_PID" "$SERVER_URL" $(( big - small )) "bench/mem" "seed $(( big - small )) more tags (memory, to $big)"
  read_pass "$big"
  mem_row "$big tags, after a random-GET pass"
  local at_big=$MEM_LAST_SERVER at_big_sum=$MEM_LAST_SUM
  seed "$SERVER_PID" "$SERVER_URL" "$tasks" "bench/memq" "seed $tasks tags ?replicate=true (remote down: queued tasks)" "?replicate=true"
  local m="$RAW_DIR/metrics-memory-queue.txt"; sleep 6; scrape "$SERVER_URL" "$m"
  local queued; queued="$(awk '/^tagreplication_queue\{/ && !/state="done"/ && !/state="dead"/ { s += $NF } END { printf "%.0f", s }' "$m")"
  stop_pid "$SERVER_PID"
  # Restart on the same database: time from the launch to the first 200 of /readiness.
  local t0 t1 url="$SERVER_URL/readiness"
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  "${PRIO[@]}" "$JDK" java $SERVER_JAVA_OPTS -jar "$JAR" --config "$SERVER_DIR/config.yaml" >> "$SERVER_DIR/server.log" 2>&1 &
  local pid=$!; PIDS+=("$pid")
  for _ in $(seq 1 1200); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)" = 200 ] && break
    kill -0 "$pid" 2>/dev/null || die "memory: the restarted server exited (log: $SERVER_DIR/server.log)"
    sleep 0.05
  done
  t1=$(date +%s.%N)
  local restart; restart="$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')"
  LAUNCHER_PID=$pid; SERVER_PID="$(pgrep -P "$pid" | head -1 || true)"
  if [ -n "$SERVER_PID" ]; then PIDS+=("$SERVER_PID"); LAUNCHER_OF[$SERVER_PID]=$pid; else SERVER_PID=$pid LAUNCHER_PID=""; fi
  sleep 5
  mem_row "restarted with $big tags and $queued queued tasks, idle"
  stop_pid "$SERVER_PID"
  local v1="MISSED" v2="MISSED" v3="MISSED"
  [ "$at_big_sum" -lt $(( 512 * 1024 )) ] && v1="met"
  [ "$at_small_sum" -lt $(( 200 * 1024 )) ] && v2="met"
  awk -v r="$restart" 'BEGIN { exit !(r < 5) }' && v3="met"
  SUMMARY+=("memory, plain java -jar: RSS with $big tags **$(mib "$at_big_sum") MiB** launcher + server ($(mib "$at_big") MiB the server alone) (target < 512 MB): $v1; with $small tags **$(mib "$at_small_sum") MiB** ($(mib "$at_small") MiB alone) (target < 200 MB): $v2")
  SUMMARY+=("restart to /readiness with $big tags and $queued queued tasks: **${restart} s** (target < 5 s): $v3")
  local section="### Memory, plain \`java -jar\`${SERVER_JAVA_OPTS:+ with $SERVER_JAVA_OPTS}

RSS (VmRSS) and PSS (smaps_rollup: shared pages, such as the JDK's code and class data that both
JVMs map, split between the processes sharing them) in MiB; heap from the server's /metrics.

| when | server RSS | server PSS | launcher RSS | launcher PSS | RSS sum | PSS sum | heap used / committed / max | server peak RSS |
|---|---|---|---|---|---|---|---|---|"
  local row; for row in "${MEM_ROWS[@]}"; do section+="
$row"; done
  section+="

Restart (SIGTERM, then \`java -jar\` again on the same database) to the first 200 of /readiness: **${restart} s**."
  NOTES+=("$section")
}

# --- replication scenarios ---------------------------------------------------------------------

# The source node's replication settings in drain and lag (short retries, 16 workers).
REPL_YAML='tag_replication: {retry_interval: 1s, max_retry_interval: 5s, poll_retries_interval: 1s, num_workers: 16, max_concurrency_per_destination: 16}'

# done_count URL: URL's tagreplication_done_total (a live counter; the tagreplication_queue gauges
# are cached for ~5 s), 0 when absent or unreadable.
done_count() {
  { curl -sf --max-time 5 "$1/metrics" || true; } | awk '$1 == "tagreplication_done_total" { printf "%.0f", $2; f = 1 } END { if (!f) print 0 }'
}

# done_span URL PREFIX: the first and last "updated" time of URL's done tasks whose tag starts
# with PREFIX (GET /replication/tasks, pages of 1000; at most enough pages for every round's
# tasks: two rounds and one per RTT of DRAIN_TASKS each, plus 10%). Sets SPAN_TASKS, SPAN_FIRST,
# SPAN_LAST, SPAN_SECONDS.
done_span() {
  local url="$1" prefix="$2" path="/replication/tasks?state=done&limit=1000" pages=0 ts="$WORK/done-updated.txt" body
  local rounds=$(( 2 + $(rtt_list | wc -w) ))
  local max_pages=$(( DRAIN_TASKS * rounds * 11 / 10 / 1000 + 10 ))
  : > "$ts"
  while [ -n "$path" ] && [ "$pages" -lt "$max_pages" ]; do
    body="$(curl -sf --max-time 10 "$url$path")" || die "GET $url$path failed"
    # In a task object "tag" comes before "updated", and neither holds a brace.
    grep -o "\"tag\":\"$prefix[^\"]*\"[^}]*\"updated\":\"[^\"]*\"" <<< "$body" \
      | grep -o '"updated":"[^"]*"' | cut -d'"' -f4 >> "$ts" || true
    path="$(grep -o '"next":"[^"]*"' <<< "$body" | cut -d'"' -f4 || true)"
    pages=$(( pages + 1 ))
  done
  # Instant.toString omits a zero fraction: pad every time to 9 fraction digits so they sort as text.
  awk '{ t = $0; sub(/Z$/, "", t); n = index(t, "."); if (n == 0) { t = t "."; n = length(t) }
         f = substr(t, n + 1); while (length(f) < 9) f = f "0"; print substr(t, 1, n) f "Z" }' "$ts" | sort > "$ts.sorted"
  SPAN_TASKS="$(wc -l < "$ts.sorted")"
  SPAN_FIRST="$(head -1 "$ts.sorted")"; SPAN_LAST="$(tail -1 "$ts.sorted")"
  SPAN_SECONDS="$(awk -v a="$(date -d "$SPAN_FIRST" +%s.%N)" -v b="$(date -d "$SPAN_LAST" +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
}

# await_done URL COUNT WHAT: polls URL's done counter every 500 ms until COUNT (dies after
# DRAIN_DEADLINE s). Rendering /metrics costs the source 15-30 ms of CPU, so polls are sparse; the
# rates come from the tasks' own times, not from when the poll noticed.
await_done() {
  local d deadline=$(( SECONDS + DRAIN_DEADLINE ))
  while :; do
    d="$(done_count "$1")"
    [ "$d" -lt "$2" ] || return 0
    [ "$SECONDS" -lt "$deadline" ] || die "$3: only $d of $2 tasks done after ${DRAIN_DEADLINE} s"
    sleep 0.5
  done
}

# check_round SOURCE_URL REMOTE_URL REPO N WHAT: SOURCE lists N done tasks of REPO's tags (sets the
# SPAN_* of done_span) and REMOTE holds the last tag as SOURCE does.
check_round() {
  local s_url="$1" r_url="$2" repo="$3" n="$4" what="$5" last
  done_span "$s_url" "$repo:"
  [ "$SPAN_TASKS" -ge "$n" ] || die "$what: /replication/tasks lists $SPAN_TASKS done tasks, want $n"
  last="/tags/${repo/\//%2F}:t$(( n - 1 ))"
  [ "$(curl -s "$r_url$last")" = "$(curl -s "$s_url$last")" ] || die "$what: the remote does not hold the last tag"
}

scenario_drain() {
  if [ -n "$RTT_MS" ]; then scenario_drain_rtt; return; fi
  local n="$DRAIN_TASKS"
  log "== drain: a backlog of $n replication tasks built while the remote is down, then drained to it"
  local rport; rport="$(free_port)"
  start_server drain-source "remotes: {\"127.0.0.1:$rport\": [\".*\"]}
$REPL_YAML"
  local s_pid=$SERVER_PID s_url=$SERVER_URL
  seed "$s_pid" "$s_url" "$n" "bench/drain" "seed $n tags ?replicate=true on the source (remote down)" "?replicate=true"
  sleep 1
  local before="$RAW_DIR/metrics-drain-source-before.txt"; scrape "$s_url" "$before"
  [ "$(done_count "$s_url")" = 0 ] || die "drain: tasks done before the remote started"
  log "drain: backlog built ($(metric "$before" tagreplication_failures_total 'reason="connect"') connect failures so far); starting the remote on port $rport"
  wait_quiet
  cpu_begin "$s_pid"
  local t0 t_ready t_end r_pid r_url
  t0=$(date +%s.%N)
  start_server drain-remote "" "$rport"
  r_pid=$SERVER_PID r_url=$SERVER_URL
  t_ready=$(date +%s.%N)
  await_done "$s_url" "$n" drain
  t_end=$(date +%s.%N)
  local r_cpu; r_cpu="$(awk -v j="$(pid_jiffies "$r_pid")" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", j / hz }')"
  cpu_end
  local after="$RAW_DIR/metrics-drain-source-after.txt"; scrape "$s_url" "$after"
  check_round "$s_url" "$r_url" bench/drain "$n" drain
  local from_launch from_ready span_rate launch_rate ready_rate
  from_launch="$(awk -v a="$t0" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')"
  from_ready="$(awk -v a="$t_ready" -v b="$t_end" 'BEGIN { printf "%.2f", b - a }')"
  span_rate="$(ratio "$n" "$SPAN_SECONDS")"; launch_rate="$(ratio "$n" "$from_launch")"; ready_rate="$(ratio "$n" "$from_ready")"
  local s_us; s_us="$(cpu_us_per "$n")"
  ROWS+=("| drain $n replication tasks to the remote (first → last done; other CPU includes the remote) | 16 workers | $(printf '%.0f' "$span_rate") | – | – | $(printf '%.0f' "$(metric "$after" tagreplication_queue "destination=\"127.0.0.1:$rport\",state=\"dead\"")") | $CPU_COLS | $s_us |")
  log "drain: $n tasks done; first → last done ${SPAN_SECONDS} s = $(printf '%.0f' "$span_rate") tasks/s; from the remote ready ${from_ready} s, from its launch ${from_launch} s"
  local cold_span=$SPAN_SECONDS cold_cpu_srv=$CPU_SRV_SECONDS cold_cpu_cols=$CPU_COLS

  # Warm round, on the same two processes: both JVMs have now run the drain path, as a node that
  # has been up for a while has. The remote is frozen (SIGSTOP) rather than down while the second
  # backlog is seeded: calls to it hang instead of failing, so no retry delay comes before the
  # drain (the seed takes far less than the 30 s call timeout), and its compiled code survives.
  log "drain (warm): freezing the remote (SIGSTOP) and seeding $n more tasks"
  kill -STOP "$r_pid"
  seed "$s_pid" "$s_url" "$n" "bench/drainwarm" "seed $n tags ?replicate=true on the warm source (remote frozen)" "?replicate=true"
  wait_quiet
  cpu_begin "$s_pid"
  local w0 w_end
  w0=$(date +%s.%N)
  kill -CONT "$r_pid"
  await_done "$s_url" $(( 2 * n )) "drain (warm)"
  w_end=$(date +%s.%N)
  cpu_end
  local after_warm="$RAW_DIR/metrics-drain-source-after-warm.txt"; scrape "$s_url" "$after_warm"
  check_round "$s_url" "$r_url" bench/drainwarm "$n" "drain (warm)"
  local warm_rate thaw_seconds thaw_rate
  warm_rate="$(ratio "$n" "$SPAN_SECONDS")"
  thaw_seconds="$(awk -v a="$w0" -v b="$w_end" 'BEGIN { printf "%.2f", b - a }')"
  thaw_rate="$(ratio "$n" "$thaw_seconds")"
  local w_us; w_us="$(cpu_us_per "$n")"
  local warm_cpu_srv=$CPU_SRV_SECONDS warm_cpu_cols=$CPU_COLS
  ROWS+=("| drain $n more tasks, both nodes warm (first → last done; other CPU includes the remote) | 16 workers | $(printf '%.0f' "$warm_rate") | – | – | $(printf '%.0f' "$(metric "$after_warm" tagreplication_queue "destination=\"127.0.0.1:$rport\",state=\"dead\"")") | $CPU_COLS | $w_us |")
  log "drain (warm): $n tasks done; first → last done ${SPAN_SECONDS} s = $(printf '%.0f' "$warm_rate") tasks/s; from the thaw ${thaw_seconds} s = $(printf '%.0f' "$thaw_rate") tasks/s"
  stop_pid "$s_pid"
  stop_pid "$r_pid"

  # The remote's own durable PUT rate, on a fresh node, as in scenario_put.
  start_server drain-remote-put
  wrk_run "warmup drain put" "$SERVER_PID" "$CONNS" "$WARMUP" "$SERVER_URL" put.lua w
  wrk_run "PUT unique tags (durable), fresh remote for the drain ratio" "$SERVER_PID" "$CONNS" "$DURATION" "$SERVER_URL" put.lua m
  local put_rps=$R_OK_RPS
  stop_pid "$SERVER_PID"
  local r r_warm; r="$(ratio "$span_rate" "$put_rps")"; r_warm="$(ratio "$warm_rate" "$put_rps")"
  local verdict="MISSED"; at_least "$r_warm" "$DRAIN_TARGET" && verdict="met"
  SUMMARY+=("replication drain of $n tasks, both nodes warm: **$(printf '%.0f' "$warm_rate") tasks/s** first → last done (${SPAN_SECONDS} s) = **${r_warm}x** the remote's own $(printf '%.0f' "$put_rps") PUT/s (-c$CONNS) (target >= ${DRAIN_TARGET}x): $verdict; $(printf '%.0f' "$thaw_rate") tasks/s from the remote's thaw (${thaw_seconds} s)")
  SUMMARY+=("replication drain of $n tasks, both nodes just started (cold JIT): **$(printf '%.0f' "$span_rate") tasks/s** first → last done (${cold_span} s) = ${r}x; $(printf '%.0f' "$ready_rate") tasks/s from the remote ready (${from_ready} s, includes waiting for the retry), $(printf '%.0f' "$launch_rate") from its launch (${from_launch} s)")
  local q section="### Replication drain ($n tasks, GET /metrics of the source)

Cold round: $n PUTs \`?replicate=true\` on a just-started source while its remote was down (tasks
failed with \`connect\`, retry 1 s → 5 s). Remote launched at T0, answering /health after
$(awk -v a="$t0" -v b="$t_ready" 'BEGIN { printf "%.2f", b - a }') s. Warm round, on the same two processes afterwards: the remote frozen
with SIGSTOP while $n more PUTs were seeded, then resumed with SIGCONT. Spans are from the first to
the last \`updated\` time of the round's tasks in \`GET /replication/tasks?state=done\`.

| measure | seconds | tasks/s |
|---|---|---|
| warm: first → last task done | $SPAN_SECONDS | **$(printf '%.0f' "$warm_rate")** |
| warm: remote resumed → all done | $thaw_seconds | $(printf '%.0f' "$thaw_rate") |
| cold: first → last task done | $cold_span | $(printf '%.0f' "$span_rate") |
| cold: remote ready → all done | $from_ready | $(printf '%.0f' "$ready_rate") |
| cold: remote launched → all done | $from_launch | $(printf '%.0f' "$launch_rate") |
| the remote's own PUT/s (fresh node, wrk -c$CONNS) | – | $(printf '%.0f' "$put_rps") |

Warm round CPU from the remote's resumption to the end: source $warm_cpu_srv s ($w_us µs per task); cores (source | curl polls | rest incl. remote): $warm_cpu_cols.
Cold round CPU from the remote's launch to the end: source $cold_cpu_srv s ($s_us µs per task), remote $r_cpu s (its
JVM start included); cores (source | curl polls | rest incl. remote): $cold_cpu_cols.
Failures by reason after both rounds: $(for q in connect timeout http_5xx http_4xx protocol internal; do printf '%s %s, ' "$q" "$(metric "$after_warm" tagreplication_failures_total "reason=\"$q\"")"; done | sed 's/, $//').

Attempt latency is per request (a batch of up to 64 tasks); lag is per task, enqueue → done (histograms since the source started: both rounds).

| quantile | tagreplication_attempt_duration_seconds (ms) | tagreplication_replication_lag_seconds (ms) |
|---|---|---|"
  for q in 0.5 0.95 0.99; do
    section+="
| $q | $(ms "$(hist_quantile "$NO_METRICS" "$after_warm" tagreplication_attempt_duration_seconds "" "$q")") | $(ms "$(hist_quantile "$NO_METRICS" "$after_warm" tagreplication_replication_lag_seconds "" "$q")") |"
  done
  NOTES+=("$section")
}

# read_lag FILE PREFIX [KEY]: the LAG_RESULT (or KEY) line of Lag.java's output in FILE, each key=value of it set
# as the variable PREFIX_key (e.g. L_p50_ms).
read_lag() {
  local line kv key="${3:-LAG_RESULT}"
  line="$(grep "^$key " "$1")" || { cat "$1" >&2; die "no $key in $1"; }
  for kv in ${line#"$key" }; do
    printf -v "$2_${kv%%=*}" '%s' "${kv#*=}"
  done
}

# lag_warmup SOURCE_URL REMOTE_URL REPO OUT: the nodes' unreported warm-up before a lag run
# (LAG_WARMUP_PUTS, one per LAG_WARMUP_INTERVAL_MS, Lag.java with no measured PUT). The measured
# run then warms its own process with LAG_CLIENT_WARMUP PUTs (one per 20 ms) before it measures:
# on 2 cores a client compiling its code competes with the nodes (CPU columns include those ~2 s).
lag_warmup() {
  "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Lag.java" "$1" "$2" 0 50 "$LAG_POLL_MS" 5000 "$3" \
    "$LAG_WARMUP_PUTS" "$LAG_WARMUP_INTERVAL_MS" > "$4" 2>&1 || { cat "$4" >&2; die "lag warm-up failed"; }
}

scenario_lag() {
  if [ -n "$RTT_MS" ]; then scenario_lag_rtt; return; fi
  log "== lag: $LAG_PUTS sequential PUTs ?replicate=true on an idle source, each polled on the remote until visible"
  start_server lag-remote
  local r_pid=$SERVER_PID r_url=$SERVER_URL
  start_server lag-source "remotes: {\"127.0.0.1:$SERVER_PORT\": [\".*\"]}
$REPL_YAML"
  local s_pid=$SERVER_PID s_url=$SERVER_URL
  local out="$RAW_DIR/lag.txt"
  lag_warmup "$s_url" "$r_url" bench/lagwarm "$RAW_DIR/lag-warmup.txt"
  wait_quiet
  cpu_begin "$s_pid"
  "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Lag.java" "$s_url" "$r_url" "$LAG_PUTS" 50 "$LAG_POLL_MS" 5000 bench/lag \
    "$LAG_CLIENT_WARMUP" 20 > "$out" 2>&1 || { cat "$out" >&2; die "lag run failed"; }
  cpu_end
  local m="$RAW_DIR/metrics-lag-source.txt"; scrape "$s_url" "$m"
  read_lag "$out" L
  ROWS+=("| lag: $LAG_PUTS PUTs ?replicate=true, one per 50 ms, ack → visible on the remote (p50/p99 columns; other CPU includes the remote) | 1 | – | $L_p50_ms | $L_p99_ms | $L_timeouts | $CPU_COLS | – |")
  local verdict="MISSED"; awk -v a="$L_p50_ms" -v b="$LAG_TARGET_MS" 'BEGIN { exit !(a < b) }' && verdict="met"
  SUMMARY+=("idle replication lag, PUT ack → visible on the remote ($LAG_PUTS PUTs, polled every $LAG_POLL_MS ms): p50 **$L_p50_ms ms** (target < $LAG_TARGET_MS ms): $verdict; p90 $L_p90_ms, p99 $L_p99_ms, max $L_max_ms, mean $L_mean_ms ms; $L_timeouts timeouts; PUT on the source p50 $L_put_p50_ms ms; source's tagreplication_replication_lag p50 $(ms "$(hist_quantile "$NO_METRICS" "$m" tagreplication_replication_lag_seconds "" 0.5)") ms")
  stop_pid "$s_pid"
  stop_pid "$r_pid"
}

# --- shared mode -------------------------------------------------------------------------------

# start_postgres: a PostgreSQL server of its own for the shared scenario (Debian's packages, the
# newest /usr/lib/postgresql/<v>/bin), durable as a production one (fsync and synchronous_commit
# on, the defaults), on a free port with its data under DATA_DIR. As root its commands run as the
# postgres user. Sets PG_URL (JDBC) and adds the postmaster to PIDS.
start_postgres() {
  local bin; bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || die "PostgreSQL is not installed (apt-get install -y postgresql)"
  local as=() port; port="$(free_port)"
  local pgdata="$DATA_DIR/postgres"
  mkdir -p "$pgdata"
  if [ "$(id -u)" = 0 ]; then
    as=(runuser -u postgres --)
    chmod o+x "$DATA_DIR" && chown postgres "$pgdata"
  fi
  "${as[@]}" "$bin/initdb" -D "$pgdata" -U postgres --auth=trust > "$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; die "initdb failed"; }
  "${as[@]}" "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -o \
    "-p $port -c listen_addresses=127.0.0.1 -k $pgdata -c max_connections=200 -c shared_buffers=128MB" start > /dev/null \
    || { cat "$pgdata/server.log" >&2; die "PostgreSQL did not start"; }
  PIDS+=("$(head -1 "$pgdata/postmaster.pid")")
  "${as[@]}" "$bin/psql" -h "$pgdata" -p "$port" -U postgres -qc "CREATE DATABASE bench" > /dev/null || die "createdb failed"
  PG_URL="jdbc:postgresql://127.0.0.1:$port/bench"
  log "PostgreSQL $("$bin/postgres" --version | awk '{ print $3 }') on 127.0.0.1:$port (fsync on)"
}

# wrk_spread LABEL CONNS DURATION SCRIPT URLS...: one wrk per URL at once (1 thread and CONNS/n
# connections each), every script given the URL's index as its first argument (distinct tags per
# wrk for put.lua) unless SCRIPT is get.lua. Sets P_OK_RPS (sum), P_P50 / P_P99 (worst of the wrks),
# P_ERRORS; adds a result row unless LABEL starts with "warmup".
wrk_spread() {
  local label="$1" conns="$2" duration="$3" script="$4"
  shift 4
  local n=$# i=0 url pids=() outs=() each=$(( conns / $# ))
  local cap=$(( MAX_REQUESTS / $# ))
  [[ "$label" == warmup* ]] || wait_quiet
  local b0; b0=$(cpu_busy_jiffies); local t0; t0=$(date +%s.%N)
  for url in "$@"; do
    local out; out="$RAW_DIR/$(printf '%s-%s' "$label" "$i" | tr -c 'A-Za-z0-9_.-' '_').txt"
    outs+=("$out")
    if [ "$script" = get.lua ]; then
      "${PRIO[@]}" wrk -t1 -c"$each" -d"$duration" --timeout 10s --latency -s "$BENCH_DIR/$script" "$url" -- "$cap" > "$out" 2>&1 &
    else
      "${PRIO[@]}" wrk -t1 -c"$each" -d"$duration" --timeout 10s --latency -s "$BENCH_DIR/$script" "$url" -- "s$i${label//[^a-z]/}" "$cap" > "$out" 2>&1 &
    fi
    pids+=($!)
    i=$(( i + 1 ))
  done
  local pid; for pid in "${pids[@]}"; do wait "$pid" || die "wrk failed for $label"; done
  local used; used="$(awk -v b0="$b0" -v b1="$(cpu_busy_jiffies)" -v t0="$t0" -v t1="$(date +%s.%N)" -v hz="$CLK_TCK" \
      'BEGIN { printf "%.2f", (b1 - b0) / hz / (t1 - t0) }')"
  P_OK_RPS=0; P_P50=0; P_P99=0; P_ERRORS=0
  local out line
  for out in "${outs[@]}"; do
    line="$(grep '^WRK_RESULT ' "$out")" || { cat "$out" >&2; die "no WRK_RESULT from $label"; }
    P_OK_RPS="$(sum "$P_OK_RPS" "$(sed -E 's/.* ok_rps=([^ ]+).*/\1/' <<< "$line")")"
    P_P50="$(awk -v a="$P_P50" -v b="$(sed -E 's/.* p50_ms=([^ ]+).*/\1/' <<< "$line")" 'BEGIN { print (b > a ? b : a) }')"
    P_P99="$(awk -v a="$P_P99" -v b="$(sed -E 's/.* p99_ms=([^ ]+).*/\1/' <<< "$line")" 'BEGIN { print (b > a ? b : a) }')"
    P_ERRORS=$(( P_ERRORS + $(sed -E 's/.* status_errors=([^ ]+).*/\1/' <<< "$line") + $(sed -E 's/.* socket_errors=([^ ]+).*/\1/' <<< "$line") ))
  done
  if [[ "$label" != warmup* ]]; then
    ROWS+=("| $label | $conns ($n × $each) | $(printf '%.0f' "$P_OK_RPS") | $P_P50 (worst) | $P_P99 (worst) | $P_ERRORS | $used (whole machine) | – | – | – |")
    log "$label: $(printf '%.0f' "$P_OK_RPS") req/s ok in all, worst p50 ${P_P50} ms, p99 ${P_P99} ms, errors $P_ERRORS; machine $used cores busy"
  fi
}

# shared: durable PUT/s and hot GET/s of 3 nodes sharing one PostgreSQL (wrk spread over the 3)
# against one SQLite node, in the same run on the same machine.
scenario_shared() {
  log "== shared: 3 nodes on one PostgreSQL vs one SQLite node (durable PUT and hot GET, -c$CONNS)"
  local load0; load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  start_server shared-sqlite
  local sq_pid=$SERVER_PID sq_url=$SERVER_URL
  wrk_run "warmup put sqlite" "$sq_pid" "$CONNS" "$WARMUP" "$sq_url" put.lua w
  wrk_run "shared: PUT unique tags, 1 SQLite node (durable)" "$sq_pid" "$CONNS" "$DURATION" "$sq_url" put.lua m
  local sq_put=$R_OK_RPS
  put_tag "$sq_url" "team%2Fapp:hot" "$HOT_DIGEST"
  wrk_run "warmup get sqlite" "$sq_pid" "$CONNS" "$WARMUP" "$sq_url/tags/team%2Fapp:hot" get.lua
  wrk_run "shared: GET hot tag, 1 SQLite node" "$sq_pid" "$CONNS" "$DURATION" "$sq_url/tags/team%2Fapp:hot" get.lua
  local sq_get=$R_OK_RPS
  stop_pid "$sq_pid"

  start_postgres
  local urls=() pids=() i
  for i in 0 1 2; do
    start_server "shared-pg$i" "database: {postgres: {url: \"$PG_URL\", user: postgres, password: \"\", pool_size: 16}}"
    urls+=("$SERVER_URL"); pids+=("$SERVER_PID")
  done
  # Letters, not numbers: wrk_spread names each run's tags after the letters of its label.
  local round letters=(a b c d e f g h i j)
  for round in $(seq 0 $(( SHARED_WARMUP_ROUNDS - 1 ))); do
    wrk_spread "warmup put shared ${letters[round]}" "$CONNS" "$WARMUP" put.lua "${urls[@]}"
  done
  profile_start "${pids[0]}" shared-put
  wrk_spread "shared: PUT unique tags, 3 nodes on one PostgreSQL (durable)" "$CONNS" "$DURATION" put.lua "${urls[@]}"
  profile_stop "${pids[0]}" shared-put
  local pg_put=$P_OK_RPS
  put_tag "${urls[0]}" "team%2Fapp:hot" "$HOT_DIGEST"
  local hot=() u
  for u in "${urls[@]}"; do
    [ "$(curl -s "$u/tags/team%2Fapp:hot")" = "$HOT_DIGEST" ] || die "$u does not answer the hot tag written on ${urls[0]}"
    hot+=("$u/tags/team%2Fapp:hot")
  done
  wrk_spread "warmup get shared" "$CONNS" "$WARMUP" get.lua "${hot[@]}"
  wrk_spread "shared: GET hot tag, 3 nodes on one PostgreSQL" "$CONNS" "$DURATION" get.lua "${hot[@]}"
  local pg_get=$P_OK_RPS
  # Bounded staleness: a PUT acknowledged by one node, polled on another until it answers it
  # (LISTEN/NOTIFY drops the other node's cached entry). Same tool as the lag scenario.
  local vis="$RAW_DIR/shared-visibility.txt"
  "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Lag.java" "${urls[0]}" "${urls[1]}" "$LAG_PUTS" 50 "$LAG_POLL_MS" 5000 bench/shared > "$vis" 2>&1 \
    || { cat "$vis" >&2; die "shared visibility run failed"; }
  read_lag "$vis" V
  ROWS+=("| shared: $LAG_PUTS PUTs on node 1, one per 50 ms, ack → answered by node 2 | 1 | – | $V_p50_ms | $V_p99_ms | $V_timeouts | – | – | – | – |")
  for i in "${pids[@]}"; do stop_pid "$i"; done
  local r_put r_get; r_put="$(ratio "$pg_put" "$sq_put")"; r_get="$(ratio "$pg_get" "$sq_get")"
  local v_put="MISSED" v_get="MISSED"
  at_least "$r_put" 0.5 && v_put="met"; at_least "$r_get" 0.8 && v_get="met"
  local load1; load1="$(cut -d' ' -f1-3 /proc/loadavg)"
  SUMMARY+=("shared mode durable PUT: 3 nodes on one PostgreSQL $(printf '%.0f' "$pg_put")/s vs 1 SQLite node $(printf '%.0f' "$sq_put")/s = **${r_put}x** (target >= 0.5x): $v_put (load average $load0 before, $load1 after)")
  SUMMARY+=("shared mode hot GET: 3 nodes on one PostgreSQL $(printf '%.0f' "$pg_get")/s vs 1 SQLite node $(printf '%.0f' "$sq_get")/s = **${r_get}x** (target >= 0.8x): $v_get")
  local v_vis="MISSED"; awk -v a="$V_max_ms" 'BEGIN { exit !(a <= 100) }' && [ "$V_timeouts" = 0 ] && v_vis="met"
  SUMMARY+=("shared mode: a PUT acknowledged by one node answered by another after p50 **$V_p50_ms ms**, p99 $V_p99_ms, max **$V_max_ms ms** ($LAG_PUTS PUTs, polled every $LAG_POLL_MS ms; $V_timeouts timeouts) (target: every write within 100 ms): $v_vis")
}


# ringlist: the latency of one RINGLIST_LIMIT-name page of GET /list, merged from every member of a
# ring (RINGLIST_NODES nodes, max_replica 2: each holds about 2/RINGLIST_NODES of the tags) vs a
# single node's own page, same tags, same run. wrk with one connection per thread, so latency is
# a request's own, not a queue's. The page asked is the first (no offset).
scenario_ringlist() {
  log "== ringlist: GET /list of a $RINGLIST_LIMIT-name page, $RINGLIST_NODES-node ring (max_replica 2) vs one node, $RINGLIST_TAGS tags"
  local path="/list/bench/list?limit=$RINGLIST_LIMIT" conns="$THREADS"
  start_server ringlist-single
  local single_pid=$SERVER_PID single_url=$SERVER_URL
  seed "$single_pid" "$single_url" "$RINGLIST_TAGS" "bench/list" "seed $RINGLIST_TAGS tags on one node"
  [ "$(curl -s "$single_url$path" | grep -o '"size":[0-9]*')" = "\"size\":$RINGLIST_LIMIT" ] || die "single node's page is not $RINGLIST_LIMIT names"
  wrk_run "warmup ringlist single" "$single_pid" "$conns" "$WARMUP" "$single_url$path" get.lua
  wrk_run "GET /list $RINGLIST_LIMIT-name page, single node" "$single_pid" "$conns" "$DURATION" "$single_url$path" get.lua
  local s_p50=$R_P50 s_p99=$R_P99 s_rps=$R_OK_RPS s_us=$R_US
  stop_pid "$single_pid"

  local ports=() i hosts=""
  for i in $(seq 1 "$RINGLIST_NODES"); do ports+=("$(free_port)"); done
  for i in "${ports[@]}"; do hosts="$hosts${hosts:+, }\"127.0.0.1:$i\""; done
  local ring_yaml="cluster: {hosts: {static: [$hosts]}, max_replica: 2, anti_entropy_interval: 1h}"
  local pids=()
  for i in $(seq 0 $(( RINGLIST_NODES - 1 ))); do
    start_server "ringlist-$i" "$ring_yaml" "${ports[$i]}"
    pids+=("$SERVER_PID")
  done
  local url0="http://127.0.0.1:${ports[0]}" healthy=""
  for _ in $(seq 1 150); do # the members probe each other: wait until node 0 sees every one up
    scrape "$url0" "$WORK/ring-health.txt"; healthy="$(metric "$WORK/ring-health.txt" hashring_healthy_members)"
    [ "${healthy%.*}" = "$RINGLIST_NODES" ] && break
    sleep 0.2
  done
  [ "${healthy%.*}" = "$RINGLIST_NODES" ] || die "node 0 sees $healthy healthy members, want $RINGLIST_NODES"
  # Through node 0: a tag it does not own is routed to an owner, as any client's write would be.
  seed "${pids[0]}" "$url0" "$RINGLIST_TAGS" "bench/list" "seed $RINGLIST_TAGS tags through one node of the ring"
  [ "$(curl -s "$url0$path" | grep -o '"size":[0-9]*')" = "\"size\":$RINGLIST_LIMIT" ] || die "ring's page is not $RINGLIST_LIMIT names"
  local held; held="$(curl -s -H 'X-Build-Index-Forwarded: 1' "$url0/list/bench/list?limit=10000" | grep -o '"size":[0-9]*' | cut -d: -f2)"
  wrk_run "warmup ringlist ring" "${pids[0]}" "$conns" "$WARMUP" "$url0$path" get.lua
  profile_start "${pids[0]}" ringlist
  wrk_run "GET /list $RINGLIST_LIMIT-name page, $RINGLIST_NODES-node ring (merged; server CPU: the asked node only)" "${pids[0]}" "$conns" "$DURATION" "$url0$path" get.lua
  profile_stop "${pids[0]}" ringlist
  local m="$RAW_DIR/metrics-ringlist.txt"; scrape "$url0" "$m"
  SUMMARY+=("list latency of a $RINGLIST_LIMIT-name page ($RINGLIST_TAGS tags): $RINGLIST_NODES-node ring (max_replica 2, the asked node holds $held) p50 **$R_P50 ms**, p99 $R_P99 ms ($(printf '%.0f' "$R_OK_RPS") pages/s at -c$conns) vs single node p50 **$s_p50 ms**, p99 $s_p99 ms ($(printf '%.0f' "$s_rps") pages/s): ring/single p50 $(ratio "$R_P50" "$s_p50")x, p99 $(ratio "$R_P99" "$s_p99")x; fan-out failures $(metric "$m" cluster_list_fanout_failures_total); load average $(cut -d' ' -f1-3 /proc/loadavg)")
  for i in "${pids[@]}"; do stop_pid "$i"; done
}

# --- replication over latency (RTT_MS) ---------------------------------------------------------

DRAIN_RTT_TARGET_20=0.7   # drain tasks/s >= this x the remote's own PUT/s over 20 ms (and less)
DRAIN_RTT_TARGET_100=0.5  # ... over 100 ms
LAG_RTT_TARGET=0.6        # idle ack-to-visible p50 <= this x the RTT

# start_proxy PORT TARGET_PORT RTT: bench/LatencyProxy.java on PORT forwarding to TARGET_PORT with
# RTT ms of round trip (RTT/2 each way). Sets PROXY_PID. It exits by itself after 2 hours.
start_proxy() {
  local out="$WORK/proxy-$1-$3.log"
  "${PRIO[@]}" "$JDK" java "$BENCH_DIR/LatencyProxy.java" "$1" "$2" "$3" 7200 > "$out" 2>&1 &
  PROXY_PID=$!
  PIDS+=("$PROXY_PID")
  for _ in $(seq 1 300); do
    grep -q '^LATENCY_PROXY_READY' "$out" && { log "latency proxy pid $PROXY_PID: 127.0.0.1:$1 -> :$2, RTT $3 ms"; return; }
    kill -0 "$PROXY_PID" 2>/dev/null || { cat "$out" >&2; die "latency proxy exited"; }
    sleep 0.1
  done
  die "latency proxy not ready after 30 s"
}

rtt_list() { tr ',' ' ' <<< "$RTT_MS"; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# The source and remote pair of the RTT scenarios, default tag_replication configuration: the
# remote is reached only through the proxy port PPORT. Sets RTT_{S,R}_{PID,URL}, RTT_R_PORT, PPORT.
start_rtt_pair() {
  local name="$1"
  PPORT="$(free_port)"
  start_server "$name-remote"
  RTT_R_PID=$SERVER_PID RTT_R_URL=$SERVER_URL RTT_R_PORT=$SERVER_PORT
  start_server "$name-source" "remotes: {\"127.0.0.1:$PPORT\": [\".*\"]}"
  RTT_S_PID=$SERVER_PID RTT_S_URL=$SERVER_URL
}

failures_line() { # failures_line METRICS_FILE
  local q
  for q in connect timeout throttled http_5xx http_4xx protocol internal; do
    printf '%s %s, ' "$q" "$(metric "$1" tagreplication_failures_total "reason=\"$q\"")"
  done | sed 's/, $//'
}

# drain_rtt_round S_PID S_URL RTT REPO TOTAL: with the proxy down, seeds DRAIN_TASKS tags of REPO
# ?replicate=true on the source; then starts the proxy at RTT, retries the failed tasks (closing
# the breaker) and waits until the source has TOTAL tasks done (CPU measured from the retry).
drain_rtt_round() {
  local s_pid="$1" s_url="$2" rtt="$3" repo="$4" total="$5"
  seed "$s_pid" "$s_url" "$DRAIN_TASKS" "$repo" "seed $DRAIN_TASKS tags ?replicate=true (proxy down, next RTT $rtt ms)" "?replicate=true"
  start_proxy "$PPORT" "$RTT_R_PORT" "$rtt"
  wait_quiet
  cpu_begin "$s_pid"
  curl -sf --max-time 30 -X POST "$s_url/replication/tasks/retry" > /dev/null || die "POST /replication/tasks/retry failed"
  await_done "$s_url" "$total" "drain at RTT $rtt ms"
  cpu_end
  stop_pid "$PROXY_PID"
}

scenario_drain_rtt() {
  local n="$DRAIN_TASKS" rtt
  log "== drain over latency: backlogs of $n tasks drained through a proxy at RTT ${RTT_MS} ms (default configuration)"
  start_rtt_pair drain-rtt
  local s_pid=$RTT_S_PID s_url=$RTT_S_URL r_pid=$RTT_R_PID r_url=$RTT_R_URL
  # Warm-up (unreported): the remote's write path, then one drain with no added latency.
  wrk_run "warmup rtt remote put" "$r_pid" "$CONNS" "$WARMUP" "$r_url" put.lua w
  drain_rtt_round "$s_pid" "$s_url" 0 bench/rttwarm "$n"
  local total=$n section="### Replication over latency: drain of $n tasks (default configuration)

Per RTT: $n PUTs \`?replicate=true\` seeded on the source while the proxy is down (the first
attempts fail with \`connect\` and open the breaker), then the proxy started with the RTT and
\`POST /replication/tasks/retry\` (which closes the breaker) starts the drain; tasks/s from the
first to the last \`updated\` time of the round's done tasks. The remote's PUT/s: wrk -c$CONNS
durable PUTs straight to the same remote process right after the drain (DURATION=$DURATION).
Load: 1-minute load average when the round started (nproc $(nproc)). Unreported warm-up first:
wrk PUTs on the remote (WARMUP=$WARMUP) and one drain at RTT 0.

| RTT ms | load | drain tasks/s | remote PUT/s | ratio | target | source CPU µs/task | attempt p50 ms | window | failures (source, cumulative) |
|---|---|---|---|---|---|---|---|---|---|"
  for rtt in $(rtt_list); do
    local load; load="$(load1)"
    total=$(( total + n ))
    drain_rtt_round "$s_pid" "$s_url" "$rtt" "bench/rtt$rtt" "$total"
    local m="$RAW_DIR/metrics-drain-rtt$rtt-source.txt"; scrape "$s_url" "$m"
    check_round "$s_url" "$r_url" "bench/rtt$rtt" "$n" "drain at RTT $rtt ms"
    local rate; rate="$(ratio "$n" "$SPAN_SECONDS")"
    local us; us="$(cpu_us_per "$n")"
    ROWS+=("| drain $n tasks over RTT $rtt ms (default config; first → last done) | – | $(printf '%.0f' "$rate") | – | – | – | $CPU_COLS | $us |")
    wrk_run "PUT unique tags (durable) on the remote after the RTT $rtt ms drain" "$r_pid" "$CONNS" "$DURATION" "$r_url" put.lua "r${rtt}x"
    local put_rps=$R_OK_RPS r; r="$(ratio "$rate" "$put_rps")"
    local target=$DRAIN_RTT_TARGET_20; [ "$rtt" -le 20 ] || target=$DRAIN_RTT_TARGET_100
    local verdict="MISSED"; at_least "$r" "$target" && verdict="met"
    [ "$rtt" -le 100 ] || verdict="(no target above 100 ms)"
    SUMMARY+=("drain over RTT $rtt ms (default config, $n tasks, load $load): **$(printf '%.0f' "$rate") tasks/s** = **${r}x** the remote's $(printf '%.0f' "$put_rps") PUT/s in the same run (target >= ${target}x): $verdict")
    section+="
| $rtt | $load | **$(printf '%.0f' "$rate")** | $(printf '%.0f' "$put_rps") | **$r** | $target | $us | $(ms "$(hist_quantile "$NO_METRICS" "$m" tagreplication_attempt_duration_seconds "" 0.5)") | $(metric "$m" tagreplication_window "destination=\"127.0.0.1:$PPORT\"") | $(failures_line "$m") |"
    log "drain at RTT $rtt ms: $(printf '%.0f' "$rate") tasks/s, remote $(printf '%.0f' "$put_rps") PUT/s, ratio $r (load $load)"
  done
  NOTES+=("$section")
  stop_pid "$s_pid"
  stop_pid "$r_pid"
}

scenario_lag_rtt() {
  local rtt
  log "== lag over latency: $LAG_PUTS sequential PUTs per RTT in ${RTT_MS} ms (default configuration)"
  start_rtt_pair lag-rtt
  local s_pid=$RTT_S_PID s_url=$RTT_S_URL r_url=$RTT_R_URL
  local section="### Replication over latency: idle lag ($LAG_PUTS PUTs per RTT, default configuration)

One PUT \`?replicate=true\` on the source every 50 ms (after $LAG_WARMUP_PUTS discarded, one per $LAG_WARMUP_INTERVAL_MS ms), each polled
on the remote directly (every $LAG_POLL_MS ms) until visible; the source reaches the remote through the
proxy. Target: p50 <= ${LAG_RTT_TARGET}x RTT. \"link\" is what the proxy adds to an idle request as
measured (\`GET /health\` through it minus straight to the remote, p50 of 100 each).

| RTT ms | link ms | load | p50 ms | p50 / RTT | p50 / link | p90 ms | p99 ms | max ms | timeouts | PUT p50 ms |
|---|---|---|---|---|---|---|---|---|---|---|"
  for rtt in $(rtt_list); do
    start_proxy "$PPORT" "$RTT_R_PORT" "$rtt"
    local out="$RAW_DIR/lag-rtt$rtt.txt" link="$RAW_DIR/link-rtt$rtt.txt"
    lag_warmup "$s_url" "$r_url" "bench/lagwarm$rtt" "$RAW_DIR/lag-rtt$rtt-warmup.txt"
    "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Lag.java" --link "http://127.0.0.1:$PPORT" "$r_url" 100 20 > "$link" 2>&1 \
      || { cat "$link" >&2; die "link measurement failed"; }
    read_lag "$link" K LINK_RESULT
    wait_quiet
    local load; load="$(load1)"
    cpu_begin "$s_pid"
    "${PRIO[@]}" "$JDK" java "$BENCH_DIR/Lag.java" "$s_url" "$r_url" "$LAG_PUTS" 50 "$LAG_POLL_MS" 5000 "bench/lag$rtt" \
      "$LAG_CLIENT_WARMUP" 20 > "$out" 2>&1 || { cat "$out" >&2; die "lag run failed"; }
    cpu_end
    read_lag "$out" L
    local share="–" link_share="–" verdict="(no target at 0 ms)"
    if [ "$rtt" -gt 0 ]; then
      share="$(ratio "$L_p50_ms" "$rtt")"
      link_share="$(ratio "$L_p50_ms" "$K_added_p50_ms")"
      verdict="MISSED"; awk -v a="$share" -v b="$LAG_RTT_TARGET" 'BEGIN { exit !(a <= b) }' && verdict="met"
    fi
    ROWS+=("| lag over RTT $rtt ms: $LAG_PUTS PUTs, ack → visible on the remote (p50/p99 columns) | 1 | – | $L_p50_ms | $L_p99_ms | $L_timeouts | $CPU_COLS | – |")
    SUMMARY+=("idle lag over RTT $rtt ms (load $load): p50 **$L_p50_ms ms** = **${share}x** RTT (target <= ${LAG_RTT_TARGET}x): $verdict; p99 $L_p99_ms ms, $L_timeouts timeouts; the proxy added $K_added_p50_ms ms to an idle request (${link_share}x of that)")
    section+="
| $rtt | $K_added_p50_ms | $load | **$L_p50_ms** | $share | $link_share | $L_p90_ms | $L_p99_ms | $L_max_ms | $L_timeouts | $L_put_p50_ms |"
    log "lag at RTT $rtt ms: p50 $L_p50_ms ms ($share x RTT), p99 $L_p99_ms ms (load $load)"
    stop_pid "$PROXY_PID"
  done
  NOTES+=("$section")
  stop_pid "$s_pid"
  stop_pid "$RTT_R_PID"
}

# --- main --------------------------------------------------------------------------------------

main() {
  local scenarios=("$@") s
  [ ${#scenarios[@]} -eq 0 ] && scenarios=("${ALL_SCENARIOS[@]}")
  for s in "${scenarios[@]}"; do
    declare -F "scenario_$s" > /dev/null || die "unknown scenario '$s' (known: ${ALL_SCENARIOS[*]})"
  done
  ensure_tools
  ensure_jar
  mkdir -p "$RAW_DIR"
  local started; started="$(date -u +%FT%TZ)"
  local load0; load0="$(cut -d' ' -f1-3 /proc/loadavg)"
  for s in "${scenarios[@]}"; do "scenario_$s"; done

  local jdk; jdk="$("$JDK" java -version 2>&1 | head -2 | tail -1)"
  local commit; commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  git -C "$ROOT" diff --quiet HEAD -- 2>/dev/null || commit="$commit (+ uncommitted changes)"
  {
    echo "# build-index benchmark run $STAMP"
    echo
    echo "- command: \`${RTT_MS:+RTT_MS=$RTT_MS DRAIN_TASKS=$DRAIN_TASKS }bench/run.sh ${scenarios[*]}\` (DURATION=$DURATION, WARMUP=$WARMUP, wrk -t$THREADS, MAX_REQUESTS=$MAX_REQUESTS, NICE=$NICE, WAIT_QUIET=$WAIT_QUIET${SERVER_JAVA_OPTS:+, SERVER_JAVA_OPTS=$SERVER_JAVA_OPTS})"
    echo "- started $started, commit $commit; buildindex.jar built $JAR_INFO"
    echo "- machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, $(uname -sr)"
    echo "- JDK: $jdk; $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
    echo "- load average at start: $load0, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "## Results"
    echo
    echo "wrk and the server share the machine's cores. CPU columns are cores used on average over the run:"
    echo "the server under test, the load generator (wrk, or Seed.java for seeding), and everything else on the machine."
    echo "The last column is the server's CPU time per request, which other load disturbs less than throughput"
    echo "(though not at all: on a busy machine each wake-up tends to serve more requests)."
    echo
    echo "| scenario | conns | req/s (ok) | p50 ms | p99 ms | errors | server CPU | client CPU | other CPU | server µs CPU/req |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "## Against the targets"
    echo
    printf -- '- %s\n' "${SUMMARY[@]}"
    local n
    for n in "${NOTES[@]}"; do echo; echo "$n"; done
    echo
    echo "Raw wrk outputs and /metrics scrapes: \`bench/results/$STAMP/\`."
  } > "$REPORT"
  echo
  echo "== summary ($REPORT)"
  printf '  %s\n' "${SUMMARY[@]}"
}

main "$@"; exit  # on one line: bash has read all of it before running it, so edits to this file cannot affect a run
