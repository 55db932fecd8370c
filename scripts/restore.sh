#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a PostgreSQL database, then check that its schema is at the
# code's migrations.
#
#   scripts/restore.sh [--force] FILE TARGET_URL
#
# The target database must exist (createdb -T template0 -E UTF8 NAME) and be empty: a restore over live data is
# refused unless --force, which drops and recreates the objects the backup holds (other objects stay).
# The checksum beside FILE (FILE.sha256) must match, or nothing is touched. An encrypted backup (.gpg) needs
# the private key in the restoring user's gpg keyring. The restore runs in one transaction: it loads
# completely or not at all. Ownership and GRANTs are not restored (--no-owner --no-privileges): the objects
# belong to the user of TARGET_URL, so a backup loads on a server whose roles differ.
#
# MPS_PYTHON is the interpreter for `manage.py migrate --check` (default .venv/bin/python of the checkout); it
# runs with this environment, so DJANGO_SETTINGS_MODULE and what those settings require must be set.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pg-tools.sh
. "$ROOT/scripts/pg-tools.sh"

usage() { echo "usage: $0 [--force] FILE TARGET_URL" >&2; exit 2; }
force=0
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --force) force=1; shift ;;
    -h | --help) usage ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) args+=("$1"); shift ;;
  esac
done
[ ${#args[@]} -eq 2 ] || usage
file=${args[0]}
target_url=${args[1]}
python=${MPS_PYTHON:-$ROOT/.venv/bin/python}
[ -x "$python" ] || python=python3

fail() { echo "restore: $*" >&2; exit 1; }
[ -f "$file" ] || fail "no such backup: $file"
[ -f "$file.sha256" ] || fail "no checksum beside the backup ($file.sha256): refusing to restore an unverified file"
expected=$(awk 'NR == 1 {print $1}' "$file.sha256")
actual=$(sha256sum "$file" | awk '{print $1}')
[ "$expected" = "$actual" ] \
  || fail "checksum mismatch for $file (expected $expected, file has $actual): the file is damaged or not the one the checksum belongs to; nothing was restored"
echo "restore: checksum verified ($actual)" >&2

pg_connect_from_url "$target_url"
server_major=$(pg_server_major) || fail "cannot connect to database $PGDATABASE (create it first: createdb -T template0 -E UTF8 $PGDATABASE)"
pg_restore=$(pg_client_for pg_restore "$server_major")

objects=$(psql -X -A -t -q -c "
  SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'")
restore_args=(--no-owner --no-privileges --exit-on-error --single-transaction --no-password --dbname="$PGDATABASE")
if [ "$objects" != "0" ]; then
  [ $force = 1 ] || fail "database $PGDATABASE is not empty ($objects relations): refusing to restore over it (--force replaces the objects the backup holds)"
  echo "restore: --force: replacing the backup's objects in $PGDATABASE ($objects relations there now)" >&2
  restore_args+=(--clean --if-exists)
fi

echo "restore: $file into $PGDATABASE on ${PGHOST:-local socket} (PostgreSQL $server_major) with $pg_restore" >&2
start=$SECONDS
# The data goes in with COPY before the triggers are created (they are post-data in the archive), so the audit
# trail's insert-only triggers neither fire nor need --disable-triggers (which needs a superuser).
case $file in
  *.gpg)
    # Decrypted through a pipe, never to disk; the archive is read in order, which a pipe allows.
    gpg --batch --quiet --decrypt "$file" | "$pg_restore" "${restore_args[@]}"
    ;;
  *)
    "$pg_restore" "${restore_args[@]}" "$file"
    ;;
esac
# pg_restore does not bring the planner's statistics: without them the first queries plan badly. A user who is
# not a superuser cannot analyze the shared catalogs, and is told so once per catalog: not worth showing.
psql -X -q -c 'SET client_min_messages TO error' -c 'ANALYZE' >/dev/null
tables=$(psql -X -A -t -q -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
echo "restore: loaded $tables tables in $((SECONDS - start)) s" >&2

echo "restore: checking the schema against the code's migrations" >&2
(cd "$ROOT" && DATABASE_URL=$target_url "$python" manage.py migrate --check --no-input >/dev/null) \
  || fail "the restored schema is not at the code's migrations: run 'manage.py showmigrations' against it (a backup from an older release needs 'manage.py migrate')"
echo "restore: done; $PGDATABASE is at the code's migrations" >&2
