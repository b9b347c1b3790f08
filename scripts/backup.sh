#!/usr/bin/env bash
# Backup of the portal: the database (pg_dump, custom format) and the report files under
# MEDIA_ROOT, into DIR/database.dump and DIR/media.tar.gz with their checksums.
#
#   The docker-compose shape:   COMPOSE=1 scripts/backup.sh backups/2026-11-29
#   A database directly:        DATABASE_URL=postgres://... MEDIA_ROOT=/srv/media scripts/backup.sh DIR
#
# Run it before every upgrade (before `docker-compose up -d`, which runs the migrations).
set -euo pipefail
dest=${1:?usage: scripts/backup.sh DIR}
mkdir -p "$dest"
if [[ "${COMPOSE:-0}" == 1 ]]; then
    docker-compose exec -T postgres sh -c 'pg_dump -U "$POSTGRES_USER" -Fc "$POSTGRES_DB"' \
        >"$dest/database.dump"
    docker-compose run --rm --no-deps -T web tar -C /data/media -czf - . >"$dest/media.tar.gz"
else
    pg_dump --format=custom --no-owner --dbname="${DATABASE_URL:?set DATABASE_URL}" \
        --file="$dest/database.dump"
    mkdir -p "${MEDIA_ROOT:?set MEDIA_ROOT}"
    tar -C "$MEDIA_ROOT" -czf "$dest/media.tar.gz" .
    # A dump that pg_restore cannot list is no backup.
    pg_restore --list "$dest/database.dump" >/dev/null
fi
(cd "$dest" && sha256sum database.dump media.tar.gz >SHA256SUMS)
echo "Backup written to $dest"
