#!/usr/bin/env bash
# Builds muchat (if needed) and starts one server on the embedded database in ./data.
# Extra arguments go to the server, e.g. scripts/run.sh --port 6001 --io-threads 2
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
ensure_jar
exec java ${MUCHAT_JAVA_OPTS:-} -jar target/muchat.jar server "$@"
