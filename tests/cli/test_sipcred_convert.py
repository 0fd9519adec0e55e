"""sipcred-convert as an administrator runs it: every option, bad input, streaming on large
files (line numbers across pieces, threads, bounded memory). Hashes are checked with hashlib."""
import hashlib
import json
import os
import resource
import subprocess
import sys
import unittest

from clitest import BIN, TempDirTest, run

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")


# Peak memory is the tool's own: a sanitizer build keeps no freed memory in quarantine.
MEASURED_ENV = dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=0:thread_local_quarantine_size_kb=0")


def h(name, user, realm, password):
    return hashlib.new(name, f"{user}:{realm}:{password}".encode()).hexdigest()


def convert(*args, stdin=""):
    return run("sipcred-convert", *args, stdin=stdin)


SAMPLE = ("version:1\r\n"
          "# staff\r\n"
          "alice@d.org clrtxt:pw1 ;\r\n"
          "\r\n"
          "bob%40home@d.org\tclrtxt:p:w  ;  bob-id +33\r\n"
          "carol@d.org md5:0123456789abcdef0123456789abcdef ;\r\n"
          "dave@d.org md5:" + "a" * 32 + " sha256:" + "b" * 64 + " ;\r\n"
          "erin@d.org MD5:" + "c" * 32 + " clrtxt:e ;\r\n")


class Convert(TempDirTest):
    def setUp(self):
        super().setUp()
        self.src = self.write("users", SAMPLE, 0o640)

    def read(self, name):
        with open(self.path(name), "rb") as f:
            return f.read().decode()

    def test_paths_in_messages_are_as_typed(self):
        """./users, a link, a relative output: never rewritten to the resolved path (CI
        annotations match the path the job gave)."""
        self.write("bad", "version:1\nalice@d.org clrtxt:pw;\n")
        os.symlink("bad", self.path("link"))
        for typed in ("./bad", "link", "sub/../bad"):
            os.makedirs(self.path("sub"), exist_ok=True)
            r = run("sipcred-convert", "--in-place", typed, cwd=self.dir)
            self.assertExit(r, 65)
            self.assertTrue(r.stderr.startswith(f"{typed}:2:22: error:"), r.stderr)
            self.assertIn(f"sipcred-convert: {typed}: 1 error", r.stderr)
        r = run("sipcred-convert", "users", "-o", "nodir/out", cwd=self.dir)
        self.assertExit(r, 73)
        self.assertIn("sipcred-convert: nodir/out: cannot create", r.stderr)
        r = run("sipcred-convert", "users", "-o", "users.new", cwd=self.dir)
        self.assertExit(r, 0)
        r = run("sipcred-user", "add", "./absent", "a@d.org", "--password-stdin", stdin="pw\n",
                cwd=self.dir)
        self.assertExit(r, 66)
        self.assertIn("sipcred-user: ./absent: cannot open", r.stderr)

    def test_converts_clear_text_and_keeps_every_other_line(self):
        r = convert(self.src)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.split("\n"), (
            "version:1\r\n"
            "# staff\r\n"
            f"alice@d.org clrtxt:pw1 md5:{h('md5', 'alice', 'd.org', 'pw1')} "
            f"sha256:{h('sha256', 'alice', 'd.org', 'pw1')} ;\r\n"
            "\r\n"
            # A client hashes its user-id, and Flexisip's hashes of the clear text (of the
            # user) could never match it: hashes of the user-id, and no clear text.
            f"bob%40home@d.org md5:{h('md5', 'bob-id', 'd.org', 'p:w')} "
            f"sha256:{h('sha256', 'bob-id', 'd.org', 'p:w')} ; bob-id +33\r\n"
            "carol@d.org md5:0123456789abcdef0123456789abcdef ;\r\n"
            "dave@d.org md5:" + "a" * 32 + " sha256:" + "b" * 64 + " ;\r\n"
            f"erin@d.org clrtxt:e md5:{h('md5', 'erin', 'd.org', 'e')} "
            f"sha256:{h('sha256', 'erin', 'd.org', 'e')} ;\r\n").split("\n"))
        self.assertIn("converted 3 of 5 users (1 already hashed, 1 skipped)", r.stderr)
        self.assertIn(f"{self.src}:6: note: carol@d.org: no clear text", r.stderr)
        self.assertIn("the clear text of 1 user was not kept", r.stderr)

    def test_escaped_user_and_user_id_are_hashed_unescaped(self):
        self.write("esc", "version:1\na%40b@d clrtxt:pw ;\nc@d clrtxt:pw ; c%40desk\n")
        r = convert(self.path("esc"), "-a", "md5")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, f"version:1\na%40b@d clrtxt:pw md5:{h('md5', 'a@b', 'd', 'pw')} ;\n"
                                   f"c@d md5:{h('md5', 'c@desk', 'd', 'pw')} ; c%40desk\n")

    def test_algorithms_drop_and_realm(self):
        r = convert(self.src, "-a", "SHA256,md5", "--drop-clrtxt", "--realm", "corp")
        self.assertExit(r, 0)
        self.assertIn(f"alice@d.org sha256:{h('sha256', 'alice', 'corp', 'pw1')} "
                      f"md5:{h('md5', 'alice', 'corp', 'pw1')} ;\r\n", r.stdout)
        self.assertNotIn("clrtxt", r.stdout)
        self.assertNotIn("pw1", r.stdout)
        for bad in ("SHA-512-256", "sha1"):
            r = convert(self.src, "-a", bad)
            self.assertExit(r, 2)
            self.assertEqual(r.stdout, "")

    def test_output_file_is_new_0600_or_replaced_keeping_its_mode(self):
        os.umask(0o022)
        self.assertExit(convert(self.src, "-o", self.path("out")), 0)
        self.assertEqual(os.stat(self.path("out")).st_mode & 0o777, 0o600)
        first = self.read("out")
        os.chmod(self.path("out"), 0o644)
        self.assertExit(convert(self.src, "-o", self.path("out"), "--drop-clrtxt"), 0)
        self.assertEqual(os.stat(self.path("out")).st_mode & 0o777, 0o644)
        self.assertNotEqual(self.read("out"), first)
        self.assertExit(convert(self.src, "-o", self.src), 2)

    def test_in_place(self):
        self.assertExit(convert(self.src, "--in-place", "-q"), 0)
        self.assertEqual(os.stat(self.src).st_mode & 0o777, 0o640)
        self.assertIn(h("md5", "alice", "d.org", "pw1"), self.read("users"))
        self.assertEqual(sorted(os.listdir(self.dir)), ["users"])
        self.assertExit(convert("-", "--in-place", stdin=SAMPLE), 2)

    def test_malformed_input_writes_nothing(self):
        bad = SAMPLE.replace("pw1 ;", "pw1;")
        self.write("bad", bad)
        r = convert(self.path("bad"))
        self.assertExit(r, 65)
        self.assertEqual(r.stdout, "")
        self.assertIn(f"{self.path('bad')}:3:23: error: expected whitespace before ';'", r.stderr)
        self.assertExit(convert(self.path("bad"), "-o", self.path("out")), 65)
        self.assertFalse(os.path.exists(self.path("out")))
        self.assertExit(convert(self.path("bad"), "--in-place"), 65)
        self.assertEqual(self.read("bad"), bad)
        self.assertEqual(sorted(os.listdir(self.dir)), ["bad", "users"])

    def test_dry_run_and_json(self):
        before = self.read("users")
        r = convert(self.src, "--dry-run", "--json")
        self.assertExit(r, 0)
        report = json.loads(r.stdout)
        self.assertEqual((report["users"], report["converted"], report["already_hashed"],
                          report["skipped"]), (5, 3, 1, 1))
        self.assertEqual(report["not_converted"][0]["identity"], "carol@d.org")
        self.assertEqual(report["not_converted"][0]["line"], 6)
        self.assertIn("sha256", report["not_converted"][0]["reason"])
        self.assertEqual(self.read("users"), before)
        self.assertExit(convert(self.src, "--json"), 2)  # the userdb would go to stdout too

    def test_verify(self):
        good = ("version:1\na@d clrtxt:x md5:" + h("md5", "a", "d", "x").upper() + " ;\n")
        self.assertExit(convert("--verify", stdin=good), 0)
        edited = ("version:1\na@d clrtxt:x md5:" + h("md5", "a", "d", "x") +
                  " sha256:" + "0" * 64 + " ;\nb@d clrtxt:y ;\n")
        r = convert("--verify", stdin=edited)
        self.assertExit(r, 1)
        self.assertEqual(r.stdout, "<stdin>:2: a@d: sha256 hash (column 51) does not match "
                                   "the clear text\n")
        r = convert("--verify", "--json", stdin=edited)
        self.assertEqual(json.loads(r.stdout)["mismatches"][0]["line"], 2)
        self.assertEqual(json.loads(r.stdout)["mismatch_count"], 1)
        self.assertExit(convert("--verify", "-o", self.path("out"), stdin=edited), 2)
        self.assertExit(convert("--verify", "--drop-clrtxt", stdin=edited), 2)

    def test_results_that_cannot_be_written_are_74(self):
        edited = self.write("edited", "version:1\na@d clrtxt:x md5:" + "0" * 32 + " ;\n")
        for args in ([self.src, "--dry-run", "--json"], [edited, "--verify"], [self.src]):
            with open("/dev/full", "w") as full:
                r = subprocess.run([os.path.join(BIN, "sipcred-convert"), *args],
                                   stdout=full, stderr=subprocess.PIPE, text=True)
            self.assertEqual(r.returncode, 74, (args, r.stderr))

    def test_dash_output_is_standard_output(self):
        r = convert(self.src, "-o", "-", "-q")
        self.assertExit(r, 0)
        self.assertIn(h("md5", "alice", "d.org", "pw1"), r.stdout)
        self.assertFalse(os.path.exists(self.path("-")))

    def test_missing_input_is_66(self):
        self.assertExit(convert(self.path("none")), 66)

    def test_help_and_version(self):
        self.assertIn("--drop-clrtxt", convert("--help").stdout)
        self.assertRegex(convert("--version").stdout, r"^sipcred-convert \d+\.\d+\.\d+ \(libsipcred \d+\.\d+\.\d+\)\n$")


class LargeInput(TempDirTest):
    """Many pieces of 256 KiB: line numbers carry across them, every thread count gives the
    same bytes, and memory stays bounded."""

    def test_pieces_threads_and_line_numbers(self):
        lines = ["version:1\r\n"]
        for i in range(70000):
            lines.append(f"user{i}@d.org clrtxt:pw{i} ;\r\n")
            if i % 4000 == 0:  # a comment continued on an indented line, CRLF
                lines.append("# block\r\n  continued\r\n")
        content = "".join(lines)
        self.assertGreater(len(content), 2 << 20)
        self.write("users", content)
        outputs = []
        for threads in ("1", "2", "3"):
            r = subprocess.run([os.path.join(BIN, "sipcred-convert"), self.path("users"),
                                "--threads", threads, "-q"], capture_output=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            outputs.append(r.stdout)
        self.assertEqual(outputs[0], outputs[1])
        self.assertEqual(outputs[0], outputs[2])
        out = outputs[0].decode().split("\r\n")
        self.assertEqual(len(out), len(content.split("\r\n")))
        self.assertIn(f"user69999@d.org clrtxt:pw69999 md5:{h('md5', 'user69999', 'd.org', 'pw69999')} "
                      f"sha256:{h('sha256', 'user69999', 'd.org', 'pw69999')} ;", out)
        # An error far past the first piece is reported at its own line.
        broken = content.replace("user55555@d.org clrtxt:pw55555 ;", "user55555@d.org clrtxt:pw55555;")
        self.write("broken", broken)
        number = broken[:broken.index("pw55555;")].count("\n") + 1
        r = convert(self.path("broken"), "-q")
        self.assertExit(r, 65)
        self.assertIn(f":{number}:", r.stderr)
        self.assertEqual(r.stdout, "")

    def test_every_hash_of_a_large_file_matches_hashlib(self):
        """MD5 is hashed in groups of users side by side, its hex filled in afterwards: every
        line of a file of many pieces must carry its own hashes, whatever the A1 length (one
        MD5 block up to 55 bytes, more beyond), escaped user or realm, in the order asked."""
        users = []
        for i in range(60000):
            user = f"u{i}" + ("%40x" if i % 7 == 0 else "") + "y" * (i % 23)
            users.append((user, f"d{i % 5}.org", f"pw{i}" + "z" * (i % 41)))
        content = "version:1\n" + "".join(f"{u}@{d} clrtxt:{p} ;\n" for u, d, p in users)
        self.assertGreater(len(content), 2 << 20)
        self.write("users", content)
        # One thread and two: the ring of pieces in flight wraps many times over.
        for algorithms, extra in ((["sha256", "md5"], ["--threads", "1"]),
                                  (["md5"], ["--realm", "R", "--threads", "2"]),
                                  (["md5", "sha256"], ["--drop-clrtxt", "--threads", "2"])):
            r = convert(self.path("users"), "-q", "-a", ",".join(algorithms), *extra)
            self.assertExit(r, 0)
            out = r.stdout.split("\n")
            self.assertEqual(len(out), len(users) + 2)  # the header, and "" after the last \n
            realm = extra[1] if extra[0] == "--realm" else None
            for (user, domain, password), line in zip(users, out[1:]):
                a1 = (user.replace("%40", "@"), realm or domain, password)
                hashes = " ".join(f"{a}:{h(a, *a1)}" for a in algorithms)
                # Kept beside hashes for another realm, a clear text would hide them (Flexisip
                # hashes it with the domain).
                clear = "" if "--drop-clrtxt" in extra or realm else f" clrtxt:{password}"
                self.assertEqual(line, f"{user}@{domain}{clear} {hashes} ;")

    def test_reports_are_bounded(self):
        """12000 skipped users: all counted, the first 10000 listed."""
        lines = ["version:1\n"] + [f"u{i}@d md5:{'0' * 32} ;\n" for i in range(12000)]
        r = convert("--dry-run", "--json", stdin="".join(lines))
        self.assertExit(r, 0)
        report = json.loads(r.stdout)
        self.assertEqual(report["skipped"], 12000)
        self.assertEqual(len(report["not_converted"]), 10000)
        r = convert("--dry-run", stdin="".join(lines))
        self.assertIn("... and 2000 more skipped users", r.stderr)

    def diagnostics(self, stderr):
        return sorted(l for l in stderr.splitlines() if l.startswith(self.path("")))

    def test_piece_cuts_never_change_what_is_reported(self):
        """CRLF comments continued on indented lines, sitting on the cuts of 256 KiB pieces
        (--threads 1) and of 128 KiB pieces (--threads 32): the same diagnostics as a parse of
        the whole file (sipcred-lint --userdb), whatever the cut."""
        blocks = ["# c \r\n  continued\r\n",   # trailing space, then a continuation: fine
                  "# d\r\n\tu@d clrtxt:x ;\r\n",  # a user swallowed by a comment: SC126
                  "#\r\n \r\n\t\r\n"]            # whitespace-only continuations
        lines = ["version:1\r\n"]
        for i in range(60000):  # a block after every user: most line ends are inside one
            lines.append(f"user{i}@d.org clrtxt:pw{i} ;\r\n")
            lines.append(blocks[i % 3])
        content = "".join(lines)
        self.write("users", content)
        whole = run("sipcred-lint", "--userdb", self.path("users"))
        self.assertExit(whole, 0)
        expected = self.diagnostics(whole.stdout)
        self.assertGreater(len(expected), 1000)
        for threads in ("1", "32"):
            r = convert(self.path("users"), "--threads", threads, "--dry-run")
            self.assertExit(r, 0)
            self.assertEqual(self.diagnostics(r.stderr), expected, threads)
        # The same with an error block: trailing space and no continuation (SC114).
        self.write("users", content.replace("# c \r\n  continued\r\n", "# c \r\n"))
        whole = run("sipcred-lint", "--userdb", self.path("users"))
        self.assertExit(whole, 1)
        for threads in ("1", "32"):
            r = convert(self.path("users"), "--threads", threads)
            self.assertExit(r, 65)
            self.assertEqual(self.diagnostics(r.stderr), self.diagnostics(whole.stdout), threads)
            self.assertEqual(r.stdout, "")

    def test_memory_stays_under_64_mib_with_a_note_on_every_line(self):
        with open(self.path("users"), "w") as f:
            f.write("version:1\n")
            for i in range(700000):
                f.write(f"u{i}@d md5:{'A' * 32} ;\n")  # uppercase hex: a note (SC130) each
        r = subprocess.run(["/usr/bin/time", "-f", "%M", os.path.join(BIN, "sipcred-convert"),
                            self.path("users"), "--dry-run", "-q"], capture_output=True, text=True,
                           env=MEASURED_ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertLess(int(r.stderr.strip().splitlines()[-1]), 64 * 1024)

    def test_memory_stays_under_64_mib(self):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_userdb.py"), "--users",
                        "800000", "--clrtxt"], stdout=open(self.path("users"), "wb"), check=True)
        self.assertGreater(os.path.getsize(self.path("users")), 40 << 20)
        r = subprocess.run(["/usr/bin/time", "-f", "%M", os.path.join(BIN, "sipcred-convert"),
                            self.path("users"), "-o", self.path("out"), "-q"],
                           capture_output=True, text=True, env=MEASURED_ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        peak_kib = int(r.stderr.strip().splitlines()[-1])
        self.assertGreater(os.path.getsize(self.path("out")), 120 << 20)  # all of it written
        self.assertLess(peak_kib, 64 * 1024, f"peak RSS {peak_kib} KiB")


if __name__ == "__main__":
    unittest.main()
