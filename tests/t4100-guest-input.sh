#!/bin/sh
test_description='guest steps and ts-xen-check: bad input is exit 2 with one line, before any host is reached'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# The host is at an address that never answers: every case below must be
# refused from the runvars alone, before a connection is tried (a try
# would be exit 3, after a bound).

test_expect_success 'setup: a lab, a host that never answers, a job holding it' '
	lab_init &&
	hostkey="ssh-ed25519 $(cut -d" " -f2 "$TLAB_LAB/ssh/id_ed25519.pub")" &&
	ts-host add nowhere --address root@10.9.9.1 --arch amd64 --flags purpose-test \
	    --no-connect --host-key "$hostkey" >/dev/null &&
	write_recipe g <<-\EOF &&
	step ts-host-allocate host
	EOF
	f=$(ts-flight-create --branch by-hand) &&
	ts-job-create "$f" j g host=nowhere &&
	echo "$f" >flight &&
	: >kernel
'
f=$(cat flight)

# guest_err CODE TEXT STEP ARG...: STEP exits CODE at once with one line
# naming TEXT.
guest_err () {
	_c=$1 _t=$2
	shift 2
	code_err "$_c" env TLAB_FLIGHT="$f" TLAB_JOB=j timeout 20 "$@" &&
	test_line_count = 1 err &&
	has_f "$_t" err
}

test_expect_success 'usage: arguments and options' '
	guest_err 2 "" ts-guest-start host &&
	guest_err 2 "" ts-guest-stop host g1 extra &&
	guest_err 2 "--timeout" ts-guest-start --timeout soon host g1 &&
	guest_err 2 "--timeout" ts-xen-check --timeout 0 host &&
	code_err 2 ts-guest-start host g1 &&
	has_f "TLAB_FLIGHT" err
'

test_expect_success 'the guest word and the host ident' '
	guest_err 2 "not a word" ts-guest-start host "g 1" &&
	guest_err 2 "not a word" ts-guest-destroy -- host -g &&
	guest_err 2 "runvar other_host: not set" ts-guest-start other_host g1 &&
	guest_err 2 "runvar other_host: not set" ts-xen-check other_host
'

test_expect_success 'ts-guest-start: the runvars that describe the guest' '
	guest_err 2 "g1_marker: not set" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_marker=UP &&
	guest_err 2 "g1_kernel: not set" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_kernel=/no/such/kernel &&
	guest_err 2 "g1_kernel: /no/such/kernel: no such file" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_kernel=host:boot/vmlinuz &&
	guest_err 2 "absolute path" ts-guest-start host g1 &&
	ts-runvar "$f" j "g1_kernel=$PWD/kernel" g1_type=hvm2 &&
	guest_err 2 "not pv, pvh or hvm" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_type=pvh g1_memory=lots &&
	guest_err 2 "runvar g1_memory" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_memory=64 g1_vcpus=0 &&
	guest_err 2 "runvar g1_vcpus" ts-guest-start host g1 &&
	ts-runvar "$f" j g1_vcpus=1 "g1_cmdline=console=hvc0 \"quoted\"" &&
	guest_err 2 "a quote, backslash or control character" ts-guest-start host g1
'

test_expect_success 'the steps that wait for the guest need its marker' '
	guest_err 2 "g2_marker: not set" ts-guest-saverestore host g2 &&
	guest_err 2 "g2_marker: not set" ts-guest-localmigrate host g2
'

test_expect_success 'nothing was recorded by the refused steps' '
	is "" "$(db "SELECT name FROM runvars WHERE flight = $f AND job = '\''j'\'' AND name LIKE '\''%domid'\''")"
'

test_done
