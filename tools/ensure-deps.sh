#!/usr/bin/env bash
# Installs the Debian packages fanout builds against, only those that are missing.
# Usage: tools/ensure-deps.sh [extra-package ...]
set -euo pipefail
wanted=(libgeos-dev libproj-dev libsqlite3-dev pkg-config "$@")
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing missing Debian packages: ${missing[*]}" >&2
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
