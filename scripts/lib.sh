# Shared helpers for the scripts in this folder. Sourced, not run.

say() { printf '[muchat] %s\n' "$*" >&2; }

# Installs the Debian packages the integration tests and cluster mode need, if missing.
ensure_packages() {
  local missing=()
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then missing+=(nginx-light); fi
  if ! ls /usr/lib/nginx/modules/ngx_stream_module.so >/dev/null 2>&1; then missing+=(libnginx-mod-stream); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing packages: ${missing[*]}; install them (as root: apt-get install ${missing[*]})"
    return 1
  fi
  say "installing with apt-get: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The Debian packages start their services; the scripts start their own as needed.
}

# Makes sure MariaDB answers on 127.0.0.1:3306 as root with an empty password.
ensure_mariadb() {
  if mariadb -h127.0.0.1 -P3306 -uroot -e 'select 1' >/dev/null 2>&1; then return 0; fi
  say "MariaDB is not answering on 127.0.0.1:3306; starting it"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  if [ ! -d /var/lib/mysql/mysql ]; then
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
  fi
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql --bind-address=127.0.0.1
  for _ in $(seq 1 60); do
    mariadb -h127.0.0.1 -P3306 -uroot -e 'select 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  say "MariaDB did not come up"; return 1
}

# Makes sure Redis answers on 127.0.0.1:6379.
ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then return 0; fi
  say "Redis is not answering on 127.0.0.1:6379; starting it"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 40); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  say "Redis did not come up"; return 1
}

# Builds target/muchat.jar unless it is newer than every source file.
ensure_jar() {
  if [ -f target/muchat.jar ] && [ -z "$(find src pom.xml chat.sql -newer target/muchat.jar -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "building target/muchat.jar"
  mvn -B -q -ntp -DskipTests package
}

# ---- process helpers for cluster.sh ----

# Prints the pid in pid file $1 if that process is alive, else fails quietly.
pid_alive() {
  local pid
  [ -f "$1" ] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# Stops the process of pid file $1: SIGTERM, then SIGKILL after $2 seconds (default 15).
# Removes the pid file. Does nothing if the process is gone already.
stop_pidfile() {
  local file=$1 grace=${2:-15} pid
  if pid=$(pid_alive "$file"); then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((grace * 10))); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "pid $pid ($file) ignored SIGTERM for ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$file"
}

# Waits until log file $1 has a line matching $2, for at most $3 seconds, while pid $4
# lives. On failure prints the end of the log and fails.
wait_for_line() {
  local log=$1 pattern=$2 seconds=$3 pid=$4
  for _ in $(seq 1 $((seconds * 10))); do
    grep -q -- "$pattern" "$log" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      say "pid $pid exited before logging '$pattern'; end of $log:"
      tail -n 20 "$log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
  say "no '$pattern' in $log after ${seconds}s; end of it:"
  tail -n 20 "$log" >&2 || true
  return 1
}

# Prints the load_module line for nginx's stream module when it is a dynamic module here.
nginx_stream_module() {
  local so=/usr/lib/nginx/modules/ngx_stream_module.so
  if [ -f "$so" ]; then echo "load_module $so;"; fi
}
