/*
 * power: switching a test host on and off, and rebooting it.
 *
 * How a host is switched is its property `power` (OSSTEST's power-method):
 *
 *	ssh		its own reboot or poweroff, over SSH, started in the
 *			background so that the connection dropping is no error;
 *			the words of properties power_ssh_cycle and power_ssh_off
 *			replace reboot and poweroff.  It cannot switch a host on.
 *	ipmi:BMC	ipmitool -I lanplus -H BMC chassis power ACTION, as
 *			user ipmi_user (ADMIN), password from the file of
 *			ipmi_password_file or $IPMI_PASSWORD
 *	cmd:TEMPLATE	a local command (IPMI, a PDU): TEMPLATE split into
 *			words as a shell would, %h the host's name and %a the
 *			action in them, run without a shell and bounded
 *	qmp:SOCKET	a QEMU machine's QMP socket: system_reset, quit; with
 *			property power_relaunch, the command that starts the
 *			machine again (for on, and for cycle after a quit);
 *			a machine whose QEMU is gone (nothing listens on the
 *			socket) is off already, and a cycle only starts it
 *	manual		a person does it: the note says what to do
 *
 * The property may list several methods, separated by ';' with optional
 * blanks around it ("ssh;qmp:/run/tlab/xh1.qmp", "ssh;ipmi:bmc1"), tried
 * in turn when one fails.  The list is split at each ';' outside quotes,
 * with a template's rules for quotes and backslashes, so a cmd: template
 * keeps a quoted ';' ("cmd:pdu 'a;b' %a"); an empty method is bad input.
 * Every method is checked before any is used.
 *
 * Property power_timeout bounds a local command or a QMP exchange (default
 * 60 s).  A reboot (power_reboot) power-cycles the host, waits for its SSH
 * to go down and come back, and checks that its boot id changed, each wait
 * with a bound that its error names.
 */
#ifndef TLAB_POWER_H
#define TLAB_POWER_H

#include <stdint.h>

#include "host.h"
#include "lab.h"
#include "strbuf.h"

#define POWER_DEFAULT_TIMEOUT_MS (60LL * 1000)
#define POWER_DEFAULT_DOWN_MS (120LL * 1000)
#define POWER_DEFAULT_UP_MS (400LL * 1000)
#define POWER_DEFAULT_REBOOT_MS (600LL * 1000)
#define POWER_DEFAULT_BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"

/*
 * Is h's power method usable for action?  TS_E_INPUT naming what is wrong
 * (no or an unknown method, a bad template or property, an empty method
 * in a list; a method of a list that cannot do action, ssh for on, is
 * passed over, and none that can is an error), without touching the host.
 */
int power_check(const struct host *h, const char *action, struct strbuf *err);

/*
 * Switch h "on", "off" or "cycle" by its power method.  note gets one
 * line for the step's log saying what was done ("power cmd: ipmi-power
 * bedbug cycle: exit status 0"), or for the manual method what a person
 * must do now.  TS_E_INPUT for a bad action, no or an
 * unknown method, a bad template or property; TS_E_LAB when the method
 * failed (a command's exit status, QEMU's error, a bound passed).
 *
 * With a list, the first method that can do action is used; when it
 * fails the next that can, and so on.  note then ends with ", after M
 * failed: WHY" for each that failed before the one that worked; when all
 * fail, err is "host H: power ACTION: M failed: WHY; ..." (TS_E_INPUT
 * only when each failure was bad input).
 */
int power_do(struct lab *lab, const struct host *h, const char *action,
    struct strbuf *note, struct strbuf *err);

struct power_reboot_opts {
	int64_t timeout_ms;	/* the whole reboot */
	int64_t down_ms;	/* for SSH to stop answering */
	int64_t up_ms;		/* for SSH to answer again */
	/* Progress for the step's log, one line at a time (may be NULL). */
	void (*say)(void *ctx, const char *line);
	void *ctx;
};

#define POWER_REBOOT_OPTS_INIT { POWER_DEFAULT_REBOOT_MS, POWER_DEFAULT_DOWN_MS, \
	POWER_DEFAULT_UP_MS, NULL, NULL }

/*
 * Reboot h: read its boot id (the file of property boot_id_file), power-
 * cycle it, wait for SSH to go down and to come back, and read the boot
 * id again.  0 when it changed; TS_E_LAB when a bound passed (naming it),
 * the power method failed, or the boot id is unchanged.
 *
 * With a list, a method that fails so (its action, the down or up bound,
 * the boot id) is followed by the next, after a progress line "M failed:
 * WHY; trying N"; each has its own down and up bounds, and a host that the
 * last one left down is down at the first look.  All stay within
 * timeout_ms: a later method's power action is bounded by what is left of
 * it too, and once it passes no other method is tried.  The success line
 * names the method that worked and those that failed before it; the error
 * when none worked is "host H: reboot: M failed: WHY; N failed: WHY[; O
 * not tried]".
 */
int power_reboot(struct lab *lab, const struct host *h,
    const struct power_reboot_opts *o, struct strbuf *err);

#endif
