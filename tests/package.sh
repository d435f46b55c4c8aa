#!/usr/bin/env bash
# The Debian package (issue 18), from the tree to a purge: builds it with
# dpkg-buildpackage (one compile), runs lintian on it (no error, no
# warning), installs it with apt-get, then, with the database root made by
# 'brokerage init', works a referral through as three real logins (an
# officer, a team leader, a supervisor; not members of the brokerage group:
# they reach the database only through the setgid program), checks the
# mode of every file in /var/lib/brokerage, that a member of staff cannot
# write the database with sqlite3, runs the sweep unit once (systemctl start
# where systemd runs, otherwise the unit's ExecStart line, said so), purges
# the package and leaves the machine as it was. Needs root (to install and
# to make logins); skipped (77) with the reason otherwise, and when the host
# already has a brokerage installation it must not touch. While it runs,
# /etc/brokerage/brokerage.conf names /var/lib/brokerage/brokerage.db for
# every brokerage program on the host: it runs alone (meson: is_parallel).
set -u
root=${BROKERAGE_SOURCE_ROOT:?}
# the host's configuration alone names the database, as for the team
unset BROKERAGE_CONFIG XDG_CONFIG_HOME XDG_DATA_HOME
skip() {
	echo "skip: $1"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "installing a package and making logins needs root (run the suite as root, as .ci/run does)"
for tool in dpkg-buildpackage dh lintian apt-get useradd userdel groupdel runuser rsync sqlite3 dpkg-statoverride; do
	command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/setup.sh installs what the tests need)"
done
dpkg-query -W -f='${Status}' brokerage 2>/dev/null | grep -q "installed" && skip "the brokerage package is installed on this host"
[ -e /var/lib/brokerage ] && skip "/var/lib/brokerage exists on this host"
[ -e /etc/brokerage ] && skip "/etc/brokerage exists on this host"
getent group brokerage >/dev/null && skip "the group brokerage exists on this host"
users=(brk_officer brk_leader brk_super)
for u in "${users[@]}"; do
	getent passwd "$u" >/dev/null && skip "the login $u exists on this host"
done

pass=0 fail=0
ok() {
	pass=$((pass + 1))
	echo "ok - $1"
}
bad() {
	fail=$((fail + 1))
	echo "FAIL - $1"
}
check() { # DESC EXPECTED GOT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (expected '$2', got '$3')"; fi
}

work=$(mktemp -d /tmp/brokerage-package.XXXXXX)
chmod 755 "$work"
export DEBIAN_FRONTEND=noninteractive
apt_() { apt-get -o DPkg::Lock::Timeout=300 -y -q "$@"; }
installed=0
# Whatever happens, the machine is left as it was: no package, no logins,
# no group, no data, no statoverride, no timer link.
cleanup() {
	if dpkg-query -W -f='${Status}' brokerage 2>/dev/null | grep -q "installed\|config-files"; then
		apt_ purge brokerage >/dev/null 2>&1 || dpkg --purge brokerage >/dev/null 2>&1
	fi
	if ((installed)); then
		rm -rf /var/lib/brokerage /etc/brokerage
		getent group brokerage >/dev/null && groupdel brokerage
		dpkg-statoverride --list /usr/bin/brokerage >/dev/null 2>&1 && dpkg-statoverride --remove /usr/bin/brokerage
	fi
	for u in "${users[@]}"; do
		getent passwd "$u" >/dev/null && userdel -r "$u" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

# ---- build, lintian ----
rsync -a --exclude '/build*' --exclude /.git --exclude '/obj-*' --exclude /debian/.debhelper \
	--exclude /debian/brokerage --exclude /debian/brokerage-dbgsym --exclude /debian/files --exclude '/debian/*.substvars' \
	--exclude /debian/debhelper-build-stamp "$root/" "$work/src/"
unmet=$(cd "$work/src" && dpkg-checkbuilddeps 2>&1) || skip "the package's build dependencies are missing: $unmet"
start=$(date +%s)
if (cd "$work/src" && DEB_BUILD_OPTIONS="nocheck noautodbgsym parallel=2" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds the package ($(($(date +%s) - start)) s)"
else
	bad "dpkg-buildpackage failed:"
	tail -30 "$work/build.log"
	echo "$pass passed, $fail failed"
	exit 1
fi
deb=$(ls "$work"/brokerage_*.deb)
version=$(dpkg-deb -f "$deb" Version)
check "the package's version is meson's project() version" \
	"$(grep -m1 "^  version : '" "$root/meson.build" | cut -d"'" -f2)" "$version"
# lintian as an ordinary user, as it asks; every tag but the informational ones
out=$(cd "$work" && runuser -u nobody -- env HOME="$work" lintian --fail-on error,warning "$deb" 2>&1)
rc=$?
tags=$(printf '%s\n' "$out" | grep -E '^[EW]: ')
[ $rc -eq 0 ] && [ -z "$tags" ] && ok "lintian: no error and no warning" || bad "lintian (exit $rc): $out"

# ---- install ----
new=$(cd "$work" && apt-get -s install "./$(basename "$deb")" 2>/dev/null | sed -n 's/^Inst \([^ ]*\) .*/\1/p' | tr '\n' ' ')
[ "$new" = "brokerage " ] || skip "installing the package would also install: $new(the test leaves the host as it was)"
installed=1
out=$(cd "$work" && apt_ install "./$(basename "$deb")" 2>&1)
[ $? -eq 0 ] && ok "apt-get install ./$(basename "$deb")" || bad "apt-get install: $out"
check "the program is setgid to the brokerage group (dpkg-statoverride)" "2755 root brokerage" \
	"$(stat -c '%a %U %G' /usr/bin/brokerage)"
check "the statoverride is recorded" "root brokerage 2755 /usr/bin/brokerage" \
	"$(dpkg-statoverride --list /usr/bin/brokerage)"
check "/var/lib/brokerage is root:brokerage 2770" "2770 root brokerage" "$(stat -c '%a %U %G' /var/lib/brokerage)"
check "/etc/brokerage/brokerage.conf is a conffile" "/etc/brokerage/brokerage.conf" \
	"$(dpkg-query -W -f='${Conffiles}\n' brokerage | awk 'NF {print $1}')"
check "the configuration names the shared database" 'database = "/var/lib/brokerage/brokerage.db";' \
	"$(grep '^database' /etc/brokerage/brokerage.conf)"
check "--version: the package's version" "brokerage $version" "$(brokerage --version | head -1)"
for f in /usr/share/man/man1/brokerage.1.gz /usr/share/man/man5/brokerage.conf.5.gz /usr/share/man/man7/brokerage.7.gz \
	/usr/share/doc/brokerage/brokerage.conf.example /lib/systemd/system/brokerage-sweep.service \
	/lib/systemd/system/brokerage-sweep.timer /lib/systemd/system/brokerage-mail@.service \
	/lib/systemd/system/brokerage-mail@.timer; do
	[ -f "$f" ] && ok "installed: $f" || bad "not installed: $f"
done
check "the bash completion is installed and registers itself" "complete -F _brokerage brokerage" \
	"$(bash -c '. /usr/share/bash-completion/completions/brokerage && complete -p brokerage' 2>&1)"
[ -L /etc/systemd/system/timers.target.wants/brokerage-sweep.timer ] && ok "the sweep's timer is enabled" \
	|| bad "the timer is not enabled"
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify /lib/systemd/system/brokerage-sweep.service /lib/systemd/system/brokerage-sweep.timer \
		brokerage-mail@root.service brokerage-mail@root.timer 2>&1)
	[ -z "$out" ] && ok "systemd-analyze verify: the units are sound" || bad "systemd-analyze verify: $out"
fi
unit=/lib/systemd/system/brokerage-sweep.service
check "the sweep runs once at a time (a oneshot service)" "Type=oneshot" "$(grep '^Type=' "$unit")"
check "the timer: every minute, persistent" "OnCalendar=minutely Persistent=true" \
	"$(grep -E '^(OnCalendar|Persistent)=' /lib/systemd/system/brokerage-sweep.timer | tr '\n' ' ' | sed 's/ $//')"

# ---- the first administrator, three real logins, a referral worked through ----
for u in "${users[@]}"; do
	useradd -m -s /bin/bash "$u"
done
as_user() { # LOGIN ARGS...: the installed program as that login, in its home
	local u=$1
	shift
	(cd "/home/$u" && runuser -u "$u" -- env HOME="/home/$u" brokerage "$@")
}
out=$(cd / && brokerage init --name "Root Administrator" 2>&1)
[ $? -eq 0 ] && ok "brokerage init by root makes the shared database" || bad "brokerage init: $out"
for spec in "brk_officer officer" "brk_leader team_leader" "brk_super supervisor"; do
	set -- $spec
	out=$(cd / && brokerage staff add "$1" --name "Test $2" --role "$2" 2>&1) || bad "staff add $1: $out"
done
for u in "${users[@]}"; do
	id -nG "$u" | grep -qw brokerage && bad "$u is in the brokerage group" || ok "$u is not in the brokerage group"
done
step() { # DESC LOGIN ARGS...
	local desc=$1
	shift
	out=$(as_user "$@" 2>&1)
	[ $? -eq 0 ] && ok "$desc" || bad "$desc: $out"
}
step "the team leader adds a framework provider" brk_leader provider add "Acorn Care" --cqc 1-123456789
step "the team leader adds an off-contract agency" brk_leader provider add "Spot Agency" --off-framework
step "the team leader ranks the framework" brk_leader rank set --lot 1 --district North "Acorn Care"
step "the officer records a referral" brk_officer referral new --case PKG-1 --lot 1 --district North --hours 6
step "the officer sends it" brk_officer referral send 1
step "the officer records the provider's decline" brk_officer referral respond 1 --provider "Acorn Care" decline \
	--reason "no staff"
step "the officer asks for a spot purchase" brk_officer spot request 1 --provider "Spot Agency" --rate 25.00 --hours 6 \
	--weeks 12 --why "the framework is exhausted"
out=$(as_user brk_officer spot approve 1 --note "mine" 2>&1)
[ $? -ne 0 ] && ok "the officer cannot approve it" || bad "the officer approved a spot purchase: $out"
step "the supervisor approves it" brk_super spot approve 1 --note "agreed"
check "the referral is sourced" "sourced" \
	"$(as_user brk_officer --json referral show 1 | sed -n 's/^  "status": "\(.*\)",$/\1/p')"
out=$(as_user brk_officer staff add brk_super --name X --role admin 2>&1)
[ $? -ne 0 ] && ok "an officer cannot manage staff" || bad "an officer managed staff: $out"

# ---- the files of the shared deployment ----
# every file 0660 for the group, nothing for others; the database and its
# anchor root's (init made them); SQLite's log and its index belong to
# whoever opened the database first (root or a member of staff, who cannot
# reach them: the directory is the group's alone)
while IFS= read -r f; do
	name=${f#/var/lib/brokerage/}
	got=$(stat -c '%a %U %G' "$f")
	case $name in
	brokerage.db | brokerage.db-anchor) want="660 root brokerage" ;;
	brokerage.db-wal | brokerage.db-shm)
		want="660 (root or staff) brokerage"
		[[ $got =~ ^660\ (root|brk_officer|brk_leader|brk_super)\ brokerage$ ]] && got=$want
		;;
	*) want="(not expected here)" ;;
	esac
	check "mode of /var/lib/brokerage/$name" "$want" "$got"
done < <(find /var/lib/brokerage -mindepth 1 | sort)
check "the data directory holds the database" "yes" "$([ -f /var/lib/brokerage/brokerage.db ] && echo yes)"

# ---- staff cannot go round the program ----
before=$(brokerage --json referral list --all | grep -c '"id"')
out=$(cd /home/brk_officer && runuser -u brk_officer -- sqlite3 /var/lib/brokerage/brokerage.db \
	"insert into staff (login, name, role) values ('x', 'x', 'admin')" 2>&1)
[ $? -ne 0 ] && ok "sqlite3 cannot write the database as a member of staff" || bad "sqlite3 wrote the database: $out"
out=$(cd /home/brk_officer && runuser -u brk_officer -- sqlite3 /var/lib/brokerage/brokerage.db \
	"select count(*) from referral" 2>&1)
[ $? -ne 0 ] && ok "sqlite3 cannot read it either" || bad "sqlite3 read the database: $out"
check "the database is unchanged" "$before" "$(brokerage --json referral list --all | grep -c '"id"')"

# ---- the sweep unit, once ----
if [ -d /run/systemd/system ]; then
	out=$(systemctl start brokerage-sweep.service 2>&1)
	[ $? -eq 0 ] && ok "systemctl start brokerage-sweep.service" || bad "systemctl start: $out"
	check "the sweep unit succeeded" "Result=success" "$(systemctl show -p Result brokerage-sweep.service)"
else
	line=$(sed -n 's/^ExecStart=//p' "$unit")
	echo "# systemd is not running here: running the unit's ExecStart line as root instead: $line"
	out=$(cd / && $line 2>&1)
	[ $? -eq 0 ] && ok "the sweep unit's ExecStart line runs: $out" || bad "the ExecStart line failed: $out"
	check "the unit runs once the database exists (its condition is the configured database)" \
		"ConditionPathExists=/var/lib/brokerage/brokerage.db" "$(grep '^ConditionPathExists=' "$unit")"
fi
# the unit's line after a failure, as systemd would run it ($$ is its $)
post=$(sed -n "s/^ExecStopPost=\/bin\/sh -c '\(.*\)'$/\1/p" "$unit" | sed 's/\$\$/$/g')
out=$(cd / && SERVICE_RESULT=exit-code EXIT_CODE=exited EXIT_STATUS=1 sh -c "$post" 2>&1)
case $out in
*'database = "/var/lib/brokerage/brokerage.db"'*) ok "a failed sweep names the database in the journal: $out" ;;
*) bad "a failed sweep does not name the database: '$out'" ;;
esac
out=$(cd / && SERVICE_RESULT=success sh -c "$post" 2>&1)
check "a sweep that succeeded adds nothing" "" "$out"
# ---- the mail unit once, as the officer whose ~/Maildir gets the replies ----
home=/home/brk_officer
install -d -o brk_officer -m 700 "$home/Maildir" "$home/Maildir/new" "$home/Maildir/cur" "$home/Maildir/tmp"
printf '%s\n' "From: someone@example.org" "To: brokerage@council.example" "Subject: Re: your offer" \
	"Message-ID: <package-test-1@example.org>" "Date: Mon, 07 Dec 2026 10:00:00 +0000" "" "Yes we can take this" \
	>"$home/Maildir/new/1.eml"
chown brk_officer "$home/Maildir/new/1.eml"
mailunit=/lib/systemd/system/brokerage-mail@.service
if [ -d /run/systemd/system ]; then
	out=$(systemctl start brokerage-mail@brk_officer.service 2>&1)
	[ $? -eq 0 ] && ok "systemctl start brokerage-mail@brk_officer.service" || bad "systemctl start (mail): $out"
else
	echo "# systemd is not running here: running the mail unit's ExecStart lines as brk_officer instead"
	while IFS= read -r line; do
		line=${line//\$\$/\$}
		out=$(cd "$home" && runuser -u brk_officer -- env HOME="$home" sh -c "$line" 2>&1)
		[ $? -eq 0 ] && ok "the mail unit's line runs: $line: $out" || bad "the mail unit's line failed: $line: $out"
	done < <(sed -n 's/^ExecStart=//p' "$mailunit")
fi
check "the reply was read from the Maildir (moved to cur/)" "1.eml:2, |" \
	"$(ls "$home/Maildir/cur") |$(ls "$home/Maildir/new")"
check "it waits in the inbox for an officer" "1" "$(as_user brk_officer --json inbox --all | grep -c '"id"')"

out=$(cd / && brokerage audit verify 2>&1)
[ $? -eq 0 ] && ok "the audit trail verifies after the sweep" || bad "audit verify after the sweep: $out"

# ---- upgrade and removal never touch the data ----
# each file's mode and content, and the schema version (when another program
# opened the database meanwhile: a newer one would have migrated it)
data() {
	(cd /var/lib/brokerage && for f in *; do echo "$f $(stat -c '%a %U %G' "$f") $(md5sum <"$f")"; done)
	echo "schema $(sqlite3 "file:/var/lib/brokerage/brokerage.db?immutable=1" 'pragma user_version' 2>&1)"
}
# root opens and closes the database first: the log staff leave beside it
# (they cannot remove it from the group's directory) is folded in and goes,
# as any program run by root would do
(cd / && brokerage staff list >/dev/null)
before=$(data)
out=$(dpkg -i "$deb" 2>&1)
[ $? -eq 0 ] && ok "installing it again (an upgrade's steps)" || bad "dpkg -i again: $out"
check "an upgrade leaves the data and its modes as they were" "$before" "$(data)"
check "an upgrade keeps the statoverride" "2755 root brokerage" "$(stat -c '%a %U %G' /usr/bin/brokerage)"
out=$(apt_ remove brokerage 2>&1)
[ $? -eq 0 ] && ok "apt-get remove brokerage" || bad "apt-get remove: $out"
check "removing the package leaves the data as it was" "$before" "$(data)"
[ -f /etc/brokerage/brokerage.conf ] && ok "removing keeps the configuration (a conffile, until purge)" \
	|| bad "remove deleted the configuration"

# ---- purge: the program goes, the data stays, the administrator is told ----
out=$(apt_ purge brokerage 2>&1)
[ $? -eq 0 ] && ok "apt-get purge brokerage" || bad "apt-get purge: $out"
case $out in
*"kept in /var/lib/brokerage"*) ok "the purge says where the database is kept" ;;
*) bad "the purge does not say where the database is: $out" ;;
esac
check "the purge leaves the database as it was" "$before" "$(data)"
[ ! -e /usr/bin/brokerage ] && ok "the program is gone" || bad "/usr/bin/brokerage is still there"
[ ! -e /etc/brokerage ] && ok "the configuration is gone" || bad "/etc/brokerage is still there"
dpkg-statoverride --list /usr/bin/brokerage >/dev/null && bad "the statoverride is still there" \
	|| ok "the statoverride is gone"
[ ! -e /etc/systemd/system/timers.target.wants/brokerage-sweep.timer ] && ok "the timer's link is gone" \
	|| bad "the timer's link is still there"

# the rest (the data and the group the purge keeps, the logins) by the test
cleanup
trap - EXIT
left=
for u in "${users[@]}"; do getent passwd "$u" >/dev/null && left+=" login $u"; done
getent group brokerage >/dev/null && left+=" group brokerage"
[ -e /var/lib/brokerage ] && left+=" /var/lib/brokerage"
dpkg-query -W -f='${Status}' brokerage 2>/dev/null | grep -q "installed\|config-files" && left+=" the package"
check "the machine is left as it was" "" "$left"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
