#!/usr/bin/env bash
# hardening_elf.sh - the built ledgerd and ledgerctl carry the hardening the
# top-level CMakeLists.txt asks for, as Debian's packages do: a
# position-independent executable (ELF type DYN), full RELRO (a GNU_RELRO
# segment and BIND_NOW), a non-executable stack (GNU_STACK without E), the
# stack protector (__stack_chk_fail referenced) and FORTIFY (some __*_chk
# function referenced).  Reads the ELF headers with readelf (binutils); no
# daemon runs.
#
# Environment: LEDGERD, LEDGERCTL (the binaries); LD_NO_FORTIFY=1 when the
# build does not fortify (the sanitizer build, an unoptimised build): the
# FORTIFY check is then left out.
. "$(dirname "$0")/lib.sh"

command -v readelf >/dev/null || skip "readelf is not installed (Debian package binutils)"

for b in "$LEDGERD" "$LEDGERCTL"; do
	n=$(basename "$b")
	if [ ! -f "$b" ]; then
		not_ok "$b is not built"
		continue
	fi
	readelf -h -W "$b" >"$T/$n.h" 2>&1 || { not_ok "$n: readelf -h failed"; continue; }
	readelf -l -W "$b" >"$T/$n.l" 2>&1
	readelf -d -W "$b" >"$T/$n.d" 2>&1
	readelf --dyn-syms -W "$b" >"$T/$n.syms" 2>&1

	if grep -qE '^[[:space:]]*Type:[[:space:]]+DYN' "$T/$n.h"; then
		ok "$n: PIE (ELF type DYN)"
	else
		not_ok "$n: not PIE: $(grep -E 'Type:' "$T/$n.h")"
	fi
	if grep -qE '^[[:space:]]*GNU_RELRO[[:space:]]' "$T/$n.l"; then
		ok "$n: GNU_RELRO segment"
	else
		not_ok "$n: no GNU_RELRO segment (-z relro)"
	fi
	if grep -qE '\(BIND_NOW\)|\(FLAGS\).*[[:space:]]BIND_NOW|\(FLAGS_1\).*[[:space:]]NOW([[:space:]]|$)' "$T/$n.d"; then
		ok "$n: BIND_NOW (full RELRO)"
	else
		not_ok "$n: neither BIND_NOW nor FLAGS_1 NOW (-z now): $(grep -E 'FLAGS' "$T/$n.d" | tr -s ' ' | tr '\n' ';')"
	fi
	# The flags are the columns between MemSiz and Align: RW, or RWE.
	stack=$(awk '$1 == "GNU_STACK" { f = ""; for (i = 7; i < NF; i++) f = f $i; print f }' "$T/$n.l")
	if [ -z "$stack" ]; then
		not_ok "$n: no GNU_STACK segment (the stack would be executable)"
	elif [[ $stack == *E* ]]; then
		not_ok "$n: executable stack (GNU_STACK $stack)"
	else
		ok "$n: non-executable stack (GNU_STACK $stack)"
	fi
	if grep -qE '[[:space:]]__stack_chk_fail(@|[[:space:]]|$)' "$T/$n.syms"; then
		ok "$n: stack protector (__stack_chk_fail)"
	else
		not_ok "$n: __stack_chk_fail not referenced (-fstack-protector-strong)"
	fi
	if [ "${LD_NO_FORTIFY:-0}" = 1 ]; then
		echo "# $n: FORTIFY not checked: this build does not fortify (LD_NO_FORTIFY=1)"
	else
		chk=$(awk '{ print $8 }' "$T/$n.syms" | sed 's/@.*//' |
			grep -E '^__[A-Za-z0-9_]+_chk$' | grep -v '^__stack_chk' | sort -u | head -5 | tr '\n' ' ')
		if [ -n "$chk" ]; then
			ok "$n: FORTIFY ($chk)"
		else
			not_ok "$n: no __*_chk function referenced (-D_FORTIFY_SOURCE=2)"
		fi
	fi
done
finish
