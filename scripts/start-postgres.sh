#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers for the tests and benchmarks, and tells them
# how to reach it. In order:
#   1. TEST_DATABASE_URL, when set, must answer (nothing else is tried);
#   2. a server already answering as postgres@127.0.0.1:$PGPORT without a password
#      (trust auth, as on the CI machine) is used as it is;
#   3. otherwise Debian's cluster tools start (or create) the cluster on that port, and
#      a role ecard_test (LOGIN CREATEDB, random password) is made for the tests; its
#      URL is written to .cache/test-database-url (mode 600), which tests and benches read.
# The server's authentication settings are never changed.
set -euo pipefail

python=${1:-.venv/bin/python}
port=${PGPORT:-5432}
url_file=.cache/test-database-url
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

answers() {
  "$python" - "$1" <<'PY' >/dev/null 2>&1
import sys

import psycopg

url = sys.argv[1].replace("postgresql+psycopg://", "postgresql://", 1)
with psycopg.connect(url, connect_timeout=3) as connection:
    connection.execute("SELECT 1")
PY
}

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  answers "$TEST_DATABASE_URL" && exit 0
  echo "error: TEST_DATABASE_URL does not answer" >&2
  exit 1
fi

trust_url="postgresql://postgres@127.0.0.1:${port}/postgres"
remember() {
  mkdir -p "$(dirname "$url_file")"
  (umask 077 && echo "$1" >"$url_file")
}

if answers "$trust_url"; then
  # The tests' default URL is this one on 5432; another port must be written down.
  if [ "$port" = 5432 ]; then rm -f "$url_file"; else remember "$trust_url"; fi
  exit 0
fi
if [ -f "$url_file" ] && answers "$(cat "$url_file")"; then
  exit 0
fi

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  "$(dirname "$0")/install-system-packages.sh" postgres
fi

# The cluster that owns the port: start it, or create one when there is none.
read -r version name status < <(
  pg_lsclusters --no-header | awk -v p="$port" '$3 == p {print $1, $2, $4; exit}'
) || true
if [ -z "${version:-}" ]; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  name=main
  pg_lsclusters --no-header | awk '{print $2}' | grep -qx main && name=ecard
  echo "creating PostgreSQL cluster $version/$name on port $port"
  "${sudo_cmd[@]}" pg_createcluster -p "$port" "$version" "$name" >/dev/null
  status=down
fi
if [ "$status" != online ]; then
  echo "starting PostgreSQL cluster $version/$name"
  "${sudo_cmd[@]}" pg_ctlcluster "$version" "$name" start
fi
for _ in $(seq 100); do
  pg_isready -q -h 127.0.0.1 -p "$port" && break
  sleep 0.1
done
pg_isready -q -h 127.0.0.1 -p "$port" || {
  echo "error: PostgreSQL on 127.0.0.1:${port} did not come up within 10 s" >&2
  exit 1
}
if answers "$trust_url"; then
  if [ "$port" = 5432 ]; then rm -f "$url_file"; else remember "$trust_url"; fi
  exit 0
fi

# Password authentication on TCP (Debian's default): a role of the tests' own.
password=$("$python" -c 'import secrets; print(secrets.token_hex(16))')
"${sudo_cmd[@]}" runuser -u postgres -- psql -q -p "$port" -v ON_ERROR_STOP=1 -d postgres \
  -v password="$password" >/dev/null <<'SQL'
SELECT 'CREATE ROLE ecard_test LOGIN CREATEDB'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ecard_test') \gexec
ALTER ROLE ecard_test PASSWORD :'password';
SQL
url="postgresql://ecard_test:${password}@127.0.0.1:${port}/postgres"
answers "$url" || {
  echo "error: the ecard_test role cannot sign in to 127.0.0.1:${port}" \
    "(check pg_hba.conf allows password sign-in from 127.0.0.1)" >&2
  exit 1
}
remember "$url"
echo "tests will use PostgreSQL as ecard_test@127.0.0.1:${port} ($url_file)"
