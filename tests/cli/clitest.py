"""Helpers for the CLI tests: run the built tools as a user would, in a temporary directory."""
import os
import subprocess
import tempfile
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
