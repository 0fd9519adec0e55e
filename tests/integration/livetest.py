"""Helpers for the integration tests: real peers started on loopback, on ports the system
picks (other suites run at the same time: never a fixed port)."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../cli"))
from clitest import BIN, CLEAN_PATH, TempDirTest, run  # noqa: E402,F401


def free_port(kind=socket.SOCK_DGRAM):
    """A port free for UDP and TCP right now (the peer binds it just after)."""
    while True:
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        other = socket.SOCK_STREAM if kind == socket.SOCK_DGRAM else socket.SOCK_DGRAM
        with socket.socket(socket.AF_INET, other) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


class Serve:
    """sipcred-sim serve on 127.0.0.1, port chosen by the system (read from its first line).
    With drain=True a thread reads its log as it comes (a flood of requests writes more lines
    than a pipe holds: serve would wait on its standard output), in self.lines."""

    def __init__(self, *args, drain=False):
        self.proc = subprocess.Popen(
            [os.path.join(BIN, "sipcred-sim"), "serve", "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})
        first = self.proc.stdout.readline()
        if not first.startswith("listening on "):
            self.proc.kill()
            raise AssertionError(f"serve did not start: {first}{self.proc.stderr.read()}")
        self.first_line = first
        self.port = int(first.split("(")[0].strip().rsplit(":", 1)[1])
        self.lines = []
        self.drainer = None
        if drain:
            self.drainer = threading.Thread(target=self._drain, daemon=True)
            self.drainer.start()

    def _drain(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    def log(self):
        """What serve logged so far (with drain=True)."""
        return "".join(self.lines)

    def rss_kib(self):
        """serve's resident memory (VmRSS), in KiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))

    def stop(self, sig=signal.SIGTERM):
        """Stops it; returns (exit status, the rest of stdout, stderr)."""
        self.proc.send_signal(sig)
        if self.drainer:
            self.proc.wait(timeout=10)
            self.drainer.join(timeout=10)
            err = self.proc.stderr.read()
            self.proc.stdout.close()
            self.proc.stderr.close()
            return self.proc.returncode, self.log(), err
        out, err = self.proc.communicate(timeout=10)
        return self.proc.returncode, out, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            if not self.drainer:
                self.proc.communicate()
        if self.drainer:
            self.proc.wait()
            self.drainer.join(timeout=10)
            for pipe in (self.proc.stdout, self.proc.stderr):
                if not pipe.closed:
                    pipe.close()
