"""sipcred-lint --audit on a real PostgreSQL server: the accounts of tests/cli/audit_data.py in
Flexisip's tables (inserted with psql, not through sipcred) give the same findings as the same
accounts in a userdb and in SQLite, with the locator, password masked, as their file."""
import json
import os
import sqlite3
import unittest

from livetest import TempDirTest, run  # puts tests/cli on the path
from servers import PostgreSQL

import audit_data  # noqa: E402  (tests/cli)


def audit_pairs(result):
    return {(d["code"], d["subject"]) for d in json.loads(result.stdout)["diagnostics"]
            if d["code"].startswith("SC6")}


class AuditPostgreSQL(TempDirTest):
    @classmethod
    def setUpClass(cls):
        cls.server = PostgreSQL()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        super().setUp()
        self.accounts = audit_data.accounts()
        self.words = self.write("words.txt", "\n".join(audit_data.WORDS) + "\n")
        self.conf = self.write("flexisip.conf", "[module::Authentication]\nenabled=true\n"
                               f"auth-domains={audit_data.DOMAIN}\n"
                               "available-algorithms=SHA-256 MD5\n")

    def fill(self, locator, execute):
        empty = self.write("empty", "version:1\n")
        self.assertExit(run("sipcred-migrate", empty, locator, "--create-schema"), 0)
        for statement in audit_data.sql_inserts(self.accounts):
            execute(statement)

    def test_same_findings_as_a_userdb_and_sqlite(self):
        self.server.sql("DROP DATABASE IF EXISTS audit WITH (FORCE)")
        self.server.sql("CREATE DATABASE audit")
        locator = self.server.locator.replace("dbname=sipcred", "dbname=audit")
        self.fill(locator, lambda statement: self.server.sql(statement, "audit"))
        db = self.path("users.sqlite")
        with sqlite3.connect(db) as connection:
            self.fill(f"sqlite3://db={db}", connection.execute)
            connection.commit()
        users = self.write("users", audit_data.userdb(self.accounts))

        results = {}
        for store in (users, f"sqlite3://db={db}", locator):
            r = run("sipcred-lint", "--audit", store, self.conf, "--wordlist", self.words,
                    "--json")
            self.assertExit(r, 1)
            results[store] = audit_pairs(r)
        expected = audit_data.expected(self.accounts)
        for store, found in results.items():
            self.assertEqual(found, expected, store)
        # The server's own password never shows: a locator with one is masked.
        with_password = locator + " password=Pg-Secret-8x"
        r = run("sipcred-lint", "--audit", with_password, self.conf, "--json")
        self.assertNotIn("Pg-Secret-8x", r.stdout + r.stderr)
        files = {d["file"] for d in json.loads(r.stdout)["diagnostics"]}
        self.assertEqual(len(files), 1, files)
        self.assertIn("***", files.pop())

    def test_database_password_from_stdin(self):
        self.server.sql("DROP DATABASE IF EXISTS audit_pw WITH (FORCE)")
        self.server.sql("CREATE DATABASE audit_pw")
        locator = self.server.locator.replace("dbname=sipcred", "dbname=audit_pw")
        self.fill(locator, lambda statement: self.server.sql(statement, "audit_pw"))
        r = run("sipcred-lint", "--audit", locator, "--db-password-stdin", "--json",
                stdin="Pg-Secret-9y\n")
        self.assertExit(r, 1)
        self.assertEqual(audit_pairs(r), {p for p in audit_data.expected(self.accounts, [])
                                          if p[0] != "SC603"})
        self.assertNotIn("Pg-Secret-9y", r.stdout + r.stderr)
        sqlite = run("sipcred-lint", "--audit", f"sqlite3://db={self.path('x')}",
                     "--db-password-stdin", stdin="pw\n")
        self.assertExit(sqlite, 2)

    def test_unreachable_server_is_69(self):
        r = run("sipcred-lint", "--audit",
                "postgresql://dbname=x host=127.0.0.1 port=1 user=postgres connect_timeout=2")
        self.assertExit(r, 69)


if __name__ == "__main__":
    unittest.main()
