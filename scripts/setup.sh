#!/usr/bin/env bash
# Install the Debian packages brokerage needs (only those missing), then
# configure and build it. Sourced or run by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packages=(build-essential meson ninja-build pkg-config
          libncurses-dev libsqlite3-dev libconfig-dev libjansson-dev libcsv-dev libsodium-dev
          libcmocka-dev sqlite3 tmux mandoc python3 tzdata locales ncurses-term valgrind
          clang libclang-rt-14-dev clang-format bindfs rsync util-linux procps jq
          debhelper lintian devscripts adduser
          libgmime-3.0-dev msmtp msmtp-mta python3-aiosmtpd
          libpq-dev postgresql-15)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
	echo "installing Debian packages: ${missing[*]}" >&2
	sudo=""
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || { echo "run as root or install sudo: need ${missing[*]}" >&2; exit 1; }
		sudo=sudo
	fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

build=${BROKERAGE_BUILD:-build}
cd "$here"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$build/build.ninja" ]; then
	echo "building brokerage in $build (a few minutes the first time)..." >&2
	meson setup "$build" "$@" >"$log" 2>&1 || { cat "$log" >&2; echo "setting up $build failed" >&2; exit 1; }
fi
meson compile -C "$build" >"$log" 2>&1 || { grep -E "error|warning" "$log" >&2 || cat "$log" >&2; echo "building $build failed" >&2; exit 1; }
