#!/bin/sh
# bench/step-overhead.sh: the wall time tlab adds to each recorded step.
#
# A recipe of NSTEPS `step true N` lines runs under ts-run-job, a fresh
# flight and job each run; the same NSTEPS `true N` commands (the program,
# not sh's builtin) run bare from a sh script.  The difference of the
# medians, divided by NSTEPS, is what recording a step costs.  Target: at
# most 5 ms per step on a 2-core machine.
#
# For a breakdown it also times, per run:
#   direct   NSTEPS `ts-step true N` from a sh script into a job that a
#            runner holds (no lib.sh, no recipe; what ts-step itself costs)
#   startup  NSTEPS `ts-step --help` (exec, dynamic linking and option
#            parsing; no database)
# and gives the CPU time (user + system, of all the processes) beside the
# wall time: on a loaded machine the CPU figures are the steadier ones.
#
# Prints figures; never fails on them.  Run it from a build directory
# (`make bench`, or `sh bench/step-overhead.sh`), or with BUILD=DIR.
#
#	BUILD=DIR	the build directory whose cmd/ to use (default: .)
#	RUNS=N		runs of each kind; the median is kept (default: 7)
#	NSTEPS=N	steps per run (default: 200)
#	KEEP=1		keep the temporary lab, and say where it is

set -eu

RUNS=${RUNS:-7}
NSTEPS=${NSTEPS:-200}
BUILD=${BUILD:-.}
if [ -x "$BUILD/cmd/ts-step" ]; then
	PATH=$(cd "$BUILD/cmd" && pwd):$PATH
fi
if [ -z "${TLAB_DATADIR:-}" ]; then
	TLAB_DATADIR=$(cd "$(dirname "$0")/.." && pwd)
fi
export PATH TLAB_DATADIR
unset TLAB_LAB TLAB_FLIGHT TLAB_JOB TLAB_STEP TLAB_TESTID TLAB_SIMULATE \
    TLAB_LIBSH TLAB_RECIPE
LC_ALL=C
export LC_ALL

me=step-overhead
die () {
	echo "$me: $*" >&2
	exit 2
}

command -v ts-step >/dev/null 2>&1 ||
    die "ts-step: not found (run from a build directory, or set BUILD=DIR)"
[ -f "$TLAB_DATADIR/recipes/lib.sh" ] ||
    die "$TLAB_DATADIR/recipes/lib.sh: not found (set TLAB_DATADIR)"
case $(date +%s%N) in
*N* | '') die "date +%s%N: this date(1) gives no nanoseconds" ;;
esac
# The bare commands must be a program, as ts-step runs one.
truebin=
for t in /bin/true /usr/bin/true; do
	if [ -x "$t" ]; then
		truebin=$t
		break
	fi
done
[ -n "$truebin" ] || die "true: neither /bin/true nor /usr/bin/true"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tlab-bench.XXXXXX")
holder=
cleanup () {
	if [ -n "$holder" ]; then
		: >"$TLAB_LAB/release"
		wait "$holder" 2>/dev/null || :
	fi
	if [ -n "${KEEP:-}" ]; then
		echo "$me: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms () {
	echo $(($(date +%s%N) / 1000000))
}

# cpu_ms VAR: set VAR to the CPU time (user + system) of this shell's
# ended children so far, in ms.  `times` must run in this shell, not in a
# $(...) subshell, which has no children of its own yet.
cpu_ms () {
	times >"$tmp/times"
	_ms=$(awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) {
			f = $i
			sub(/s$/, "", f)
			split(f, a, "m")
			t += a[1] * 60 + a[2]
		}
		printf "%d\n", t * 1000
	}' "$tmp/times")
	eval "$1=\$_ms"
}

# median FILE: the middle of the numbers in FILE, one a line.
median () {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]
		else print int((v[NR / 2] + v[NR / 2 + 1]) / 2)
	}'
}

# per_step MS: MS for NSTEPS steps as ms per step, two decimals.
per_step () {
	awk -v t="$1" -v n="$NSTEPS" 'BEGIN { printf "%.2f", t / n }'
}

# measure NAME COMMAND...: run COMMAND once, adding its wall time to
# NAME.wall and its CPU time to NAME.cpu.
measure () {
	_name=$1
	shift
	cpu_ms _c0
	_t0=$(now_ms)
	"$@"
	_t1=$(now_ms)
	cpu_ms _c1
	echo $((_t1 - _t0)) >>"$tmp/$_name.wall"
	echo $((_c1 - _c0)) >>"$tmp/$_name.cpu"
}

ts-lab-init "$tmp/lab" >/dev/null
TLAB_LAB=$tmp/lab
export TLAB_LAB

# The recipe, the hold recipe for direct steps, and the three scripts.
{
	echo "# bench: $NSTEPS steps of true"
	echo '. "$TLAB_LIBSH"'
	i=1
	while [ "$i" -le "$NSTEPS" ]; do
		echo "step true $i"
		i=$((i + 1))
	done
} >"$TLAB_LAB/recipes/bench.sh"
cat >"$TLAB_LAB/recipes/hold.sh" <<'EOF'
# bench: hold the job running (steps are recorded only then) until release.
. "$TLAB_LIBSH"
i=0
while [ ! -e "$TLAB_LAB/release" ]; do
	i=$((i + 1))
	[ "$i" -le 3000 ] || exit 3
	sleep 0.2
done
EOF
i=1
while [ "$i" -le "$NSTEPS" ]; do
	echo "$truebin $i" >&3
	echo "ts-step true $i" >&4
	echo "ts-step --help >/dev/null" >&5
	i=$((i + 1))
done 3>"$tmp/bare.sh" 4>"$tmp/direct.sh" 5>"$tmp/startup.sh"

# new_job RECIPE: a fresh flight ($flight) with one queued job j.
new_job () {
	flight=$(ts-flight-create --branch bench) &&
	ts-job-create "$flight" j "$1"
}

recorded_run () {
	ts-run-job --quiet "$flight" j >/dev/null 2>"$tmp/run-job.err" ||
	    die "ts-run-job $flight j failed: $(tail -n 3 "$tmp/run-job.err")"
}

direct_run () {
	TLAB_FLIGHT=$flight TLAB_JOB=j sh "$tmp/direct.sh" 2>"$tmp/direct.err" ||
	    die "a direct ts-step failed: $(tail -n 3 "$tmp/direct.err")"
}

# hold_job: job j of a new flight, running under a runner ($holder) until
# release_job.
hold_job () {
	new_job hold
	rm -f "$TLAB_LAB/release"
	ts-run-job --quiet "$flight" j >/dev/null 2>&1 &
	holder=$!
	_i=0
	until ts-flight-show --json "$flight" | grep -q '"job":"j","recipe":"hold","status":"running"'; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || die "flight $flight job j: not running after 30 s"
		sleep 0.1
	done
}

release_job () {
	: >"$TLAB_LAB/release"
	wait "$holder" || :
	holder=
}

run=1
while [ "$run" -le "$RUNS" ]; do
	new_job bench
	rflight=$flight
	measure recorded recorded_run
	measure bare sh "$tmp/bare.sh"
	hold_job
	measure direct direct_run
	release_job
	measure startup sh "$tmp/startup.sh"
	run=$((run + 1))
done

# The last recipe run recorded every step, and each passed.
n=$(ts-flight-show --json "$rflight" |
    grep -o '"testid":"true/[0-9]*","status":"pass"' | wc -l)
[ "$n" -eq "$NSTEPS" ] ||
    echo "$me: warning: flight $rflight has $n passed steps, not $NSTEPS" >&2

for k in recorded bare direct startup; do
	eval "${k}_wall=\$(median \"\$tmp/$k.wall\")"
	eval "${k}_cpu=\$(median \"\$tmp/$k.cpu\")"
done
echo "$me: $(per_step $((recorded_wall - bare_wall))) ms per step" \
    "(median of $RUNS runs of $NSTEPS steps; recorded $recorded_wall ms," \
    "bare $bare_wall ms)"
echo "$me: cpu: $(per_step $((recorded_cpu - bare_cpu))) ms per step" \
    "(recorded $recorded_cpu ms, bare $bare_cpu ms)"
echo "$me: breakdown per step, wall (cpu), ms:"
row () {
	printf '%s:   %-34s %7s (%s)\n' "$me" "$1" "$(per_step "$2")" "$(per_step "$3")"
}
row "bare $truebin" "$bare_wall" "$bare_cpu"
row "ts-step --help alone" "$startup_wall" "$startup_cpu"
row "direct ts-step, over bare" $((direct_wall - bare_wall)) $((direct_cpu - bare_cpu))
row "recipe, lib.sh, ts-run-job" $((recorded_wall - direct_wall)) \
    $((recorded_cpu - direct_cpu))
echo "$me: runs, wall ms: recorded $(tr '\n' ' ' <"$tmp/recorded.wall")|" \
    "bare $(tr '\n' ' ' <"$tmp/bare.wall")| direct $(tr '\n' ' ' <"$tmp/direct.wall")|" \
    "startup $(tr '\n' ' ' <"$tmp/startup.wall")"
echo "$me: load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
