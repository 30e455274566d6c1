#!/usr/bin/env python3
"""guest-state.py QMP_SOCK - what a guest that does not end is doing.

run-guest.sh calls it shortly before its timeout kills QEMU. It prints
QEMU's run state, each vCPU's state and the PSW of each CPU ("info
registers -a"), so that a hang can be told apart: a main loop that no
longer answers (no reply within the timeout), a guest CPU spinning in the
kernel (its PSW address, which run-guest.sh resolves against vmlinux), or
guest CPUs waiting for an interrupt. Only the standard library.
"""

import json
import sys
import time

from qmp import Qmp, connect

TIMEOUT = 10


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: guest-state.py QMP_SOCK")
    # QEMU made the socket long ago, if it runs at all
    sock = connect(sys.argv[1], time.monotonic() + 1)
    sock.settimeout(TIMEOUT)
    try:
        qmp = Qmp(sock)
        for cmd in ({"execute": "query-status"},
                    {"execute": "query-cpus-fast"}):
            print("qmp %s: %s" % (cmd["execute"],
                                  json.dumps(qmp.command(cmd).get("return"))))
        regs = qmp.command({"execute": "human-monitor-command",
                            "arguments": {"command-line": "info registers -a"}})
        print(regs.get("return", json.dumps(regs)))
    except TimeoutError:
        print("qmp: no reply within %d s: QEMU's main loop is stuck" % TIMEOUT)


if __name__ == "__main__":
    try:
        main()
    except (EOFError, OSError, ValueError) as err:
        print("qmp: %s" % err)
