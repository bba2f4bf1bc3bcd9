#!/usr/bin/env bash
# Checks the system libraries Qt (and the PDF tests) need. As root it installs what is missing;
# otherwise it prints the exact line to run and stops.
set -euo pipefail
if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "Not a Debian/Ubuntu system: make sure Qt's system libraries are present (see README)." >&2
  exit 0
fi
missing=()
for pkg in "$@"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && $line >/dev/null
else
  echo "Missing system packages. Run this, then try again:" >&2
  echo "  sudo $line" >&2
  exit 1
fi
