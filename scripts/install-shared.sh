#!/bin/sh
# meson install step for a shared deployment: the program setgid to the
# brokerage group, and a data directory only that group can enter.
# Arguments: GROUP BINDIR DATADIR (DESTDIR is honoured).
set -eu
group=$1 bindir=$2 datadir=$3
bin="${DESTDIR:-}$bindir/brokerage"
getent group "$group" >/dev/null || groupadd --system "$group"
chgrp "$group" "$bin"
chmod 2755 "$bin"
install -d -o root -g "$group" -m 2770 "${DESTDIR:-}$datadir"
echo "shared deployment: $bin is setgid $group; $datadir is root:$group 2770"
echo "set database = \"$datadir/brokerage.db\"; in /etc/brokerage/brokerage.conf"
