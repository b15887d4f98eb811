#!/usr/bin/env bash
# Try a door: a blank virtual card is issued at a station, tapped at a door (granted),
# revoked, and tapped again (denied). Needs the service: run `make run` in another
# terminal first. Extra arguments go to `reader-agent demo` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/reader-agent ]; then
  echo "error: run \`make run\` first (it installs the platform and starts the service)" >&2
  exit 1
fi
# `make run` installs only what the service needs; a door needs pcscd and the vpcd driver.
./scripts/install-system-packages.sh door
./scripts/start-pcscd.sh .venv/bin/python   # pcscd with the virtual (vpcd) readers
exec .venv/bin/reader-agent --log-level WARNING demo "$@"
