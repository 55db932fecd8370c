#!/usr/bin/env bash
# Back up the platform's PostgreSQL database: one compressed pg_dump archive (custom format) per run, named by
# database and UTC time, with a sha256 file beside it, then prune the backups older than the retention.
#
#   scripts/backup.sh [--database-url URL]        # else DATABASE_URL
#   MPS_BACKUP_DIR       where the files go (default data/backups/ of the checkout)
#   MPS_BACKUP_KEEP_DAYS backups older than this many days are deleted after a successful run (default 35)
#   MPS_BACKUP_GPG_RECIPIENT  if set, the archive is encrypted to this gpg key (a fingerprint) before it is
#                        written: the dumps hold children's personal data (README, "Backup and restore")
#
# Prints the path of the new backup on the last line of stdout; progress goes to stderr.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/pg-tools.sh
. "$ROOT/scripts/pg-tools.sh"

usage() { echo "usage: $0 [--database-url URL]   (or set DATABASE_URL)" >&2; exit 2; }
url=${DATABASE_URL:-}
while [ $# -gt 0 ]; do
  case $1 in
    --database-url) [ $# -ge 2 ] || usage; url=$2; shift 2 ;;
    --database-url=*) url=${1#*=}; shift ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
[ -n "$url" ] || usage
dir=${MPS_BACKUP_DIR:-$ROOT/data/backups}
keep_days=${MPS_BACKUP_KEEP_DAYS:-35}
recipient=${MPS_BACKUP_GPG_RECIPIENT:-}
# Zero would prune the backup just written along with the rest.
[[ $keep_days =~ ^[1-9][0-9]*$ ]] || { echo "MPS_BACKUP_KEEP_DAYS must be a whole number of days, 1 or more" >&2; exit 2; }
if [ -n "$recipient" ] && ! command -v gpg >/dev/null; then
  echo "MPS_BACKUP_GPG_RECIPIENT is set but gpg is not installed" >&2; exit 2
fi

pg_connect_from_url "$url"
server_major=$(pg_server_major)
pg_dump=$(pg_client_for pg_dump "$server_major")

# Only the owner may read what is written: the archive holds personal data of children.
umask 077
mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$PGDATABASE-$stamp.dump"
[ -n "$recipient" ] && name="$name.gpg"
target="$dir/$name"
partial="$target.partial"
trap 'rm -f "$partial"' EXIT

echo "backup: $PGDATABASE on ${PGHOST:-local socket} (PostgreSQL $server_major) with $pg_dump" >&2
start=$SECONDS
if [ -n "$recipient" ]; then
  # The recipient is named by the operator's own configuration, so the key is trusted as given; there is no
  # web of trust to consult on a server. The plaintext never touches the disk.
  # No --file: pg_dump writes to stdout only then ("-" would be a file named "-").
  "$pg_dump" --format=custom --compress=6 --no-password \
    | gpg --batch --yes --quiet --trust-model always --encrypt --recipient "$recipient" --output "$partial"
else
  "$pg_dump" --format=custom --compress=6 --no-password --file="$partial"
fi
# The checksum names the final file, so `sha256sum -c` works in the directory; the rename comes last, so an
# interrupted run never leaves a file that looks like a complete backup.
digest=$(sha256sum "$partial" | awk '{print $1}')
printf '%s  %s\n' "$digest" "$name" >"$target.sha256.partial"
mv "$partial" "$target"
mv "$target.sha256.partial" "$target.sha256"
size=$(stat -c %s "$target")
echo "backup: wrote $target ($size bytes, $((SECONDS - start)) s), sha256 $digest" >&2

# Prune only after a backup succeeded, so a run of failures never eats into the backups that remain.
pruned=0
while IFS= read -r -d '' old; do
  rm -f -- "$old" "$old.sha256"
  pruned=$((pruned + 1))
done < <(find "$dir" -maxdepth 1 -type f \( -name '*-[0-9]*T[0-9]*Z.dump' -o -name '*-[0-9]*T[0-9]*Z.dump.gpg' \) \
  -mmin +$((keep_days * 24 * 60)) -print0)
echo "backup: pruned $pruned backup(s) older than $keep_days days from $dir" >&2
echo "$target"
