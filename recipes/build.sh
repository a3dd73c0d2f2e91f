# build: build a tree on a build host and stash what it makes, for the
# test jobs that name this job in their runvar buildjob.  Needs one host,
# `host`, with the flags of the runvars all_hostflags and host_hostflags
# (purpose-build, say).  Runvars: tree (the tree's name, TREE below);
# tree_TREE (its repository, a path or URL the controller can read);
# revision_TREE (a commit id, tag or branch); build_command (shell text,
# run in the source tree); dist_dir (what to stash, relative to the source
# tree; default dist).  Sets: built_revision_TREE, path_TREEdist, and
# reused_build_TREE when a passed build of the same definition was reused
# (then no host was touched, and there are no host logs to capture).
# See ts-build(1).
. "$TLAB_LIBSH"

tree=$(ts-runvar tree)

step ts-host-allocate host
step ts-build host "$tree"
# A reused build touched no host: nothing there to capture.
[ -n "$(ts-runvar "reused_build_$tree" 2>/dev/null || true)" ] ||
    always ts-logs-capture host
