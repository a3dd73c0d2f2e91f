# demo-test: run the demo program its build job made and check what it
# prints.  Needs no hosts.  Runvars: buildjob (the build job); greet (whom
# to greet, default tlab); expect (the line it must print, default
# "hello, GREET").
. "$TLAB_LIBSH"

hello=$(ts-runvar --via buildjob path_hello)
greet=$(ts-runvar greet 2>/dev/null || echo tlab)
expect=$(ts-runvar expect 2>/dev/null || echo "hello, $greet")
out=$TLAB_LAB/stash/$TLAB_FLIGHT/$TLAB_JOB/output
mkdir -p "$(dirname "$out")"

step --testid=run sh -c '"$1" "$2" >"$3"' run "$hello" "$greet" "$out"
step --testid=check grep -qxF "$expect" "$out"
always --testid=capture-output cat "$out"
