# The one terminal harness: the real program in tmux, as a person sees it.
# Source it after tests/lib.sh (which gives pass/fail/finish, $BIN, $WORK
# and a private $HOME). Every terminal suite uses these and nothing else to
# drive the screen, so they share one set of timeouts and one way of
# pinning the terminal.
#
#   term_start NAME COLS ROWS [VAR=VALUE...] -- ARGS...
#                          the program ($BIN ARGS...) in a new session of
#                          COLS x ROWS with TERM=xterm-256color, LANG and
#                          LC_ALL=C.UTF-8, NO_COLOR=1 and TZ pinned; a
#                          VAR=VALUE overrides one of them (TERM=vt100,
#                          LANG=C, NO_COLOR= for colour) or adds another
#   term_screen NAME       the screen as text (term_screen_attr: with colours)
#   term_keys NAME KEY...  tmux send-keys (key names: Enter, Escape, Down,
#                          C-l, ...; term_type NAME TEXT types TEXT literally)
#   term_wait NAME ERE [SECONDS]       until the screen matches (default
#                          $TERM_TIMEOUT, 5 s); false when it never does
#   term_wait_gone NAME ERE [SECONDS]  until it no longer matches
#   term_check DESC NAME ERE           a check: the screen shows ERE
#   term_check_gone DESC NAME ERE      a check: the screen stops showing ERE
#   term_check_not DESC NAME ERE       a check: once settled (0.3 s), the
#                          screen does not show ERE
#   term_line NAME ERE     the first screen line matching ERE
#   term_show NAME         the screen, indented, into the log
#   term_resize NAME COLS ROWS
#   term_alive NAME        is the session still there?
#   term_pid NAME          the program's process id
#   term_stop NAME         q, then the session is killed if still there
#   term_mouse NAME BUTTON COL ROW     an SGR mouse press and release at
#                          0-based COL,ROW (BUTTON 0 left, 64 wheel up, 65 down)
#
# The fixture a suite builds with the command line before the screens:
#   term_init [ARGS...]    a test-mode database at $DB (init --test-mode
#                          ARGS); the suite stops when it fails
#   term_cli AS NOW ARGS...            the command line as AS at NOW on $DB,
#                          its output on stdout; when it fails the suite
#                          stops, saying what failed and why
#   $ME                    the login running the suite: the administrator

if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux is not installed: skipped"
	exit 77
fi

TERM_SOCK="brokerage-term-$$"
TERM_TIMEOUT=${TERM_TIMEOUT:-5}
export TZ=${TZ:-Europe/London}
term_cleanup() {
	tmux -L "$TERM_SOCK" kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TERM_SOCK"
	rm -rf "$WORK"
}
trap term_cleanup EXIT

term_start() {
	local name=$1 cols=$2 rows=$3
	shift 3
	local -A env=([TERM]=xterm-256color [LANG]=C.UTF-8 [LC_ALL]=C.UTF-8 [NO_COLOR]=1 [TZ]=$TZ
		[HOME]=$HOME)
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		env[${1%%=*}]=${1#*=}
		shift
	done
	[ "${1:-}" = -- ] && shift
	local cmd="exec" k a
	# tmux gives the program its own default-terminal whatever -e says, so
	# the environment is set on the command itself.
	for k in "${!env[@]}"; do
		if [ -n "${env[$k]}" ]; then
			cmd+=" $k=$(printf '%q' "${env[$k]}")"
		else
			cmd="unset $k; $cmd"
		fi
	done
	cmd=${cmd/exec/exec env}
	cmd+=" $(printf '%q' "$BIN")"
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	tmux -L "$TERM_SOCK" -f /dev/null new-session -d -s "$name" -x "$cols" -y "$rows" "$cmd"
}

term_screen() { tmux -L "$TERM_SOCK" capture-pane -p -t "$1" 2>/dev/null; }
term_screen_attr() { tmux -L "$TERM_SOCK" capture-pane -e -p -t "$1" 2>/dev/null; }
term_keys() { tmux -L "$TERM_SOCK" send-keys -t "$@"; }
term_type() { tmux -L "$TERM_SOCK" send-keys -t "$1" -l "$2"; }

term_wait() { # NAME ERE [SECONDS]
	local i n=$(((${3:-$TERM_TIMEOUT}) * 10))
	for ((i = 0; i < n; i++)); do
		term_screen "$1" | grep -qE -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

term_wait_gone() { # NAME ERE [SECONDS]
	local i n=$(((${3:-$TERM_TIMEOUT}) * 10))
	for ((i = 0; i < n; i++)); do
		term_screen "$1" | grep -qE -- "$2" || return 0
		sleep 0.1
	done
	return 1
}

term_show() { term_screen "$1" | sed 's/^/    | /'; }

term_check() { # DESC NAME ERE
	if term_wait "$2" "$3"; then
		pass "$1"
	else
		FAILED=$((FAILED + 1))
		echo "FAIL - $1 (the screen never showed /$3/)"
		term_show "$2"
	fi
}

term_check_gone() { # DESC NAME ERE
	if term_wait_gone "$2" "$3"; then
		pass "$1"
	else
		FAILED=$((FAILED + 1))
		echo "FAIL - $1 (the screen still shows /$3/)"
		term_show "$2"
	fi
}

term_check_not() { # DESC NAME ERE
	sleep 0.3
	if term_screen "$2" | grep -qE -- "$3"; then
		FAILED=$((FAILED + 1))
		echo "FAIL - $1 (the screen shows /$3/)"
		term_show "$2"
	else
		pass "$1"
	fi
}

term_line() { term_screen "$1" | grep -m1 -E -- "$2"; }
term_resize() { tmux -L "$TERM_SOCK" resize-window -t "$1" -x "$2" -y "$3"; }
term_alive() { tmux -L "$TERM_SOCK" has-session -t "$1" 2>/dev/null; }
term_pid() { tmux -L "$TERM_SOCK" list-panes -t "$1" -F '#{pane_pid}' 2>/dev/null; }

term_stop() {
	term_keys "$1" q 2>/dev/null
	local i
	for ((i = 0; i < 20; i++)); do
		term_alive "$1" || return 0
		sleep 0.1
	done
	tmux -L "$TERM_SOCK" kill-session -t "$1" 2>/dev/null
}

term_mouse() { # NAME BUTTON COL ROW (0-based)
	local b=$2 x=$(($3 + 1)) y=$(($4 + 1))
	tmux -L "$TERM_SOCK" send-keys -t "$1" -l $'\e'"[<$b;$x;${y}M"
	[ "$b" -lt 64 ] && tmux -L "$TERM_SOCK" send-keys -t "$1" -l $'\e'"[<$b;$x;${y}m"
	return 0
}

ME=$(id -un)
term_init() {
	"$BIN" --db "$DB" init --test-mode "$@" >/dev/null 2>"$WORK/init.err" || {
		echo "init failed: $(cat "$WORK/init.err")" >&2
		exit 1
	}
}

term_cli() { # AS NOW ARGS...
	local as=$1 now=$2
	shift 2
	"$BIN" --db "$DB" --as "$as" --now "$now" "$@" 2>"$WORK/cli.err" || {
		echo "fixture failed: $* : $(cat "$WORK/cli.err")" >&2
		exit 1
	}
}
