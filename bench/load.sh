#!/usr/bin/env bash
# Twenty users for sixty seconds on gunicorn with production settings (DEBUG off, the
# strict static manifest, Secure cookies), gunicorn configured by gunicorn.conf.py, spoken
# to as production's TLS-terminating proxy speaks to it: plain HTTP with X-Forwarded-Proto
# and X-Forwarded-For (TRUSTED_PROXY_COUNT=1, as docker-compose.yml sets). Prints locust's
# summary. BENCH_TLS=1 has gunicorn terminate TLS itself, with a throwaway certificate.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/ledarskap_bench_copy \
#   REDIS_URL=redis://127.0.0.1:6379/3 bench/load.sh [users] [seconds]
#
# The database must hold the synthetic region (seed_scale); the script adds the users of
# `bench/locustfile.py setup`, so give it a copy of the benchmark database.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
users=${1:-20}
seconds=${2:-60}
users_file=${LOCUST_USERS_FILE:-/tmp/locust-users.json}
port=${BENCH_PORT:-8443}
work=$(mktemp -d)
gunicorn_pid=""
cleanup() {
    [[ -n "$gunicorn_pid" ]] && kill "$gunicorn_pid" 2>/dev/null && wait "$gunicorn_pid" || true
    rm -rf "$work"
}
trap cleanup EXIT

: "${DATABASE_URL:?set DATABASE_URL to a copy of the benchmark database}"
export DEBUG=0
export SECRET_KEY="bench-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
export ALLOWED_HOSTS=127.0.0.1
# collectstatic takes minutes on a busy machine: BENCH_STATIC_ROOT keeps its result.
export STATIC_ROOT="${BENCH_STATIC_ROOT:-$work/static}"
export MEDIA_ROOT="$work/media"
export GUNICORN_ACCESS_LOG="$work/access.log"
export GUNICORN_LOG_LEVEL=warning
export GUNICORN_BIND="127.0.0.1:$port"
cd "$root"
[[ -s "$STATIC_ROOT/staticfiles.json" ]] || .venv/bin/python manage.py collectstatic --noinput -v0
# The users and their sessions, fresh (a session ends after SESSION_IDLE_MINUTES) and
# signed with this run's SECRET_KEY.
.venv/bin/python bench/locustfile.py setup --out "$users_file"
export TRUSTED_PROXY_COUNT=1
scheme=http
tls=()
if [[ "${BENCH_TLS:-0}" == 1 ]]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
    scheme=https
    tls=(--certfile "$work/cert.pem" --keyfile "$work/key.pem")
fi
.venv/bin/gunicorn -c gunicorn.conf.py "${tls[@]}" portal.wsgi:application &
gunicorn_pid=$!
for _ in $(seq 100); do curl -fsk "$scheme://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
# The figures cover the last $seconds seconds: the first $warmup (log-ins, first use of
# each page by each worker) are run but not counted.
warmup=${LOCUST_WARMUP:-30}
LOCUST_WARMUP="$warmup" LOCUST_USERS_FILE="$users_file" PYTHONWARNINGS=ignore \
    .venv/bin/locust -f bench/locustfile.py --headless -u "$users" -r "$users" \
    -t "$((warmup + seconds))s" --host "$scheme://127.0.0.1:$port" --only-summary \
    --csv "${BENCH_CSV:-$work/locust}" 2>&1 | grep -v '^\[\|warnings.warn\|InsecureRequest'
echo "gunicorn: $(grep -c . "$GUNICORN_ACCESS_LOG") requests logged; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
