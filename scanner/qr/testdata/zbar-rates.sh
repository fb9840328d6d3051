#!/bin/sh
# Measure zbarimg (Debian zbar-tools) on a labelled QR image folder, as the
# yardstick for the per-variant table in RATES.md.
#
# Usage: zbar-rates.sh DIR
# DIR holds labels.tsv (file, variant, expected, notes; a header line) and the
# images. A file counts as decoded when every expected text (space-separated)
# is among zbarimg's outputs and no other text is; a negative (empty
# expected) counts as correct when zbarimg outputs nothing.
set -eu
dir=${1:?usage: zbar-rates.sh DIR}
# Tab is IFS white space, so read would merge the empty expected column of
# a negative with its neighbours: awk marks it "-" first.
us=$(printf '\037')
awk -F'\t' 'NR > 1 { print $1 "\037" $2 "\037" ($3 == "" ? "-" : $3) }' "$dir/labels.tsv" |
while IFS=$us read -r file variant expected; do
	[ "$expected" = - ] && expected=
	got=$(zbarimg -q --raw -Sdisable -Sqrcode.enable "$dir/$file" 2>/dev/null |
		sort | tr '\n' ' ' | sed 's/ $//') || true
	want=$(printf '%s\n' $expected | sort | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then ok=1; else ok=0; fi
	wrong=0
	if [ -n "$got" ] && [ "$ok" = 0 ]; then
		for t in $got; do
			case " $want " in *" $t "*) ;; *) wrong=1 ;; esac
		done
	fi
	printf '%s\t%s\t%s\n' "$variant" "$ok" "$wrong"
done | awk -F'\t' '
	{ n[$1]++; ok[$1] += $2; wrong[$1] += $3; N++; OK += $2; W += $3 }
	END {
		printf "%-12s %5s %5s %6s\n", "variant", "ok", "n", "wrong"
		for (v in n) printf "%-12s %5d %5d %6d\n", v, ok[v], n[v], wrong[v]
		printf "%-12s %5d %5d %6d  (%.1f%%)\n", "all", OK, N, W, 100 * OK / N
	}'
