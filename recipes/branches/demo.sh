# Branch demo: the demo program of recipes/demo, its tree `demo' under
# test (a [tree demo] of tlab.conf; recipes/demo-flight makes one), built
# once on a purpose-build host and tested on a purpose-test host.  The
# French test expects another greeting: it is meant to fail.  Every job
# also gets tree_under_test=demo, tree_demo=URL and revision_demo=SHA, the
# staging ref of tree demo resolved when the flight is made.  See
# tlab-branch(5).

tree_under_test demo

job build-demo build tree=demo 'build_command=make dist' dist_dir=dist \
    host_hostflags=purpose-build
job test-demo test-suite buildjob=build-demo tree=demo \
    'test_command=make check' host_hostflags=purpose-test
job test-demo-french test-suite buildjob=build-demo tree=demo \
    "test_command=make check 'EXPECT=bonjour, tlab'" host_hostflags=purpose-test
