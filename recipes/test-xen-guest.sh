# test-xen-guest: Xen on a test host and a guest on it, as OSSTEST's
# test-amd64-amd64-xl jobs: install Xen, boot it, prove it runs, start a
# guest, save and restore it, migrate it within the host, stop it; the
# host's logs are captured whatever happened.  Needs one host, `host`,
# with the flags of the runvars all_hostflags and host_hostflags
# (purpose-test, say), whose GRUB boots /boot/grub/grub.cfg.
# Runvars: where Xen comes from (xen_image, xen_source=package, or
# buildjob: ts-install-xen(1)), xen_boot_append and dom0_boot_append; the
# guest, whose word is `guest`: guest_kernel, guest_ramdisk,
# guest_marker, guest_type, guest_memory, guest_vcpus, guest_cmdline,
# guest_tsc_mode (ts-guest-start(1)).
. "$TLAB_LIBSH"

step ts-host-allocate host
# A host that cannot take Xen is the lab's trouble, not the test's.
step --on-fail=broken ts-install-xen + host
step ts-host-reboot + host
step ts-xen-check + host
step ts-guest-start + host guest
step ts-guest-saverestore + host guest
step ts-guest-localmigrate + host guest
step ts-guest-stop + host guest
always ts-logs-capture host
