#!/usr/bin/env bash
# Starts the terminal client against a muchat server (builds the jar if needed):
#   scripts/client.sh [--tls] [--tls-ca FILE] [--device NAME] HOST PORT
# It reads commands line by line, so it can also be driven through a pipe.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
if [ $# -lt 2 ]; then
  echo "usage: scripts/client.sh [--tls] [--tls-ca FILE] [--device NAME] HOST PORT" >&2
  exit 2
fi
ensure_jar
exec java ${MUCHAT_JAVA_OPTS:-} -jar target/muchat.jar client "$@"
