"""The README's first command ends in scripts/demo-tour: run here on the built tools, it must
go through to its end (every step exits as the tour expects) and show what the tools really
compute. A tour left behind by a change of behaviour (it once stopped half-way, exit 1, when
converted users with a user-id could no longer move to Kamailio) fails here, not on a new
user's machine."""
import hashlib
import os
import re
import subprocess
import unittest

from clitest import BIN, CLEAN_PATH

TOUR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../scripts/demo-tour")


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Demo(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = {"PATH": f"{os.path.abspath(BIN)}:{CLEAN_PATH}", "LC_ALL": "C.UTF-8",
               "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
        cls.run_ = subprocess.run(["bash", TOUR], capture_output=True, text=True, timeout=300,
                                  env=env)
        cls.out = cls.run_.stdout + cls.run_.stderr

    def test_goes_to_its_end(self):
        self.assertEqual(self.run_.returncode, 0, self.out[-3000:])
        self.assertIn("\nDone. Man pages:", self.run_.stdout)

    def test_hashes_are_the_real_ones(self):
        # RFC 2617 section 3.5, and the sample user's userdb line.
        self.assertIn(md5("Mufasa:testrealm@host.com:Circle Of Life"), self.out)
        self.assertIn(f"alice@sip.example.org md5:{md5('alice:sip.example.org:correct-horse-42')}"
                      f" sha256:{sha256('alice:sip.example.org:correct-horse-42')} ;", self.out)
        # frank's hashes are of his user-id, the name his phone answers with.
        self.assertIn(f"frank@sip.example.org md5:{md5('frank-id:sip.example.org:frank-pass-2')}",
                      self.out)

    def test_each_store_is_read_back(self):
        self.assertIn("sipcred-migrate: verified 3 accounts, 0 differences", self.out)
        self.assertIn("unconvertible: frank@sip.example.org", self.out)
        self.assertIn("accepted (converted line 3)", self.out)
        self.assertIn('{"diagnostics":[],"summary":{"errors":0', self.out)

    def test_removes_its_directory(self):
        # flexisip.conf names the converted userdb in the tour's temporary directory.
        match = re.search(r"^file-path=(.+)/converted$", self.out, re.MULTILINE)
        self.assertIsNotNone(match, self.out[-3000:])
        self.assertFalse(os.path.exists(match.group(1)))


if __name__ == "__main__":
    unittest.main()
