"""A minimal QMP client, shared by qmp-relay.py and guest-state.py.

Only the standard library. One command at a time; events are skipped.
"""

import json
import socket
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
    """A QMP session: the greeting read, capabilities negotiated."""

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
