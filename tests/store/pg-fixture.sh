#!/usr/bin/env bash
# A private PostgreSQL for one ctest run (the FIXTURES_SETUP/CLEANUP of the unit tests): Debian's
# binaries, a data directory under DIR, a free port on 127.0.0.1 written to DIR/port. Run as the
# postgres user when we are root (initdb and postgres refuse root). Never a system service.
#   pg-fixture.sh start DIR [durable] | stop DIR
set -euo pipefail
cmd=$1 dir=$2
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/postgres" ] || { echo "PostgreSQL is not installed (scripts/install-deps.sh)" >&2; exit 1; }
as_pg=()
[ "$(id -u)" -eq 0 ] && as_pg=(runuser -u postgres --)
case $cmd in
  start)
    [ -f "$dir/port" ] && "$0" stop "$dir"
    rm -rf "$dir" && mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    "${as_pg[@]}" "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
      --no-instructions >"$dir/initdb.log"
    port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    # fsync off: the unit tests check the store's logic, not the disk (the durability tests do).
    # durable: PostgreSQL's own defaults (fsync on), for benchmarks of durable writes.
    nosync="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    [ "${3:-}" = durable ] && nosync=""
    "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 $nosync -c max_connections=200" >/dev/null
    echo "$port" >"$dir/port"
    ;;
  stop)
    [ -d "$dir/data" ] && "${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
