# shellcheck shell=sh
# report_hang REASON - what the guest does when something it waits for
# never comes: say so on the console (scripts/verdict.sh looks for
# "bench: hang detected"), dump the blocked tasks and the held locks, and
# reboot, which ends QEMU (-no-reboot). Not poweroff: its device shutdown
# waits for the device locks that the stuck tasks hold. Only the first
# caller reports: the watchdog, the hung-task watcher and a test can find
# the same hang at once, and their dumps would interleave. A later caller
# waits for the first one's reboot, and reports after all if that never
# comes (the first was a test, killed meanwhile by its timeout); it never
# returns either. Installed as /lib/bench/hang.sh; source it.
report_hang() {
	mkdir /tmp/bench.hang 2>/dev/null || sleep 10
	# The console itself: a test's own output is indented as TAP
	echo "bench: hang detected: $*" >/dev/console
	echo w >/proc/sysrq-trigger
	echo d >/proc/sysrq-trigger
	sleep 2
	echo b >/proc/sysrq-trigger
}
