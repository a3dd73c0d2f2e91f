# demo-build: compile the demo program (recipes/demo/hello.c) on this
# machine and stash it for the test jobs.  Needs no hosts.
# Runvars: demo_cflags (extra compiler flags).  Sets: path_hello.
. "$TLAB_LIBSH"

src=$(dirname "$TLAB_RECIPE")/demo/hello.c
out=$TLAB_LAB/stash/$TLAB_FLIGHT/$TLAB_JOB/hello
cflags=$(ts-runvar demo_cflags 2>/dev/null || true)
mkdir -p "$(dirname "$out")"

step --testid=compile cc $cflags -o "$out" "$src"
step --testid=smoke "$out" --version
step --testid=record-path ts-runvar path_hello="$out"
