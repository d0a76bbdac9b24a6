#!/usr/bin/env bash
# Runs the whole test suite: unit tests, end-to-end tests over real sockets, and the
# integration tests against real MariaDB, Redis and nginx.
#
# What it does, in order:
#   1. makes sure MariaDB, Redis and nginx (with its stream module) are installed,
#      installing the Debian packages with apt-get when run as root and they are missing;
#   2. makes sure a MariaDB server answers on 127.0.0.1:3306 (starts one if not);
#   3. runs `mvn test`.
# Fault tests start their own private Redis / MariaDB / nginx processes on other
# loopback ports, so they never disturb the servers this script found running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_packages
ensure_mariadb
exec mvn -B -ntp test "$@"
