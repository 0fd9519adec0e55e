"""Helpers for the CLI tests: run the built tools as a user would, in a temporary directory."""
import fcntl
import os
import pty
import subprocess
import tempfile
import termios
import threading
import unittest

BIN = os.environ.get("SIPCRED_BIN", os.path.join(os.path.dirname(__file__), "../../build/tools"))
BUILD = os.environ.get("SIPCRED_BUILD", os.path.join(BIN, ".."))
# A PATH without any installed sipcred, so tests see only the tools under test.
CLEAN_PATH = "/usr/local/bin:/usr/bin:/bin"


def run(tool, *args, stdin="", env=None, cwd=None):
    """Runs BIN/tool with args; stdin is text (or bytes). Returns CompletedProcess (text)."""
    data = stdin.encode() if isinstance(stdin, str) else stdin
    full_env = {"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"}
    full_env.update(env or {})
    result = subprocess.run([os.path.join(BIN, tool), *args], input=data, capture_output=True,
                            env=full_env, cwd=cwd, timeout=60)
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


# tests/shim/syscall_shim.cpp, preloaded to record, fail or stop the system calls of a tool.
SHIM = os.environ.get("SIPCRED_SHIM", os.path.join(BUILD, "tests/libsyscall_shim.so"))


def start_stopped(tool, *args, stop, env=None):
    """Starts BIN/tool with the shim stopping it (SIGSTOP) just before the call STOP names
    ("CALL:GLOB:N", see the shim), and returns the Popen once it is stopped there. A kill sent
    then lands at that call on any machine, however fast or slow, where a delay would guess."""
    full_env = {"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8", "LD_PRELOAD": SHIM,
                "SIPCRED_SHIM_STOP": stop}
    full_env.update(env or {})
    process = subprocess.Popen([os.path.join(BIN, tool), *args], env=full_env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status = os.waitpid(process.pid, os.WUNTRACED)
    if not os.WIFSTOPPED(status):
        process.returncode = os.waitstatus_to_exitcode(status)
        raise AssertionError(f"{tool} ended (exit {process.returncode}) before {stop}: "
                             f"{process.stderr.read().decode('utf-8', 'replace')}")
    return process


def kill_stopped(process):
    """SIGKILL for a process start_stopped returned; returns how it ended (-SIGKILL)."""
    process.kill()
    code = process.wait()
    process.stderr.close()
    return code


class Terminal:
    """A pseudo-terminal for a tool's standard streams, and everything the tool writes to it.

    This end keeps the tool's side open too, and once the tool has exited writes an end mark
    through it: reading up to the mark is reading all the tool wrote. Reading until EIO (the
    tool's side closed) instead lost the last lines a tool had written, on CI's kernel."""
    END = b"\x1e<end of the tool's output>\x1e"

    def __init__(self):
        self.leader, self.follower = pty.openpty()
        self._written = bytearray()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        while True:
            try:
                data = os.read(self.leader, 65536)
            except OSError:
                return
            if not data:
                return
            self._written += data
            if self.END in self._written[-(len(data) + len(self.END)):]:
                return

    def popen(self, argv, controlling=False, **kwargs):
        """subprocess.Popen(argv) with the terminal as stdin, stdout and stderr unless kwargs
        says otherwise; controlling=True makes it the tool's /dev/tty too, as a login's is."""
        for stream in ("stdin", "stdout", "stderr"):
            kwargs.setdefault(stream, self.follower)
        if controlling:
            kwargs["start_new_session"] = True
            kwargs["preexec_fn"] = lambda: fcntl.ioctl(self.follower, termios.TIOCSCTTY, 0)
        return subprocess.Popen(argv, **kwargs)

    def read_so_far(self):
        """What has been written to the terminal until now (it may not all have arrived)."""
        return bytes(self._written)

    def type(self, data):
        """Sends data to the tool as if typed."""
        os.write(self.leader, data)

    def output(self, process, timeout=60):
        """Waits for process to end; returns (its exit code, all it wrote to the terminal)."""
        code = process.wait(timeout=timeout)
        os.write(self.follower, self.END)
        self._reader.join(timeout=timeout)
        os.close(self.follower)
        os.close(self.leader)
        written = bytes(self._written)
        if self.END not in written:
            raise AssertionError(f"the end mark never came back through the terminal: {written}")
        return code, written[:written.index(self.END)].decode("utf-8", "replace")


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="sipcred-cli-")
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, content, mode=0o600):
        path = self.path(name)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        os.chmod(path, mode)
        return path

    def assertExit(self, result, code):
        self.assertEqual(result.returncode, code,
                         f"exit {result.returncode}, expected {code}\n"
                         f"stdout: {result.stdout}\nstderr: {result.stderr}")
