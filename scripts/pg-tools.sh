# shellcheck shell=bash
# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run): connect from a DATABASE_URL and pick
# the PostgreSQL client programs that match the server.

# Export the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE…) for a postgres:// URL.
# The password travels in the environment, not on a command line, where any local user could read it in `ps`.
pg_connect_from_url() {
  local exports
  exports=$(python3 - "$1" <<'PY'
import shlex
import sys
from urllib.parse import parse_qsl, unquote, urlsplit

url = urlsplit(sys.argv[1])
if url.scheme not in ("postgres", "postgresql", "pgsql"):
    sys.exit(f"not a PostgreSQL URL (scheme {url.scheme!r}): expected postgres://user:password@host:5432/database")
database = unquote(url.path.lstrip("/"))
if not database:
    sys.exit("the PostgreSQL URL names no database")
values = {
    "PGHOST": url.hostname,
    "PGPORT": url.port,
    "PGUSER": unquote(url.username) if url.username else None,
    "PGPASSWORD": unquote(url.password) if url.password is not None else None,
    "PGDATABASE": database,
}
# Query parameters that libpq also takes from the environment (a socket directory as ?host=/run/postgresql).
known = {"host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
         "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT",
         "application_name": "PGAPPNAME", "options": "PGOPTIONS"}
for key, value in parse_qsl(url.query):
    if key in known:
        values[known[key]] = value
for name, value in values.items():
    if value is not None and value != "":
        print(f"export {name}={shlex.quote(str(value))}")
PY
  ) || return 1
  eval "$exports"
}

# The server's major version (15 for 15.20), through whatever psql is on PATH: any version can ask.
pg_server_major() {
  local num
  num=$(psql -X -A -t -q -c 'SHOW server_version_num') || return 1
  echo $((num / 10000))
}

# The major version a client program reports ("pg_dump (PostgreSQL) 15.20 (Debian …)" → 15).
pg_client_major() {
  "$1" --version | awk '{print $3}' | sed -E 's/^([0-9]+).*/\1/'
}

# The path of client program NAME for a server of major version WANT: the same major if installed (Debian and
# PGDG keep one directory per version), else the oldest newer one. pg_dump refuses to dump a server newer than
# itself, and an archive from a newer pg_dump may not load with an older pg_restore, so "same major" is the
# safe choice; PATH's default is often a different version once a server has been upgraded.
pg_client_for() {
  local name=$1 want=$2 candidate major best="" best_major=""
  for candidate in "/usr/lib/postgresql/$want/bin/$name" "/usr/pgsql-$want/bin/$name" \
    "$(command -v "$name" || true)" /usr/lib/postgresql/*/bin/"$name" /usr/pgsql-*/bin/"$name"; do
    if [ -z "$candidate" ] || [ ! -x "$candidate" ]; then continue; fi
    major=$(pg_client_major "$candidate") || continue
    if [ "$major" = "$want" ]; then
      echo "$candidate"
      return 0
    fi
    if [ "$major" -gt "$want" ] && { [ -z "$best" ] || [ "$major" -lt "$best_major" ]; }; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    echo "$best"
    return 0
  fi
  echo "no $name of PostgreSQL $want or newer is installed (the server is $want): install postgresql-client-$want" >&2
  return 1
}
