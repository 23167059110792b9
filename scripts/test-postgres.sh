#!/usr/bin/env bash
# test-postgres.sh runs the store tests against a throw-away PostgreSQL
# server as well as SQLite. It needs the Debian `postgresql` package
# (initdb and pg_ctl under /usr/lib/postgresql/*/bin); without it, it says
# so and exits 0. As root the server runs as the `postgres` user.
set -euo pipefail
cd "$(dirname "$0")/.."
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "test-postgres: PostgreSQL not installed (apt-get install postgresql); skipped"
	exit 0
fi
dir=$(mktemp -d /tmp/assay-pg.XXXXXX)
port=${PGPORT_TEST:-55439}
as=()
if [ "$(id -u)" = 0 ]; then
	chown postgres "$dir"
	as=(su postgres -c)
else
	as=(bash -c)
fi
"${as[@]}" "$bindir/initdb -D $dir/data -A trust -U postgres" >"$dir/initdb.log"
"${as[@]}" "$bindir/pg_ctl -D $dir/data -o '-p $port -k $dir -c listen_addresses=127.0.0.1' -l $dir/server.log -w start" >/dev/null
trap '"${as[@]}" "$bindir/pg_ctl -D $dir/data -m fast stop" >/dev/null; rm -rf "$dir"' EXIT
ASSAY_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable" go test -race -count=1 ./store/
