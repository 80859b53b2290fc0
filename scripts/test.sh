#!/usr/bin/env bash
# The whole check: lint (scripts/lint.sh), then pytest over tests/.
#
# Services: when PostgreSQL and Redis answer on 127.0.0.1, the suite runs against them (and the
# real-worker test gets a broker); when they are installed but stopped, they are started with the
# machine's own commands; when they are absent, the suite runs on the embedded defaults (SQLite,
# eager Celery, locmem cache) and the tests that need them skip with a reason.
#
# Environment:
#   TEST_SERVICES=auto|none      none: ignore any running services (embedded mode)
#   TEST_PG_HOST/TEST_PG_PORT    where to look for PostgreSQL (127.0.0.1:5432)
#   TEST_REDIS_HOST/_PORT        where to look for Redis (127.0.0.1:6379)
#   TEST_RABBITMQ_HOST/_PORT     where to look for RabbitMQ (127.0.0.1:5672), optional
#   TEST_DB_NAME                 database name in DATABASE_URL; pytest-django adds test_. In CI
#                                `shopapp`; elsewhere `shopapp_<pid>`, because several people share
#                                one machine's PostgreSQL and a test run drops its test database
#   SKIP_LINT=1                  run pytest only
# Extra arguments are passed to pytest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
BIN=${VENV:-.venv}/bin
ARTIFACTS=artifacts
mkdir -p "$ARTIFACTS"
started_at=$SECONDS

TEST_SERVICES=${TEST_SERVICES:-auto}
PG_HOST=${TEST_PG_HOST:-127.0.0.1}
PG_PORT=${TEST_PG_PORT:-5432}
REDIS_HOST=${TEST_REDIS_HOST:-127.0.0.1}
REDIS_PORT=${TEST_REDIS_PORT:-6379}
RABBITMQ_HOST=${TEST_RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${TEST_RABBITMQ_PORT:-5672}
if [ "${CI:-}" = true ]; then
    DB_NAME=${TEST_DB_NAME:-shopapp}
else
    DB_NAME=${TEST_DB_NAME:-shopapp_$$}
fi

port_open() {
    timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

wait_for_port() {
    local host=$1 port=$2 tries=${3:-30}
    while [ "$tries" -gt 0 ]; do
        port_open "$host" "$port" && return 0
        sleep 0.5
        tries=$((tries - 1))
    done
    return 1
}

# The machine's own start commands bind the standard ports on 127.0.0.1, so they only help when
# the probe looks there; they need root (pg_ctlcluster switches to the postgres user itself).
can_start() {
    [ "$(id -u)" = 0 ] && [ "$1" = 127.0.0.1 ]
}

start_postgresql() {
    can_start "$PG_HOST" && [ "$PG_PORT" = 5432 ] || return 1
    command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] || return 1
    local version
    # shellcheck disable=SC2012  # version directories: plain names like 15
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    [ -n "$version" ] || return 1
    echo "services: PostgreSQL $version is installed but not answering; starting it"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for_port "$PG_HOST" "$PG_PORT"
}

start_redis() {
    can_start "$REDIS_HOST" && [ "$REDIS_PORT" = 6379 ] || return 1
    command -v redis-server >/dev/null 2>&1 || return 1
    echo "services: Redis is installed but not answering; starting it"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
    wait_for_port "$REDIS_HOST" "$REDIS_PORT"
}

# A port that answers is not yet a usable service: speak its protocol once.
handshake() {
    "$BIN/python" - "$@" <<'PY'
import sys

kind, url = sys.argv[1], sys.argv[2]
try:
    if kind == "postgresql":
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    elif kind == "redis":
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    elif kind == "rabbitmq":
        from kombu import Connection

        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1)
except Exception as exc:  # any failure means "not usable"; say which
    print(f"services: {kind} at {url} answers but is not usable: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}

probe() {
    # probe NAME HOST PORT URL START_FN -> prints yes/no
    local name=$1 host=$2 port=$3 url=$4 start_fn=$5
    if [ "$TEST_SERVICES" = none ]; then
        echo no
        return
    fi
    if ! port_open "$host" "$port"; then
        if [ -z "$start_fn" ] || ! "$start_fn" >&2; then
            echo no
            return
        fi
    fi
    if handshake "$name" "$url" >&2; then echo yes; else echo no; fi
}

PG_URL="postgres://postgres@$PG_HOST:$PG_PORT/$DB_NAME"
REDIS_BASE="redis://$REDIS_HOST:$REDIS_PORT"
RABBITMQ_URL="amqp://guest:guest@$RABBITMQ_HOST:$RABBITMQ_PORT//"

has_pg=$(probe postgresql "$PG_HOST" "$PG_PORT" "postgresql://postgres@$PG_HOST:$PG_PORT/postgres" start_postgresql)
has_redis=$(probe redis "$REDIS_HOST" "$REDIS_PORT" "$REDIS_BASE/0" start_redis)
has_rabbitmq=$(probe rabbitmq "$RABBITMQ_HOST" "$RABBITMQ_PORT" "$RABBITMQ_URL" "")

echo "services: postgresql=$has_pg redis=$has_redis rabbitmq=$has_rabbitmq (TEST_SERVICES=$TEST_SERVICES)"

# The WordPress plugin's real-WordPress test (tests/integrations/woocommerce/test_wordpress.py)
# needs PHP with mysqli, Debian's wordpress package, and MariaDB on 127.0.0.1:3306 (root, no
# password; TEST_MYSQL_HOST/TEST_MYSQL_PORT). .ci/run installs the packages; a MariaDB that is
# installed but stopped is started here; without any of them the test skips and says why.
MYSQL_HOST=${TEST_MYSQL_HOST:-127.0.0.1}
MYSQL_PORT=${TEST_MYSQL_PORT:-3306}
start_mariadb() {
    can_start "$MYSQL_HOST" && [ "$MYSQL_PORT" = 3306 ] || return 1
    [ -x /usr/sbin/mariadbd ] || [ -x /usr/sbin/mysqld ] || return 1
    echo "services: MariaDB is installed but not answering; starting it"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
    if ! service mariadb start >/dev/null 2>&1 && ! service mysql start >/dev/null 2>&1; then
        (mysqld_safe >/dev/null 2>&1 &)
    fi
    wait_for_port "$MYSQL_HOST" "$MYSQL_PORT" 60
}
has_mariadb=no
if [ "$TEST_SERVICES" = none ]; then
    export TEST_WORDPRESS_SKIP="TEST_SERVICES=none"
elif port_open "$MYSQL_HOST" "$MYSQL_PORT" || start_mariadb >&2; then
    has_mariadb=yes
fi
export TEST_MYSQL_HOST=$MYSQL_HOST TEST_MYSQL_PORT=$MYSQL_PORT
has_php=no
if command -v php >/dev/null 2>&1 && php -m 2>/dev/null | grep -qi '^mysqli$'; then has_php=yes; fi
has_wordpress=no
[ -f /usr/share/wordpress/wp-settings.php ] && has_wordpress=yes
echo "wordpress: php+mysqli=$has_php wordpress=$has_wordpress mariadb=$has_mariadb (the real-WordPress test skips, saying why, without all three)"

# The suite's own tasks always run inline; only the real-worker test talks to a broker.
export CELERY_TASK_ALWAYS_EAGER=1
unset CELERY_BROKER_URL CELERY_RESULT_BACKEND TEST_CELERY_BROKER_URL TEST_CELERY_AMQP_BROKER_URL
if [ "$has_pg" = yes ]; then
    export DATABASE_URL=$PG_URL
    echo "services: DATABASE_URL=$DATABASE_URL (pytest-django creates test_$DB_NAME)"
else
    unset DATABASE_URL
    echo "services: no PostgreSQL: tests run on SQLite; PostgreSQL-only tests skip"
fi
if [ "$has_redis" = yes ]; then
    export REDIS_URL=$REDIS_BASE/1
    export TEST_CELERY_BROKER_URL=$REDIS_BASE/2
else
    unset REDIS_URL
    echo "services: no Redis: locmem cache; the real Celery worker test skips"
fi
if [ "$has_rabbitmq" = yes ]; then
    export TEST_CELERY_AMQP_BROKER_URL=$RABBITMQ_URL
fi

# Node packages the tests read (the Shopify Admin GraphQL schema, theme-check): installed from
# package-lock.json when node and npm are here; without them those tests skip with the reason.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    if [ ! -d node_modules/@shopify/dev-mcp ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "npm: installing package-lock.json (for the Shopify schema and theme-check tests)"
        # `npm ci` refuses this machine's lock files (npm is configured to omit resolved URLs, and
        # then counts other platforms' optional packages as missing); `npm install` reads the same
        # lock and leaves it unchanged. A failed install fails the run: the tests must not skip.
        if ! npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >"$ARTIFACTS/npm-ci.log" 2>&1 &&
            ! npm install --no-audit --no-fund --ignore-scripts --loglevel=error >>"$ARTIFACTS/npm-ci.log" 2>&1; then
            echo "npm: install failed (see $ARTIFACTS/npm-ci.log)"
            exit 1
        fi
        git diff --quiet -- package-lock.json 2>/dev/null ||
            echo "npm: warning: the install changed package-lock.json"
    fi
else
    echo "npm: node or npm not found; the Shopify schema and theme-check tests will skip"
fi

# The translations the rendering tests read: .mo files are built from locale/*/django.po, not committed.
"$BIN/python" manage.py messages --compile >/dev/null || { echo "messages: could not compile the catalogues"; exit 1; }

failed=()
if [ "${SKIP_LINT:-0}" != 1 ]; then
    scripts/lint.sh || failed+=(lint)
fi

# Two runs against the same services would drop each other's test database: take turns.
if [ "$has_pg" = yes ] || [ "$has_redis" = yes ]; then
    exec 9>"${TMPDIR:-/tmp}/shopapp-test-services.lock"
    if ! flock -n 9; then
        echo "services: another test run is using them; waiting for it (up to 15 min)"
        flock -w 900 9 || { echo "services: gave up waiting for the lock" >&2; exit 1; }
    fi
fi

# Test databases of earlier local runs that were killed before pytest-django could drop them.
if [ "$has_pg" = yes ]; then
    "$BIN/python" - "postgresql://postgres@$PG_HOST:$PG_PORT/postgres" <<'PY' || true
import os
import re
import sys

import psycopg

with psycopg.connect(sys.argv[1], autocommit=True, connect_timeout=3) as conn:
    names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
    for name in names:
        match = re.fullmatch(r"test_shopapp_(\d+)", name)
        if match and not os.path.exists(f"/proc/{match.group(1)}"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            print(f"services: dropped {name}, left behind by an interrupted run")
PY
fi

# The Redis databases are the tests' own: start from empty ones, whatever an earlier run left.
if [ "$has_redis" = yes ]; then
    "$BIN/python" - "$REDIS_URL" "$TEST_CELERY_BROKER_URL" <<'PY' || echo "services: could not flush the test Redis databases"
import sys

import redis

for url in sys.argv[1:]:
    redis.Redis.from_url(url, socket_timeout=5).flushdb()
PY
fi

junit=$ARTIFACTS/pytest-junit.xml
log=$ARTIFACTS/pytest.log
rm -f "$junit"
echo "--- pytest tests/ $*"
pytest_started_at=$SECONDS
load_at_start=$(cut -d" " -f1-3 /proc/loadavg 2>/dev/null)
"$BIN/pytest" tests/ --junitxml="$junit" --durations=15 "$@" 2>&1 | tee "$log"
pytest_rc=${PIPESTATUS[0]}

# Exit code 5 is "no tests collected"; a run where nothing passed proves nothing either.
passed=$("$BIN/python" - "$junit" <<'PY'
import sys
import xml.etree.ElementTree as ET

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0)
    sys.exit()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
total = sum(
    int(s.get("tests", 0)) - int(s.get("failures", 0)) - int(s.get("errors", 0))
    - int(s.get("skipped", 0))
    for s in suites
)
print(total)
PY
)
if [ "$pytest_rc" -eq 5 ]; then
    echo "pytest: no tests were collected (exit code 5)"
    failed+=(pytest-no-tests)
elif [ "$pytest_rc" -ne 0 ]; then
    failed+=(pytest)
elif [ "$passed" -eq 0 ]; then
    echo "pytest: 0 tests passed"
    failed+=(pytest-none-passed)
fi

summary=$(grep -E '^=+ .*in [0-9.]+s.* =+$' "$log" | tail -n 1)
echo
# Where the time went, last so CI logs end with it: a test's time here is setup + call + teardown.
"$BIN/python" - "$junit" <<'PY' || true
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    sys.exit()
tests = [
    (float(case.get("time", 0)), f"{case.get('classname', '')}::{case.get('name', '')}")
    for case in root.iter("testcase")
]
if not tests:
    sys.exit()
per_file: defaultdict[str, float] = defaultdict(float)
for seconds, name in tests:
    per_file[name.split("::")[0]] += seconds
print("slowest 15 tests (setup + call + teardown):")
for seconds, name in sorted(tests, reverse=True)[:15]:
    print(f"  {seconds:7.1f}s  {name}")
print("slowest 10 test modules:")
for name, seconds in sorted(per_file.items(), key=lambda item: -item[1])[:10]:
    print(f"  {seconds:7.1f}s  {name}")
PY
echo
echo "services: postgresql=$has_pg redis=$has_redis rabbitmq=$has_rabbitmq"
echo "pytest:   ${summary:-no summary line (pytest exit code $pytest_rc)}"
echo "time:     $((SECONDS - started_at))s (pytest $((SECONDS - pytest_started_at))s)"
# Timings on a shared machine mean little without its load (1, 5 and 15 minute averages).
echo "load:     $(cut -d" " -f1-3 /proc/loadavg 2>/dev/null) at the end, ${load_at_start:-?} at the start of pytest"
if [ ${#failed[@]} -gt 0 ]; then
    echo "test: FAILED: ${failed[*]}"
    exit 1
fi
echo "test: OK ($passed passed)"
