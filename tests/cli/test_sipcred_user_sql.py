"""sipcred-user on SQLite databases in each server's schema: every command, the columns each
server reads (hashes computed with hashlib), --dry-run, JSON of the same shape as for a userdb,
concurrent writers, and bad input refused before anything is written. PostgreSQL and MariaDB
are in tests/integration/test_user_sql_servers.py, Kamailio itself in test_user_kamailio.py."""
import hashlib
import json
import os
import sqlite3
import subprocess
import unittest

from clitest import BIN, CLEAN_PATH, TempDirTest, run


def h(name, text):
    return hashlib.new(name, text.encode()).hexdigest()


def user(*args, stdin=""):
    return run("sipcred-user", *args, stdin=stdin)


class SqlUserTest(TempDirTest):
    def locator(self, name="users.db"):
        return "sqlite3://db=" + self.path(name)

    def rows(self, query, name="users.db"):
        with sqlite3.connect(self.path(name)) as conn:
            return conn.execute(query).fetchall()

    def init(self, schema, name="users.db"):
        self.assertExit(user("init", self.locator(name), "--schema", schema), 0)

    def add(self, schema, identity, password, *args, expect=0):
        r = user("add", self.locator(), "--schema", schema, identity, "--password-stdin", *args,
                 stdin=password + "\n")
        self.assertExit(r, expect)
        return r

    def file_bytes(self, name="users.db"):
        with open(self.path(name), "rb") as f:
            return f.read()


class Kamailio(SqlUserTest):
    def test_add_writes_ha1_and_ha1b_and_no_clear_text(self):
        self.init("kamailio")
        self.assertEqual(os.stat(self.path("users.db")).st_mode & 0o777, 0o600)
        self.add("kamailio", "alice@example.org", "s3cret")
        self.assertEqual(self.rows("select username, domain, password, ha1, ha1b from subscriber"),
                         [("alice", "example.org", "",
                           h("md5", "alice:example.org:s3cret"),
                           h("md5", "alice@example.org:example.org:s3cret"))])
        self.assertEqual(self.rows("select table_version from version where "
                                   "table_name = 'subscriber'"), [(7,)])

    def test_sha256_mode_hashes_both_columns_with_sha256(self):
        self.init("kamailio")
        self.add("kamailio", "alice@example.org", "s3cret", "-a", "SHA-256")
        self.assertEqual(self.rows("select ha1, ha1b from subscriber"),
                         [(h("sha256", "alice:example.org:s3cret"),
                           h("sha256", "alice@example.org:example.org:s3cret"))])
        r = user("check", self.locator(), "--schema", "kamailio", "-a", "SHA-256",
                 "alice@example.org", "--password-stdin", stdin="s3cret\n")
        # check takes no -a: the algorithm is read off the stored hash's length
        self.assertExit(r, 2)
        r = user("check", self.locator(), "--schema", "kamailio", "alice@example.org",
                 "--password-stdin", stdin="s3cret\n")
        self.assertExit(r, 0)
        # Kamailio's auth module hashes with MD5 or SHA-256 only, and one algorithm at a time.
        self.assertExit(self.add("kamailio", "bob@example.org", "x", "-a", "SHA-512-256",
                                 expect=2), 2)
        self.assertExit(self.add("kamailio", "bob@example.org", "x", "-a", "md5,sha256",
                                 expect=2), 2)

    def test_clrtxt_stores_the_password_beside_the_hashes(self):
        self.init("kamailio")
        self.add("kamailio", "alice@example.org", "s3cret", "--clrtxt")
        self.assertEqual(self.rows("select password, ha1 from subscriber"),
                         [("s3cret", h("md5", "alice:example.org:s3cret"))])

    def test_rotate_rewrites_both_hashes_and_check_follows(self):
        self.init("kamailio")
        self.add("kamailio", "alice@example.org", "old")
        r = user("rotate", self.locator(), "--schema", "kamailio", "alice@example.org",
                 "--password-stdin", stdin="new\n")
        self.assertExit(r, 0)
        self.assertEqual(self.rows("select ha1, ha1b from subscriber"),
                         [(h("md5", "alice:example.org:new"),
                           h("md5", "alice@example.org:example.org:new"))])
        check = lambda pw: user("check", self.locator(), "--schema", "kamailio",
                                "alice@example.org", "--password-stdin", stdin=pw + "\n")
        self.assertExit(check("new"), 0)
        r = check("old")
        self.assertExit(r, 1)
        self.assertNotIn("old", r.stderr.replace("sipcred", ""))
        # rotate and remove of a user that is not there: exit 1, nothing changed
        before = self.file_bytes()
        r = user("rotate", self.locator(), "--schema", "kamailio", "bob@example.org",
                 "--password-stdin", stdin="x\n")
        self.assertExit(r, 1)
        r = user("remove", self.locator(), "--schema", "kamailio", "alice@example.org",
                 "bob@example.org")
        self.assertExit(r, 1)
        self.assertIn("bob@example.org (nothing was removed)", r.stderr)
        self.assertEqual(self.file_bytes(), before)
        self.assertExit(user("remove", self.locator(), "--schema", "kamailio",
                             "alice@example.org"), 0)
        self.assertEqual(self.rows("select count(*) from subscriber"), [(0,)])

    def test_a_phone_or_a_user_id_is_refused_before_the_password_is_read(self):
        self.init("kamailio")
        before = self.file_bytes()
        # No password on stdin: a refusal must come before it is read.
        r = user("add", self.locator(), "--schema", "kamailio", "alice@example.org", "--phone",
                 "+331", "--password-stdin")
        self.assertExit(r, 2)
        self.assertIn("no place for a phone", r.stderr)
        r = user("add", self.locator(), "--schema", "kamailio", "alice@example.org",
                 "--auth-user", "al", "--password-stdin")
        self.assertExit(r, 2)
        self.assertIn("digest username", r.stderr)
        self.assertEqual(self.file_bytes(), before)

    def test_a_schema_too_old_or_missing_tables_are_refused(self):
        self.init("kamailio")
        with sqlite3.connect(self.path("users.db")) as conn:
            conn.execute("update version set table_version = 6")
        conn.close()
        before = self.file_bytes()
        r = self.add("kamailio", "alice@example.org", "pw", expect=65)
        self.assertIn('table "subscriber" is at version 6, the kamailio schema needs version 7',
                      r.stderr)
        self.assertEqual(self.file_bytes(), before)
        sqlite3.connect(self.path("empty.db")).close()
        r = user("list", self.locator("empty.db"), "--schema", "kamailio")
        self.assertExit(r, 66)
        self.assertIn('no table "subscriber"', r.stderr)
        r = user("add", self.locator("none.db"), "a@b.c", "--password-stdin", stdin="x\n")
        self.assertExit(r, 66)
        self.assertFalse(os.path.exists(self.path("none.db")))


class Opensips(SqlUserTest):
    def test_every_hash_column_is_written_and_rotated_together(self):
        self.init("opensips")
        self.add("opensips", "alice@example.org", "old")
        columns = "select ha1, ha1_sha256, ha1_sha512t256, password from subscriber"
        expected = lambda pw: [(h("md5", f"alice:example.org:{pw}"),
                                h("sha256", f"alice:example.org:{pw}"),
                                h("sha512_256", f"alice:example.org:{pw}"), "")]
        self.assertEqual(self.rows(columns), expected("old"))
        self.assertExit(user("rotate", self.locator(), "--schema", "opensips",
                             "alice@example.org", "--password-stdin", stdin="new\n"), 0)
        # opensips-cli rewrites ha1 alone, leaving the SHA-256 columns stale: not here.
        self.assertEqual(self.rows(columns), expected("new"))

    def test_a_realm_other_than_the_domain(self):
        self.init("opensips")
        self.add("opensips", "alice@example.org", "pw", "--realm", "sip.example.org", "-a",
                 "md5")
        self.assertEqual(self.rows("select ha1, ha1_sha256 from subscriber"),
                         [(h("md5", "alice:sip.example.org:pw"), "")])
        r = user("check", self.locator(), "--schema", "opensips", "--realm", "sip.example.org",
                 "alice@example.org", "--password-stdin", stdin="pw\n")
        self.assertExit(r, 0)


class Flexisip(SqlUserTest):
    def test_add_rotate_remove_rows_of_accounts_and_passwords(self):
        self.init("flexisip")
        self.add("flexisip", "alice@example.org", "old", "--phone", "+33123")
        self.assertEqual(self.rows("select username, domain, phone, activated from accounts"),
                         [("alice", "example.org", "+33123", 1)])
        passwords = "select algorithm, password from passwords order by algorithm"
        self.assertEqual(self.rows(passwords),
                         [("MD5", h("md5", "alice:example.org:old")),
                          ("SHA-256", h("sha256", "alice:example.org:old"))])
        # A rotation keeps the kinds the account has: MD5 only stays MD5 only.
        self.add("flexisip", "bob@example.org", "b", "-a", "md5")
        self.assertExit(user("rotate", self.locator(), "bob@example.org", "--password-stdin",
                             stdin="b2\n"), 0)
        self.assertExit(user("rotate", self.locator(), "alice@example.org", "--password-stdin",
                             stdin="new\n"), 0)
        self.assertEqual(self.rows("select a.username, p.algorithm, p.password from passwords p "
                                   "join accounts a on a.id = p.account_id "
                                   "order by a.username, p.algorithm"),
                         [("alice", "MD5", h("md5", "alice:example.org:new")),
                          ("alice", "SHA-256", h("sha256", "alice:example.org:new")),
                          ("bob", "MD5", h("md5", "bob:example.org:b2"))])
        self.assertExit(user("remove", self.locator(), "alice@example.org"), 0)
        # No passwords row is left without its account.
        self.assertEqual(self.rows("select count(*) from passwords p left join accounts a on "
                                   "a.id = p.account_id where a.id is null"), [(0,)])
        self.assertEqual(self.rows("select username from accounts"), [("bob",)])

    def test_clrtxt_is_one_row_flexisip_derives_the_hashes_from(self):
        self.init("flexisip")
        self.add("flexisip", "alice@example.org", "s3cret", "--clrtxt")
        self.assertEqual(self.rows("select algorithm, password from passwords"),
                         [("CLRTXT", "s3cret")])
        r = user("list", self.locator(), "--json")
        self.assertEqual(json.loads(r.stdout)[0]["algorithms"], ["MD5", "SHA-256"])
        self.assertTrue(json.loads(r.stdout)[0]["clear_text"])
        # Flexisip keeps no SHA-512-256.
        self.assertExit(self.add("flexisip", "bob@example.org", "x", "-a", "SHA-512-256",
                                 expect=2), 2)

    def test_import_adds_and_rotates_in_one_transaction(self):
        self.init("flexisip")
        self.add("flexisip", "alice@example.org", "old")
        listing = self.write("list.csv", "identity,password\nalice@example.org,new\n"
                                         "bob@example.org,bpw\ncarol@example.org,\n")
        r = user("import", self.locator(), "--from", listing, "--generate")
        self.assertExit(r, 0)
        generated = dict(line.split(",") for line in r.stdout.split()[1:])
        self.assertEqual(list(generated), ["carol@example.org"])
        md5 = dict(self.rows("select a.username, p.password from passwords p join accounts a "
                             "on a.id = p.account_id where p.algorithm = 'MD5'"))
        self.assertEqual(md5, {"alice": h("md5", "alice:example.org:new"),
                               "bob": h("md5", "bob:example.org:bpw"),
                               "carol": h("md5", "carol:example.org:" +
                                          generated["carol@example.org"])})
        self.assertIn("2 added, 1 rotated", r.stderr)


class DryRun(SqlUserTest):
    def test_dry_run_writes_nothing_and_says_what_it_would_do(self):
        for schema in ("flexisip", "flexiapi", "kamailio", "opensips", "asterisk"):
            with self.subTest(schema=schema):
                name = schema + ".db"
                self.init(schema, name)
                loc = self.locator(name)
                self.assertExit(user("add", loc, "--schema", schema, "alice@example.org",
                                     "--password-stdin", stdin="pw\n"), 0)
                before = self.file_bytes(name)
                r = user("add", loc, "--schema", schema, "bob@example.org", "--password-stdin",
                         "--dry-run", stdin="pw\n")
                self.assertExit(r, 0)
                self.assertIn("dry run: would add bob@example.org", r.stdout)
                r = user("rotate", loc, "--schema", schema, "alice@example.org",
                         "--password-stdin", "--dry-run", stdin="pw2\n")
                self.assertExit(r, 0)
                self.assertIn("dry run: would rotate alice@example.org", r.stdout)
                r = user("remove", loc, "--schema", schema, "alice@example.org", "--dry-run")
                self.assertExit(r, 0)
                self.assertIn("dry run: would remove alice@example.org", r.stdout)
                self.assertEqual(self.file_bytes(name), before)
                self.assertEqual(len(json.loads(user("list", loc, "--schema", schema,
                                                     "--json").stdout)), 1)

    def test_dry_run_on_a_userdb_names_the_lines_and_writes_nothing(self):
        db = self.write("users", "version:1\nalice@example.org md5:" +
                        h("md5", "alice:example.org:pw") + " ;\n")
        with open(db, "rb") as f:
            before = f.read()
        r = user("rotate", db, "alice@example.org", "--password-stdin", "--dry-run",
                 stdin="new\n")
        self.assertExit(r, 0)
        self.assertIn("would change or remove line 2; nothing was written", r.stdout)
        r = user("add", db, "bob@example.org", "--password-stdin", "--dry-run", stdin="pw\n")
        self.assertIn("would append 1 line", r.stdout)
        # A generated password is never shown for an edit that was not made.
        r = user("add", db, "carol@example.org", "--generate", "--dry-run")
        self.assertExit(r, 0)
        self.assertEqual(len(r.stdout.splitlines()), 1)
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before)


class Json(SqlUserTest):
    def test_list_and_show_have_the_same_shape_for_files_and_databases(self):
        self.init("flexisip")
        self.add("flexisip", "alice@example.org", "pw", "--phone", "+331")
        db = self.path("users")
        self.assertExit(user("init", db), 0)
        self.assertExit(user("add", db, "alice@example.org", "--phone", "+331",
                             "--password-stdin", stdin="pw\n"), 0)
        from_sql = json.loads(user("list", self.locator(), "--json").stdout)
        from_file = json.loads(user("list", db, "--json").stdout)
        self.assertEqual(from_sql, from_file)
        sql_show = json.loads(user("show", self.locator(), "alice@example.org", "--json").stdout)
        file_show = json.loads(user("show", db, "alice@example.org", "--json").stdout)
        self.assertEqual(sorted(sql_show), sorted(file_show))
        self.assertIsNone(sql_show["line"])
        self.assertEqual(file_show["line"], 2)
        self.assertEqual({k: v for k, v in sql_show.items() if k != "line"},
                         {k: v for k, v in file_show.items() if k != "line"})


class Concurrency(SqlUserTest):
    def test_concurrent_writers_lose_nothing(self):
        """16 processes x 50 adds at once into one SQLite database: all 800 accounts there."""
        self.init("flexisip")
        pw = self.write("pw", "secret\n")
        env = {"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"}
        script = ("for i in $(seq 0 49); do \"$0\" add \"$1\" \"u$2x$i@example.org\" "
                  "--password-file \"$3\" -q || exit 1; done")
        processes = [subprocess.Popen(["sh", "-c", script, os.path.join(BIN, "sipcred-user"),
                                       self.locator(), str(p), pw], env=env,
                                      stderr=subprocess.PIPE) for p in range(16)]
        for process in processes:
            _, err = process.communicate(timeout=300)
            self.assertEqual(process.returncode, 0, err.decode())
        self.assertEqual(self.rows("select count(*) from accounts"), [(800,)])
        self.assertEqual(self.rows("select count(*) from passwords"), [(1600,)])
        self.assertEqual(self.rows("select password from passwords p join accounts a on "
                                   "a.id = p.account_id where a.username = 'u7x31' and "
                                   "p.algorithm = 'MD5'"),
                         [(h("md5", "u7x31:example.org:secret"),)])


class Freeswitch(SqlUserTest):
    def test_add_rotate_remove_in_a_directory_of_user_files(self):
        directory = self.path("directory")
        os.mkdir(directory)
        store = ["freeswitch:" + directory, "--realm", "example.org"]
        self.assertExit(user("add", *store, "alice@example.org", "--password-stdin",
                             stdin="old\n"), 0)
        path = os.path.join(directory, "alice.xml")
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        with open(path) as f:
            text = f.read()
        self.assertIn(f'name="a1-hash" value="{h("md5", "alice:example.org:old")}"', text)
        self.assertNotIn("old", text.replace(h("md5", "alice:example.org:old"), ""))
        # An administrator's other params and comments stay as they were.
        with open(path, "w") as f:
            f.write(text.replace("<params>", "<params>\n      <!-- desk phone -->\n"
                                 '      <param name="vm-password" value="1234"/>'))
        self.assertExit(user("rotate", *store, "alice@example.org", "--password-stdin",
                             stdin="new\n"), 0)
        with open(path) as f:
            text = f.read()
        self.assertIn(f'value="{h("md5", "alice:example.org:new")}"', text)
        self.assertIn("<!-- desk phone -->", text)
        self.assertIn('name="vm-password" value="1234"', text)
        self.assertExit(user("check", *store, "alice@example.org", "--password-stdin",
                             stdin="new\n"), 0)
        self.assertExit(user("check", *store, "alice@example.org", "--password-stdin",
                             stdin="old\n"), 1)
        # A phone has no place there; SHA-256 neither (an a1-hash serves one algorithm).
        self.assertExit(user("add", *store, "bob@example.org", "--phone", "1",
                             "--password-stdin", stdin="x\n"), 2)
        self.assertExit(user("add", *store, "bob@example.org", "-a", "sha256",
                             "--password-stdin", stdin="x\n"), 2)
        self.assertExit(user("remove", *store, "alice@example.org"), 0)
        self.assertEqual(os.listdir(directory), [])


class BadInput(SqlUserTest):
    def test_bad_locators_and_options(self):
        self.assertExit(user("list", "sqlite3://"), 2)
        self.assertExit(user("list", "nosuch://x=y"), 2)
        self.assertExit(user("list", self.locator(), "--schema", "nosuch"), 2)
        self.init("flexisip")
        # The database password option is for servers, and stdin holds one secret only.
        self.assertExit(user("list", self.locator(), "--db-password-stdin"), 2)
        r = user("add", "postgresql://dbname=x host=127.0.0.1 port=9", "a@b.c",
                 "--db-password-stdin", "--password-stdin", stdin="x\ny\n")
        self.assertExit(r, 2)
        # A list of clear-text passwords is written whole by sipcred-migrate, not edited.
        r = user("add", "csv:" + self.path("u.csv"), "a@b.c", "--password-stdin", stdin="x\n")
        self.assertExit(r, 2)
        self.assertIn("sipcred-migrate", r.stderr)

    def test_a_database_password_is_never_shown(self):
        r = user("list", "postgresql://dbname=x host=127.0.0.1 port=9 user=u",
                 "--db-password-stdin", stdin="Db-S3cret!\n")
        self.assertExit(r, 69)
        self.assertNotIn("Db-S3cret", r.stderr + r.stdout)


if __name__ == "__main__":
    unittest.main()
