"""sipcred-user on real databases: PostgreSQL and MariaDB started on loopback, SQLite beside them
for comparison. Concurrent writers, a command killed midway, a read-only database user, the
database password's sources (never argv, never echoed), missing or foreign tables, --dry-run, and
the JSON of list and show against a userdb holding the same accounts. Hashes come from hashlib."""
import contextlib
import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from livetest import BIN, CLEAN_PATH
from clitest import start_stopped  # livetest puts tests/cli on the path
from servers import MariaDB, PostgreSQL

WORKERS, ADDS = 16, 50  # concurrent processes, sipcred-user add each (distinct users)
KILLED_IMPORT = 20000  # users in the import killed midway: seconds of work on a server
DB_PASSWORD = "Db-Secret-7q"  # the database user's, for the password tests
WRONG_DB_PASSWORD = "Wrong-Db-Pw-4x"


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def user(*args, stdin="", env=None):
    """sipcred-user with a clean environment (plus env); text results."""
    result = subprocess.run([os.path.join(BIN, "sipcred-user"), *args], input=stdin.encode(),
                            capture_output=True, timeout=120,
                            env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8", **(env or {})})
    result.stdout = result.stdout.decode("utf-8", "replace")
    result.stderr = result.stderr.decode("utf-8", "replace")
    return result


FLEXISIP_ROWS = ("SELECT a.username, a.domain, p.algorithm, p.password FROM accounts a "
                 "JOIN passwords p ON p.account_id = a.id ORDER BY a.username, p.algorithm")
ORPHANS = ("SELECT COUNT(*) FROM passwords p WHERE NOT EXISTS "
           "(SELECT 1 FROM accounts a WHERE a.id = p.account_id)")


class Backend:
    """One database: its locator (without a password) and its rows, read by the server's own
    client (psql, mariadb) or Python's sqlite3, never through sipcred."""
    name = ""

    def rows(self, query):
        raise NotImplementedError

    def count(self, table):
        return int(self.rows(f"SELECT COUNT(*) FROM {table}")[0][0])


class PostgreSQLBackend(Backend):
    name = "postgresql"

    def __init__(self):
        self.server = PostgreSQL()
        self.locator = self.server.locator

    def sql(self, statement, database="sipcred"):
        return self.server.sql(statement, database)

    def rows(self, query):
        return [tuple(line.split("|")) for line in self.sql(query).splitlines()]

    def reset(self):
        self.sql("DROP DATABASE IF EXISTS sipcred WITH (FORCE)", "postgres")
        self.sql("CREATE DATABASE sipcred", "postgres")

    def stop(self):
        self.server.stop()


class MariaDBBackend(Backend):
    name = "mariadb"

    def __init__(self):
        self.server = MariaDB()
        # servers.MariaDB skips the grant tables: load them, so that users and privileges count
        # (root@localhost keeps its empty password).
        self.server.sql("FLUSH PRIVILEGES")
        self.locator = self.server.locator

    def sql(self, statement, database="sipcred"):
        return self.server.sql(statement, database)

    def rows(self, query):
        return [tuple(line.split("\t")) for line in self.sql(query).splitlines()]

    def reset(self):
        self.server.sql("DROP DATABASE IF EXISTS sipcred; CREATE DATABASE sipcred")

    def stop(self):
        self.server.stop()


class SQLiteBackend(Backend):
    name = "sqlite"

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="sipcred-it-sqlite-")
        self.serial = 0
        self.reset()

    def rows(self, query):
        conn = sqlite3.connect(self.path)
        try:
            return [tuple("NULL" if v is None else str(v) for v in row)
                    for row in conn.execute(query)]
        finally:
            conn.close()

    def reset(self):
        self.serial += 1
        self.path = os.path.join(self.dir.name, f"db{self.serial}.db")
        self.locator = f"sqlite3://db={self.path}"

    def stop(self):
        self.dir.cleanup()


class OnDatabase:
    killed_import = KILLED_IMPORT
    """The tests every backend passes; a subclass names the backend (one server per class)."""
    backend_class = None

    @classmethod
    def setUpClass(cls):
        cls.db = cls.backend_class()

    @classmethod
    def tearDownClass(cls):
        cls.db.stop()

    def setUp(self):
        self.db.reset()
        self._tmp = tempfile.TemporaryDirectory(prefix="sipcred-it-user-")
        self.tmp = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def file(self, name, content, mode=0o600):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def ok(self, *args, stdin="", env=None):
        r = user(*args, stdin=stdin, env=env)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stdout}{r.stderr}")
        return r

    def init(self, schema="flexisip"):
        self.ok("init", self.db.locator, "--schema", schema)

    def snapshot(self, schema="flexisip"):
        if schema == "kamailio":
            return (self.db.rows("SELECT username, domain, password, ha1, ha1b FROM subscriber "
                                 "ORDER BY username"),
                    self.db.rows("SELECT table_name, table_version FROM version"))
        return (self.db.rows("SELECT id, username, domain FROM accounts ORDER BY id"),
                self.db.rows("SELECT account_id, algorithm, password FROM passwords "
                             "ORDER BY account_id, algorithm"))

    # (a) Concurrent writers: every add lands, with its own hashes.
    def concurrent_adds(self, schema):
        self.init(schema)
        password_files = {}
        for w in range(WORKERS):
            for i in range(ADDS):
                name = f"w{w}u{i}"
                password_files[name] = self.file(f"{name}.pw", f"pw-{name}-{schema}\n")
        results, lock = [], threading.Lock()

        def worker(w):
            for i in range(ADDS):
                name = f"w{w}u{i}"
                proc = subprocess.Popen(
                    [os.path.join(BIN, "sipcred-user"), "add", self.db.locator, "--schema", schema,
                     f"{name}@conc.example.org", "--password-file", password_files[name]],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})
                out, err = proc.communicate(timeout=120)
                with lock:
                    results.append((name, proc.returncode, err.decode("utf-8", "replace")))

        threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        failed = [r for r in results if r[1] != 0]
        self.assertEqual(len(results), WORKERS * ADDS)
        self.assertEqual(failed, [], f"{len(failed)} adds failed, e.g. {failed[:3]}")
        expected = {}
        for name in password_files:
            pw = f"pw-{name}-{schema}"
            if schema == "kamailio":
                expected[name] = ("", md5(f"{name}:conc.example.org:{pw}"),
                                  md5(f"{name}@conc.example.org:conc.example.org:{pw}"))
            else:
                expected[name] = {"MD5": md5(f"{name}:conc.example.org:{pw}"),
                                  "SHA-256": sha256(f"{name}:conc.example.org:{pw}")}
        if schema == "kamailio":
            got = {u: (p, h, hb) for u, d, p, h, hb in self.snapshot("kamailio")[0]
                   if d == "conc.example.org"}
            self.assertEqual(self.db.count("subscriber"), WORKERS * ADDS)
        else:
            got = {}
            for u, d, alg, h in self.db.rows(FLEXISIP_ROWS):
                self.assertEqual(d, "conc.example.org")
                got.setdefault(u, {})[alg] = h
            self.assertEqual(self.db.count("accounts"), WORKERS * ADDS)
            self.assertEqual(self.db.count("passwords"), 2 * WORKERS * ADDS)
            self.assertEqual(self.db.rows(ORPHANS), [("0",)])
        self.assertEqual(len(got), WORKERS * ADDS)
        wrong = [n for n in expected if got.get(n) != expected[n]]
        self.assertEqual(wrong, [], f"{len(wrong)} users with wrong hashes, e.g. {wrong[:3]}")

    def test_concurrent_adds_flexisip_schema(self):
        self.concurrent_adds("flexisip")

    def test_concurrent_adds_kamailio_schema(self):
        self.concurrent_adds("kamailio")

    def test_concurrent_adds_of_one_user(self):
        """16 processes add the same user at once: one wins, the others are told it exists (1)
        or was added meanwhile (75), and the user has one row and the winner's hashes."""
        self.init()
        files = [self.file(f"same{i}.pw", f"same-Pw-{i}\n") for i in range(WORKERS)]
        procs = [subprocess.Popen([os.path.join(BIN, "sipcred-user"), "add", self.db.locator,
                                   "same@conc.example.org", "--password-file", path],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, env={"PATH": CLEAN_PATH,
                                                               "LC_ALL": "C.UTF-8"})
                 for path in files]
        codes = []
        for proc in procs:
            proc.wait(timeout=120)
            err = proc.stderr.read().decode()
            proc.stderr.close()
            codes.append(proc.returncode)
            self.assertIn(proc.returncode, (0, 1, 75), err)
            self.assertNotIn("same-Pw-", err)
        self.assertEqual(codes.count(0), 1, codes)
        winner = codes.index(0)
        self.assertEqual(self.db.count("accounts"), 1)
        self.assertEqual(self.db.rows(FLEXISIP_ROWS), [
            ("same", "conc.example.org", "MD5", md5(f"same:conc.example.org:same-Pw-{winner}")),
            ("same", "conc.example.org", "SHA-256",
             sha256(f"same:conc.example.org:same-Pw-{winner}"))])

    # (b) A command killed midway: none of its users or all, never half an account.
    def import_list(self, n):
        return self.file("list.csv", "identity,password\n" +
                         "".join(f"k{i}@kill.example.org,kill-pw-{i}\n" for i in range(n)))

    def start_import_and_kill(self, list_path):
        """Starts the import, kills it (SIGKILL) once it is writing; returns what it had done
        then (the backend's own evidence) for the message."""
        raise NotImplementedError

    def test_killed_import_leaves_none_or_all(self):
        self.init()
        self.ok("add", self.db.locator, "before@kill.example.org", "--password-stdin",
                stdin="before-Pw\n")
        before = self.snapshot()
        list_path = self.import_list(self.killed_import)
        evidence = self.start_import_and_kill(list_path)
        accounts = self.db.count("accounts")
        self.assertIn(accounts, (1, 1 + self.killed_import), evidence)
        self.assertEqual(self.db.rows(ORPHANS), [("0",)])
        self.assertEqual(self.db.count("passwords"), 2 * accounts)
        if accounts == 1:
            self.assertEqual(self.snapshot(), before)
        # The table is whole: the same list imports again, every user new (none half there).
        r = self.ok("import", self.db.locator, "--from", list_path)
        if accounts == 1:
            self.assertIn(f"{self.killed_import} added, 0 rotated", r.stderr)
        self.assertEqual(self.db.count("accounts"), 1 + self.killed_import)
        self.assertEqual(self.db.rows("SELECT p.password FROM accounts a JOIN passwords p ON "
                                      "p.account_id = a.id WHERE a.username = 'k777' AND "
                                      "p.algorithm = 'MD5'"),
                         [(md5("k777:kill.example.org:kill-pw-777"),)])

    # (e) Missing tables, a foreign version, --dry-run.
    def test_missing_tables_are_66_and_named(self):
        if self.db.name == "sqlite":  # a database file without sipcred's tables
            self.exec("CREATE TABLE unrelated (x INTEGER)")
        r = user("list", self.db.locator)
        self.assertEqual(r.returncode, 66, r.stderr)
        self.assertIn('no table "accounts"', r.stderr)
        self.assertIn(self.db.locator.split("://")[0], r.stderr)
        self.init("kamailio")
        self.exec("DROP TABLE subscriber")
        pw = self.file("pw", "s3cret-Pw\n")
        r = user("add", self.db.locator, "--schema", "kamailio", "a@example.org",
                 "--password-file", pw)
        self.assertEqual(r.returncode, 66, r.stderr)
        self.assertIn('no table "subscriber" of the kamailio schema', r.stderr)
        self.assertNotIn("s3cret-Pw", r.stdout + r.stderr)

    def exec(self, statement):
        if self.db.name == "sqlite":
            conn = sqlite3.connect(self.db.path)
            with conn:
                conn.execute(statement)
            conn.close()
        else:
            self.db.sql(statement)

    def test_kamailio_version_6_is_65_and_nothing_written(self):
        self.init("kamailio")
        self.exec("UPDATE version SET table_version = 6 WHERE table_name = 'subscriber'")
        pw = self.file("pw", "s3cret-Pw\n")
        r = user("add", self.db.locator, "--schema", "kamailio", "a@example.org",
                 "--password-file", pw)
        self.assertEqual(r.returncode, 65, r.stderr)
        self.assertIn("version 6", r.stderr)
        self.assertIn("version 7", r.stderr)
        self.assertEqual(self.db.count("subscriber"), 0)
        # init keeps a table it did not make, and says so by refusing it the same way.
        self.assertEqual(user("init", self.db.locator, "--schema", "kamailio").returncode, 65)
        self.assertEqual(self.db.rows("SELECT table_version FROM version"), [("6",)])

    def dry_runs(self, schema):
        self.init(schema)
        pw = self.file("pw", "dry-Pw-1\n")
        self.ok("add", self.db.locator, "--schema", schema, "alice@example.org",
                "--password-file", pw)
        before = self.snapshot(schema)
        new_pw = self.file("new.pw", "dry-Pw-2\n")
        lists = self.file("l.csv", "identity,password\nbob@example.org,dry-Pw-3\n"
                                   "alice@example.org,dry-Pw-4\n")
        algorithm = "MD5" if schema == "kamailio" else "MD5, SHA-256"
        cases = [
            (["add", "bob@example.org", "--password-file", new_pw],
             [f"dry run: would add bob@example.org ({algorithm})"]),
            (["rotate", "alice@example.org", "--password-file", new_pw],
             [f"dry run: would rotate alice@example.org ({algorithm})"]),
            (["remove", "alice@example.org"], ["dry run: would remove alice@example.org"]),
            (["import", "--from", lists],
             [f"dry run: would add bob@example.org ({algorithm})",
              f"dry run: would rotate alice@example.org ({algorithm})"]),
        ]
        for args, lines in cases:
            with self.subTest(command=args[0]):
                r = self.ok(args[0], self.db.locator, "--schema", schema, "--dry-run", *args[1:])
                out = r.stdout.splitlines()
                self.assertEqual(out[:-1], lines)
                self.assertTrue(out[-1].startswith("dry run: ") and
                                out[-1].endswith(": nothing was written"), r.stdout)
                self.assertNotIn("dry-Pw", r.stdout + r.stderr)
                self.assertEqual(self.snapshot(schema), before)
        # The same rotation without --dry-run does change the rows: the snapshot can tell.
        self.ok("rotate", self.db.locator, "--schema", schema, "alice@example.org",
                "--password-file", new_pw)
        self.assertNotEqual(self.snapshot(schema), before)

    def test_dry_run_writes_nothing_flexisip(self):
        self.dry_runs("flexisip")

    def test_dry_run_writes_nothing_kamailio(self):
        self.dry_runs("kamailio")

    # (f) The JSON of list and show: the same keys, and values, as a userdb's.
    def test_json_matches_a_userdb(self):
        userdb = os.path.join(self.tmp, "users")
        self.ok("init", userdb)
        self.init()
        accounts = [("alice@example.org", []), ("bob@example.org", ["-a", "md5"]),
                    ("carol@example.org", ["-a", "sha256"]), ("dave@example.org", ["--clrtxt"])]
        for store in (userdb, self.db.locator):
            for identity, options in accounts:
                self.ok("add", store, identity, *options, "--password-stdin",
                        stdin=f"json-Pw-{identity[0]}\n")
        from_file = json.loads(self.ok("list", "--json", userdb).stdout)
        from_db = json.loads(self.ok("list", "--json", self.db.locator).stdout)
        self.assertEqual(len(from_db), len(accounts))
        self.assertEqual([sorted(o) for o in from_db], [sorted(o) for o in from_file])
        self.assertEqual(sorted(from_db, key=lambda o: o["identity"]),
                         sorted(from_file, key=lambda o: o["identity"]))
        for identity, _ in accounts:
            with self.subTest(identity=identity):
                shown_file = json.loads(self.ok("show", "--json", userdb, identity).stdout)
                shown_db = json.loads(self.ok("show", "--json", self.db.locator, identity).stdout)
                self.assertEqual(sorted(shown_db), sorted(shown_file))
                self.assertIsInstance(shown_file["line"], int)
                self.assertIsNone(shown_db["line"])  # a database has no lines
                del shown_file["line"], shown_db["line"]
                self.assertEqual(shown_db, shown_file)


class OnServer(OnDatabase):
    """What only a server has: database users with privileges and passwords."""

    def writing(self):
        """What shows the import started by start_import_and_kill writing (its message), or
        None while it does not yet."""
        raise NotImplementedError

    def open_sessions(self):
        """The sessions on the test database other than the caller's."""
        raise NotImplementedError

    def start_import_and_kill(self, list_path):
        proc = subprocess.Popen([os.path.join(BIN, "sipcred-user"), "import", self.db.locator,
                                 "--from", list_path], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})
        deadline = time.monotonic() + 60
        evidence = self.writing()
        while evidence is None and proc.poll() is None:
            self.assertLess(time.monotonic(), deadline, "the import never wrote")
            time.sleep(0.02)
            evidence = self.writing()
        proc.send_signal(signal.SIGKILL)
        code = proc.wait()
        err = proc.stderr.read().decode()
        proc.stderr.close()
        self.assertEqual(code, -signal.SIGKILL, f"the import ended before the kill: {err}")
        self.assertNotIn("imported", err)
        # The server ends the killed client's session (and rolls its transaction back) itself.
        deadline = time.monotonic() + 30
        while self.open_sessions() != 0:
            self.assertLess(time.monotonic(), deadline, "the killed session stayed")
            time.sleep(0.05)
        return evidence

    # (f) A user who may not create temporary tables (a hardened database): an import still
    # works, account by account, and makes the rows the set-based one makes.
    def without_temporary_tables(self):
        """A context manager giving the locator of such a user."""
        raise NotImplementedError

    def test_import_without_temporary_tables(self):
        self.init()
        self.ok("add", self.db.locator, "old@notemp.example.org", "--password-stdin",
                stdin="old-Pw-0\n")
        list_path = self.file("notemp.csv", "identity,password\nold@notemp.example.org,old-Pw-1\n"
                                            "new@notemp.example.org,new-Pw-1\n")
        with self.without_temporary_tables() as locator:
            r = self.ok("import", locator, "--from", list_path)
        self.assertIn("1 added, 1 rotated", r.stderr)
        self.assertEqual(self.db.rows(FLEXISIP_ROWS), [
            ("new", "notemp.example.org", "MD5", md5("new:notemp.example.org:new-Pw-1")),
            ("new", "notemp.example.org", "SHA-256", sha256("new:notemp.example.org:new-Pw-1")),
            ("old", "notemp.example.org", "MD5", md5("old:notemp.example.org:old-Pw-1")),
            ("old", "notemp.example.org", "SHA-256", sha256("old:notemp.example.org:old-Pw-1"))])

    def read_only_locator(self):
        raise NotImplementedError

    # (c) A read-only user: refused with 77, nothing written, the store named, no password.
    def test_read_only_user(self):
        self.init()
        self.ok("add", self.db.locator, "alice@example.org", "--password-stdin",
                stdin="alice-Pw-1\n")
        before = self.snapshot()
        locator = self.read_only_locator()
        pw = self.file("pw", "ro-User-Pw-5\n")
        for args in (["add", locator, "bob@example.org", "--password-file", pw],
                     ["rotate", locator, "alice@example.org", "--password-file", pw],
                     ["remove", locator, "alice@example.org"]):
            with self.subTest(command=args[0]):
                r = user(*args)
                self.assertEqual(r.returncode, 77, r.stdout + r.stderr)
                self.assertTrue(r.stderr.startswith(f"sipcred-user: {locator}: "), r.stderr)
                self.assertNotIn("ro-User-Pw-5", r.stdout + r.stderr)
                self.assertNotIn("alice-Pw-1", r.stdout + r.stderr)
                self.assertEqual(self.snapshot(), before)
        listed = self.ok("list", locator)
        self.assertIn("alice@example.org", listed.stdout)
        self.assertEqual(len(listed.stdout.splitlines()), 2)  # header and alice

    # (d) The database password from the environment, a file or stdin, never echoed.
    def password_locator(self):
        raise NotImplementedError

    def assert_no_password(self, result):
        text = result.stdout + result.stderr
        for secret in (DB_PASSWORD, WRONG_DB_PASSWORD, "user-Pw-"):
            self.assertNotIn(secret, text)

    def added_with(self, name, env=None, stdin=""):
        """add name@pw.example.org through the password user; checks its MD5 row."""
        pw = self.file(f"{name}.pw", f"user-Pw-{name}\n")
        args = ["add", self.password_locator(), f"{name}@pw.example.org", "--password-file", pw]
        if stdin:
            args.append("--db-password-stdin")
        r = user(*args, stdin=stdin, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_no_password(r)
        self.assertEqual(self.db.rows(
            "SELECT p.password FROM accounts a JOIN passwords p ON p.account_id = a.id WHERE "
            f"a.username = '{name}' AND p.algorithm = 'MD5'"),
            [(md5(f"{name}:pw.example.org:user-Pw-{name}"),)])

    def refused_with(self, env=None, stdin=""):
        pw = self.file("refused.pw", "user-Pw-refused\n")
        args = ["add", self.password_locator(), "refused@pw.example.org", "--password-file", pw]
        if stdin:
            args.append("--db-password-stdin")
        r = user(*args, stdin=stdin, env=env)
        self.assertEqual(r.returncode, 69, r.stderr)  # the server cannot be used: unavailable
        self.assertIn("cannot connect to " + self.password_locator(), r.stderr)
        self.assert_no_password(r)
        return r

    def check_password_sources(self, env_name):
        self.init()
        self.grant_password_user()
        # The control: without a password the server refuses the user.
        self.refused_with()
        self.added_with("viaenv", env={env_name: DB_PASSWORD})
        self.refused_with(env={env_name: WRONG_DB_PASSWORD})
        self.added_with("viastdin", stdin=DB_PASSWORD + "\n")
        r = self.refused_with(stdin=WRONG_DB_PASSWORD + "\n")
        self.assertIn("password=***", r.stderr)  # the password it was given, masked
        listed = self.ok("list", self.password_locator(), env={env_name: DB_PASSWORD})
        self.assertEqual(len(listed.stdout.splitlines()), 3)
        self.assert_no_password(listed)
        # A password written in the locator itself is masked in every message too.
        key = "password" if self.db.name == "postgresql" else "pass"
        r = user("list", f"{self.password_locator()} {key}={WRONG_DB_PASSWORD}")
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertIn(f"{key}=***", r.stderr)
        self.assert_no_password(r)
        self.assertEqual(self.db.count("accounts"), 2)  # refused ones wrote nothing


@unittest.skipUnless(os.path.exists("/usr/lib/postgresql"),
                     "PostgreSQL is not installed (scripts/install-deps)")
class PostgreSQLUser(OnServer, unittest.TestCase):
    backend_class = PostgreSQLBackend

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        server = cls.db.server
        server.sql("CREATE ROLE ro LOGIN")
        server.sql("CREATE ROLE notemp LOGIN")
        server.sql(f"CREATE ROLE pwu LOGIN PASSWORD '{DB_PASSWORD}'")
        # pwu must give a password (scram) where the others are trusted.
        hba = os.path.join(server.data, "pg_hba.conf")
        with open(hba) as f:
            rules = f.read()
        with open(hba, "w") as f:
            f.write("host all pwu 127.0.0.1/32 scram-sha-256\n" + rules)
        server.sql("SELECT pg_reload_conf()")

    def base(self):
        return f"postgresql://dbname=sipcred host=127.0.0.1 port={self.db.server.port}"

    def read_only_locator(self):
        self.db.sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO ro")
        return self.base() + " user=ro"

    def password_locator(self):
        return self.base() + " user=pwu"

    def grant_password_user(self):
        self.db.sql("GRANT ALL ON ALL TABLES IN SCHEMA public TO pwu; "
                    "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO pwu")

    @contextlib.contextmanager
    def without_temporary_tables(self):
        # TEMPORARY is PUBLIC's by default: taken from every user but the superuser meanwhile.
        self.db.sql("GRANT ALL ON ALL TABLES IN SCHEMA public TO notemp; "
                    "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO notemp; "
                    "REVOKE TEMPORARY ON DATABASE sipcred FROM PUBLIC")
        try:
            yield self.base() + " user=notemp"
        finally:
            self.db.sql("GRANT TEMPORARY ON DATABASE sipcred TO PUBLIC")

    def test_password_from_pgpassword_and_stdin(self):
        self.check_password_sources("PGPASSWORD")

    def test_password_from_pgpass(self):
        self.init()
        self.grant_password_user()
        home = os.path.join(self.tmp, "home")
        os.mkdir(home)
        pgpass = os.path.join(home, ".pgpass")
        with open(pgpass, "w") as f:
            f.write(f"127.0.0.1:{self.db.server.port}:sipcred:pwu:{DB_PASSWORD}\n")
        os.chmod(pgpass, 0o600)
        self.refused_with(env={"HOME": os.path.join(self.tmp, "nohome")})
        self.added_with("viapgpass", env={"HOME": home})
        with open(pgpass, "w") as f:
            f.write(f"127.0.0.1:{self.db.server.port}:sipcred:pwu:{WRONG_DB_PASSWORD}\n")
        self.refused_with(env={"HOME": home})

    def writing(self):
        # Its transaction holds the row lock of an INSERT into passwords.
        if self.db.sql("SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                       "WHERE c.relname = 'passwords' AND l.mode = 'RowExclusiveLock' AND "
                       "l.pid <> pg_backend_pid()").strip() != "0":
            return "killed while its transaction held passwords' row lock"
        return None

    def open_sessions(self):
        return int(self.db.sql("SELECT COUNT(*) FROM pg_stat_activity WHERE "
                               "datname = 'sipcred' AND pid <> pg_backend_pid()"))

@unittest.skipUnless(os.path.exists("/usr/sbin/mariadbd"),
                     "MariaDB is not installed (scripts/install-deps)")
class MariaDBUser(OnServer, unittest.TestCase):
    # LOAD DATA writes 20000 users before the poll below sees them: a list long enough to be
    # caught writing.
    killed_import = 200000
    backend_class = MariaDBBackend

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A TCP client from 127.0.0.1 is user@localhost (the server resolves its name).
        cls.db.server.sql("CREATE USER 'ro'@'localhost'; "
                          "GRANT SELECT ON sipcred.* TO 'ro'@'localhost'; "
                          f"CREATE USER 'pwu'@'localhost' IDENTIFIED BY '{DB_PASSWORD}'; "
                          "GRANT ALL ON sipcred.* TO 'pwu'@'localhost'; "
                          # What an import writes with, and no CREATE TEMPORARY TABLES.
                          "CREATE USER 'notemp'@'localhost'; "
                          "GRANT SELECT, INSERT, UPDATE, DELETE ON sipcred.* TO "
                          "'notemp'@'localhost'")

    def base(self):
        return f"mysql://db=sipcred host=127.0.0.1 port={self.db.server.port}"

    def read_only_locator(self):
        return self.base() + " user=ro"

    def password_locator(self):
        return self.base() + " user=pwu"

    def grant_password_user(self):
        pass  # granted on the database, which outlives its tables

    @contextlib.contextmanager
    def without_temporary_tables(self):
        yield self.base() + " user=notemp"

    def test_password_from_mysql_pwd_and_stdin(self):
        self.check_password_sources("MYSQL_PWD")

    def writing(self):
        # Well past the start: the import's statement names a user k<N> (its SELECT) or an
        # account id (its INSERT into passwords) past 1000, or is the bulk path's LOAD DATA or
        # INSERT (information_schema.innodb_trx is a cache that may lag behind).
        info = self.db.sql("SELECT info FROM information_schema.processlist WHERE "
                           "id <> CONNECTION_ID() AND db = 'sipcred'")
        if re.search(r"LOAD DATA|INSERT INTO", info):
            return "killed while its bulk path was writing"
        numbers = re.findall(r"'k(\d+)'|VALUES \((\d+),", info)
        progress = max([int(a or b) for a, b in numbers], default=0)
        return f"killed while writing user or account {progress}" if progress > 1000 else None

    def open_sessions(self):
        return int(self.db.sql("SELECT COUNT(*) FROM information_schema.processlist WHERE "
                               "id <> CONNECTION_ID() AND db = 'sipcred'"))

class SQLiteUser(OnDatabase, unittest.TestCase):
    backend_class = SQLiteBackend

    def start_import_and_kill(self, list_path):
        # Stopped (then killed) just before its 600th write to the database file, of ~1100:
        # in the middle of writing the transaction's pages, its rollback journal written.
        proc = start_stopped("sipcred-user", "import", self.db.locator, "--from", list_path,
                             stop=f"write:{self.db.path}:600")
        proc.kill()
        code = proc.wait()
        proc.stderr.close()
        self.assertEqual(code, -signal.SIGKILL)
        self.assertTrue(os.path.exists(self.db.path + "-journal"))  # a hot journal
        return "killed at the 600th write to the database file"


class BadLocators(unittest.TestCase):
    def test_empty_connection_strings_are_usage_errors(self):
        for locator in ("postgresql://", "mysql://", "sqlite3://"):
            with self.subTest(locator=locator):
                r = user("list", locator)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn(f'"{locator}"', r.stderr)
                r = user("add", locator, "a@example.org", "--password-stdin", stdin="bad-Loc-Pw\n")
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertNotIn("bad-Loc-Pw", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
