"""Every tool that prints data fails with 74 when a byte of it did not reach standard output
(a full disk: /dev/full), whether the output is a few bytes left in a buffer at exit or more
than a buffer's worth; and with nothing lost it still succeeds."""
import os
import subprocess
import unittest

from clitest import BIN, CLEAN_PATH, TempDirTest

BIG = 500  # users: far more than the 4 KiB of a stdio buffer once converted


class StandardOutput(TempDirTest):
    def setUp(self):
        super().setUp()
        self.users = self.write("users", "version:1\n" + "".join(
            f"user{i}@sip.example.org clrtxt:Secret{i} ;\n" for i in range(BIG)))
        self.conf = self.write("flexisip.conf", "[module::Authentication]\nenabled=true\n"
                                                "auth-domains=sip.example.org\n"
                                                f"file-path={self.users}\n")

    def run_into(self, stdout, tool, *args, stdin=""):
        with open(stdout, "wb") as out:
            return subprocess.run([os.path.join(BIN, tool), *args], input=stdin.encode(),
                                  stdout=out, stderr=subprocess.PIPE, timeout=60,
                                  env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})

    def commands(self):
        db = self.path("out.db")
        return [
            ("sipcred", "--help"),
            ("sipcred", "--version"),
            ("sipcred-hash", "--help"),
            ("sipcred-hash", "--version"),
            ("sipcred-hash", "--password-stdin", "alice", "sip.example.org"),
            ("sipcred-convert", self.users),                       # > 4 KiB
            ("sipcred-convert", "--dry-run", "--json", self.users),  # a few bytes
            ("sipcred-user", "list", self.users),
            ("sipcred-user", "show", self.users, "user1@sip.example.org"),
            ("sipcred-lint", "--explain", "SC112"),
            ("sipcred-lint", self.conf),
            ("sipcred-migrate", self.users, "sqlite3://db=" + db, "--create-schema"),
            ("sipcred-sim", "challenge", "--realm", "sip.example.org"),
        ]

    def test_a_lost_byte_is_exit_74(self):
        for command in self.commands():
            with self.subTest(command=command):
                if os.path.exists(self.path("out.db")):
                    os.unlink(self.path("out.db"))
                r = self.run_into("/dev/full", *command, stdin="pw\n")
                stderr = r.stderr.decode()
                self.assertEqual(r.returncode, 74, stderr)
                self.assertIn("cannot write to standard output", stderr)

    def test_the_same_commands_succeed_when_nothing_is_lost(self):
        for command in self.commands():
            with self.subTest(command=command):
                if os.path.exists(self.path("out.db")):
                    os.unlink(self.path("out.db"))
                r = self.run_into(self.path("stdout"), *command, stdin="pw\n")
                self.assertIn(r.returncode, (0, 1), r.stderr.decode())  # lint: 1 = findings
                self.assertGreater(os.path.getsize(self.path("stdout")), 0)

    def test_closed_standard_output_is_an_error_only_when_something_was_printed(self):
        tool = os.path.join(BIN, "sipcred-hash")
        r = subprocess.run([tool, "--version"], stdout=None, stderr=subprocess.PIPE,
                           close_fds=True, pass_fds=(), timeout=30,
                           preexec_fn=lambda: os.close(1))
        self.assertEqual(r.returncode, 74, r.stderr)
        users = os.path.join(BIN, "sipcred-user")
        r = subprocess.run([users, "add", self.users, "new@sip.example.org", "--password-stdin"],
                           input=b"pw\n", stderr=subprocess.PIPE, timeout=30,
                           preexec_fn=lambda: os.close(1))
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    unittest.main()
