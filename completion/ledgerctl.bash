# ledgerctl.bash - bash completion for ledgerctl's commands, options and values.
#
# Installed as share/bash-completion/completions/ledgerctl, where the
# bash-completion package loads it on first use; it also works sourced on
# its own (it needs nothing from bash-completion).  The tables follow the
# contract's command list; tests/integration/man.sh checks them against
# `ledgerctl help` so that a new command or option cannot be forgotten here.

# Options of each command (a command with subcommands under its two words).
declare -gA _ledgerctl_opts=(
	["region add"]="--name --grant-type --category"
	["region list"]=""
	[appropriate]="--account --fy --amount --ref --id"
	["terms set"]="--fy --grant-type --min --max --settlement-deadline --interest-rate --late-rate --ref --id"
	["terms show"]="--fy"
	[award]="--region --fy --amount --ref --date --id"
	[cancel-award]="--region --fy --date --reason --repay-by --ref --id"
	[settle]="--region --fy --amount --date --repay-by --ref --id"
	[disburse]="--region --fy --amount --ref --date --memo --id --allow-duplicate-ref"
	[refund]="--region --fy --amount --ref --date --memo --id --allow-duplicate-ref"
	[receive]="--region --fy --amount --date --ref --id"
	[carry-over]="--region --fy --amount --kind --date --ref --id"
	[reverse]="--reason --id"
	[close-year]="--account --fy"
	[balance]="--fy --region --account"
	[receivables]="--fy --region --as-of"
	[get]="--id --ref"
	[list]="--since --limit --region --fy --kind"
	[status]=""
	[scrub]=""
	[checkpoint]=""
	[prove]="--size --verifier --id"
	[consistency]="--verifier"
	[verify]="--verifier --state --full --cosign --name --witness --quorum"
	[cosigner-key]="--name"
	[verify-export]="--checkpoint --verifier"
	[export]="--since --until --format --bom --tiles --verifier"
	[report]="--fy --format --output --approvals"
	[reconcile]="--fy --statement --format --encoding"
	[import]="--atomic --allow-duplicate-ref"
	[cluster status]=""
	[cluster add]=""
	[cluster remove]=""
	[cluster transfer]=""
	["policy set"]="--require --disburse-over --expire-days --ref --id"
	["policy show"]=""
	[approve]="--id"
	[reject]="--reason --id"
	[pending]=""
)
# The commands that take a subcommand, and theirs.
declare -gA _ledgerctl_subs=(
	[region]="add list"
	[terms]="set show"
	[cluster]="status add remove transfer"
	[policy]="set show"
)
_ledgerctl_commands="region appropriate terms award cancel-award settle disburse
	refund receive carry-over reverse close-year balance receivables get list
	status scrub checkpoint prove consistency verify cosigner-key
	verify-export export report
	reconcile import cluster policy approve reject pending help"
_ledgerctl_global="--server --cert --key --ca --crl --lang --unit --json --help --version"
# Options that take no value; every other option takes one.
_ledgerctl_flags="--json --help --version --full --atomic --approvals"
# Entry kinds, as `list --kind` takes them.
_ledgerctl_kinds="region appropriation award disbursement refund reversal year_close
	terms award_cancel settlement receipt carry_over policy request approval"

# _ledgerctl_reply WORDS CUR: the WORDS that start with CUR.
_ledgerctl_reply() {
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# _ledgerctl_regions CUR: the region codes that start with CUR, from the
# cache ${XDG_CACHE_HOME:-$HOME/.cache}/ledgerctl/regions (one code a line).
# A cache older than a day is refreshed with `ledgerctl region list --json`,
# run with the connection options typed on the line (else the LEDGER_*
# environment) and at most 3 seconds; it is replaced whole or not at all.
# Completion never prints anything of its own: when the server cannot be
# reached the old cache (if any) is used, and the next try waits 10 minutes
# so that a dead server does not stall every TAB.
_ledgerctl_regions() {
	local dir=${XDG_CACHE_HOME:-$HOME/.cache}/ledgerctl
	local cache=$dir/regions i w
	local -a conn=()

	if [ ! -f "$cache" ] || [ -n "$(find "$cache" -mmin +1440 2>/dev/null)" ]; then
		if [ ! -f "$dir/regions.retry" ] ||
			[ -n "$(find "$dir/regions.retry" -mmin +10 2>/dev/null)" ]; then
			for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
				w=${COMP_WORDS[i]}
				case $w in
				--server=* | --cert=* | --key=* | --ca=* | --crl=*) conn+=("$w") ;;
				--server | --cert | --key | --ca | --crl)
					[ $((i + 1)) -lt "$COMP_CWORD" ] &&
						conn+=("$w=${COMP_WORDS[i + 1]}")
					;;
				esac
			done
			if mkdir -p "$dir" 2>/dev/null &&
				timeout 3 "${COMP_WORDS[0]:-ledgerctl}" "${conn[@]}" region list --json \
					</dev/null 2>/dev/null |
				sed -n 's/.*"code":"\([a-z0-9-]*\)".*/\1/p' >"$cache.$$" 2>/dev/null &&
				[ "${PIPESTATUS[0]}" -eq 0 ] 2>/dev/null; then
				mv -f "$cache.$$" "$cache" 2>/dev/null
				rm -f "$dir/regions.retry" 2>/dev/null
			else
				rm -f "$cache.$$" 2>/dev/null
				: >"$dir/regions.retry" 2>/dev/null
			fi
		fi
	fi
	[ -r "$cache" ] && _ledgerctl_reply "$(cat "$cache" 2>/dev/null)" "$1"
}

_ledgerctl_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "$1")
	compopt -o filenames 2>/dev/null
}

_ledgerctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	local i w cmd='' sub='' key opts
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()

	# The command (and its subcommand, for those that have one): the
	# first words that are neither options nor option values.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=*) ;;
		--*)
			case " $_ledgerctl_flags " in
			*" $w "*) ;;
			*) i=$((i + 1)) ;;	# skip its value
			esac
			;;
		*)
			if [ -z "$cmd" ]; then
				cmd=$w
			elif [ -n "${_ledgerctl_subs[$cmd]-}" ] && [ -z "$sub" ]; then
				sub=$w
			fi
			;;
		esac
	done

	# The value of an option.
	case $prev in
	--grant-type)
		_ledgerctl_reply "general reconstruction continuing" "$cur"
		return
		;;
	--account)
		_ledgerctl_reply "general reconstruction" "$cur"
		return
		;;
	--kind)
		case $cmd in
		carry-over) opts="explicit accident" ;;
		*) opts=$_ledgerctl_kinds ;;
		esac
		_ledgerctl_reply "$opts" "$cur"
		return
		;;
	--format)
		case $cmd in
		export) opts="csv jsonl" ;;
		reconcile) opts="table json" ;;
		report) opts="table csv json html" ;;
		*) opts="table csv json" ;;
		esac
		_ledgerctl_reply "$opts" "$cur"
		return
		;;
	--encoding)
		_ledgerctl_reply "utf-8 cp932" "$cur"
		return
		;;
	--require)
		# One name at a time; a list is typed with commas between.
		_ledgerctl_reply "reverse cancel-award settle terms close-year none" "$cur"
		return
		;;
	--lang)
		_ledgerctl_reply "ja en" "$cur"
		return
		;;
	--unit)
		_ledgerctl_reply "yen thousand million" "$cur"
		return
		;;
	--cert | --key | --ca | --crl | --verifier | --state | --checkpoint | --statement | \
		--output | --cosign | --witness)
		_ledgerctl_files "$cur"
		return
		;;
	--tiles)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		compopt -o filenames 2>/dev/null
		return
		;;
	--region)
		_ledgerctl_regions "$cur"
		return
		;;
	--server | --name | --category | --amount | --ref | --id | --date | \
		--memo | --reason | --since | --until | --limit | --size | --fy | \
		--min | --max | --settlement-deadline | --interest-rate | --late-rate | \
		--repay-by | --as-of | --disburse-over | --expire-days)
		return	# free text: nothing sensible to offer
		;;
	esac

	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			_ledgerctl_reply "$_ledgerctl_global" "$cur"
		else
			_ledgerctl_reply "$_ledgerctl_commands" "$cur"
		fi
		return
	fi
	if [ -n "${_ledgerctl_subs[$cmd]-}" ] && [ -z "$sub" ]; then
		_ledgerctl_reply "${_ledgerctl_subs[$cmd]}" "$cur"
		return
	fi
	key=$cmd
	[ -n "${_ledgerctl_subs[$cmd]-}" ] && key="$cmd $sub"
	if [ "$cmd" = help ]; then
		_ledgerctl_reply "$_ledgerctl_commands" "$cur"
		return
	fi
	if [[ $cur == -* ]]; then
		_ledgerctl_reply "${_ledgerctl_opts[$key]-} $_ledgerctl_global" "$cur"
		return
	fi
	case $cmd in
	import | verify-export | reconcile)
		_ledgerctl_files "$cur"
		;;
	esac
}
complete -F _ledgerctl ledgerctl
