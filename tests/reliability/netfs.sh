#!/bin/bash
# Row 6: a database on a network filesystem is refused with why (WAL needs
# one host) unless BROKERAGE_ALLOW_NETWORK_FS=1. NFS and CIFS cannot be
# mounted in this container (the kernel offers neither), so the statfs
# detection is exercised through FUSE (bindfs), which the program treats
# the same way (sshfs and friends). Needs root, /dev/fuse and bindfs
# (Debian package bindfs); skipped with a note otherwise.
. "$(dirname "$0")/lib.sh"
if ! need_root || [ ! -e /dev/fuse ] || ! command -v bindfs >/dev/null; then
	note "skip: needs root, /dev/fuse and bindfs (apt-get install bindfs)"
	finish
fi
mkdir -p "$T/src" "$T/mnt"
if ! bindfs "$T/src" "$T/mnt" 2>"$T/mount.err"; then
	note "skip: bindfs could not mount: $(cat "$T/mount.err")"
	finish
fi
CLEANUPS+=("fusermount -u '$T/mnt' 2>/dev/null || umount -l '$T/mnt'")
check "the mount is FUSE (statfs type $(stat -f -c %t "$T/mnt"))" [ "$(stat -f -c %t "$T/mnt")" = 65735546 ]
"$B" --db "$T/local.db" demo --referrals 20 --seed 1 >/dev/null
sqlite3 "$T/local.db" "pragma wal_checkpoint(truncate)" >/dev/null
cp "$T/local.db" "$T/mnt/net.db"
sum=$(sha256sum <"$T/mnt/net.db")
"$B" --db "$T/mnt/net.db" --as alice referral list >"$T/out" 2>"$T/err"; rc=$?
check "an existing database on it is refused (exit $rc)" [ $rc -ne 0 ]
check "the refusal says why: $(head -c 200 "$T/err")" grep -q "network filesystem.*one host" "$T/err"
check "the refusal names the override" grep -q "BROKERAGE_ALLOW_NETWORK_FS=1" "$T/err"
check "the file is unchanged and no -wal/-shm made" [ "$sum.$(ls "$T/mnt" | wc -l)" = "$(sha256sum <"$T/mnt/net.db").1" ]
"$B" --db "$T/mnt/new.db" init --test-mode >"$T/out" 2>"$T/err"; rc=$?
check "init of a new database on it is refused (exit $rc) and nothing made" [ "$rc.$(ls "$T/mnt" | wc -l)" = "1.1" ]
for v in 0 yes true ""; do
	BROKERAGE_ALLOW_NETWORK_FS=$v "$B" --db "$T/mnt/net.db" --as alice referral list >/dev/null 2>&1
	check "BROKERAGE_ALLOW_NETWORK_FS='$v' does not override" [ $? -ne 0 ]
done
check "BROKERAGE_ALLOW_NETWORK_FS=1 overrides: browsing works" quiet env BROKERAGE_ALLOW_NETWORK_FS=1 "$B" --db "$T/mnt/net.db" --as alice referral list
check "BROKERAGE_ALLOW_NETWORK_FS=1 overrides: a change works" quiet env BROKERAGE_ALLOW_NETWORK_FS=1 "$B" --db "$T/mnt/net.db" --as alice referral new --case NET-1 --lot 1 --district North --hours 2
check "a local disk is not refused" quiet "$B" --db "$T/local.db" --as alice referral list
note "NFS and CIFS themselves: not mountable here (no nfs/cifs in /proc/filesystems); detection by the same statfs switch"
finish
