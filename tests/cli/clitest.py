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
