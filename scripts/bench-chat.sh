#!/usr/bin/env bash
# Benchmarks muchat's chat path end to end on loopback: ONE_CHAT from user 2i to user
# 2i+1 and back, stored in the database, acknowledged and pushed. docs/benchmarks.md
# explains every figure.
#
# usage: scripts/bench-chat.sh MODE
#   chat      one server on the embedded database, then one on MariaDB, each with the
#             closed, open and legacy closed runs below (about 16 minutes)
#   cluster   MariaDB + Redis: one instance, then two instances with every pair of
#             users split over them, so every message crosses Redis (about 12 minutes)
#   overload  the embedded database, then MariaDB, each offered twice what it takes for
#             OVERLOAD_SECONDS while a probe pair chats at 1 msg/s each: the probe's
#             latency, the server's memory, nothing acknowledged lost (about 9 minutes;
#             at most about 12, when both backlogs use all of OVERLOAD_DRAIN)
#
# Each setup gets a fresh server and database and runs with the same users:
#   closed  every user keeps CHAT_WINDOW messages unacknowledged: the most it takes
#   open    paced at each rate of CHAT_OPEN_RATES: the latency at that rate
# In chat mode each database then gets one more run, with users of its own:
#   legacy closed  the classic protocol (JSON + NUL, ChatLoad --legacy), which has no
#           SEND_ACK: each user sends its next message once its partner has received
#           the last, one in flight per direction: the comparison with the classic
#           C++ ChatServer. The server paces each legacy connection's pushes (one frame
#           per 25 ms), so this run cannot exceed 40 msgs/s per user
# Every row ends with the servers' CPU over the measured seconds: in cores, and per
# delivered message in µs (cores x 1,000,000 / delivered/s), then the benchmark
# MariaDB's own CPU per delivered message (- without one), then the load average.
# In overload mode the closed run is followed by one open run at twice its delivered
# rate, with OVERLOAD_WINDOW instead of CHAT_WINDOW, no warm-up (the closed run was
# one), and the probe pair (ChatLoad --probe, on a client thread of its own) logged in
# with the load and sending in the same seconds. MemorySampler reads the server's RSS
# (/proc/PID/status) once a second and the heap after each collection from its GC log
# over those seconds.
#
# Knobs (environment):
#   CHAT_USERS      users, default 1000 (500 pairs)
#   CHAT_SECONDS    measured seconds per run, default 20
#   CHAT_WARMUP     unmeasured seconds of load before that, default 60: on 2 cores
#                   the JIT compiler still takes a fifth to half of a core 40 s into
#                   the load, and settles after about 60 s
#   CHAT_WINDOW     unacknowledged messages per user, default 8
#   CHAT_DRAIN      seconds allowed after a run for the last messages to arrive, default 15
#   CHAT_CLIENT_THREADS   selector threads of the load client, default 2
#   CHAT_OPEN_RATES msgs/s of the open runs, default "10000 half": 10,000 is half the
#                   20,000 msgs/s goal, where p99 should stay under 20 ms; "half" is
#                   half the closed run's delivered rate, as the earlier tables used
#   CHAT_LEGACY     1 (default) for the legacy closed run of chat mode, 0 to skip it
#                   (about 2 minutes less per database)
#
#   OVERLOAD_SECONDS    seconds of load at twice the closed rate, default 60
#   OVERLOAD_WINDOW     unacknowledged messages per user in that run, default 1000: several
#                       seconds of a user's share, so the server's flow control, not the
#                       client's window, decides how much is accepted
#   OVERLOAD_DRAIN      seconds allowed after it for the backlog to be answered and
#                       delivered, default 120 (at 2x, the backlog is about as many
#                       seconds of work as the load lasted)
#   OVERLOAD_FLAT_AFTER seconds into the load after which RSS should stop growing,
#                       default 10
#
#   CHAT_INNODB_BUFFER_POOL   InnoDB buffer pool of the benchmark's MariaDB, default 1G
#   CHAT_INNODB_LOG_FILE      its redo log size, default 1G
#
# MariaDB runs as a private mariadbd (from the Debian package) on a free loopback port
# with a data directory of its own, sized for this load as a production server would be:
# a buffer pool for what a run writes (about 0.5 GB in 90 s at 10,000 msgs/s) and a
# redo log that does not force page flushing every few seconds. Durability is
# MariaDB's default: the redo log is flushed at every COMMIT, doublewrite on. Debian's
# 128 MiB pool and 96 MiB log turned a run into 15 MB/s of page writes and reads back
# from the disk; docs/benchmarks.md has the comparison. Cluster mode also starts a
# private redis-server. Tables go to stdout as Markdown; logs, GC logs, and the servers'
# busiest threads during each run (top -H), go to target/bench/chat-*, the overload
# runs' client logs and memory samples to target/bench/overload-*. Every process and file
# this script creates is removed when it exits. Under each table: how late the load
# client wrote the open runs' messages, which every latency in the table includes: its
# own scheduling, unless a user's window was full.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

USERS=${CHAT_USERS:-1000}
SECONDS_PER_RUN=${CHAT_SECONDS:-20}
WARMUP=${CHAT_WARMUP:-60}
WINDOW=${CHAT_WINDOW:-8}
DRAIN=${CHAT_DRAIN:-15}
CLIENT_THREADS=${CHAT_CLIENT_THREADS:-2}
OPEN_RATES=${CHAT_OPEN_RATES:-10000 half}
LEGACY=${CHAT_LEGACY:-1}
OVERLOAD_SECONDS=${OVERLOAD_SECONDS:-60}
OVERLOAD_WINDOW=${OVERLOAD_WINDOW:-1000}
OVERLOAD_DRAIN=${OVERLOAD_DRAIN:-120}
OVERLOAD_FLAT_AFTER=${OVERLOAD_FLAT_AFTER:-10}
INNODB_BUFFER_POOL=${CHAT_INNODB_BUFFER_POOL:-1G}
INNODB_LOG_FILE=${CHAT_INNODB_LOG_FILE:-1G}
SERVER_JAVA_OPTS=(-Xms1g -Xmx1g)
CLIENT_JAVA_OPTS=(-Xms512m -Xmx512m)
# Room for what the overload client holds when the server stops reading it.
OVERLOAD_CLIENT_JAVA_OPTS=(-Xms1g -Xmx1g)
OUT=target/bench
RUN_ID=$$

STARTED=()     # pids of every process started here; see cleanup
DATABASES=0    # MariaDB databases created here
SCRATCH=$(mktemp -d)
SERVER_PIDS=()
DB_PID=""      # the private mariadbd, once started

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"; return
    fi
  done
}

# start_mariadb — the private mariadbd described at the top; sets DB_PORT.
start_mariadb() {
  local dir=$SCRATCH/mariadb as_root=()
  [[ $(id -u) == 0 ]] && as_root=(--user=root)
  DB_PORT=$(free_port)
  mariadb-install-db --no-defaults --auth-root-authentication-method=normal --skip-test-db \
      --datadir="$dir/data" "${as_root[@]}" >"$OUT/chat-mariadb.log" 2>&1
  mariadbd --no-defaults --datadir="$dir/data" --port="$DB_PORT" --bind-address=127.0.0.1 \
      --socket="$dir/mariadb.sock" --pid-file="$dir/mariadb.pid" --skip-log-bin \
      --innodb-buffer-pool-size="$INNODB_BUFFER_POOL" --innodb-log-file-size="$INNODB_LOG_FILE" \
      "${as_root[@]}" >>"$OUT/chat-mariadb.log" 2>&1 &
  DB_PID=$!
  STARTED+=("$DB_PID")
  for _ in $(seq 1 120); do
    mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  say "the benchmark's mariadbd did not come up on port $DB_PORT; see $OUT/chat-mariadb.log"; return 1
}

# new_database — creates an empty database on the private MariaDB; sets DB to its name
# and DB_URL to its JDBC URL.
new_database() {
  DB="muchat_bench_$((DATABASES++))"
  mariadb -h127.0.0.1 -P"$DB_PORT" -uroot -e "CREATE DATABASE $DB"
  DB_URL="jdbc:mysql://127.0.0.1:$DB_PORT/$DB"
}

# start_redis — a private, non-persistent redis-server; sets REDIS_PORT.
start_redis() {
  REDIS_PORT=$(free_port)
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
      >"$OUT/chat-redis.log" 2>&1 &
  STARTED+=("$!")
  for _ in $(seq 1 40); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  say "redis-server did not come up on port $REDIS_PORT"; return 1
}

# start_server NAME PORT SERVER_OPTIONS... — starts one muchat server, its GC log in
# target/bench/chat-gc-NAME.log, waits until it accepts, and appends its pid to SERVER_PIDS.
start_server() {
  local name=$1 port=$2 log="$OUT/chat-server-$1.log"
  shift 2
  # Every load client connects from 127.0.0.1: allow all of them, and more, with no
  # limits per address; cheap password hashes, so thousands of users log in in seconds.
  java "${SERVER_JAVA_OPTS[@]}" -Xlog:gc:file="$OUT/chat-gc-$name.log":uptime:filecount=0 \
      -jar target/muchat.jar server --host 127.0.0.1 --port "$port" --max-connections-per-address 100000 \
      --hash-memory 8 --throttle-addresses no --max-registrations-per-address 0 \
      "$@" >"$log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  SERVER_PIDS+=("$pid")
  wait_for_line "$log" "muchat ready" 60 "$pid"
}

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}

# cpu_ticks — user + system CPU time the running servers have used, in clock ticks.
cpu_ticks() {
  local pid total=0
  for pid in "${SERVER_PIDS[@]}"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
  done
  echo "$total"
}

# db_ticks — user + system CPU time of the private mariadbd in clock ticks, or - if none runs.
db_ticks() {
  if [[ -n $DB_PID && -r /proc/$DB_PID/stat ]]; then
    awk '{ print $14 + $15 }' "/proc/$DB_PID/stat"
  else
    echo -
  fi
}

# watch_servers NAME — in the background, once the load client has logged its users in
# and warmed up: the servers' CPU use over the measured seconds in cores, into
# $SCRATCH/cores, the same for the private mariadbd into $SCRATCH/db-cores (- if none),
# and the servers' busiest threads halfway through (top -H), into
# target/bench/chat-threads-NAME.txt. Sets WATCHER to its pid.
watch_servers() {
  local name=$1 logins pids
  logins=$(grep -c 'users logged in' "$OUT/chat-load.log" || true)
  pids=$(IFS=,; echo "${SERVER_PIDS[*]}")
  rm -f "$SCRATCH/cores" "$SCRATCH/db-cores"
  ( for _ in $(seq 1 6000); do
      (($(grep -c 'users logged in' "$OUT/chat-load.log" || true) > logins)) && break
      sleep 0.1
    done
    sleep "$WARMUP"
    local t0 w0 t1 d0 d1
    t0=$(cpu_ticks); d0=$(db_ticks); w0=$EPOCHREALTIME
    sleep $((SECONDS_PER_RUN / 2 - 2 > 0 ? SECONDS_PER_RUN / 2 - 2 : 0))
    top -H -b -n 2 -d 2 -p "$pids" | awk '/^top -/ { n++ } n == 2' | head -n 30 \
        >"$OUT/chat-threads-$name.txt" 2>/dev/null || true
    sleep $((SECONDS_PER_RUN / 2 - 1 > 0 ? SECONDS_PER_RUN / 2 - 1 : 0))
    t1=$(cpu_ticks); d1=$(db_ticks)
    awk -v t="$((t1 - t0))" -v d0="$d0" -v d1="$d1" -v hz="$(getconf CLK_TCK)" -v w0="$w0" \
        -v w1="$EPOCHREALTIME" -v cores="$SCRATCH/cores" -v db="$SCRATCH/db-cores" \
        'BEGIN { printf "%.2f", t / hz / (w1 - w0) >cores
                 if (d0 == "-" || d1 == "-") printf "-" >db
                 else printf "%.3f", (d1 - d0) / hz / (w1 - w0) >db }'
  ) &
  WATCHER=$!
  STARTED+=("$WATCHER")
}

# per_message CORES DELIVERED_PER_S — CPU µs per delivered message, or - if either is unknown or 0.
per_message() {
  awk -v c="$1" -v d="$2" 'BEGIN { if (c == "-" || c == "" || d + 0 == 0) print "-"; else printf "%.1f\n", c * 1e6 / d }'
}

# load NAME LABEL TARGETS CHATLOAD_OPTIONS... — one load run; sets ROW to its table row,
# extended with the servers' CPU use while measured (cores, µs per delivered message),
# the private MariaDB's µs per delivered message, and the machine's load average.
load() {
  local name=$1 label=$2 targets=$3 row status=0 cores db_cores delivered
  shift 3
  watch_servers "$name"
  row=$(java "${CLIENT_JAVA_OPTS[@]}" -cp target/muchat.jar muchat.bench.ChatLoad \
      --targets "$targets" --users "$USERS" --seconds "$SECONDS_PER_RUN" --warmup "$WARMUP" \
      --drain "$DRAIN" --threads "$CLIENT_THREADS" --label "$label" "$@" \
      2>>"$OUT/chat-load.log") || status=$?
  if ((status != 0 && status != 3)) || [[ -z $row ]]; then
    kill "$WATCHER" 2>/dev/null || true
    say "the load client failed (status $status); see $OUT/chat-load.log"; return 1
  fi
  ((status == 3)) && say "MESSAGES WERE LOST in run '$label'; see $OUT/chat-load.log"
  wait "$WATCHER" 2>/dev/null || true
  cores=$(cat "$SCRATCH/cores" 2>/dev/null || echo -)
  db_cores=$(cat "$SCRATCH/db-cores" 2>/dev/null || echo -)
  # ChatLoad's row ends: | delivered/s | p50 | p99 | p999 | lost | errors |
  delivered=$(awk -F'|' '{ gsub(/[ ,]/, "", $(NF - 6)); print $(NF - 6) }' <<<"$row")
  ROW="$row $cores | $(per_message "$cores" "$delivered") | $(per_message "$db_cores" "$delivered")"
  ROW+=" | $(cut -d' ' -f1 /proc/loadavg) |"
}

# measure SETUP TARGETS PROFILE_NAME — the closed run (registering the users), then an
# open run at each rate of OPEN_RATES; appends every row to ROWS.
measure() {
  local setup=$1 targets=$2 name=$3 prefix="b${RUN_ID}${3}" delivered rate
  say "$setup: closed loop, $USERS users, window $WINDOW, ${SECONDS_PER_RUN}s after ${WARMUP}s warm-up"
  load "$name-closed" "$setup | closed" "$targets" --window "$WINDOW" --register --prefix "$prefix"
  ROWS+=("$ROW")
  delivered=$(awk -F'|' '{ gsub(/[ ,]/, "", $6); print $6 }' <<<"$ROW")
  for rate in $OPEN_RATES; do
    [[ $rate == half ]] && rate=$((delivered / 2 > 0 ? delivered / 2 : 1))
    say "$setup: open loop at $rate msgs/s"
    load "$name-open-$rate" "$setup | open" "$targets" --window "$WINDOW" --rate "$rate" --prefix "$prefix"
    ROWS+=("$ROW")
    LATE+=("- $setup at $rate msgs/s: $(grep -o 'sends left the load client late by [^(]*' \
        "$OUT/chat-load.log" | tail -n 1 | sed 's/ *$//')")
  done
}

# measure_legacy SETUP TARGETS PROFILE_NAME — the legacy closed run, with users registered
# for it (the native runs' users may still have pushes waiting, which a legacy login would
# receive first, one every 25 ms); appends its row to ROWS.
measure_legacy() {
  local setup=$1 targets=$2 name=$3 prefix="b${RUN_ID}${3}legacy"
  say "$setup: legacy closed loop, $USERS users, 1 message in flight per direction, ${SECONDS_PER_RUN}s after ${WARMUP}s warm-up"
  load "$name-legacy" "$setup | legacy closed" "$targets" --legacy --window 1 --register --prefix "$prefix"
  ROWS+=("$ROW")
}

print_table() {
  echo
  echo "| $1 | mode | offered | acked/s | delivered/s | p50 ms | p99 ms | p999 ms | lost | errors | server CPU (cores) | server µs/msg | MariaDB µs/msg | load avg |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $USERS users, window $WINDOW," \
       "${SECONDS_PER_RUN}s measured after ${WARMUP}s warm-up; load client on the same machine." \
       "µs/msg: CPU time over the measured seconds per delivered message."
  if ((LEGACY)) && [[ $1 == database ]]; then
    echo "Legacy closed: classic JSON + NUL, no SEND_ACK, 1 message in flight per direction;" \
         "the server paces pushes to a legacy connection (one frame per 25 ms)."
  fi
  echo
  echo "The load client's own lateness in the open runs (part of every latency above):"
  printf '%s\n' "${LATE[@]}"
}

chat() {
  ROWS=() LATE=()
  local port
  port=$(free_port)
  start_server embedded "$port" --data "$SCRATCH/data"
  measure "embedded (SQLite)" "127.0.0.1:$port" embedded
  if ((LEGACY)); then measure_legacy "embedded (SQLite)" "127.0.0.1:$port" embedded; fi
  stop_servers

  start_mariadb
  new_database
  port=$(free_port)
  start_server mariadb "$port" --db-url "$DB_URL" --db-user root --db-password ''
  measure "MariaDB" "127.0.0.1:$port" mariadb
  if ((LEGACY)); then measure_legacy "MariaDB" "127.0.0.1:$port" mariadb; fi
  stop_servers
  print_table database
}

cluster() {
  ROWS=() LATE=()
  local port_a port_b
  start_mariadb
  start_redis

  new_database
  port_a=$(free_port)
  start_server cluster-1a "$port_a" --db-url "$DB_URL" --db-user root \
      --db-password '' --redis "127.0.0.1:$REDIS_PORT" --instance a
  measure "1 instance" "127.0.0.1:$port_a" cluster1
  stop_servers

  new_database
  port_a=$(free_port)
  port_b=$(free_port)
  while [[ $port_b == "$port_a" ]]; do port_b=$(free_port); done
  start_server cluster-2a "$port_a" --db-url "$DB_URL" --db-user root \
      --db-password '' --redis "127.0.0.1:$REDIS_PORT" --instance a
  start_server cluster-2b "$port_b" --db-url "$DB_URL" --db-user root \
      --db-password '' --redis "127.0.0.1:$REDIS_PORT" --instance b
  measure "2 instances, pairs split" "127.0.0.1:$port_a,127.0.0.1:$port_b" cluster2
  stop_servers
  print_table setup
}

# field NAME LINE — the value of NAME=value in a line of such words, or "-".
field() {
  local value
  value=$(sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2")
  echo "${value:--}"
}

# thousands N — N with a comma every three digits, as ChatLoad prints its figures.
thousands() {
  sed -E ':a; s/([0-9])([0-9]{3})($|,)/\1,\2\3/; ta' <<<"$1"
}

# overload_run NAME TARGET RATE PREFIX — the open run at RATE msgs/s with the probe,
# while MemorySampler watches the server; sets LOAD_ROW, PROBE_LINE and MEMORY_LINE.
overload_run() {
  local name=$1 target=$2 rate=$3 prefix=$4 log="$OUT/overload-load-$1.log" status=0
  local client sampler server=${SERVER_PIDS[0]}
  : >"$log"
  java "${OVERLOAD_CLIENT_JAVA_OPTS[@]}" -cp target/muchat.jar muchat.bench.ChatLoad \
      --targets "$target" --users "$USERS" --prefix "$prefix" --probe --rate "$rate" \
      --window "$OVERLOAD_WINDOW" --warmup 0 --seconds "$OVERLOAD_SECONDS" \
      --drain "$OVERLOAD_DRAIN" --threads "$CLIENT_THREADS" >"$SCRATCH/row" 2>"$log" &
  client=$!
  STARTED+=("$client")
  # The load starts 10 ms after the client says its users are in.
  until grep -q 'users logged in' "$log"; do
    kill -0 "$client" 2>/dev/null || break
    sleep 0.1
  done
  java -Xmx64m -cp target/muchat.jar muchat.bench.MemorySampler --pid "$server" \
      --gc-log "$OUT/chat-gc-$name.log" --seconds "$OVERLOAD_SECONDS" \
      --flat-after "$OVERLOAD_FLAT_AFTER" >"$SCRATCH/memory" 2>"$OUT/overload-memory-$name.txt" &
  sampler=$!
  STARTED+=("$sampler")
  wait "$client" || status=$?
  if ((status != 0 && status != 3)) || [[ ! -s $SCRATCH/row ]]; then
    kill "$sampler" 2>/dev/null || true
    say "the overload client failed (status $status); see $log"; return 1
  fi
  wait "$sampler" || true
  ((status == 3)) && say "MESSAGES WERE LOST in the overload run on $name; see $log"
  LOAD_ROW=$(cat "$SCRATCH/row")
  PROBE_LINE=$(grep -o 'probe sent=.*' "$log" | tail -n 1)
  MEMORY_LINE=$(cat "$SCRATCH/memory")
  UNSETTLED=$(grep -o 'after [0-9]* s of drain.*' "$log" | tail -n 1 || true)
}

# overload_measure SETUP TARGET NAME — the closed run (registering the users and the
# probe pair), then the overload run at twice its delivered rate; appends a row to ROWS.
overload_measure() {
  local setup=$1 target=$2 name=$3 prefix="b${RUN_ID}${3}" closed rate
  say "$setup: closed loop for the rate, $USERS users, window $WINDOW, ${SECONDS_PER_RUN}s after ${WARMUP}s warm-up"
  load "$name-closed" "$setup | closed" "$target" --window "$WINDOW" --register --probe --prefix "$prefix"
  closed=$(awk -F'|' '{ gsub(/[ ,]/, "", $6); print $6 }' <<<"$ROW")
  rate=$((2 * closed > 0 ? 2 * closed : 2))
  say "$setup: open loop at $rate msgs/s (twice the closed rate) for ${OVERLOAD_SECONDS}s, window $OVERLOAD_WINDOW, with the probe"
  overload_run "$name" "$target" "$rate" "$prefix"
  # ChatLoad's row: | offered | acked/s | delivered/s | p50 | p99 | p999 | lost | errors |
  local acked delivered lost errors
  acked=$(awk -F'|' '{ gsub(/ /, "", $3); print $3 }' <<<"$LOAD_ROW")
  delivered=$(awk -F'|' '{ gsub(/ /, "", $4); print $4 }' <<<"$LOAD_ROW")
  lost=$(awk -F'|' '{ gsub(/ /, "", $8); print $8 }' <<<"$LOAD_ROW")
  errors=$(awk -F'|' '{ sub(/^ +/, "", $9); sub(/ +$/, "", $9); print $9 }' <<<"$LOAD_ROW")
  [[ -n $UNSETTLED ]] && errors+="; unanswered or undelivered at the end of the drain: ${UNSETTLED#*drain, }"
  local m=$MEMORY_LINE p=$PROBE_LINE row
  row="| $setup | $(thousands "$closed") | $(thousands "$rate") | $acked | $delivered"
  row+=" | $(field p50_ms "$p") | $(field p99_ms "$p") | $(field max_ms "$p") | $(field late_p99_ms "$p")"
  row+=" | $(field delivered "$p")/$(field sent "$p")"
  row+=" | $(field rss_first_mib "$m") | $(field rss_at_flat_mib "$m") | $(field rss_peak_mib "$m")"
  row+=" | $(field rss_growth_after_flat_mib "$m") | $(field heap_after_gc_peak_mib "$m")"
  row+=" | $lost + $(field lost "$p") | $errors, probe: $(field errors "$p") | $(cut -d' ' -f1 /proc/loadavg) |"
  ROWS+=("$row")
  [[ $(field exited_at_s "$m") != - ]] && say "the $setup server DIED $(field exited_at_s "$m") s into the overload"
  return 0
}

print_overload_table() {
  echo
  echo "| database | closed msgs/s | offered msgs/s | acked/s | delivered/s | probe p50 ms | probe p99 ms | probe max ms | probe sent late p99 ms | probe delivered/sent | RSS MiB at 0 s | RSS MiB at ${OVERLOAD_FLAT_AFTER} s | RSS MiB peak | RSS growth after ${OVERLOAD_FLAT_AFTER} s | heap after GC MiB, peak | lost (load + probe) | errors | load avg |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores; $USERS users + the probe pair;" \
       "closed: window $WINDOW, ${SECONDS_PER_RUN}s after ${WARMUP}s warm-up; overload: ${OVERLOAD_SECONDS}s" \
       "at twice the closed rate, window $OVERLOAD_WINDOW, ${OVERLOAD_DRAIN}s drain; server -Xms1g -Xmx1g;" \
       "load client on the same machine. Goal: probe p99 < 200 ms, RSS flat after ${OVERLOAD_FLAT_AFTER} s."
}

overload() {
  ROWS=()
  local port
  port=$(free_port)
  start_server embedded "$port" --data "$SCRATCH/data"
  overload_measure "embedded (SQLite)" "127.0.0.1:$port" embedded
  stop_servers

  start_mariadb
  new_database
  port=$(free_port)
  start_server mariadb "$port" --db-url "$DB_URL" --db-user root --db-password ''
  overload_measure "MariaDB" "127.0.0.1:$port" mariadb
  stop_servers
  print_overload_table
}

case "${1:-}" in
  chat|cluster|overload)
    mkdir -p "$OUT"
    : >"$OUT/chat-load.log"
    say "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    ensure_jar >&2
    "$1"
    ;;
  *)
    sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
