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
import socket
import sys
import time


def connect(path, deadline):
    """Connect to a unix socket that QEMU creates, waiting for it."""
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Qmp:
    """A minimal QMP client: one command at a time."""

    def __init__(self, sock):
        self.file = sock.makefile("rw", encoding="utf-8", newline="\n")
        self.read_reply()  # the greeting
        self.command({"execute": "qmp_capabilities"})

    def read_reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, cmd):
        self.file.write(json.dumps(cmd) + "\n")
        self.file.flush()
        return self.read_reply()


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
