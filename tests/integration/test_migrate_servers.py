"""sipcred-migrate into real PostgreSQL and MariaDB servers, and Kamailio authenticating the
migrated users (sipsak's REGISTER) from SQLite and from PostgreSQL."""
import hashlib
import os
import shutil
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
        for secret in ("alicepw", "bobpw", "carolpw"):
            self.assertNotIn(secret, r.stdout + r.stderr)
        return r


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

    def test_database_error_leaves_the_destination_as_it_was(self):
        self.migrate(self.users, self.server.locator, "--schema", "kamailio", "--create-schema",
                     "--skip-unconvertible")
        # Kamailio's username column is VARCHAR(64): PostgreSQL refuses a longer one midway.
        long = os.path.join(self.tmp, "long")
        with open(long, "w") as f:
            f.write("version:1\nzed@127.0.0.1 clrtxt:zedpw ;\n"
                    + "y" * 70 + "@127.0.0.1 clrtxt:yanpw ;\n")
        r = self.migrate(long, self.server.locator, "--schema", "kamailio", code=65)
        self.assertIn("value too long", r.stderr)
        self.assertEqual(self.server.sql("select username from subscriber order by id",
                                         "sipcred"), "alice\nbob\n")

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

    def test_unreachable_server(self):
        r = run_tool("sipcred-migrate", self.users,
                     "mysql://db=sipcred host=127.0.0.1 port=9 user=root password=s3cret")
        self.assertEqual(r.returncode, 69, r.stderr)
        self.assertNotIn("s3cret", r.stderr)


if __name__ == "__main__":
    unittest.main()
