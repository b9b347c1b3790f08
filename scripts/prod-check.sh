#!/usr/bin/env bash
# The Dockerfile's steps without Docker (images cannot be pulled everywhere): a fresh
# virtualenv, the pinned install, the translation compiled, collectstatic with production
# settings (DEBUG off, the strict manifest storage), the deploy check, then gunicorn with
# DEBUG off answering the log-in page, a static file, a missing page and the health check.
# It works on a copy of the tree, as the Dockerfile's `COPY . .` does, so nothing is
# written into the source. Usage: scripts/prod-check.sh
set -euo pipefail
source_tree=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3.11}
work=$(mktemp -d)
gunicorn_pid=""
cleanup() {
    [[ -n "$gunicorn_pid" ]] && kill "$gunicorn_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }

step "copy of the tree (COPY . .), fresh virtualenv, pinned install (pip install -c constraints.txt .)"
mkdir "$work/app"
tar -C "$source_tree" --exclude=./.venv --exclude=./node_modules --exclude=./.git \
    --exclude=./staticfiles --exclude=./media --exclude=./db.sqlite3 --exclude=./.env -cf - . |
    tar -C "$work/app" -xf -
cd "$work/app"
"$PYTHON" -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check -c constraints.txt .

step "translation (msgfmt --check)"
msgfmt --check -o "$work/django.mo" locale/sv/LC_MESSAGES/django.po

export DEBUG=0
export SECRET_KEY="prod-check-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export STATIC_ROOT="$work/static"
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="sqlite:///$work/db.sqlite3"
export MEDIA_ROOT="$work/media"
unset REDIS_URL DJANGO_ALLOW_ASYNC_UNSAFE
python="$work/venv/bin/python"

step "collectstatic with production settings"
"$python" manage.py collectstatic --noinput
test -s "$STATIC_ROOT/staticfiles.json"

step "manage.py check --deploy"
"$python" manage.py check --deploy --fail-level WARNING

step "migrate (SQLite in the temporary folder) and gunicorn with DEBUG off"
"$python" manage.py migrate --noinput >/dev/null
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/venv/bin/gunicorn" portal.wsgi:application --bind "127.0.0.1:$port" --workers 1 \
    --log-level warning &
gunicorn_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done

fetch() {  # path expected-status: the TLS proxy's header, as in production
    local status
    status=$(curl -s -o "$work/page" -w '%{http_code}' -H 'X-Forwarded-Proto: https' \
        "http://127.0.0.1:$port$1")
    printf '%-45s %s (expected %s)\n' "$1" "$status" "$2"
    [[ "$status" == "$2" ]]
}
fetch /healthz 200
fetch /konto/login/ 200
css=$(grep -o '/static/vendor/bootstrap\.min\.[0-9a-f]\{12\}\.css' "$work/page" | head -n1)
test -n "$css"
fetch "$css" 200
fetch /finns-inte/ 404
grep -q 'Sidan hittades inte' "$work/page"
fetch /intyg/%00/ 400

step "all steps passed"
