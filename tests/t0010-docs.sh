#!/bin/sh
test_description='man pages: one per binary, lint-clean, agreeing with --help'
. "${abs_top_srcdir:-$(dirname "$0")/..}/tests/lib/test-lib.sh"

# Every binary is a cmd/ts-*.c of the source tree (cmd.c and TEMPLATE.c are
# not binaries), or one of those built once per action (cmd/ts-guest.c:
# ts-guest-start, ...); each must have man/BINARY.1.  Like git's t0450, the long
# options --help prints and the ones the page's OPTIONS section documents
# must be the same set, and an option with a short form is documented with
# it, on one .It line.

man_dir=$abs_top_srcdir/man

binaries=
for f in "$abs_top_srcdir"/cmd/ts-*.c; do
	b=$(basename "$f" .c)
	case $b in
	TEMPLATE|cmd|'ts-*') continue ;;
	ts-guest)
		binaries="$binaries ts-guest-start ts-guest-stop ts-guest-destroy"
		binaries="$binaries ts-guest-saverestore ts-guest-localmigrate"
		continue ;;
	esac
	binaries="$binaries $b"
done

if command -v mandoc >/dev/null 2>&1; then
	have_mandoc=t
else
	have_mandoc=
fi

# help_options BINARY: "NAME" or "NAME X" (X its short form) per line, for
# every option of BINARY --help.  popt puts an option at column 2 ("  -X,
# --name") or 6 ("      --name"); wrapped descriptions are indented more.
help_options () {
	"$1" --help >help.out || return 1
	sed -n \
	    -e 's/^  -\([^ -]\), --\([A-Za-z0-9][A-Za-z0-9-]*\).*/\2 \1/p' \
	    -e 's/^      --\([A-Za-z0-9][A-Za-z0-9-]*\).*/\1/p' help.out
}

# page_options PAGE: the long options (without --) written "Fl -NAME" in
# the page's OPTIONS section, one per line.
page_options () {
	sed -n '/^\.Sh OPTIONS/,/^\.Sh /p' "$1" |
	    grep -o 'Fl -[A-Za-z0-9][A-Za-z0-9-]*' | sed 's/^Fl -//' | sort -u
}

# help_in_page BINARY PAGE <OPTS: each option of OPTS (help_options) is
# in PAGE as "Fl -NAME", and one with a short form X on an .It line as
# ".It Fl X ..., Fl -NAME".
help_in_page () {
	_ok=0
	while read -r _name _short; do
		if ! grep -Eq "Fl -$_name([^A-Za-z0-9-]|\$)" "$2"; then
			echo "$1 --$_name: not in $2 as Fl -$_name" >&2
			_ok=1
		fi
		if [ -n "$_short" ] &&
		    ! grep -Eq "^\.It Fl $_short( .*)?, Fl -$_name([^A-Za-z0-9-]|\$)" "$2"; then
			echo "$1 -$_short, --$_name: no line .It Fl $_short ..., Fl -$_name in $2" >&2
			_ok=1
		fi
	done
	return $_ok
}

# lint PAGE: mandoc -Tlint -Wwarning prints nothing.
lint () {
	mandoc -Tlint -Wwarning "$1" >lint.out 2>&1
	if [ -s lint.out ]; then
		cat lint.out >&2
		return 1
	fi
}

test_expect_success 'the binaries are found in cmd/' '
	test -n "$binaries" &&
	echo "binaries:$binaries"
'

for b in $binaries; do
	page=$man_dir/$b.1

	test_expect_success "$b: man/$b.1 exists and names $b" '
		test -s "$page" &&
		grep -qx "\.Nm $b" "$page" &&
		grep -qx "\.Dt $(echo "$b" | tr a-z A-Z) 1" "$page"
	'

	if [ -n "$have_mandoc" ]; then
		test_expect_success "$b: mandoc -Tlint -Wwarning is clean" '
			lint "$page"
		'
	else
		test_skip "$b: mandoc -Tlint -Wwarning is clean" \
		    "mandoc is not installed"
	fi

	test_expect_success "$b: every option of --help is in the page, with its short form" '
		help_options "$b" >opts &&
		test -s opts &&
		help_in_page "$b" "$page" <opts
	'

	test_expect_success "$b: every option of the page's OPTIONS is in --help" '
		help_options "$b" | sed "s/ .*//" | sort -u >help.names &&
		page_options "$page" >page.names &&
		test -s page.names &&
		comm -13 help.names page.names >extra &&
		if [ -s extra ]; then
			echo "$b: in OPTIONS of $page but not in --help:" >&2
			sed "s/^/  --/" extra >&2
			false
		fi
	'

	test_expect_success "$b --version: a line naming tlab, exit 0" '
		"$b" --version >out 2>err &&
		test_line_count = 1 out &&
		grep "tlab" out &&
		test ! -s err
	'

	test_expect_success "$b --usage: exit 0" '
		"$b" --usage >out &&
		test -s out
	'

	test_expect_success "$b --no-such-option: exit 2, one line \"$b: ...\" on stderr" '
		test_expect_code 2 "$b" --no-such-option >out 2>err &&
		test_line_count = 1 err &&
		grep "^$b: " err &&
		test ! -s out
	'
done

for page in tlab.7 tlab.conf.5 tlab-branch.5 tlab-daily-branch.1; do
	if [ -n "$have_mandoc" ]; then
		test_expect_success "$page: mandoc -Tlint -Wwarning is clean" '
			test -s "$man_dir/$page" &&
			lint "$man_dir/$page"
		'
	else
		test_skip "$page: mandoc -Tlint -Wwarning is clean" \
		    "mandoc is not installed"
	fi
done

test_done
