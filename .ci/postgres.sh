#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests: a cluster in a new temporary folder, made and
# run by a non-root user (initdb refuses root), listening on loopback and on a socket inside that
# folder. Prints `export WORKBENCH_TEST_POSTGRES=…` and `export WB_PG_DIR=…` for the caller to eval;
# `.ci/postgres.sh stop DIR` stops it and removes the folder. Any failure exits non-zero: CI must
# not quietly skip the PostgreSQL tests.
set -euo pipefail

find_bin() {
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return
  return 1
}

# A command as the cluster's owner, from the server's bin folder.
as_owner_run() {
  local dir=$1; shift
  local owner
  owner=$(stat -c %U "$dir")
  if [ "$(id -u)" = 0 ]; then
    su "$owner" -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
# pg_ctl on the cluster (`data`, or `replica` with DATA=replica).
as_owner() {
  local dir=$1; shift
  as_owner_run "$dir" "'$(find_bin)/pg_ctl' -D '$dir/${DATA:-data}' $*"
}

case "${1:-}" in
  stop)
    [ -d "$2/replica" ] && DATA=replica as_owner "$2" -m fast -w stop >/dev/null 2>&1 || true
    as_owner "$2" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$2"
    exit 0 ;;
  # The fault tests: `pause DIR` stops the server (the folder stays), `resume DIR` starts it again,
  # `restart DIR` is `pg_ctl restart` (fast: open sessions are cut off).
  pause) as_owner "$2" -m fast -w stop >/dev/null; exit ;;
  resume) as_owner "$2" -l "'$2/server.log'" -w -t 60 start >/dev/null; exit ;;
  restart) as_owner "$2" -m fast -w -t 60 restart >/dev/null; exit ;;
  # `freeze DIR` stops every server process (SIGSTOP): connections stay open and nothing answers,
  # like a host that froze or a network that drops packets. `thaw DIR` lets them go on.
  freeze|thaw)
    pid=$(head -1 "$2/data/postmaster.pid")
    sig=STOP; [ "$1" = thaw ] && sig=CONT
    pkill -"$sig" -P "$pid" || true
    kill -"$sig" "$pid"
    exit ;;
  # `replica DIR`: a streaming standby of the server (pg_basebackup -R), on the next port; prints
  # `export WB_PG_REPLICA=URL`. Stopped with the server by `stop DIR`.
  replica)
    port=$(sed -n "s/^port = \([0-9]*\)$/\1/p" "$2/data/postgresql.conf" | tail -1)
    rport=$((port + 1))
    as_owner_run "$2" "'$(find_bin)/pg_basebackup' -h '$2' -p $port -U wb -D '$2/replica' -R -X stream -c fast" >"$2/replica-backup.log" 2>&1 \
      || { cat "$2/replica-backup.log" >&2; exit 1; }
    DATA=replica as_owner "$2" -l "'$2/replica.log'" -w -t 60 -o "\"-p $rport -k $2\"" start >/dev/null \
      || { cat "$2/replica.log" >&2; exit 1; }
    echo "export WB_PG_REPLICA=postgres://wb@127.0.0.1:$rport/postgres?sslmode=disable"
    exit ;;
esac

if ! bin=$(find_bin); then
  echo "installing: postgresql" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin=$(find_bin)
fi

dir=$(mktemp -d /tmp/wb-pg.XXXXXX)
port=$(( 20000 + RANDOM % 20000 ))
run=()
if [ "$(id -u)" = 0 ]; then
  user=postgres
  id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/sh "$user"
  chown "$user" "$dir"
  chmod 700 "$dir"
  run=(su "$user" -s /bin/sh -c)
else
  run=(sh -c)
fi
"${run[@]}" "'$bin/initdb' -D '$dir/data' -U wb --auth=trust -E UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; echo "PostgreSQL: initdb failed" >&2; exit 1; }
# In the cluster's own settings, so `resume` starts it the same way.
"${run[@]}" "printf '%s\\n' \"port = $port\" \"unix_socket_directories = '$dir'\" \"listen_addresses = '127.0.0.1'\" 'max_connections = 200' 'fsync = off' >> '$dir/data/postgresql.conf'"
"${run[@]}" "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 start" >&2 \
  || { cat "$dir/server.log" >&2; echo "PostgreSQL: the server did not start" >&2; exit 1; }
echo "export WB_PG_DIR=$dir"
echo "export WB_PG_BIN=$bin"
echo "export WORKBENCH_TEST_POSTGRES=postgres://wb@127.0.0.1:$port/postgres?sslmode=disable"
