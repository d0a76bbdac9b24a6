#!/usr/bin/env bash
# Benchmarks muchat on loopback. docs/benchmarks.md explains every figure.
#
# usage: scripts/bench.sh MODE
#   echo   pingpong throughput: our echo server (muchat.jar echo) against the Netty
#          echo peer, for io-threads {1,2} x size {16384,64} x connections
#          {1,10,100,1000}, each the median of 3 runs (about 13 minutes on 2 cores),
#          then the echo-tls rows
#   echo-tls the same over TLS 1.3 (a self-signed RSA 2048 pair made in target/bench/tls):
#          ours with its SSLEngine layer against Netty's SslHandler (JDK provider), the
#          pingpong client speaking TLS, for io-threads {1,2} x size {16384,64} x
#          connections {1,10,100} (about 7 minutes)
#   idle   ~19,000 idle connections: heap and RSS per connection, ours and Netty's,
#          and the projection to 100,000 connections (about 2 minutes)
#   store  the message store alone (muchat.bench.StoreLoad, no network): 1,000 users, one
#          100-character message in flight each, on SQLite (the embedded default) and on
#          H2 (the embedded database before it): msgs/s, CPU per message, disk per
#          message, each the median of BENCH_REPEATS runs of 20 + 30 s (about 8 minutes)
#   chat   1,000 users chatting one to one, on the embedded database and on MariaDB:
#          throughput, send-to-deliver latency and server CPU per message, natively and
#          with the classic protocol (scripts/bench-chat.sh, ~16 minutes)
#   cluster  the same load on 1 instance and across 2 instances with Redis (~12 minutes)
#   overload twice the closed rate for 60 s on each database, with a probe user chatting
#          at 1 msg/s: its latency, the server's RSS and heap, nothing lost
#          (scripts/bench-chat.sh, ~9 minutes, at most ~12)
#
# Knobs (environment):
#   BENCH_SERVERS    which servers to run, default "ours netty"
#   BENCH_PORT       server port, default 19981
#   BENCH_SECONDS    measured seconds per run, default 3
#   BENCH_WARMUP     unmeasured seconds before that, default 2
#   BENCH_REPEATS    runs per cell, the median is reported, default 3
#   BENCH_CLIENT_THREADS   selector threads of the pingpong client, default 2
#   BENCH_IDLE_CLIENTS     idle client processes, default 4
#   BENCH_IDLE_PER_CLIENT  connections per idle client, default 4750
#
# Tables go to stdout as Markdown; every raw line also goes to target/bench/MODE-*.log.
# Every process this script starts is stopped when it exits, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

PORT=${BENCH_PORT:-19981}
SERVERS=${BENCH_SERVERS:-ours netty}
SECONDS_PER_RUN=${BENCH_SECONDS:-3}
WARMUP=${BENCH_WARMUP:-2}
REPEATS=${BENCH_REPEATS:-3}
CLIENT_THREADS=${BENCH_CLIENT_THREADS:-2}
IDLE_CLIENTS=${BENCH_IDLE_CLIENTS:-4}
IDLE_PER_CLIENT=${BENCH_IDLE_PER_CLIENT:-4750}
# The same fixed heap for both servers, so neither wins by resizing it.
SERVER_JAVA_OPTS=(-Xms1g -Xmx1g)
OUT=target/bench
CLASSPATH_FILE=$OUT/test-classpath.txt

STARTED=()   # pids of every process started here; see cleanup
SERVER_PID=
SERVER_TLS_ARGS=()   # set by bench_echo_tls, for both echo servers
CLIENT_TLS_ARGS=()

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Builds muchat.jar (with the load clients) and the test classes (with the Netty peer),
# and writes the test class path the Netty peer runs on.
build() {
  say "building muchat.jar and the test classes"
  mkdir -p "$OUT"
  mvn -B -q -ntp -DskipTests package >&2
  mvn -B -q -ntp dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE" >&2
}

# Each connection is a file on both ends: take every file the hard limit allows.
raise_fd_limit() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  say "open files per process: $(ulimit -n)"
}

# start_server KIND IO_THREADS [EXTRA_JAVA_OPTS...] — starts ours or netty on $PORT,
# waits until it accepts connections and sets SERVER_PID.
start_server() {
  local kind=$1 io_threads=$2
  shift 2
  local cmd
  case "$kind" in
    ours)  cmd=(java "${SERVER_JAVA_OPTS[@]}" "$@" -jar target/muchat.jar echo) ;;
    netty) cmd=(java "${SERVER_JAVA_OPTS[@]}" "$@"
                -cp "$(cat "$CLASSPATH_FILE"):target/classes:target/test-classes"
                muchat.bench.NettyEchoServer) ;;
    *) say "unknown server kind: $kind"; return 1 ;;
  esac
  "${cmd[@]}" --port "$PORT" --io-threads "$io_threads" "${SERVER_TLS_ARGS[@]}" >>"$OUT/server-$kind.log" 2>&1 &
  SERVER_PID=$!
  STARTED+=("$SERVER_PID")
  local deadline=$((SECONDS + 20))
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      say "the $kind server exited at start; see $OUT/server-$kind.log"; return 1
    fi
    if ((SECONDS > deadline)); then
      say "the $kind server did not listen on $PORT within 20 s"; return 1
    fi
    sleep 0.1
  done
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
}

# median VALUE... — the middle value (the lower middle one for an even count).
median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# field NAME LINE — the value of NAME=value in a key=value line.
field() {
  sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"
}

# ratio A B — A/B with two decimals, or "-" when either is missing.
ratio() {
  if [[ $1 == - || $2 == - ]]; then echo -; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; fi
}

# pingpong KIND IO_THREADS SIZE CONNS — one fresh server, one client run; sets PINGPONG_LINE
# to the client's line. (Not echoed: a $(...) subshell would hide the server pid from cleanup.)
pingpong() {
  local kind=$1 io_threads=$2 size=$3 conns=$4 line cpu0 wall0
  start_server "$kind" "$io_threads"
  cpu0=$(cpu_ticks "$SERVER_PID")
  wall0=$EPOCHREALTIME
  if ! line=$(java -cp target/muchat.jar muchat.bench.PingPongClient --port "$PORT" \
      --connections "$conns" --size "$size" --seconds "$SECONDS_PER_RUN" \
      --warmup "$WARMUP" --threads "$CLIENT_THREADS" "${CLIENT_TLS_ARGS[@]}"); then
    stop_server
    say "pingpong failed against $kind: $line"; return 1
  fi
  local server_cores
  server_cores=$(awk -v t="$(($(cpu_ticks "$SERVER_PID") - cpu0))" -v hz="$(getconf CLK_TCK)" \
    -v w0="$wall0" -v w1="$EPOCHREALTIME" 'BEGIN { printf "%.2f", t / hz / (w1 - w0) }')
  stop_server
  PINGPONG_LINE="$line server_cores=$server_cores load=$(cut -d' ' -f1 /proc/loadavg)"
}

# cpu_ticks PID — user + system CPU time the process has used, in clock ticks.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

bench_echo() {
  echo_table echo "1 10 100 1000"
  echo
  bench_echo_tls
}

# The echo table over TLS: both servers get the same certificate, the client trusts it.
bench_echo_tls() {
  local tls=$OUT/tls
  mkdir -p "$tls"
  if [[ ! -f $tls/cert.pem || ! -f $tls/key.pem ]]; then
    say "making a self-signed RSA 2048 pair for 127.0.0.1 in $tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
      -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$tls/key.pem" -out "$tls/cert.pem" 2>/dev/null
  fi
  SERVER_TLS_ARGS=(--tls-cert "$tls/cert.pem" --tls-key "$tls/key.pem")
  CLIENT_TLS_ARGS=(--tls-ca "$tls/cert.pem")
  echo_table echo-tls "1 10 100"
  SERVER_TLS_ARGS=()
  CLIENT_TLS_ARGS=()
}

# echo_table NAME CONNS — one Markdown table: io-threads {1,2} x size {16384,64} x CONNS,
# throughput (median of $REPEATS), ours/netty and the cores each server used (median).
echo_table() {
  local name=$1 conns_list=$2 log
  log=$OUT/$name-$(date +%Y%m%d-%H%M%S).log
  say "$name: servers '$SERVERS', ${WARMUP}+${SECONDS_PER_RUN} s per run, median of $REPEATS; raw lines in $log"
  say "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (above ~0.5 something else competes for the cores)"
  echo "| io-threads | size | conns | ours MiB/s | netty MiB/s | ours msg/s | netty msg/s | ours/netty | ours cores | netty cores |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  local io size conns rep kind
  for io in 1 2; do
    for size in 16384 64; do
      for conns in $conns_list; do
        declare -A mib=() msgs=() cores=()
        for rep in $(seq "$REPEATS"); do
          for kind in $SERVERS; do
            pingpong "$kind" "$io" "$size" "$conns"
            echo "server=$kind io-threads=$io rep=$rep $PINGPONG_LINE" >>"$log"
            mib[$kind]+="$(field mib_per_s "$PINGPONG_LINE") "
            msgs[$kind]+="$(field msgs_per_s "$PINGPONG_LINE") "
            cores[$kind]+="$(field server_cores "$PINGPONG_LINE") "
          done
        done
        local ours_mib=- netty_mib=- ours_msgs=- netty_msgs=- ours_cores=- netty_cores=-
        # Word splitting of the accumulated values is intended here.
        # shellcheck disable=SC2086
        {
          [[ -n ${mib[ours]:-} ]] && ours_mib=$(median ${mib[ours]}) && ours_msgs=$(median ${msgs[ours]}) \
            && ours_cores=$(median ${cores[ours]})
          [[ -n ${mib[netty]:-} ]] && netty_mib=$(median ${mib[netty]}) && netty_msgs=$(median ${msgs[netty]}) \
            && netty_cores=$(median ${cores[netty]})
        }
        echo "| $io | $size | $conns | $ours_mib | $netty_mib | $ours_msgs | $netty_msgs | $(ratio "$ours_msgs" "$netty_msgs") | $ours_cores | $netty_cores |"
        unset mib msgs cores
      done
    done
  done
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^load=/) { v = substr($i, 6) + 0; if (v > max) max = v } }
       END { printf "\n1-minute load average at the end of the runs: up to %.1f (this benchmark alone makes about 2-3)\n", max }' "$log"
}

# heap_used_kib PID — heap in use right after a full GC, in KiB (young + old, any collector).
heap_used_kib() {
  jcmd "$1" GC.run >/dev/null
  jstat -gc "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
                        NR == 2 { printf "%d\n", $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"] }'
}

rss_kib() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

open_fds() {
  ls "/proc/$1/fd" | wc -l
}

# wait_for_fds PID COUNT — until the server holds COUNT files (its connections are accepted).
wait_for_fds() {
  local deadline=$((SECONDS + 60))
  until (($(open_fds "$1") >= $2)); do
    if ((SECONDS > deadline)); then
      say "the server holds $(open_fds "$1") files, expected $2"; return 1
    fi
    sleep 0.5
  done
}

# idle_clients N_CLIENTS PER_CLIENT — starts the idle clients from 127.0.0.2, .3, ...
# and waits until each reports; fails if any of them could not connect them all.
idle_clients() {
  local n=$1 per=$2 i out pids=()
  for ((i = 0; i < n; i++)); do
    out=$OUT/idle-client-$i.out
    : >"$out"
    java -Xss256k -cp target/muchat.jar muchat.bench.IdleClient --port "$PORT" \
      --bind "127.0.0.$((i + 2))" --connections "$per" --seconds 300 >"$out" 2>&1 &
    STARTED+=("$!")
    pids+=("$!")
  done
  local deadline=$((SECONDS + 120))
  for ((i = 0; i < n; i++)); do
    out=$OUT/idle-client-$i.out
    until grep -q '^idle ' "$out"; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null || ((SECONDS > deadline)); then
        say "idle client $i failed: $(cat "$out")"; return 1
      fi
      sleep 0.5
    done
    grep -q 'connected='"$per"'$' "$out" || { say "idle client $i: $(cat "$out")"; return 1; }
  done
  IDLE_CLIENT_PIDS=("${pids[@]}")
}

# idle_one KIND — prints one table row for one server.
idle_one() {
  local kind=$1 total=$((IDLE_CLIENTS * IDLE_PER_CLIENT))
  # Pre-touching the fixed heap keeps heap pages out of the RSS growth, so the RSS
  # figure is the memory a connection costs outside the Java heap.
  start_server "$kind" 2 -XX:+AlwaysPreTouch
  local fds0 heap0 rss0 heap1 rss1
  fds0=$(open_fds "$SERVER_PID")
  heap0=$(heap_used_kib "$SERVER_PID")
  rss0=$(rss_kib "$SERVER_PID")
  idle_clients "$IDLE_CLIENTS" "$IDLE_PER_CLIENT"
  wait_for_fds "$SERVER_PID" $((fds0 + total))
  heap1=$(heap_used_kib "$SERVER_PID")
  rss1=$(rss_kib "$SERVER_PID")
  echo "server=$kind connections=$total fds=$fds0->$(open_fds "$SERVER_PID") heap_kib=$heap0->$heap1 rss_kib=$rss0->$rss1" >>"$IDLE_LOG"
  local pid
  for pid in "${IDLE_CLIENT_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${IDLE_CLIENT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_server
  awk -v kind="$kind" -v n="$total" -v h0="$heap0" -v h1="$heap1" -v r0="$rss0" -v r1="$rss1" 'BEGIN {
    heap = (h1 - h0) * 1024 / n; rss = (r1 - r0) * 1024 / n
    printf "| %s | %d | %.0f | %.0f | %.0f | %.0f | %s |\n", kind, n, heap, rss,
      heap * 100000 / 1048576, rss * 100000 / 1048576, heap < 2048 ? "yes" : "NO"
  }'
}

bench_idle() {
  IDLE_LOG=$OUT/idle-$(date +%Y%m%d-%H%M%S).log
  say "idle: servers '$SERVERS', $IDLE_CLIENTS clients x $IDLE_PER_CLIENT connections; raw lines in $IDLE_LOG"
  echo "| server | idle conns | heap B/conn | RSS B/conn (off-heap) | heap MiB @100k | RSS MiB @100k | heap < 2 KiB/conn |"
  echo "|---|---:|---:|---:|---:|---:|---|"
  local kind
  for kind in $SERVERS; do
    idle_one "$kind"
  done
}

# store_row ENGINE — one table row: the median of REPEATS StoreLoad runs, each in a fresh directory.
store_row() {
  local engine=$1 rep line dir msgs=() cpu=() disk=()
  for rep in $(seq "$REPEATS"); do
    dir=$(mktemp -d)
    line=$(java -Xms1g -Xmx1g -cp target/muchat.jar muchat.bench.StoreLoad --engine "$engine" \
        --data "$dir/data" --warmup 20 --seconds 30)
    rm -rf "$dir"
    echo "rep=$rep $line load=$(cut -d' ' -f1 /proc/loadavg)" >>"$STORE_LOG"
    msgs+=("$(field msgs_per_s "$line")") cpu+=("$(field cpu_us_per_msg "$line")")
    disk+=("$(field disk_bytes_per_msg "$line")")
  done
  echo "| $engine | $(median "${msgs[@]}") | $(median "${cpu[@]}") | $(median "${disk[@]}") |"
}

bench_store() {
  STORE_LOG=$OUT/store-$(date +%Y%m%d-%H%M%S).log
  say "store: SQLite and H2, median of $REPEATS runs of 20 + 30 s; raw lines in $STORE_LOG"
  echo "| engine | msgs/s stored | CPU µs/msg | disk B/msg |"
  echo "|---|---:|---:|---:|"
  store_row sqlite
  store_row h2
}

main() {
  local mode=${1:-}
  case "$mode" in
    echo) raise_fd_limit; build; bench_echo ;;
    echo-tls) raise_fd_limit; build; bench_echo_tls ;;
    idle) raise_fd_limit; build; bench_idle ;;
    store) build; bench_store ;;
    chat|cluster|overload) exec bash scripts/bench-chat.sh "$mode" ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
