#!/bin/sh
# bench/bisect-steps.sh: the test flights a tlab bisection uses (lib/bisect
# on lib/revgraph's graph) beside ceil(log2 N) and `git bisect run`, on
# four histories made with git fast-import: a line of 1000 commits, 1000
# with merges, two trees tested together, unbuildable commits beside the
# culprit; 50 culprits each from a fixed seed.
#
# Target: without flakiness, no more flights than git bisect plus the
# reproduction runs.  Prints figures; never fails on them.  Run with
# `make bench` (it builds bench/bisect-steps), or BUILD=DIR sh
# bench/bisect-steps.sh.  CULPRITS=n for more culprits per history.
set -eu

BUILD=${BUILD:-.}
probe=$BUILD/bench/bisect-steps
me=bisect-steps
command -v git >/dev/null 2>&1 || { echo "$me: no git; nothing measured" >&2; exit 0; }
[ -x "$probe" ] || { echo "$me: $probe not built (make bench)" >&2; exit 2; }
exec "$probe"
