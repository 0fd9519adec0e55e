"""sipcred-lint --audit as an administrator runs it: a userdb and the same accounts in SQLite
give the same findings; the word-list matches are those hashlib computes; findings are placed
(FILE:LINE:COL for a file, the account for a database: no SARIF region); exit codes; and no
password in any output format unless --show-passwords."""
import json
import os
import sqlite3
import unittest

import audit_data
from clitest import TempDirTest, run


def lint(*args):
    return run("sipcred-lint", *args)


def audit_pairs(result):
    """{(code, subject)} of the SC6xx findings of a --format json result."""
    return {(d["code"], d["subject"]) for d in json.loads(result.stdout)["diagnostics"]
            if d["code"].startswith("SC6")}


class Audit(TempDirTest):
    def setUp(self):
        super().setUp()
        self.accounts = audit_data.accounts()
        self.users = self.write("users", audit_data.userdb(self.accounts))
        self.words = self.write("words.txt", "\n".join(audit_data.WORDS) + "\n")
        self.conf = self.write("flexisip.conf", "[module::Authentication]\nenabled=true\n"
                               f"auth-domains={audit_data.DOMAIN}\n"
                               "available-algorithms=SHA-256 MD5\n"
                               f"file-path={self.users}\n")

    def sqlite_store(self):
        db = self.path("users.sqlite")
        empty = self.write("empty", "version:1\n")
        r = run("sipcred-migrate", empty, f"sqlite3://db={db}", "--create-schema")
        self.assertExit(r, 0)
        with sqlite3.connect(db) as connection:
            for statement in audit_data.sql_inserts(self.accounts):
                connection.execute(statement)
        return f"sqlite3://db={db}"

    def test_every_weak_account_found_and_no_strong_one(self):
        r = lint("--audit", self.users, self.conf, "--wordlist", self.words, "--format", "json")
        self.assertExit(r, 1)  # SC604 and SC605 are errors
        found = audit_pairs(r)
        self.assertEqual(found, audit_data.expected(self.accounts))
        # The word list found each algorithm's HA1 and a clear text.
        self.assertTrue({("SC604", f"{u}@{audit_data.DOMAIN}")
                         for u in ("wlmd5", "wlsha", "wlclear", "wlboth")} <= found)
        self.assertFalse([s for _, s in found if s.startswith("strong")])

    def test_sqlite_gives_the_same_findings_without_a_line(self):
        locator = self.sqlite_store()
        r = lint("--audit", locator, self.conf, "--wordlist", self.words, "--format", "json")
        self.assertExit(r, 1)
        self.assertEqual(audit_pairs(r), audit_data.expected(self.accounts))
        for d in json.loads(r.stdout)["diagnostics"]:
            self.assertEqual((d["file"], d["line"], d["column"]), (locator, 0, 0))
            self.assertIn(d["subject"], d["message"])
        text = lint("--audit", locator, self.conf, "--wordlist", self.words)
        first = text.stdout.splitlines()[0]
        self.assertTrue(first.startswith(locator + ": "), first)
        sarif = json.loads(lint("--audit", locator, "--format", "sarif").stdout)
        results = sarif["runs"][0]["results"]
        self.assertTrue(results)
        for result in results:
            location = result["locations"][0]
            self.assertNotIn("region", location["physicalLocation"])
            self.assertTrue(location["logicalLocations"][0]["name"].endswith(audit_data.DOMAIN))

    def test_the_config_names_the_store(self):
        through_config = lint("--audit", self.conf, "--wordlist", self.words, "--json")
        direct = lint("--audit", self.users, self.conf, "--wordlist", self.words, "--json")
        self.assertEqual(audit_pairs(through_config), audit_pairs(direct))
        locator = self.sqlite_store()
        soci = self.write("soci.conf", "[module::Authentication]\nenabled=true\n"
                          f"auth-domains={audit_data.DOMAIN}\navailable-algorithms=SHA-256 MD5\n"
                          "db-implementation=soci\nsoci-backend=sqlite3\n"
                          f"soci-connection-string=db={self.path('users.sqlite')}\n"
                          "soci-password-request=select password, algorithm from passwords "
                          "join accounts on accounts.id = passwords.account_id where username "
                          "= :id and domain = :domain\n")
        r = lint("--audit", soci, "--wordlist", self.words, "--json")
        self.assertEqual(audit_pairs(r), audit_pairs(direct), r.stderr)
        del locator

    def test_findings_in_a_file_have_line_and_column(self):
        r = lint("--audit", self.users, "--format", "json")
        lines = audit_data.userdb(self.accounts).splitlines()
        for d in json.loads(r.stdout)["diagnostics"]:
            if not d["code"].startswith("SC6"):
                continue
            self.assertEqual(d["file"], self.users)
            self.assertTrue(lines[d["line"] - 1].startswith(d["subject"] + " "), d)
            self.assertEqual(d["column"], 1)
        counts = json.loads(r.stdout)["summary"]["codes"]
        self.assertEqual(counts["SC606"], 2)

    def test_passwords_never_shown_unless_asked(self):
        locator = self.sqlite_store()
        for store in (self.users, locator):
            for fmt in ("text", "json", "sarif"):
                r = lint("--audit", store, self.conf, "--wordlist", self.words, "--format", fmt)
                for secret in audit_data.SECRETS:
                    self.assertNotIn(secret, r.stdout + r.stderr, (store, fmt))
                for _, credentials in ((a[0], a[2]) for a in self.accounts):
                    for _, value in credentials:
                        self.assertNotIn(value, r.stdout + r.stderr, (store, fmt))
        shown = lint("--audit", self.users, "--wordlist", self.words, "--show-passwords")
        for secret in ("dragon77", "sunshine", "qwerty99", "Pa55word!", "bulgroz", "123456"):
            self.assertIn(f"'{secret}'", shown.stdout)

    def test_exit_codes(self):
        strong = self.write("strong", audit_data.userdb(audit_data.accounts(strong=5)[:5]))
        self.assertExit(lint("--audit", strong, "--wordlist", self.words), 0)
        self.assertExit(lint("--audit", self.users, "--wordlist", self.path("none")), 66)
        self.assertExit(lint("--audit", self.path("none")), 66)
        self.assertExit(lint("--wordlist", self.words), 2)  # needs --audit
        self.assertExit(lint("--audit", self.users, "--min-length", "x"), 2)
        self.assertExit(lint("--audit", self.users, "--userdb", self.users), 2)
        self.assertExit(lint("--audit", "bogus://x"), 2)
        # Only notes and warnings: 0, and 1 with --werror.
        clear = self.write("clear", f"version:1\na@{audit_data.DOMAIN} clrtxt:Long-Enough-Pw1 ;\n")
        self.assertExit(lint("--audit", clear), 0)
        self.assertExit(lint("--audit", clear, "--min-length", "20", "--werror"), 1)

    def test_other_file_stores(self):
        # htdigest: an MD5 HA1 of the user name; CSV: clear texts, shared and in the word list.
        digest = audit_data.hexdigest("md5", f"alice:{audit_data.DOMAIN}:alice")
        htdigest = self.write("htdigest", f"alice:{audit_data.DOMAIN}:{digest}\n"
                              f"bob:{audit_data.DOMAIN}:"
                              f"{audit_data.hexdigest('md5', f'bob:{audit_data.DOMAIN}:sunshine')}\n")
        r = lint("--audit", "htdigest:" + htdigest, "--wordlist", self.words, "--json")
        self.assertExit(r, 1)
        self.assertEqual(audit_pairs(r), {("SC605", f"alice@{audit_data.DOMAIN}"),
                                          ("SC604", f"bob@{audit_data.DOMAIN}")})
        lines = [d["line"] for d in json.loads(r.stdout)["diagnostics"]]
        self.assertEqual(sorted(lines), [1, 2])
        csv = self.write("users.csv", "identity,password\n"
                         f"carol@{audit_data.DOMAIN},dragon77\n"
                         f"dave@{audit_data.DOMAIN},Same-Long-Pass-1\n"
                         f"erin@{audit_data.DOMAIN},Same-Long-Pass-1\n")
        r = lint("--audit", "csv:" + csv, "--wordlist", self.words, "--json")
        self.assertEqual(audit_pairs(r), {("SC601", f"{u}@{audit_data.DOMAIN}")
                                          for u in ("carol", "dave", "erin")} |
                         {("SC604", f"carol@{audit_data.DOMAIN}"),
                          ("SC606", f"dave@{audit_data.DOMAIN}"),
                          ("SC606", f"erin@{audit_data.DOMAIN}")})
        for fmt in ("text", "json", "sarif"):
            out = lint("--audit", "csv:" + csv, "--wordlist", self.words, "--format", fmt).stdout
            self.assertNotIn("dragon77", out)
            self.assertNotIn("Same-Long", out)

    def test_explain_every_audit_code(self):
        for code in ("SC601", "SC602", "SC603", "SC604", "SC605", "SC606", "SC607"):
            r = lint("--explain", code)
            self.assertExit(r, 0)
            self.assertIn(code, r.stdout)


if __name__ == "__main__":
    unittest.main()
