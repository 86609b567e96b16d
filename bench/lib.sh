# Helpers the shell benchmarks share (sourced; the caller sets `work`, its scratch folder).
# free_port comes with scripts/nginx-rtmp.sh, sourced here too.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/nginx-rtmp.sh"

# Runs a command under GNU time; prints "user+sys seconds" of it and its children. Its stdout is
# left in $work/stdout, its stderr in $work/err (printed when it fails).
cpu() { /usr/bin/time -f "%U %S" -o "$work/time" "$@" >"$work/stdout" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
        awk '{print $1 + $2}' "$work/time"; }

# The median of the numbers on standard input (space or newline separated).
median() { tr ' ' '\n' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
