# test-suite: install what a build job made on a test host and run the
# project's own tests there.  Needs one host, `host`, with the flags of
# the runvars all_hostflags and host_hostflags (purpose-test, say).
# Runvars: buildjob (the build job, recipe build); tree (the tree it
# built); test_command (shell text, run in the installed directory, which
# holds the build's dist_dir: `make check`, `./run-tests`).  Sets:
# installed_TREE.  See ts-dist-install(1).
. "$TLAB_LIBSH"

tree=$(ts-runvar tree)
test_command=$(ts-runvar test_command)

step ts-host-allocate host
step ts-dist-install host "$tree"
# Known only once installed; empty when that step did not pass (and this
# one is skipped).  The -- ends ts-host-run's options: what follows is
# the ident and the command, whatever its words look like.
dir=$(ts-runvar "installed_$tree" 2>/dev/null || true)
step --testid=test-suite ts-host-run -- host \
    sh -c 'cd -- "$1" && exec sh -c "$2"' test-suite "$dir" "$test_command"
always ts-logs-capture host
