#!/usr/bin/env bash
# Makes sure pcscd runs and knows the vpcd virtual readers. Starts it when it is not
# running; restarts it when it runs without vpcd (installed after pcscd started).
set -euo pipefail

python=${1:-.venv/bin/python}
socket=/run/pcscd/pcscd.comm
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

if [ ! -f /etc/reader.conf.d/vpcd ]; then
  echo "error: the vpcd driver is not installed (run ./scripts/install-system-packages.sh test)" >&2
  exit 1
fi

has_vpcd() {
  "$python" - <<'PY' 2>/dev/null
import sys
from smartcard.System import readers
sys.exit(0 if any(str(r).startswith("Virtual PCD") for r in readers()) else 1)
PY
}

if pgrep -x pcscd >/dev/null 2>&1 && [ -S "$socket" ]; then
  has_vpcd && exit 0
  echo "pcscd runs without the vpcd readers; restarting it"
  "${sudo_cmd[@]}" pkill -x pcscd || true
  for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
fi

# systemd machines socket-activate pcscd; elsewhere (containers, CI) start the daemon.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  "${sudo_cmd[@]}" systemctl restart pcscd.socket pcscd.service
else
  "${sudo_cmd[@]}" pcscd
fi

for _ in $(seq 100); do
  if [ -S "$socket" ] && has_vpcd; then exit 0; fi
  sleep 0.1
done
echo "error: pcscd did not come up with the vpcd readers within 10 s" >&2
exit 1
