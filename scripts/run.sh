#!/usr/bin/env bash
# Builds muchat (if needed) and starts one server on the embedded database in ./data.
# Extra arguments go to the server, e.g. scripts/run.sh --port 6001 --io-threads 2
# It listens on 127.0.0.1 unless told otherwise: scripts/run.sh --host 0.0.0.0 opens it
# to the network.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_jar

host=${MUCHAT_HOST:-127.0.0.1}
port=${MUCHAT_PORT:-6000}
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do
  case "${args[i]}" in
    --host) host=${args[i + 1]} ;;
    --port) port=${args[i + 1]} ;;
  esac
done
case "$host" in
  127.* | localhost | ::1)
    say "listening on $host:$port, reachable from this machine only; --host 0.0.0.0 opens it to the network" ;;
  *)
    say "listening on $host:$port, open to the network" ;;
esac
exec java ${MUCHAT_JAVA_OPTS:-} -jar target/muchat.jar server "$@"
