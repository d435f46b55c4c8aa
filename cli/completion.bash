# ---- the completion itself (cli/completion.bash), over the tables above ----

# Staff logins (GROUP staff, FIELD login) or provider names (provider, name)
# starting with CUR, read through the program with the database options
# typed so far; nothing at all when it cannot (no database, no staff record).
_brokerage_names() {
	local group=$1 field=$2 cur=$3 line name re quoted=0
	re='^[[:space:]]*"'$field'": "(.*)",?$'
	# begun in quotes: the shell closes them, the name goes in as it is;
	# otherwise its spaces and the like are escaped
	if [[ $cur == [\"\']* ]]; then
		quoted=1
		cur=${cur:1}
	fi
	cur=${cur//\\ / }
	while IFS= read -r line; do
		[[ $line =~ $re ]] || continue
		name=${BASH_REMATCH[1]}
		name=${name//\\\"/\"}
		name=${name//\\\\/\\}
		[[ $name == "$cur"* ]] || continue
		if ((quoted)); then COMPREPLY+=("$name"); else COMPREPLY+=("$(printf '%q' "$name")"); fi
	done < <(timeout 5 "$_bk_prog" "${_bk_given[@]}" --json "$group" list 2>/dev/null </dev/null)
}

# Offer the values of KIND (see cli/completion.c) that start with CUR.
_brokerage_reply() {
	local kind=${1%...} cur=$2
	case $kind in
	w:*) mapfile -t COMPREPLY < <(compgen -W "${kind#w:}" -- "$cur") ;;
	files)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		;;
	dirs)
		compopt -o filenames 2>/dev/null
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		;;
	users) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
	logins) _brokerage_names staff login "$cur" ;;
	providers) _brokerage_names provider name "$cur" ;;
	esac
}

# The kind of value option OPT takes in command CMD (status 1: a flag).
_brokerage_option_kind() {
	local cmd=$1 opt=$2 i
	if [[ -n $cmd ]] && _brokerage_spec "$cmd"; then
		for i in "${!_bk_opts[@]}"; do
			if [[ ${_bk_opts[i]} == "$opt" ]]; then
				_bk_kind=${_bk_kinds[i]}
				[[ $_bk_kind != flag ]]
				return
			fi
		done
	fi
	_brokerage_global_kind "$opt"
}

_brokerage() {
	local cur=${COMP_WORDS[COMP_CWORD]} w group= cmd= expect= dashdash=0 npos=0 i
	local _bk_prog=${COMP_WORDS[0]} _bk_subs _bk_self=0 _bk_kind _bk_opts _bk_kinds _bk_pos self=
	local -a _bk_given=()
	[[ $_bk_prog == "~/"* ]] && _bk_prog=$HOME/${_bk_prog#"~/"}
	COMPREPLY=()
	# the words before the one being completed: global options, the
	# command's words, its options and their values, its arguments
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ -n $expect ]]; then
			[[ $w == = ]] && continue
			[[ $w == "~/"* ]] && w=$HOME/${w#"~/"}
			case $expect in --db | --config | --as | --now) _bk_given+=("$expect=$w") ;; esac
			expect=
			continue
		fi
		if ((!dashdash)) && [[ $w == -* ]]; then
			if [[ $w == -- ]]; then
				dashdash=1
			elif [[ $w != *=* ]] && _brokerage_option_kind "${cmd:-$self}" "$w"; then
				expect=$w
			fi
			continue
		fi
		if [[ -z $group && -z $cmd ]]; then
			if _brokerage_subs "$w"; then
				group=$w
				((_bk_self)) && self=$w
			else
				cmd=$w
			fi
		elif [[ -n $group && -z $cmd ]]; then
			cmd="$group $w"
		else
			npos=$((npos + 1))
		fi
	done

	# a value: after an option that takes one (also as --option=value)
	if [[ $cur == = && -z $expect ]] && _brokerage_option_kind "${cmd:-$self}" "${COMP_WORDS[COMP_CWORD - 1]}"; then
		_brokerage_reply "$_bk_kind" ""
		for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="=${COMPREPLY[i]}"; done
		return
	fi
	if [[ -n $expect ]]; then
		_brokerage_option_kind "${cmd:-$self}" "$expect" && _brokerage_reply "$_bk_kind" "$cur"
		return
	fi
	if ((!dashdash)) && [[ $cur == -* ]]; then
		_bk_opts=()
		[[ -n ${cmd:-$self} ]] && _brokerage_spec "${cmd:-$self}"
		mapfile -t COMPREPLY < <(compgen -W "${_bk_opts[*]} $_brokerage_globals" -- "$cur")
		return
	fi
	if [[ -z $group && -z $cmd ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$_brokerage_first" -- "$cur")
		return
	fi
	if [[ -z $cmd ]]; then
		_brokerage_subs "$group" && mapfile -t COMPREPLY < <(compgen -W "$_bk_subs" -- "$cur")
		return
	fi
	# an argument: its place in the usage line (the last repeats when it ends in ...)
	_brokerage_spec "$cmd" || return
	((${#_bk_pos[@]})) || return
	if ((npos < ${#_bk_pos[@]})); then
		_brokerage_reply "${_bk_pos[npos]}" "$cur"
	elif [[ ${_bk_pos[-1]} == *... ]]; then
		_brokerage_reply "${_bk_pos[-1]}" "$cur"
	fi
}
complete -F _brokerage brokerage
