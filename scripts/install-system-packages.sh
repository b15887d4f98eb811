#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the platform needs.
#   install-system-packages.sh run    what `make run` needs (Python venv support)
#   install-system-packages.sh door   `run` plus pcscd and the virtual reader driver
#                                     (scripts/demo-door.sh: README "Try a door")
#   install-system-packages.sh test   everything the test suite needs as well
#   install-system-packages.sh postgres  a PostgreSQL server (start-postgres.sh asks for
#                                        it only when no server answers)
# Idempotent: packages already present are not fetched again. Uses sudo when not root.
set -euo pipefail

profile=${1:-test}

# pyscard publishes no Linux wheels: pip builds it, which needs the PC/SC headers, swig,
# a C compiler and Python's headers (the last two are dropped below when present).
run_packages=(python3-venv libpcsclite1 libpcsclite-dev swig gcc python3-dev)
door_packages=(
  pcscd                        # PC/SC daemon
  vsmartcard-vpcd              # virtual reader driver the virtual cards plug into
)
test_packages=(
  "${door_packages[@]}"
  softhsm2 opensc openssl      # PKCS#11 token for key custody; OpenSC's pkcs15-tool; openssl CLI
  chromium                     # headless browser for the admin UI tests
  fonts-dejavu-core            # a font with Vietnamese diacritics for printable card layouts
)

case "$profile" in
  run) want=("${run_packages[@]}") ;;
  door) want=("${run_packages[@]}" "${door_packages[@]}") ;;
  test) want=("${run_packages[@]}" "${test_packages[@]}") ;;
  postgres) want=(postgresql) ;;
  *) echo "usage: $0 run|door|test|postgres" >&2; exit 2 ;;
esac

# A Python that already has venv + ensurepip (pyenv, python.org builds) needs no python3-venv.
if python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
  want=("${want[@]/python3-venv}")
fi

# A compiler already on the PATH, and a Python that ships its own headers, need no package.
if command -v cc >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1; then
  want=("${want[@]/gcc}")
fi
if python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' >/dev/null 2>&1; then
  want=("${want[@]/python3-dev}")
fi

missing=()
for pkg in "${want[@]}"; do
  [ -n "$pkg" ] || continue
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: missing system packages (${missing[*]}) and no apt-get to install them" >&2
  exit 1
fi
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "error: missing system packages (${missing[*]}); run as root or install sudo" >&2
    exit 1
  fi
  sudo_cmd=(sudo)
fi

log=$(mktemp -t ecard-apt.XXXXXX.log)
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  # A fresh machine has empty package lists; refresh once and try again.
  "${sudo_cmd[@]}" apt-get update -q >>"$log" 2>&1 || true
  if ! "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    echo "error: apt-get could not install ${missing[*]} (log: $log)" >&2
    exit 1
  fi
fi
