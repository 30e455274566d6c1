#!/bin/sh
# SMC-D, ISM's real user, through the whole chain: QEMU (patches/qemu,
# built for s390x) runs in this guest and passes the ISM-like functions
# with fids 1 and 2 through to a nested guest by vfio-pci, with the zPCI
# I/O region, and the nested guest runs smc_test over lo on them
# (guest/nested/init):
#
#   1. SMC-D as in the smc group's own boot, and at the device what the
#      nested guest cannot see: the model moved the payload, dropped
#      nothing, and took each nested store block as one PCI Store Block
#   2. seed 004 with the real workload: SMC-D streams while the host
#      powers off the slot of the function that carries them; the streams
#      break and are closed, the removal completes within 2 s of QEMU's
#      release; then the function is plugged back
#   3. the same through the outer QEMU's device_del (the platform's
#      deconfiguration request); SMC-D then runs on the function left
#
# Prints TAP; the nested guest's console goes along as comments, so the
# verdict reads its reports too. A removal that does not complete within
# the deadline is a hang (report_hang). Environment: see guest/lib/vmm.sh.
# shellcheck source=guest/lib/zpci.sh
. /lib/bench/zpci.sh
# shellcheck source=guest/lib/nested.sh
. /lib/bench/nested.sh
# shellcheck source=guest/lib/vmm.sh
. /lib/bench/vmm.sh

vmm_begin
vmm_up
smc_nested
smc_unplug power
smc_unplug device_del
if stop_nested; then ok "the nested guest powered off"; else nok "the nested guest did not power off"; fi
done_tap
