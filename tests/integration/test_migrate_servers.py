"""sipcred-migrate into real PostgreSQL and MariaDB servers, and Kamailio authenticating the
migrated users (sipsak's REGISTER) from SQLite and from PostgreSQL."""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import unittest

from servers import Kamailio, MariaDB, PostgreSQL, run_tool


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


# Users in the domain sipsak sends From (127.0.0.1), so that Kamailio's $fd finds them.
BOB_MD5 = md5("bob:127.0.0.1:bobpw")
USERS = ("version:1\n"
         "alice@127.0.0.1 clrtxt:alicepw ;\n"
         f"bob@127.0.0.1 md5:{BOB_MD5} ;\n"
         f"carol@127.0.0.1 sha256:{sha256('carol:127.0.0.1:carolpw')} ;\n")


# alice three times: Flexisip uses her last line, and so must every DEST.
REPEATED = ("version:1\n"
            "alice@127.0.0.1 clrtxt:firstpw ;\n"
            f"bob@127.0.0.1 md5:{BOB_MD5} ;\n"
            "alice@127.0.0.1 clrtxt:secondpw ;\n"
            "alice@127.0.0.1 clrtxt:alicepw ;\n")


# USERS run again with alice's password changed and a new account, dave: a conflict run that
# committed anything, or skipped what it should write, shows.
CHANGED = ("version:1\n"
           "alice@127.0.0.1 clrtxt:changedpw ;\n"
           f"bob@127.0.0.1 md5:{BOB_MD5} ;\n"
           "dave@127.0.0.1 clrtxt:davepw ;\n")
FLEXISIP_PASSWORDS = ("select a.username, p.password from accounts a join passwords p on "
                      "p.account_id = a.id order by a.username, p.algorithm")


class WithUserdb(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sipcred-it-")
        self.users = os.path.join(self.tmp, "users")
        with open(self.users, "w") as f:
            f.write(USERS)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def migrate(self, *args, code=0):
        r = run_tool("sipcred-migrate", *args)
        self.assertEqual(r.returncode, code, f"stdout: {r.stdout}\nstderr: {r.stderr}")
        for secret in ("alicepw", "bobpw", "carolpw", "firstpw", "secondpw", "changedpw",
                       "davepw"):
            self.assertNotIn(secret, r.stdout + r.stderr)
        return r

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def conflict_runs(self, destination, passwords):
        """CHANGED into DEST, which holds USERS (Flexisip schema): --on-conflict fail writes
        neither dave nor alice's new password, skip writes dave and keeps alice's old password,
        replace writes both. `passwords()` lists (user, password) as DEST holds them."""
        changed = self.write("changed", CHANGED)
        bob = ("bob", BOB_MD5)
        carol = ("carol", sha256("carol:127.0.0.1:carolpw"))
        self.assertEqual(passwords(), [("alice", "alicepw"), bob, carol])
        r = self.migrate(changed, destination, "--json", code=1)
        report = json.loads(r.stdout)
        self.assertFalse(report["committed"])
        self.assertIn("alice@127.0.0.1",
                      [note["identity"] for note in report["conflicts"]["listed"]])
        self.assertEqual(passwords(), [("alice", "alicepw"), bob, carol])
        r = self.migrate(changed, destination, "--on-conflict", "skip", "--json")
        report = json.loads(r.stdout)
        self.assertEqual((report["committed"], report["inserted"], report["replaced"]),
                         (True, 1, 0))
        self.assertEqual(passwords(), [("alice", "alicepw"), bob, carol, ("dave", "davepw")])
        r = self.migrate(changed, destination, "--on-conflict", "replace", "--json")
        report = json.loads(r.stdout)
        self.assertEqual((report["committed"], report["inserted"], report["replaced"]),
                         (True, 0, 3))
        self.assertEqual(passwords(), [("alice", "changedpw"), bob, carol, ("dave", "davepw")])

    def migrate_repeated(self, destination, *args):
        """REPEATED into DEST: alice's last entry kept, her two earlier ones reported."""
        r = self.migrate(self.write("repeated", REPEATED), destination, "--create-schema",
                         "--verify", "--json", *args)
        report = json.loads(r.stdout)
        self.assertEqual((report["read"], report["inserted"], report["duplicates"]["count"],
                          report["verify"]["differences"]["count"]), (4, 2, 2, 0))
        return report


class PostgreSQLStore(WithUserdb):
    @classmethod
    def setUpClass(cls):
        cls.server = PostgreSQL()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        super().setUp()
        self.server.sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public", "sipcred")

    def test_flexisip_schema_verified_through_the_default_request(self):
        r = self.migrate(self.users, self.server.locator, "--create-schema", "--verify")
        self.assertIn("verified 3 accounts, 0 differences", r.stderr)
        self.assertIn("soci-backend=postgresql", r.stdout)
        self.assertEqual(self.server.sql(
            "select password, algorithm from passwords where account_id = (select id from "
            "accounts where username = 'bob' and domain = '127.0.0.1' and activated = true)",
            "sipcred"), f"{BOB_MD5}|MD5\n")
        # A conflicting run writes nothing; replace gives the clean result again.
        r = self.migrate(self.users, self.server.locator, code=1)
        self.assertIn("conflict: alice@127.0.0.1", r.stderr)
        self.assertEqual(self.server.sql("select count(*) from passwords", "sipcred"), "3\n")
        self.migrate(self.users, self.server.locator, "--on-conflict", "replace", "--verify")
        self.assertEqual(self.server.sql("select count(*) from passwords", "sipcred"), "3\n")
        self.conflict_runs(self.server.locator, lambda: [
            tuple(line.split("|")) for line in
            self.server.sql(FLEXISIP_PASSWORDS, "sipcred").splitlines()])

    def test_database_error_leaves_the_destination_as_it_was(self):
        self.migrate(self.users, self.server.locator, "--schema", "kamailio", "--create-schema",
                     "--skip-unconvertible")
        # A refusal sipcred cannot foresee (a constraint of this database's own) comes midway,
        # after zed's row went in: the transaction takes zed back out.
        self.server.sql("alter table subscriber add constraint no_yan check (username <> 'yan')",
                        "sipcred")
        later = os.path.join(self.tmp, "later")
        with open(later, "w") as f:
            f.write("version:1\nzed@127.0.0.1 clrtxt:zedpw ;\nyan@127.0.0.1 clrtxt:yanpw ;\n")
        r = self.migrate(later, self.server.locator, "--schema", "kamailio", code=65)
        self.assertIn("no_yan", r.stderr)
        self.assertEqual(self.server.sql("select username from subscriber order by id",
                                         "sipcred"), "alice\nbob\n")
        # Kamailio's username column is VARCHAR(64): a longer one is refused before anything
        # is written (it would fail midway), and named.
        long = os.path.join(self.tmp, "long")
        with open(long, "w") as f:
            f.write("version:1\nzed@127.0.0.1 clrtxt:zedpw ;\n"
                    + "y" * 70 + "@127.0.0.1 clrtxt:yanpw ;\n")
        r = self.migrate(long, self.server.locator, "--schema", "kamailio", code=1)
        self.assertIn("longer than the 64 characters", r.stderr)
        self.assertEqual(self.server.sql("select username from subscriber order by id",
                                         "sipcred"), "alice\nbob\n")

    def test_copy_carries_every_byte_an_sql_store_holds(self):
        # What a userdb cannot hold but SQL can: COPY's column separator, its escape character
        # (and its end-of-data line), line ends, UTF-8. SQLite -> PostgreSQL (COPY) -> SQLite.
        source = os.path.join(self.tmp, "odd.db")
        self.migrate(self.write("empty", "version:1\n"), f"sqlite3://db={source}",
                     "--create-schema")
        odd = [("tab\tuser", "127.0.0.1", None, "pass\tword"),
               ("back\\slash", "127.0.0.1", "+33\\6", "\\N"),
               ("new\nline", "127.0.0.1", "\t", "cr\r\nlf\n"),
               ("j\u00e9r\u00f4me", "ex\u00e4mple.org", "\u260e", "p\u00e4ssw\u00f6rd"),
               ("\\.", "127.0.0.1", None, "\\.")]
        with sqlite3.connect(source) as connection:
            for i, (user, domain, phone, password) in enumerate(odd, 1):
                connection.execute("insert into accounts values (?, ?, ?, ?, 1)",
                                   (i, user, domain, phone))
                connection.execute("insert into passwords (account_id, password, algorithm) "
                                   "values (?, ?, 'CLRTXT')", (i, password))
        self.migrate(f"sqlite3://db={source}", self.server.locator, "--create-schema",
                     "--verify")
        back = os.path.join(self.tmp, "back.db")
        self.migrate(self.server.locator, f"sqlite3://db={back}", "--create-schema")
        query = ("select username, domain, phone, password from accounts a join passwords p on "
                 "p.account_id = a.id order by username")
        with sqlite3.connect(back) as connection:
            self.assertEqual(connection.execute(query).fetchall(), sorted(odd))

    def test_repeated_accounts_and_ids_ahead_of_the_sequences(self):
        # Rows were deleted before: the sequence is ahead of the (empty) table.
        self.migrate(self.write("empty", "version:1\n"), self.server.locator, "--create-schema")
        self.server.sql("select setval(pg_get_serial_sequence('accounts', 'id'), 1000)",
                        "sipcred")

        def ids_come_from_the_sequences():
            for table in ("accounts", "passwords"):
                self.assertEqual(self.server.sql(
                    f"select nextval(pg_get_serial_sequence('{table}', 'id')) > max(id) "
                    f"from {table}", "sipcred"), "t\n", table)
            self.assertEqual(self.server.sql("select min(id) > 1000 from accounts", "sipcred"),
                             "t\n")

        self.migrate(self.users, self.server.locator)  # COPY
        ids_come_from_the_sequences()
        # What Flexisip's tools insert next fits.
        self.server.sql("insert into accounts (username, domain, activated) values "
                        "('zoe', '127.0.0.1', true); insert into passwords (account_id, password, "
                        "algorithm) select id, 'zoepw', 'CLRTXT' from accounts where "
                        "username = 'zoe'", "sipcred")
        # Repeats: the COPY of the batch is refused, and the batch replayed account by account.
        self.server.sql("delete from passwords; delete from accounts", "sipcred")
        self.migrate_repeated(self.server.locator)
        self.assertEqual(self.server.sql(
            "select p.password from passwords p join accounts a on a.id = p.account_id "
            "where a.username = 'alice'", "sipcred"), "alicepw\n")
        ids_come_from_the_sequences()
        # Into a table holding rows (no COPY: each account is looked up), and Kamailio's.
        more = self.write("more", "version:1\nerin@127.0.0.1 clrtxt:erinpw ;\n"
                                  "erin@127.0.0.1 clrtxt:erinpw2 ;\n")
        r = self.migrate(more, self.server.locator, "--json", "--verify")
        self.assertEqual(json.loads(r.stdout)["duplicates"]["count"], 1)
        self.assertEqual(self.server.sql("select username from accounts order by username",
                                         "sipcred"), "alice\nbob\nerin\n")
        self.migrate_repeated(self.server.locator, "--schema", "kamailio")
        self.assertEqual(self.server.sql("select password from subscriber where username = "
                                         "'alice'", "sipcred"), "alicepw\n")

    def test_sqlite_to_postgresql_and_back(self):
        db = os.path.join(self.tmp, "f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        self.migrate(f"sqlite3://db={db}", self.server.locator, "--create-schema", "--verify")
        back = os.path.join(self.tmp, "back")
        self.migrate(self.server.locator, back, "--verify")
        with open(back) as f:
            self.assertEqual(f.read(), USERS)

    def test_kamailio_authenticates_migrated_users_from_postgresql(self):
        r = self.migrate(self.users, self.server.locator, "--schema", "kamailio",
                         "--create-schema", "--skip-unconvertible", "--verify")
        self.assertIn(f'"postgres://postgres@127.0.0.1:{self.server.port}/sipcred"', r.stdout)
        kamailio = Kamailio(r.stdout)
        try:
            self.assertEqual(kamailio.register("alice", "127.0.0.1", "alicepw"), 0)
            self.assertEqual(kamailio.register("bob", "127.0.0.1", "bobpw"), 0)
            self.assertNotEqual(kamailio.register("alice", "127.0.0.1", "wrong"), 0)
            self.assertNotEqual(kamailio.register("carol", "127.0.0.1", "carolpw"), 0)
        finally:
            kamailio.stop()


class KamailioOnSqlite(WithUserdb):
    def test_migrated_users_register_and_wrong_passwords_fail(self):
        db = os.path.join(self.tmp, "k.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "--skip-unconvertible")
        kamailio = Kamailio(r.stdout)
        try:
            self.assertEqual(kamailio.register("alice", "127.0.0.1", "alicepw"), 0)
            self.assertEqual(kamailio.register("bob", "127.0.0.1", "bobpw"), 0)
            self.assertNotEqual(kamailio.register("alice", "127.0.0.1", "alicepw2"), 0)
            self.assertNotEqual(kamailio.register("bob", "127.0.0.1", "alicepw"), 0)
            # The digest username user@domain: auth_db reads ha1b, what --verify checks. bob has
            # no clear text, so no ha1b.
            self.assertEqual(kamailio.register("alice", "127.0.0.1", "alicepw",
                                               username="alice@127.0.0.1"), 0)
            self.assertNotEqual(kamailio.register("bob", "127.0.0.1", "bobpw",
                                                  username="bob@127.0.0.1"), 0)
            with sqlite3.connect(db) as connection:
                connection.execute("update subscriber set ha1b = ha1 where username = 'alice'")
            self.assertNotEqual(kamailio.register("alice", "127.0.0.1", "alicepw",
                                                  username="alice@127.0.0.1"), 0)
            self.assertEqual(kamailio.register("alice", "127.0.0.1", "alicepw"), 0)
        finally:
            kamailio.stop()


class MariaDBStore(WithUserdb):
    @classmethod
    def setUpClass(cls):
        cls.server = MariaDB()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        super().setUp()
        self.server.sql("DROP DATABASE IF EXISTS sipcred; CREATE DATABASE sipcred")

    def test_flexisip_schema(self):
        r = self.migrate(self.users, self.server.locator, "--create-schema", "--verify")
        self.assertIn("soci-backend=mysql", r.stdout)
        self.assertEqual(self.server.sql(
            "select a.username, p.password, p.algorithm from accounts a join passwords p on "
            "p.account_id = a.id order by a.id", "sipcred"),
            f"alice\talicepw\tCLRTXT\nbob\t{BOB_MD5}\tMD5\n"
            f"carol\t{sha256('carol:127.0.0.1:carolpw')}\tSHA-256\n")
        r = self.migrate(self.users, self.server.locator, code=1)
        self.assertIn("conflict: carol@127.0.0.1", r.stderr)
        self.conflict_runs(self.server.locator, lambda: [
            tuple(line.split("\t")) for line in
            self.server.sql(FLEXISIP_PASSWORDS, "sipcred").splitlines()])

    def test_kamailio_and_opensips_schemas(self):
        self.migrate(self.users, self.server.locator, "--schema", "kamailio", "--create-schema",
                     "--skip-unconvertible", "--verify")
        self.assertEqual(self.server.sql("select username, ha1, ha1b from subscriber order by id",
                                         "sipcred"),
                         f"alice\t{md5('alice:127.0.0.1:alicepw')}\t"
                         f"{md5('alice@127.0.0.1:127.0.0.1:alicepw')}\nbob\t{BOB_MD5}\t\n")
        self.assertEqual(self.server.sql("select table_version from version where "
                                         "table_name = 'subscriber'", "sipcred"), "7\n")
        # A database error midway (the unique key) rolls the whole run back.
        self.server.sql("DROP DATABASE sipcred; CREATE DATABASE sipcred")
        self.migrate(self.users, self.server.locator, "--schema", "opensips", "--create-schema",
                     "--verify")
        self.assertEqual(self.server.sql("select username, ha1_sha256 from subscriber where "
                                         "username = 'carol'", "sipcred"),
                         f"carol\t{sha256('carol:127.0.0.1:carolpw')}\n")

    def test_bulk_load_carries_every_byte_with_or_without_local_infile(self):
        """The bulk path: LOAD DATA LOCAL INFILE from memory, or multi-row INSERTs on a server
        that refuses it. Bytes LOAD DATA escapes (tab, backslash, line ends, its \\N), quotes
        an INSERT escapes, UTF-8, and more accounts than one batch."""
        source = os.path.join(self.tmp, "odd.db")
        self.migrate(self.write("empty", "version:1\n"), f"sqlite3://db={source}",
                     "--create-schema")
        odd = [("tab\tuser", "127.0.0.1", None, "pass\tword"),
               ("back\\slash", "127.0.0.1", "+33\\6", "\\N"),
               ("new\nline", "127.0.0.1", "\t", "cr\r\nlf\n"),
               ("o'brien", "127.0.0.1", "\"", "it's"),
               ("j\u00e9r\u00f4me", "ex\u00e4mple.org", "\u260e", "p\u00e4ssw\u00f6rd")]
        odd += [(f"user{i}", "127.0.0.1", None, f"pw{i}") for i in range(25000)]
        with sqlite3.connect(source) as connection:
            for i, (user, domain, phone, password) in enumerate(odd, 1):
                connection.execute("insert into accounts values (?, ?, ?, ?, 1)",
                                   (i, user, domain, phone))
                connection.execute("insert into passwords (account_id, password, algorithm) "
                                   "values (?, ?, 'CLRTXT')", (i, password))
        query = ("select username, domain, phone, password from accounts a join passwords p on "
                 "p.account_id = a.id order by username")
        for local_infile in ("ON", "OFF"):
            with self.subTest(local_infile=local_infile):
                # A latin1 database cannot hold the telephone sign: refused, never replaced.
                self.server.sql(f"SET GLOBAL local_infile = {local_infile}; DROP DATABASE IF "
                                "EXISTS sipcred; CREATE DATABASE sipcred CHARACTER SET latin1")
                try:
                    r = self.migrate(f"sqlite3://db={source}", self.server.locator,
                                     "--create-schema", code=65)
                    self.assertIn("Incorrect string value", r.stderr)
                    self.assertEqual(self.server.sql("select count(*) from accounts",
                                                     "sipcred"), "0\n")
                    self.server.sql("DROP DATABASE sipcred; CREATE DATABASE sipcred "
                                    "CHARACTER SET utf8mb4")
                    self.migrate(f"sqlite3://db={source}", self.server.locator,
                                 "--create-schema")
                finally:
                    self.server.sql("SET GLOBAL local_infile = ON")
                back = os.path.join(self.tmp, f"back-{local_infile}.db")
                self.migrate(self.server.locator, f"sqlite3://db={back}", "--create-schema")
                with sqlite3.connect(back) as connection:
                    self.assertEqual(connection.execute(query).fetchall(), sorted(odd))

    def test_repeated_accounts(self):
        self.migrate_repeated(self.server.locator)
        self.assertEqual(self.server.sql(
            "select p.password from passwords p join accounts a on a.id = p.account_id "
            "where a.username = 'alice'", "sipcred"), "alicepw\n")
        self.migrate_repeated(self.server.locator, "--schema", "kamailio")
        self.assertEqual(self.server.sql("select password from subscriber where username = "
                                         "'alice'", "sipcred"), "alicepw\n")

    def test_unreachable_server(self):
        r = run_tool("sipcred-migrate", self.users,
                     "mysql://db=sipcred host=127.0.0.1 port=9 user=root password=s3cret")
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertNotIn("s3cret", r.stderr)


class MariaDBPasswordFromEnvironment(WithUserdb):
    """A MySQL password need not be on the command line: the client library reads MYSQL_PWD.
    A server of its own, since checking passwords turns privileges on for every session."""

    @classmethod
    def setUpClass(cls):
        cls.server = MariaDB()
        cls.server.sql("FLUSH PRIVILEGES; CREATE USER 'sip'@'%' IDENTIFIED BY 'Db-Pw-7'; "
                       "GRANT ALL PRIVILEGES ON sipcred.* TO 'sip'@'%'")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_mysql_pwd(self):
        locator = f"mysql://db=sipcred host=127.0.0.1 port={self.server.port} user=sip"
        refused = run_tool("sipcred-migrate", self.users, locator, "--create-schema",
                           env={"MYSQL_PWD": "Wrong-Pw-3"})
        self.assertEqual(refused.returncode, 69, refused.stderr)
        self.assertNotIn("Wrong-Pw-3", refused.stdout + refused.stderr)
        r = run_tool("sipcred-migrate", self.users, locator, "--create-schema", "--verify",
                     env={"MYSQL_PWD": "Db-Pw-7"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Db-Pw-7", r.stdout + r.stderr)
        self.assertIn("user=sip", r.stdout)  # the printed soci-connection-string


if __name__ == "__main__":
    unittest.main()
