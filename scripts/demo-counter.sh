#!/usr/bin/env bash
# A citizen at a counter: a staff card is issued and signs in at counter Q01, a virtual
# chip ID card (generated test citizen) waits in the citizen reader, and the counter
# screen opens at http://127.0.0.1:8765/ for you to read it with its CAN and record a
# service. Needs the service: run `make run` in another terminal first. Extra
# arguments go to `python -m reader_agent.counter.demo` (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/reader-agent ]; then
  echo "error: run \`make run\` first (it installs the platform and starts the service)" >&2
  exit 1
fi
./scripts/start-pcscd.sh .venv/bin/python   # pcscd with the virtual (vpcd) readers
card=data/demo-counter/cccd
if [ ! -f "$card/chip.json" ]; then
  .venv/bin/reader-agent virtual-id-card --init "$card"
fi
# The operator's step: trust the test card's CSCA (its signed master list).
.venv/bin/card-service csca-import "$card/master-list.ml" --anchor "$card/csca.der"
exec .venv/bin/python -m reader_agent.counter.demo --id-card "$card" "$@"
