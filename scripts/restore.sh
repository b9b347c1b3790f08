#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh: the database into an EMPTY database, the
# report files into MEDIA_ROOT. Stop web, worker and beat first.
#
#   The docker-compose shape:   COMPOSE=1 scripts/restore.sh backups/2026-11-29
#   A database directly:        DATABASE_URL=postgres://... MEDIA_ROOT=/srv/media scripts/restore.sh DIR
set -euo pipefail
src=${1:?usage: scripts/restore.sh DIR}
(cd "$src" && sha256sum --check --quiet SHA256SUMS)
if [[ "${COMPOSE:-0}" == 1 ]]; then
    docker-compose exec -T postgres sh -c \
        'pg_restore -U "$POSTGRES_USER" -d "$POSTGRES_DB" --no-owner --exit-on-error' \
        <"$src/database.dump"
    docker-compose run --rm --no-deps -T web tar -C /data/media -xzf - <"$src/media.tar.gz"
else
    pg_restore --no-owner --exit-on-error --dbname="${DATABASE_URL:?set DATABASE_URL}" \
        "$src/database.dump"
    mkdir -p "${MEDIA_ROOT:?set MEDIA_ROOT}"
    tar -C "$MEDIA_ROOT" -xzf "$src/media.tar.gz"
fi
echo "Restored $src"
