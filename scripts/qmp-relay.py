#!/usr/bin/env python3
"""qmp-relay.py QMP_SOCK PORT_SOCK - relay QMP commands from the guest.

Guest tests that need the host side (QMP device_del/device_add, qom-get of
the ISM-like device's access counters) write one QMP command per line, as
JSON, to the virtio-serial port named "qmp-relay". This relay, started by
run-guest.sh next to QEMU, sends each command to QEMU's QMP socket and
writes the reply (the first "return" or "error" object, events skipped)
back to the port as one JSON line.

It exits when QEMU closes either socket. Only the standard library.
"""

import json
import sys
import time

from qmp import Qmp, connect


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: qmp-relay.py QMP_SOCK PORT_SOCK")
    deadline = time.monotonic() + 30
    qmp = Qmp(connect(sys.argv[1], deadline))
    port = connect(sys.argv[2], deadline).makefile(
        "rw", encoding="utf-8", newline="\n")
    for line in port:
        line = line.strip()
        if not line:
            continue
        try:
            reply = qmp.command(json.loads(line))
        except json.JSONDecodeError as err:
            reply = {"error": {"class": "RelayError", "desc": str(err)}}
        port.write(json.dumps(reply) + "\n")
        port.flush()


if __name__ == "__main__":
    try:
        main()
    except (EOFError, ConnectionError, BrokenPipeError, KeyboardInterrupt):
        pass
