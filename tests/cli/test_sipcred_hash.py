"""sipcred-hash as a user runs it: formats, password sources, error exits.

Expected hashes come from python3 hashlib, never from sipcred itself."""
import hashlib
import json
import os
import pty
import resource
import select
import signal
import subprocess
import termios
import unittest

from clitest import BIN, TempDirTest, run

MUFASA = ("Mufasa", "testrealm@host.com")
MUFASA_MD5 = "939e7578ed9e3c518a452acee763bce9"  # RFC 2617 §3.5


def ha1(name, user, realm, password):
    return hashlib.new(name, f"{user}:{realm}:{password}".encode()).hexdigest()


class Hash(TempDirTest):
    def test_issue_example(self):
        r = run("sipcred-hash", "-a", "MD5", *MUFASA, stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, MUFASA_MD5 + "\n")
        self.assertEqual(r.stderr, "")

    def test_default_is_md5_and_only_first_line_counts(self):
        for stdin in ("Circle Of Life\n", "Circle Of Life\r\n", "Circle Of Life\nignored\n"):
            r = run("sipcred-hash", "--password-stdin", *MUFASA, stdin=stdin)
            self.assertExit(r, 0)
            self.assertEqual(r.stdout, MUFASA_MD5 + "\n", repr(stdin))

    def test_algorithms_in_given_order_any_case(self):
        r = run("sipcred-hash", "-a", "sha-512-256", "-a", "md5", "--algorithm", "SHA-256",
                "alice", "sip.example.org", stdin="s3cret")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.split("\n"), [
            ha1("sha512_256", "alice", "sip.example.org", "s3cret"),
            ha1("md5", "alice", "sip.example.org", "s3cret"),
            ha1("sha256", "alice", "sip.example.org", "s3cret"), ""])
        self.assertEqual(run("sipcred-hash", "-a", "md5", "alice", "sip.example.org",
                             stdin="s3cret").stdout.split("\n")[0], r.stdout.split("\n")[1])
        comma = run("sipcred-hash", "-a", "SHA-512-256,MD5,sha256", "alice", "sip.example.org",
                    stdin="s3cret")
        self.assertEqual(comma.stdout, r.stdout)

    def test_utf8_user_and_realm_are_hashed_as_bytes(self):
        r = run("sipcred-hash", "-a", "SHA-256", "Jäsøn Doe", "réalm", stdin="pässword")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.strip(), ha1("sha256", "Jäsøn Doe", "réalm", "pässword"))

    def test_userdb_format(self):
        r = run("sipcred-hash", "-a", "md5", "-a", "sha256", "-f", "userdb", "bob", "d.org",
                stdin="pw")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, f"md5:{ha1('md5', 'bob', 'd.org', 'pw')} "
                                   f"sha256:{ha1('sha256', 'bob', 'd.org', 'pw')}\n")

    def test_auth_user_is_what_is_hashed(self):
        # A client sends the user-id carol-desk and hashes it: a hash of carol never matches.
        r = run("sipcred-hash", "-a", "md5,sha256", "-f", "userdb", "--auth-user", "carol-desk",
                "carol", "sip.example.org", stdin="PW")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, f"md5:{ha1('md5', 'carol-desk', 'sip.example.org', 'PW')} "
                                   f"sha256:{ha1('sha256', 'carol-desk', 'sip.example.org', 'PW')}"
                                   " ; carol-desk\n")
        r = run("sipcred-hash", "--auth-user", "carol-desk", "carol", "r", stdin="PW")
        self.assertEqual(r.stdout, ha1("md5", "carol-desk", "r", "PW") + "\n")
        r = run("sipcred-hash", "-f", "htdigest", "--auth-user", "c:d", "carol", "r", stdin="PW")
        self.assertExit(r, 2)
        r = run("sipcred-hash", "--json", "--auth-user", "cd", "carol", "r", stdin="PW")
        self.assertEqual(json.loads(r.stdout)["auth_user"], "cd")
        self.assertEqual(json.loads(r.stdout)["hashes"][0]["ha1"], ha1("md5", "cd", "r", "PW"))

    def test_userdb_format_refuses_sha512_256(self):
        r = run("sipcred-hash", "-a", "md5", "-a", "SHA-512-256", "--format", "userdb", "bob",
                "d.org", stdin="pw")
        self.assertExit(r, 2)
        self.assertEqual(r.stdout, "")
        self.assertIn("SHA-512-256", r.stderr)
        self.assertIn("userdb", r.stderr)

    def test_pjsip_format(self):
        r = run("sipcred-hash", "-a", "md5,SHA-512-256", "-f", "pjsip", "bob", "asterisk",
                stdin="pw")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout,
                         f"password_digest = MD5:{ha1('md5', 'bob', 'asterisk', 'pw')}\n"
                         f"password_digest = SHA-512-256:"
                         f"{ha1('sha512_256', 'bob', 'asterisk', 'pw')}\n")

    def test_htdigest_format(self):
        r = run("sipcred-hash", "-f", "htdigest", *MUFASA, stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, f"Mufasa:testrealm@host.com:{MUFASA_MD5}\n")
        self.assertExit(run("sipcred-hash", "-f", "htdigest", "-a", "SHA-256", *MUFASA,
                            stdin="x"), 2)
        colon = run("sipcred-hash", "-f", "htdigest", "a:b", "realm", stdin="x")
        self.assertExit(colon, 2)
        self.assertIn("':'", colon.stderr)
        forged = run("sipcred-hash", "-f", "htdigest", "u\nevil", "realm", stdin="x")
        self.assertExit(forged, 2)
        self.assertEqual(forged.stdout, "")

    def test_json(self):
        r = run("sipcred-hash", "--json", "-a", "md5,sha256", *MUFASA, stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(json.loads(r.stdout), {
            "user": "Mufasa", "realm": "testrealm@host.com",
            "hashes": [{"algorithm": "MD5", "ha1": MUFASA_MD5},
                       {"algorithm": "SHA-256", "ha1": ha1("sha256", *MUFASA, "Circle Of Life")}]})
        self.assertExit(run("sipcred-hash", "--json", "-f", "hex", *MUFASA, stdin="x"), 2)

    def test_password_file(self):
        path = self.write("pw", "Circle Of Life\r\nsecond line\n")
        r = run("sipcred-hash", "--password-file", path, *MUFASA)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, MUFASA_MD5 + "\n")

    def test_missing_password_file_is_66(self):
        missing = self.path("nope")
        r = run("sipcred-hash", "--password-file", missing, *MUFASA)
        self.assertExit(r, 66)
        self.assertIn(missing, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_password_file_that_is_a_directory_is_66(self):
        r = run("sipcred-hash", "--password-file", self.dir, *MUFASA)
        self.assertExit(r, 66)
        self.assertIn("directory", r.stderr)

    def test_password_file_may_be_a_pipe(self):
        r = run("sipcred-hash", "--password-file", "/dev/stdin", *MUFASA, stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, MUFASA_MD5 + "\n")

    def test_empty_password_is_65(self):
        for stdin in ("", "\n", "\r\n"):
            r = run("sipcred-hash", *MUFASA, stdin=stdin)
            self.assertExit(r, 65)
            self.assertIn("standard input", r.stderr)
            self.assertEqual(r.stdout, "")

    def test_usage_errors_are_2(self):
        for args in (["-a", "SHA-1", *MUFASA], ["-a", "MD5-sess", *MUFASA], ["Mufasa"],
                     ["--format", "csv", *MUFASA], ["--bogus", *MUFASA],
                     ["--password-stdin", "--password-file", "f", *MUFASA]):
            r = run("sipcred-hash", *args, stdin="x")
            self.assertExit(r, 2)
            self.assertEqual(r.stdout, "", args)
            self.assertNotEqual(r.stderr, "", args)
        sess = run("sipcred-hash", "-a", "sha-256-sess", *MUFASA, stdin="x")
        self.assertIn("nonce", sess.stderr)

    def test_passwords_longer_than_4096_bytes_are_refused(self):
        """sipcred reads at most 4 KiB of password (a CR before the LF aside)."""
        longest = "p" * 4096
        r = run("sipcred-hash", "--password-stdin", *MUFASA, stdin=longest + "\r\n")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, ha1("md5", *MUFASA, longest) + "\n")
        for stdin in (longest + "q", longest + "q\n", "p" * 300_000):
            r = run("sipcred-hash", "--password-stdin", *MUFASA, stdin=stdin)
            self.assertExit(r, 65)
            self.assertEqual(r.stderr, "sipcred-hash: standard input: the password is longer than "
                                       "4096 bytes, the most sipcred reads\n")
        self.write("pw", "p" * 5000)
        r = run("sipcred-hash", "--password-file", self.path("pw"), *MUFASA)
        self.assertExit(r, 65)
        self.assertIn("the password is longer than 4096 bytes", r.stderr)

    def test_password_file_without_end_is_refused_in_bounded_memory(self):
        """/dev/zero was read until memory ran out: with 256 MiB of address space it fails fast.
        AddressSanitizer reserves terabytes of address space, so a sanitizer build is held to
        its peak memory instead (the regular build holds the address-space limit)."""
        command = [os.path.join(BIN, "sipcred-hash"), "--password-file", "/dev/zero", *MUFASA]
        sanitized = bool(os.environ.get("SIPCRED_SANITIZE_FLAGS"))

        def limit_memory():
            resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))
        r = subprocess.run(["/usr/bin/time", "-f", "%M", *command] if sanitized else command,
                           capture_output=True, text=True, timeout=60,
                           preexec_fn=None if sanitized else limit_memory,
                           env=dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=0"))
        self.assertEqual(r.returncode, 65, r.stderr)
        message = "sipcred-hash: /dev/zero: the password is longer than 4096 bytes, the most " \
                  "sipcred reads\n"
        if sanitized:  # time adds "Command exited with non-zero status 65" and the peak
            lines = r.stderr.splitlines(keepends=True)
            self.assertEqual(lines[0], message)
            self.assertLess(int(lines[-1]), 256 << 10)
        else:
            self.assertEqual(r.stderr, message)

    def test_help_and_version(self):
        r = run("sipcred-hash", "--help")
        self.assertExit(r, 0)
        for option in ("--algorithm", "--format", "--password-stdin", "--password-file", "--json"):
            self.assertIn(option, r.stdout)
        v = run("sipcred-hash", "--version")
        self.assertExit(v, 0)
        self.assertRegex(v.stdout, r"^sipcred-hash \d+\.\d+\.\d+ \(libsipcred \d+\.\d+\.\d+\)\n$")

    def start_on_terminal(self):
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(os.path.join(BIN, "sipcred-hash"), ["sipcred-hash", *MUFASA])
        self.output = b""
        return pid, fd

    def read_until(self, fd, needle):
        while needle not in self.output:
            ready, _, _ = select.select([fd], [], [], 10)
            if not ready:
                self.fail(f"timed out waiting for {needle!r}; got {self.output!r}")
            try:
                chunk = os.read(fd, 1024)
            except OSError:
                break
            if not chunk:
                break
            self.output += chunk

    def test_terminal_prompt_does_not_echo(self):
        """On a terminal the password is asked without echo and never shown."""
        pid, fd = self.start_on_terminal()
        self.read_until(fd, b"Password for Mufasa")
        self.assertFalse(termios.tcgetattr(fd)[3] & termios.ECHO, "echo is on at the prompt")
        os.write(fd, b"Circle Of Life\n")
        self.read_until(fd, MUFASA_MD5.encode())
        _, status = os.waitpid(pid, 0)
        self.assertTrue(termios.tcgetattr(fd)[3] & termios.ECHO, "echo left off")
        os.close(fd)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertNotIn(b"Circle Of Life", self.output)

    def test_password_stdin_on_a_terminal_does_not_echo(self):
        """--password-stdin typed on a terminal is read without echo, as at the prompt."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(os.path.join(BIN, "sipcred-hash"),
                     ["sipcred-hash", "--password-stdin", *MUFASA])
        self.output = b""
        for _ in range(200):
            if not termios.tcgetattr(fd)[3] & termios.ECHO:
                break
            select.select([], [], [], 0.05)
        self.assertFalse(termios.tcgetattr(fd)[3] & termios.ECHO, "echo is on for --password-stdin")
        os.write(fd, b"Circle Of Life\n")
        self.read_until(fd, MUFASA_MD5.encode())
        _, status = os.waitpid(pid, 0)
        self.assertTrue(termios.tcgetattr(fd)[3] & termios.ECHO, "echo left off")
        os.close(fd)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        self.assertNotIn(b"Circle Of Life", self.output)

    def test_ctrl_z_then_fg_keeps_echo_off(self):
        """Suspended at the prompt and resumed with `fg` from a job-control shell (a session
        leader's own stop would be discarded by the kernel), the password still does not echo."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execve("/bin/bash", ["bash", "--norc", "--noprofile", "-i"],
                      {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PS1": "$ ", "TERM": "dumb"})
        self.output = b""
        self.read_until(fd, b"$ ")
        os.write(fd, f"{os.path.join(BIN, 'sipcred-hash')} Mufasa testrealm@host.com\n".encode())
        self.read_until(fd, b"Password for Mufasa")
        os.write(fd, b"\x1a")
        self.read_until(fd, b"Stopped")
        os.write(fd, b"fg\n")
        self.read_until(fd, b"testrealm@host.com\r\n")  # bash prints the resumed command
        select.select([], [], [], 0.3)  # let it turn echo off again
        resumed_at = len(self.output)
        os.write(fd, b"Circle Of Life\n")
        self.read_until(fd, MUFASA_MD5.encode())
        os.write(fd, b"exit\n")
        os.waitpid(pid, 0)
        os.close(fd)
        self.assertNotIn(b"Circle Of Life", self.output[resumed_at:])

    def test_no_core_dump_holds_the_password(self):
        """Every tool turns core dumps off (prctl PR_SET_DUMPABLE): a SIGQUIT at the prompt,
        which dumps core by default, leaves no memory image with a typed secret behind."""
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(self.dir)
            resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY,) * 2)
            os.execv(os.path.join(BIN, "sipcred-hash"), ["sipcred-hash", *MUFASA])
        self.output = b""
        self.read_until(fd, b"Password for Mufasa")
        os.write(fd, b"Circle Of")
        os.kill(pid, signal.SIGQUIT)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        self.assertTrue(os.WIFSIGNALED(status))
        self.assertEqual(os.WTERMSIG(status), signal.SIGQUIT)
        self.assertFalse(os.WCOREDUMP(status), "the process dumped core")
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith("core")], [])

    def test_ctrl_c_at_the_prompt_restores_echo(self):
        pid, fd = self.start_on_terminal()
        self.read_until(fd, b"Password for Mufasa")
        os.write(fd, b"\x03")  # the terminal turns Ctrl-C into SIGINT
        _, status = os.waitpid(pid, 0)
        self.assertTrue(os.WIFSIGNALED(status))
        self.assertEqual(os.WTERMSIG(status), signal.SIGINT)
        self.assertTrue(termios.tcgetattr(fd)[3] & termios.ECHO, "echo left off after Ctrl-C")
        os.close(fd)


if __name__ == "__main__":
    unittest.main()
