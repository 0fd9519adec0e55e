"""sipcred-user as an administrator runs it: every command, bad input, and the safety promises
(only the edited line changes, refused files stay untouched, mode and owner kept, concurrent
writers lose nothing, a killed rotate leaves a whole file). Hashes are checked with hashlib."""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import unittest

from clitest import BIN, CLEAN_PATH, TempDirTest, Terminal, kill_stopped, run, start_stopped

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")


def ha1(name, user, realm, password):
    return hashlib.new(name, f"{user}:{realm}:{password}".encode()).hexdigest()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def user(*args, stdin=""):
    return run("sipcred-user", *args, stdin=stdin)


class UserTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.db = self.path("users")

    def init(self, content=None, mode=0o600):
        if content is None:
            self.assertExit(user("init", self.db), 0)
        else:
            self.write("users", content, mode)

    def content(self):
        return read(self.db).decode()

    def add(self, identity, password, *args):
        r = user("add", self.db, identity, "--password-stdin", *args, stdin=password + "\n")
        self.assertExit(r, 0)
        return r


class Init(UserTest):
    def test_creates_a_0600_version_file(self):
        os.umask(0o022)
        self.init()
        self.assertEqual(self.content(), "version:1\n")
        self.assertEqual(os.stat(self.db).st_mode & 0o777, 0o600)

    def test_existing_file_is_73_and_untouched(self):
        self.init("version:1\n# mine\n")
        r = user("init", self.db)
        self.assertExit(r, 73)
        self.assertIn("already exists", r.stderr)
        self.assertEqual(self.content(), "version:1\n# mine\n")


class Add(UserTest):
    def test_md5_and_sha256_of_the_domain_by_default(self):
        self.init()
        self.add("alice@sip.example.org", "s3cret")
        self.assertEqual(self.content(), "version:1\nalice@sip.example.org "
                         f"md5:{ha1('md5', 'alice', 'sip.example.org', 's3cret')} "
                         f"sha256:{ha1('sha256', 'alice', 'sip.example.org', 's3cret')} ;\n")

    def test_algorithms_realm_auth_user_and_phone(self):
        self.init()
        r = self.add("bob@d.org", "pw", "-a", "SHA256", "--realm", "corp", "--auth-user",
                     "bob-id", "--phone", "+3361")
        self.assertIn("realm 'corp'", r.stderr)
        self.assertEqual(self.content().splitlines()[1],
                         f"bob@d.org sha256:{ha1('sha256', 'bob-id', 'corp', 'pw')} ; bob-id +3361")
        self.add("carol@d.org", "pw", "-a", "md5", "--phone", "+33")
        self.assertTrue(self.content().splitlines()[2].endswith(" ; carol +33"))

    def test_escaped_user_is_hashed_unescaped(self):
        self.init()
        self.add("john%40corp@d.org", "pw", "-a", "md5")
        self.assertIn(ha1("md5", "john@corp", "d.org", "pw"), self.content())

    def test_clrtxt(self):
        self.init()
        r = self.add("a@d", "p:w", "--clrtxt")
        self.assertIn("clear text", r.stderr)
        self.assertEqual(self.content(), "version:1\na@d clrtxt:p:w ;\n")
        for args in (["--clrtxt", "-a", "md5"], ["--clrtxt", "--realm", "other"],
                     ["-a", "SHA-512-256"], ["-a", "sha1"]):
            r = user("add", self.db, "b@d", "--password-stdin", *args, stdin="x\n")
            self.assertExit(r, 2)
        self.assertEqual(self.content(), "version:1\na@d clrtxt:p:w ;\n")

    def test_existing_identity_is_1_and_suggests_rotate(self):
        self.init()
        self.add("a@d", "pw")
        before = self.content()
        r = user("add", self.db, "%61@d", "--password-stdin", stdin="x\n")  # %61 is 'a'
        self.assertExit(r, 1)
        self.assertIn("rotate", r.stderr)
        self.assertEqual(self.content(), before)

    def test_invalid_identity_or_password_is_65_and_untouched(self):
        self.init()
        for identity, password in (("a b@d", "x"), ("a@b@c", "x"), ("a@", "x"), ("a@d", "p w"),
                                   ("a@d", "pässword"), ("a@d", "p;w"), ("a@d", "")):
            r = user("add", self.db, identity, "--password-stdin", stdin=password + "\n")
            self.assertExit(r, 65)
            self.assertEqual(self.content(), "version:1\n")
            if password not in ("", "x"):
                self.assertNotIn(password, r.stderr)

    def test_missing_file_is_66(self):
        r = user("add", self.db, "a@d", "--password-stdin", stdin="x\n")
        self.assertExit(r, 66)
        self.assertFalse(os.path.exists(self.db))

    def test_generated_password_is_printed_once_and_stored(self):
        self.init()
        r = user("add", self.db, "a@d", "--generate")
        self.assertExit(r, 0)
        password = r.stdout.strip()
        self.assertRegex(password, r"^[A-Za-z0-9._~+!*-]{20}$")
        self.assertEqual(r.stdout, password + "\n")
        self.assertNotIn(password, r.stderr)
        self.assertIn(ha1("md5", "a", "d", password), self.content())
        r = user("add", self.db, "b@d", "--generate=32", "--clrtxt")
        self.assertEqual(len(r.stdout.strip()), 32)
        self.assertExit(user("add", self.db, "c@d", "--generate=4"), 2)

    def test_terminal_asks_twice(self):
        self.init()
        terminal = Terminal()
        proc = terminal.popen([os.path.join(BIN, "sipcred-user"), "add", self.db, "a@d"],
                              controlling=True, env={"PATH": CLEAN_PATH})
        for prompt in (b"New password", b"Retype"):
            deadline = time.monotonic() + 10
            while prompt not in terminal.read_so_far():
                self.assertLess(time.monotonic(), deadline, terminal.read_so_far())
                time.sleep(0.01)
            terminal.type(b"typed-pw\n")
        # Everything the tool prints, to its end, must be free of the password.
        code, out = terminal.output(proc)
        self.assertEqual(code, 0, out)
        self.assertIn(ha1("sha256", "a", "d", "typed-pw"), self.content())
        self.assertIn("added a@d", out)
        self.assertNotIn("typed-pw", out)


class Safety(UserTest):
    MESSY = ("version:1\r\n"
             "# staff (old) list is gone; this one is new\r\n"
             "\r\n"
             "alice@d\tclrtxt:a1 ;\r\n"
             "  \t\r\n"
             "bob@d   md5:0123456789abcdef0123456789abcdef   ;  bob-id   +33\r\n"
             "# end\r\n")

    def test_only_the_edited_line_changes(self):
        self.init(self.MESSY.replace("(old) ", ""))
        before = self.content().split("\r\n")
        self.assertExit(user("rotate", self.db, "bob@d", "--password-stdin", stdin="n\n"), 0)
        after = self.content().split("\r\n")
        self.assertEqual(len(after), len(before))
        changed = [i for i in range(len(before)) if before[i] != after[i]]
        self.assertEqual(changed, [5])
        self.assertEqual(after[5], f"bob@d md5:{ha1('md5', 'bob-id', 'd', 'n')} ; bob-id +33")

    def test_a_file_with_errors_is_refused_untouched(self):
        self.init(self.MESSY)  # "(" in a comment: Flexisip refuses the file
        inode = os.stat(self.db).st_ino
        for args in (["add", self.db, "c@d", "--password-stdin"],
                     ["rotate", self.db, "alice@d", "--password-stdin"],
                     ["remove", self.db, "alice@d"], ["list", self.db]):
            r = user(*args, stdin="x\n")
            self.assertExit(r, 65)
            self.assertIn(f"{self.db}:2:9: error: '(' is not allowed in a comment", r.stderr)
            self.assertEqual(self.content(), self.MESSY)
            self.assertEqual(os.stat(self.db).st_ino, inode)

    def test_mode_and_owner_are_kept(self):
        self.init("version:1\n", mode=0o640)
        if os.geteuid() == 0:
            os.chown(self.db, 65534, 65534)
        st = os.stat(self.db)
        self.add("a@d", "pw")
        after = os.stat(self.db)
        self.assertEqual((after.st_mode & 0o7777, after.st_uid, after.st_gid),
                         (0o640, st.st_uid, st.st_gid))
        self.assertEqual(os.listdir(self.dir), ["users"])  # no temporary file left

    def test_symlink_is_kept(self):
        os.mkdir(self.path("real"))
        self.write("real/users", "version:1\n")
        os.symlink(self.path("real/users"), self.db)
        self.add("a@d", "pw")
        self.assertTrue(os.path.islink(self.db))
        self.assertIn(b"a@d", read(self.path("real/users")))

    def test_concurrent_adds_lose_nothing(self):
        """16 processes adding 50 users each: all 800 are in the file afterwards."""
        self.init()
        script = ("for i in $(seq 1 50); do printf 'pw\\n' | "
                  f"{os.path.join(BIN, 'sipcred-user')} -q add {self.db} u$1-$i@d -a md5 "
                  "--password-stdin || exit 1; done")
        procs = [subprocess.Popen(["sh", "-c", script, "sh", str(p)]) for p in range(16)]
        self.assertEqual([p.wait(timeout=600) for p in procs], [0] * 16)
        lines = self.content().splitlines()
        self.assertEqual(len(lines), 801)
        self.assertEqual(len(set(l.split()[0] for l in lines[1:])), 800)

    def test_sigkill_during_rotate_leaves_old_or_new_file(self):
        big = subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_userdb.py"),
                              "--users", "200000"], capture_output=True, check=True).stdout
        self.write("pw", "fresh\n")
        # The new content, from a rotate of a copy.
        self.write("copy", big)
        args = ["rotate", "--password-file", self.path("pw"), "user4242@sip2.example.org"]
        self.assertExit(user(args[0], self.path("copy"), *args[1:]), 0)
        new = read(self.path("copy"))
        self.assertNotEqual(new, big)
        os.unlink(self.path("copy"))
        directory = os.path.realpath(self.dir)
        temp = os.path.join(directory, ".users.sipcred-*")
        # Where the kill lands, stopped there by the shim (no delay to guess), and the file it
        # must leave.
        for stop, left in ((f"write:{temp}:2", big),       # the new content half written
                           (f"fsync:{temp}:1", big),       # written, not yet on disk
                           (f"rename:{temp}:1", big),      # on disk, not yet in place
                           (f"fsync:{directory}:1", new)):  # renamed, directory not synced
            with self.subTest(stop=stop):
                self.write("users", big)
                p = start_stopped("sipcred-user", args[0], self.db, *args[1:], stop=stop)
                temps = [n for n in os.listdir(self.dir) if n.startswith(".users.sipcred-")]
                if left is big:
                    self.assertEqual(len(temps), 1)
                    size = os.path.getsize(self.path(temps[0]))
                    if stop.startswith("write"):
                        self.assertTrue(0 < size < len(new), f"not mid-write: {size} bytes")
                self.assertEqual(kill_stopped(p), -signal.SIGKILL)
                self.assertEqual(read(self.db), left, "a killed rotate left a mixed file")
                # A killed writer cannot remove its temporary file; the next run is not
                # bothered by it, but this test's listing is.
                for name in temps:
                    if os.path.exists(self.path(name)):
                        os.unlink(self.path(name))


class WarningsElsewhere(UserTest):
    """After convert (clear text kept, hashes after it: two SC122 warnings a line), a command
    reports the problems of the lines it touches and one line for the rest, never one line
    per warning of the whole file."""

    def setUp(self):
        super().setUp()
        self.init("version:1\n" + "".join(f"u{i}@d.org clrtxt:pw{i} ;\n" for i in range(50)))
        self.assertExit(run("sipcred-convert", "--in-place", self.db), 0)
        self.summary = (f"sipcred-user: 100 warnings elsewhere in {self.db}; "
                        f"run 'sipcred lint --userdb {self.db}'")

    def test_add_and_remove_print_one_summary_line(self):
        r = self.add("new@d.org", "pw")
        self.assertEqual(r.stderr.splitlines(), [self.summary, "sipcred-user: added new@d.org "
                                                 "(md5, sha256)"])
        r = user("remove", self.db, "new@d.org")
        self.assertExit(r, 0)
        self.assertEqual(r.stderr.splitlines()[0], self.summary)
        self.assertNotIn("SC122", r.stderr)

    def test_rotate_reports_its_own_lines_only(self):
        r = user("rotate", self.db, "u3@d.org", "--password-stdin", stdin="new\n")
        self.assertExit(r, 0)
        self.assertNotIn("SC122", r.stderr)  # the rotated line is written without them
        self.assertIn(self.summary.replace("100", "98"), r.stderr)

    def test_reading_commands_and_quiet(self):
        r = user("list", self.db)
        self.assertExit(r, 0)
        self.assertEqual(r.stderr.splitlines(), [self.summary])
        r = user("show", self.db, "u7@d.org")
        self.assertEqual(len([l for l in r.stderr.splitlines() if "SC122" in l]), 2)
        self.assertIn(self.summary.replace("100", "98"), r.stderr)
        self.assertEqual(user("list", self.db, "-q").stderr, "")

    def test_errors_still_refuse_and_are_all_printed(self):
        with open(self.db, "a") as f:
            f.write("bad@d.org clrtxt:pw;\nworse@d.org clrtxt:x;\n")
        r = user("add", self.db, "new@d.org", "--password-stdin", stdin="pw\n")
        self.assertExit(r, 65)
        self.assertEqual(len([l for l in r.stderr.splitlines() if "error:" in l]), 2)
        self.assertNotIn("SC122", r.stderr)
        self.assertIn("2 errors: Flexisip would refuse this file", r.stderr)


class Rotate(UserTest):
    def test_keeps_kinds_user_id_and_phone(self):
        self.init("version:1\nc@d clrtxt:old ;\nm@d md5:" + "0" * 32 + " ; m-id +1\n")
        self.assertExit(user("rotate", self.db, "c@d", "--password-stdin", stdin="n1\n"), 0)
        self.assertExit(user("rotate", self.db, "m@d", "--password-stdin", stdin="n2\n"), 0)
        self.assertEqual(self.content(), "version:1\nc@d clrtxt:n1 ;\n"
                                          f"m@d md5:{ha1('md5', 'm-id', 'd', 'n2')} ; m-id +1\n")

    def test_options_change_the_kinds(self):
        self.init("version:1\nc@d clrtxt:old ;\n")
        self.assertExit(user("rotate", self.db, "c@d", "-a", "sha256", "--password-stdin",
                             stdin="n\n"), 0)
        self.assertEqual(self.content(), f"version:1\nc@d sha256:{ha1('sha256', 'c', 'd', 'n')} ;\n")

    def test_every_line_of_the_user_changes(self):
        self.init("version:1\nc@d clrtxt:old ;\nc@d clrtxt:older ;\n")
        self.assertExit(user("rotate", self.db, "c@d", "--password-stdin", stdin="n\n"), 0)
        self.assertEqual(self.content(), "version:1\nc@d clrtxt:n ;\nc@d clrtxt:n ;\n")

    def test_not_found_is_1(self):
        self.init()
        r = user("rotate", self.db, "x@d", "--password-stdin", stdin="n\n")
        self.assertExit(r, 1)
        self.assertIn("x@d", r.stderr)


class Remove(UserTest):
    def test_all_or_nothing(self):
        self.init("version:1\n# keep\na@d clrtxt:x ;\nb@d clrtxt:x ;\nc@d clrtxt:x ;\n")
        before = self.content()
        r = user("remove", self.db, "a@d", "zz@d", "yy@e")
        self.assertExit(r, 1)
        self.assertIn("zz@d, yy@e", r.stderr)
        self.assertEqual(self.content(), before)
        self.assertExit(user("remove", self.db, "a@d", "c@d"), 0)
        self.assertEqual(self.content(), "version:1\n# keep\nb@d clrtxt:x ;\n")


class LargeFiles(UserTest):
    """Files over 1 MB are scanned on two threads: every edit must work there too."""

    def setUp(self):
        super().setUp()
        self.big = subprocess.run([sys.executable, os.path.join(ROOT, "bench/gen_userdb.py"),
                                   "--users", "30000"], capture_output=True, check=True).stdout
        self.assertGreater(len(self.big), 1 << 20)
        self.write("users", self.big)

    def test_add_remove_and_import(self):
        self.add("new@x.org", "pw")
        self.assertTrue(self.content().endswith(
            f"new@x.org md5:{ha1('md5', 'new', 'x.org', 'pw')} "
            f"sha256:{ha1('sha256', 'new', 'x.org', 'pw')} ;\n"))
        self.assertExit(user("add", self.db, "user29999@sip7.example.org", "--password-stdin",
                             stdin="x\n"), 1)
        # Two spellings of one user, found in both halves of the file.
        r = user("remove", self.db, "user1@sip1.example.org", "%75ser1@sip1.example.org",
                 "user29998@sip6.example.org")
        self.assertExit(r, 0)
        self.assertNotIn("\nuser1@sip1.example.org ", self.content())
        self.assertNotIn("\nuser29998@sip6.example.org ", self.content())
        r = user("import", self.db, stdin="identity,password\nuser2@sip2.example.org,n2\n"
                                           "user29997@sip5.example.org,n3\nz@x.org,n4\n")
        self.assertExit(r, 0)
        self.assertIn("1 added, 2 rotated", r.stderr)
        content = self.content()
        self.assertIn(f"user29997@sip5.example.org md5:{ha1('md5', 'user29997', 'sip5.example.org', 'n3')}", content)
        self.assertEqual(len(content.splitlines()), len(self.big.splitlines()) + 2 - 2)


class Accounts(UserTest):
    """Flexisip keeps one account per user-id: a@d with id1 and a@d with id2 are two."""

    def setUp(self):
        super().setUp()
        self.init(f"version:1\na@d md5:{ha1('md5', 'id1', 'd', 'one')} ; id1\n"
                  f"a@d md5:{ha1('md5', 'id2', 'd', 'two')} ; id2\n")
        self.line1 = self.content().splitlines()[1]

    def test_show_and_check_need_the_account(self):
        r = user("show", self.db, "a@d")
        self.assertExit(r, 2)
        self.assertIn("id1, id2", r.stderr)
        r = user("show", self.db, "a@d", "--auth-user", "id1", "--json")
        self.assertExit(r, 0)
        self.assertEqual(json.loads(r.stdout)["line"], 2)
        self.assertEqual(r.stderr, "")  # line 3 is another account, not an ignored duplicate
        self.assertExit(user("check", self.db, "a@d", "--auth-user", "id1", stdin="one\n"), 0)
        self.assertExit(user("check", self.db, "a@d", "--auth-user", "id2", stdin="one\n"), 1)
        self.assertExit(user("check", self.db, "a@d", "--auth-user", "id3", stdin="one\n"), 1)

    def test_import_names_the_account(self):
        r = user("import", self.db, stdin="identity,password,auth_user\na@d,n2,id2\na%40x@d,n3,\n")
        self.assertExit(r, 0)
        self.assertEqual(self.content().splitlines()[1:3],
                         [self.line1, f"a@d md5:{ha1('md5', 'id2', 'd', 'n2')} ; id2"])

    def test_rotate_one_account(self):
        self.assertExit(user("rotate", self.db, "a@d", "--auth-user", "id2", "--password-stdin",
                             stdin="new\n"), 0)
        self.assertEqual(self.content(), f"version:1\n{self.line1}\n"
                                          f"a@d md5:{ha1('md5', 'id2', 'd', 'new')} ; id2\n")



class UserIdHashes(UserTest):
    """A client hashes the digest username it sends, the user-id: so must every stored hash.
    Flexisip hashes a clear text with the user, so clear text cannot serve another user-id."""

    def test_add_hashes_the_user_id(self):
        self.init()
        self.add("carol@sip.example.org", "PW", "--auth-user", "carol-desk")
        self.assertEqual(self.content().splitlines()[1],
                         f"carol@sip.example.org md5:{ha1('md5', 'carol-desk', 'sip.example.org', 'PW')}"
                         f" sha256:{ha1('sha256', 'carol-desk', 'sip.example.org', 'PW')} ; carol-desk")
        self.assertExit(user("check", self.db, "carol@sip.example.org", stdin="PW\n"), 0)
        self.assertExit(user("check", self.db, "carol@sip.example.org", stdin="pw\n"), 1)

    def test_escaped_user_id_is_hashed_unescaped(self):
        self.init()
        self.add("c@d", "PW", "-a", "md5", "--auth-user", "c%40desk")
        self.assertIn(f"md5:{ha1('md5', 'c@desk', 'd', 'PW')} ; c%40desk", self.content())

    def test_clear_text_with_another_user_id_is_refused_untouched(self):
        self.init("version:1\n")
        before = read(self.db)
        r = user("add", self.db, "carol@d", "--clrtxt", "--auth-user", "carol-desk",
                 "--password-stdin", stdin="PW\n")
        self.assertExit(r, 2)
        self.assertIn("never match", r.stderr)
        self.assertIn("store hashes instead", r.stderr)
        self.assertEqual(read(self.db), before)
        # The user-id equal to the user is the user's own account: clear text serves it.
        self.add("dave@d", "PW", "--clrtxt", "--auth-user", "dave")
        r = user("import", self.db, "--clrtxt", stdin="identity,password,auth_user\ne@d,PW,e-id\n")
        self.assertExit(r, 2)
        self.assertIn("<stdin>:2: clear text with the user-id 'e-id'", r.stderr)
        self.assertNotIn("\ne@d", self.content())

    def test_check_and_rotate_of_a_clear_text_line_that_can_never_match(self):
        self.init("version:1\nc@d clrtxt:PW ; c-id\n")
        r = user("check", self.db, "c@d", stdin="PW\n")
        self.assertExit(r, 1)
        self.assertIn("can never log in", r.stderr)
        # Rotating it stores what can match: hashes of the user-id.
        self.assertExit(user("rotate", self.db, "c@d", "--password-stdin", stdin="N\n"), 0)
        self.assertEqual(self.content(), f"version:1\nc@d md5:{ha1('md5', 'c-id', 'd', 'N')} "
                                          f"sha256:{ha1('sha256', 'c-id', 'd', 'N')} ; c-id\n")
        self.assertExit(user("check", self.db, "c@d", stdin="N\n"), 0)
        r = user("rotate", self.db, "c@d", "--clrtxt", "--password-stdin", stdin="N\n")
        self.assertExit(r, 2)

class Read(UserTest):
    def setUp(self):
        super().setUp()
        self.init()
        self.add("alice@a.org", "pw1")
        self.add("bob@b.org", "pw2", "--clrtxt")
        self.add("carol@a.org", "pw3", "-a", "md5", "--auth-user", "cc", "--phone", "+33")

    def test_list_never_prints_secrets(self):
        r = user("list", self.db)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.splitlines()[0].split(), ["IDENTITY", "AUTH-USER", "PHONE",
                                                            "ALGORITHMS"])
        self.assertEqual(r.stdout.splitlines()[3].split(), ["carol@a.org", "cc", "+33", "MD5"])
        for secret in ("pw1", "pw2", "pw3", ha1("md5", "alice", "a.org", "pw1")):
            self.assertNotIn(secret, r.stdout + r.stderr)

    def test_list_cells_and_auth_user_as_the_client_sends_it(self):
        """An empty cell is '-' like the others (so columns stay columns); AUTH-USER is the
        digest username a client sends: the user-id or user, URL-unescaped."""
        with open(self.db, "a") as f:
            f.write(f"e.org md5:{ha1('md5', '', 'e.org', 'x')} ;\n"
                    "john%40corp@a.org clrtxt:pw ;\n"
                    f"dan@a.org md5:{ha1('md5', 'dan@x', 'a.org', 'p')} ; dan%40x\n")
        rows = [line.split() for line in user("list", self.db).stdout.splitlines()]
        self.assertIn(["e.org", "-", "-", "MD5"], rows)
        self.assertIn(["john%40corp@a.org", "john@corp", "-", "MD5,SHA-256", "(clear", "text)"],
                      rows)
        self.assertIn(["dan@a.org", "dan@x", "-", "MD5"], rows)
        listed = json.loads(user("list", self.db, "--json").stdout)
        self.assertEqual([u["auth_user"] for u in listed if u["identity"].startswith("john")],
                         ["john@corp"])
        self.assertIn("auth user:  dan@x\n", user("show", self.db, "dan@a.org").stdout)

    def test_list_json_and_domain(self):
        r = user("list", self.db, "--json", "--domain", "a.org")
        self.assertEqual(json.loads(r.stdout), [
            {"identity": "alice@a.org", "auth_user": "alice", "phone": "",
             "algorithms": ["MD5", "SHA-256"], "clear_text": False},
            {"identity": "carol@a.org", "auth_user": "cc", "phone": "+33",
             "algorithms": ["MD5"], "clear_text": False}])
        bob = json.loads(user("list", self.db, "--json", "--domain", "b.org").stdout)
        self.assertEqual(bob[0]["clear_text"], True)
        self.assertNotIn("pw2", json.dumps(bob))

    def test_show(self):
        r = user("show", self.db, "carol@a.org", "--json")
        self.assertExit(r, 0)
        self.assertEqual(json.loads(r.stdout)["line"], 4)
        text = user("show", self.db, "bob@b.org")
        self.assertIn("clear text: yes", text.stdout)
        self.assertNotIn("pw2", text.stdout)
        self.assertExit(user("show", self.db, "dave@a.org"), 1)

    def test_check(self):
        self.assertExit(user("check", self.db, "alice@a.org", "--password-stdin", stdin="pw1\n"), 0)
        self.assertExit(user("check", self.db, "bob@b.org", stdin="pw2\n"), 0)
        r = user("check", self.db, "alice@a.org", stdin="wrong\n")
        self.assertExit(r, 1)
        self.assertIn("md5", r.stderr)
        self.assertIn("sha256", r.stderr)
        self.assertNotIn("wrong", r.stderr)
        self.assertExit(user("check", self.db, "nobody@a.org", stdin="x\n"), 1)

    def test_check_names_the_credential_that_differs(self):
        # Someone edited the sha256 by hand.
        lines = self.content().splitlines()
        lines[1] = re.sub(r"sha256:\w+", "sha256:" + "0" * 64, lines[1])
        self.write("users", "\n".join(lines) + "\n")
        r = user("check", self.db, "alice@a.org", stdin="pw1\n")
        self.assertExit(r, 1)
        self.assertIn("sha256", r.stderr)
        self.assertNotIn("md5", r.stderr)


class Import(UserTest):
    def test_csv_adds_and_rotates_in_one_write(self):
        self.init("version:1\n# users\nold@d md5:" + "0" * 32 + " ; old-id\n")
        listing = ('identity,password,phone\n'
                   'old@d,n1,+1\n'
                   'new@d,"p,w",\n'  # a quoted comma is not a userdb character
                   'gen@e,,+2\n')
        r = user("import", self.db, "--generate", stdin=listing)
        self.assertExit(r, 65)
        self.assertIn("<stdin>:3:1: error: password of new@d", r.stderr)
        listing = listing.replace('"p,w"', '"p:w"')
        r = user("import", self.db, "--generate", stdin=listing)
        self.assertExit(r, 0)
        out = r.stdout.splitlines()
        self.assertEqual(out[0], "identity,password")
        self.assertEqual(len(out), 2)
        generated = out[1].split(",", 1)[1]
        self.assertEqual(self.content(), "version:1\n# users\n"
                         f"old@d md5:{ha1('md5', 'old-id', 'd', 'n1')} ; old-id +1\n"
                         f"new@d md5:{ha1('md5', 'new', 'd', 'p:w')} "
                         f"sha256:{ha1('sha256', 'new', 'd', 'p:w')} ;\n"
                         f"gen@e md5:{ha1('md5', 'gen', 'e', generated)} "
                         f"sha256:{ha1('sha256', 'gen', 'e', generated)} ; gen +2\n")

    def test_a_list_of_identities_alone_with_generate(self):
        self.init()
        listing = "identity\ncarol@d\ndave@e\n"
        # Without --generate, each user without a password is an error, and nothing is written.
        r = user("import", self.db, stdin=listing)
        self.assertExit(r, 65)
        self.assertIn("<stdin>:2:1: error: no password for carol@d", r.stderr)
        self.assertIn("<stdin>:3:1: error: no password for dave@e", r.stderr)
        self.assertEqual(self.content(), "version:1\n")
        r = user("import", self.db, "--generate", stdin=listing)
        self.assertExit(r, 0)
        out = r.stdout.splitlines()
        self.assertEqual([line.split(",")[0] for line in out], ["identity", "carol@d", "dave@e"])
        carol, dave = (line.split(",", 1)[1] for line in out[1:])
        self.assertEqual(self.content(), "version:1\n"
                         f"carol@d md5:{ha1('md5', 'carol', 'd', carol)} "
                         f"sha256:{ha1('sha256', 'carol', 'd', carol)} ;\n"
                         f"dave@e md5:{ha1('md5', 'dave', 'e', dave)} "
                         f"sha256:{ha1('sha256', 'dave', 'e', dave)} ;\n")

    def test_every_bad_record_is_reported_and_nothing_written(self):
        self.init()
        listing = ("identity,password\n"
                   "ok@d,pw\n"
                   "bad id@d,pw\n"
                   "nopw@d,\n"
                   "ok@d,again\n"
                   "x@d,pw,extra\n"
                   '"unclosed@d,pw\n')
        self.write("list.csv", listing)
        r = user("import", self.db, "--from", self.path("list.csv"))
        self.assertExit(r, 65)
        for where in (":3:1: error: identity", ":4:1: error: no password for nopw@d",
                      ":5:1: error: 'ok@d' is already listed on line 2",
                      ":6:1: error: expected 2 fields", ":7:1: error: a quoted field"):
            self.assertIn(self.path("list.csv") + where, r.stderr)
        self.assertEqual(self.content(), "version:1\n")

    def test_two_spellings_of_one_user_are_refused(self):
        self.init("version:1\na@d clrtxt:old ;\n")
        r = user("import", self.db, stdin="identity,password\n%61@d,pw1\na@d,pw2\n")
        self.assertExit(r, 65)
        self.assertIn("<stdin>:3:1: error: 'a@d' is already listed on line 2", r.stderr)
        self.assertEqual(self.content(), "version:1\na@d clrtxt:old ;\n")

    def test_csv_with_bom_crlf_and_quotes(self):
        self.init()
        r = user("import", self.db, "--clrtxt",
                 stdin='\ufeffidentity,password\r\na@d,"p:w"\r\nb@d,x\r')
        self.assertExit(r, 0)
        self.assertEqual(self.content(), "version:1\na@d clrtxt:p:w ;\nb@d clrtxt:x ;\n")
        r = user("import", self.db, stdin='identity,password\nc@d,"pw\r"')
        self.assertExit(r, 65)  # a CR inside quotes is part of the password: not allowed

    def test_jsonl(self):
        self.init()
        r = user("import", self.db, "--format", "jsonl", "--clrtxt",
                 stdin='{"identity": "a@d", "password": "x1"}\n'
                       '{"identity": "b@d", "password": "x2", "auth_user": "b"}\n')
        self.assertExit(r, 0)
        self.assertEqual(self.content(), "version:1\na@d clrtxt:x1 ;\nb@d clrtxt:x2 ; b\n")
        r = user("import", self.db, stdin="identity,password,identity\na@d,x,b@d\n")
        self.assertExit(r, 65)
        self.assertIn("named twice", r.stderr)
        r = user("import", self.db, "--format", "jsonl", stdin='{"identity": 3}\nnot json\n')
        self.assertExit(r, 65)
        self.assertIn("<stdin>:2:1: error: expected one JSON object", r.stderr)


class Usage(UserTest):
    def test_usage_errors_are_2(self):
        self.init()
        for args in ([], ["bogus"], ["add", self.db], ["add", self.db, "a@d", "b@d"],
                     ["list"], ["import", self.db, "--format", "xml"],
                     ["add", self.db, "a@d", "--generate", "--password-stdin"]):
            self.assertExit(user(*args, stdin="x\n"), 2)

    def test_help_and_version(self):
        self.assertExit(user("--help"), 0)
        r = user("add", "--help")
        self.assertExit(r, 0)
        self.assertIn("--auth-user", r.stdout)
        self.assertRegex(user("--version").stdout, r"^sipcred-user \d+\.\d+\.\d+ \(libsipcred \d+\.\d+\.\d+\)\n$")

    def test_algorithm_option_takes_one_value(self):
        self.init()
        r = user("add", "-a", "md5", self.db, "a@d", "--password-stdin", stdin="x\n")
        self.assertExit(r, 0)
        self.assertIn(f"a@d md5:{ha1('md5', 'a', 'd', 'x')} ;", self.content())

    def test_generate_length_is_checked(self):
        self.init()
        for args in (["add", self.db, "a@d", "--generate=0"], ["add", self.db, "a@d", "--generate=7"],
                     ["import", self.db, "--generate=3"]):
            self.assertExit(user(*args, stdin="identity,password\nb@d,x\n"), 2)
        self.assertEqual(self.content(), "version:1\n")

    def test_bare_domain_with_a_phone_needs_an_auth_user(self):
        self.init()
        self.assertExit(user("add", self.db, "d.org", "--phone", "+33", "--password-stdin",
                             stdin="x\n"), 2)
        r = user("import", self.db, stdin="identity,password,phone\nd.org,x,+33\n")
        self.assertExit(r, 65)
        self.assertIn("<stdin>:2:1:", r.stderr)
        self.add("d.org", "x", "--auth-user", "dd", "--phone", "+33")
        self.assertEqual(self.content(), "version:1\nd.org md5:"
                         f"{ha1('md5', 'dd', 'd.org', 'x')} sha256:{ha1('sha256', 'dd', 'd.org', 'x')}"
                         " ; dd +33\n")

    def test_realm_on_a_clear_text_user_is_refused_untouched(self):
        self.init("version:1\nc@d clrtxt:old ;\n")
        r = user("rotate", self.db, "c@d", "--realm", "other", "--password-stdin", stdin="n\n")
        self.assertExit(r, 2)
        self.assertEqual(self.content(), "version:1\nc@d clrtxt:old ;\n")

    def test_generated_password_that_cannot_be_shown_is_an_error(self):
        self.init()
        with open("/dev/full", "w") as full:
            r = subprocess.run([os.path.join(BIN, "sipcred-user"), "add", self.db, "a@d",
                                "--generate"], stdout=full, stderr=subprocess.PIPE, text=True)
        self.assertEqual(r.returncode, 74, r.stderr)
        self.assertIn("could not be written", r.stderr)

    def test_quiet_after_the_subcommand(self):
        self.init()
        r = user("add", self.db, "a@d", "--password-stdin", "-q", stdin="x\n")
        self.assertExit(r, 0)
        self.assertEqual(r.stderr, "")


if __name__ == "__main__":
    unittest.main()
