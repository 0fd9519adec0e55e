"""sipcred-migrate against SQLite files and the file formats: exact rows (checked with hashlib),
conflicts, unconvertible accounts, atomicity, bad locators. PostgreSQL, MariaDB and Kamailio are
in tests/integration/."""
import fcntl
import hashlib
import json
import os
import re
import resource
import signal
import sqlite3
import subprocess
import time
import unittest
import xml.etree.ElementTree as ElementTree

from clitest import (BIN, CLEAN_PATH, SHIM, TempDirTest, Terminal, kill_stopped, run,
                     start_stopped)


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def sha512_256(text):
    return hashlib.new("sha512_256", text.encode()).hexdigest()


BOB_MD5 = md5("bob:example.org:bobpw")
CAROL_SHA256 = sha256("carol:example.org:carolpw")
USERS = ("version:1\n"
         "# a comment\n"
         "alice@example.org clrtxt:alicepw ;\n"
         f"bob@example.org md5:{BOB_MD5} ;\n"
         f"carol@example.org sha256:{CAROL_SHA256} ;\n"
         f"d%40ve@example.org clrtxt:davepw ; dave-auth +33612345678\n")
SECRETS = ["alicepw", "bobpw", "carolpw", "davepw"]


def content(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def rows(db, query):
    with sqlite3.connect(db) as connection:
        return connection.execute(query).fetchall()


class Migrate(TempDirTest):
    def setUp(self):
        super().setUp()
        self.users = self.write("users", USERS)

    def migrate(self, *args, code=0):
        r = run("sipcred-migrate", *args, cwd=self.dir)
        self.assertExit(r, code)
        for secret in SECRETS:
            self.assertNotIn(secret, r.stdout + r.stderr)
        return r

    def test_flexisip_schema_holds_what_the_default_request_reads(self):
        db = self.path("f.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--create-schema", "--verify")
        self.assertEqual(os.stat(db).st_mode & 0o777, 0o600)
        self.assertEqual(rows(db, "select username, domain, phone, activated from accounts "
                                  "order by id"),
                         [("alice", "example.org", None, 1), ("bob", "example.org", None, 1),
                          ("carol", "example.org", None, 1),
                          ("d@ve", "example.org", "+33612345678", 1)])
        # Flexisip's default password request, bound as Flexisip binds it.
        request = ("select password, algorithm from passwords where account_id = (select id "
                   "from accounts where username = ? and domain = ? and activated = true)")
        with sqlite3.connect(db) as connection:
            self.assertEqual(connection.execute(request, ("alice", "example.org")).fetchall(),
                             [("alicepw", "CLRTXT")])
            self.assertEqual(connection.execute(request, ("bob", "example.org")).fetchall(),
                             [(BOB_MD5, "MD5")])
            self.assertEqual(connection.execute(request, ("carol", "example.org")).fetchall(),
                             [(CAROL_SHA256, "SHA-256")])
            self.assertEqual(connection.execute(request, ("d@ve", "example.org")).fetchall(),
                             [("davepw", "CLRTXT")])
        self.assertIn("db-implementation=soci", r.stdout)
        self.assertIn(f"soci-connection-string=db={db}", r.stdout)
        self.assertIn("soci-password-request=select password, algorithm from passwords", r.stdout)
        self.assertIn("verified 4 accounts, 0 differences", r.stderr)

    def test_kamailio_schema_as_kamctl_computes_it(self):
        db = self.path("k.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", code=1)
        # carol has only a SHA-256 hash: Kamailio's MD5 ha1 cannot be derived. Nothing written.
        self.assertIn("unconvertible: carol@example.org: no clear-text password and no MD5 hash",
                      r.stderr)
        self.assertEqual(rows(db, "select name from sqlite_master where type='table'"), [])
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "--skip-unconvertible", "--verify")
        self.assertEqual(rows(db, "select table_name, table_version from version"),
                         [("subscriber", 7)])
        self.assertEqual(
            rows(db, "select username, domain, password, ha1, ha1b from subscriber order by id"),
            [("alice", "example.org", "alicepw", md5("alice:example.org:alicepw"),
              md5("alice@example.org:example.org:alicepw")),
             ("bob", "example.org", "", BOB_MD5, "")])
        # auth_db reads a digest username with an '@' as user@domain: d@ve could never log in
        # (a real Kamailio re-challenges it), so it is unconvertible, never written.
        self.assertIn("unconvertible: d@ve@example.org: Kamailio reads a digest username with "
                      "an '@'", r.stderr)

    def test_kamailio_sha256_mode(self):
        db = self.path("k.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "-a", "SHA-256", code=1)
        self.assertIn("bob@example.org: no clear-text password and no SHA-256 hash", r.stderr)
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "-a", "SHA-256", "--skip-unconvertible")
        self.assertIn('modparam("auth", "algorithm", "SHA-256")', r.stdout)
        self.assertEqual(rows(db, "select username, ha1, ha1b from subscriber order by id"),
                         [("alice", sha256("alice:example.org:alicepw"),
                           sha256("alice@example.org:example.org:alicepw")),
                          ("carol", CAROL_SHA256, "")])

    def test_opensips_schema_has_every_algorithm(self):
        db = self.path("o.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--schema", "opensips", "--create-schema",
                     "--verify")
        self.assertEqual(rows(db, "select table_name, table_version from version"),
                         [("subscriber", 8)])
        self.assertEqual(
            rows(db, "select username, password, ha1, ha1_sha256, ha1_sha512t256 from subscriber "
                     "where username = 'alice'"),
            [("alice", "alicepw", md5("alice:example.org:alicepw"),
              sha256("alice:example.org:alicepw"), sha512_256("alice:example.org:alicepw"))])
        self.assertEqual(rows(db, "select password, ha1, ha1_sha256, ha1_sha512t256 "
                                  "from subscriber where username = 'carol'"),
                         [("", "", CAROL_SHA256, "")])

    # FlexiAPI's tables as its Laravel migrations leave them, with columns of its own that
    # sipcred does not know (nullable or with a default) and a space and an account already.
    FLEXIAPI_DDL = """
        CREATE TABLE spaces (id INTEGER PRIMARY KEY NOT NULL, domain VARCHAR(64) NOT NULL UNIQUE,
            host VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(255) NOT NULL UNIQUE,
            super BOOLEAN NOT NULL DEFAULT 0, max_accounts INTEGER NOT NULL DEFAULT 0,
            expire_at DATETIME NULL, account_realm VARCHAR(255) NULL, %(columns)s
            created_at DATETIME NULL, updated_at DATETIME NULL);
        CREATE TABLE accounts (id INTEGER PRIMARY KEY NOT NULL, username VARCHAR(64) NOT NULL,
            domain VARCHAR(64) NOT NULL REFERENCES spaces (domain) ON DELETE CASCADE,
            email VARCHAR(64) NULL, phone VARCHAR(64) NULL, display_name VARCHAR(255) NULL,
            activated BOOLEAN NOT NULL DEFAULT 0, blocked BOOLEAN NOT NULL DEFAULT 0,
            admin BOOLEAN NOT NULL DEFAULT 0, ip_address VARCHAR(39) NOT NULL,
            user_agent VARCHAR(256) NOT NULL, created_at DATETIME NOT NULL,
            updated_at DATETIME NULL, provisioning_token VARCHAR(255) NULL,
            dtmf_protocol VARCHAR(10) NULL);
        CREATE UNIQUE INDEX accounts_username_domain_unique ON accounts (username, domain);
        CREATE TABLE passwords (id INTEGER PRIMARY KEY NOT NULL,
            account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
            password VARCHAR(255) NOT NULL, algorithm VARCHAR(10) NOT NULL DEFAULT 'MD5');
        CREATE UNIQUE INDEX passwords_account_id_algorithm_unique
            ON passwords (account_id, algorithm);
        INSERT INTO spaces (domain, host, name, account_realm, created_at %(names)s)
            VALUES ('example.org', 'example.org', 'Example', NULL, '2024-01-01 00:00:00'
                    %(values)s);
        INSERT INTO accounts (username, domain, activated, ip_address, user_agent, created_at,
            provisioning_token) VALUES ('zoe', 'example.org', 1, '192.0.2.7', 'Linphone',
            '2024-01-02 00:00:00', 'tok');
        INSERT INTO passwords (account_id, password, algorithm) VALUES (1, '%(zoe)s', 'SHA-256');
    """

    def flexiapi_db(self, name, columns="", names="", values=""):
        db = self.path(name)
        with sqlite3.connect(db) as connection:
            connection.executescript(self.FLEXIAPI_DDL % {
                "columns": columns, "names": names, "values": values,
                "zoe": sha256("zoe:example.org:zoepw")})
        return db

    def test_flexiapi_migrates_into_an_existing_account_manager_database(self):
        db = self.flexiapi_db("flexiapi.db")
        more = self.write("more", "version:1\nerin@other.org clrtxt:erinpw ;\n")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "flexiapi", "--verify",
                         "--skip-unconvertible")
        self.assertIn("soci-password-request=select password, algorithm from passwords", r.stdout)
        self.migrate(more, f"sqlite3://db={db}", "--schema", "flexiapi", "--verify")
        # The space of a new domain, as FlexiAPI's migrations fill one; the old one untouched.
        self.assertEqual(rows(db, "select domain, host, name, max_accounts from spaces order by id"),
                         [("example.org", "example.org", "Example", 0),
                          ("other.org", "other.org", "other.org", 0)])
        self.assertEqual(
            rows(db, "select username, activated, ip_address, user_agent, provisioning_token, "
                     "created_at is not null from accounts order by id"),
            [("zoe", 1, "192.0.2.7", "Linphone", "tok", 1),
             ("alice", 1, "127.0.0.1", "sipcred", None, 1),
             ("bob", 1, "127.0.0.1", "sipcred", None, 1),
             ("carol", 1, "127.0.0.1", "sipcred", None, 1),
             ("d@ve", 1, "127.0.0.1", "sipcred", None, 1),
             ("erin", 1, "127.0.0.1", "sipcred", None, 1)])
        # MD5 and SHA-256 only, never clear text: FlexiAPI's algorithm column has no CLRTXT.
        self.assertEqual(
            rows(db, "select a.username, p.algorithm, p.password from passwords p join accounts a "
                     "on a.id = p.account_id order by a.id, p.algorithm"),
            [("zoe", "SHA-256", sha256("zoe:example.org:zoepw")),
             ("alice", "MD5", md5("alice:example.org:alicepw")),
             ("alice", "SHA-256", sha256("alice:example.org:alicepw")),
             ("bob", "MD5", BOB_MD5),
             ("carol", "SHA-256", CAROL_SHA256),
             ("d@ve", "MD5", md5("d@ve:example.org:davepw")),
             ("d@ve", "SHA-256", sha256("d@ve:example.org:davepw")),
             ("erin", "MD5", md5("erin:other.org:erinpw")),
             ("erin", "SHA-256", sha256("erin:other.org:erinpw"))])

    def test_flexiapi_space_column_sipcred_cannot_fill_is_named(self):
        db = self.flexiapi_db("flexiapi.db", "owner_id INTEGER NOT NULL DEFAULT 1, "
                                             "theme VARCHAR(20) NOT NULL,", ", theme", ", 'dark'")
        before = content(db, "rb")
        users = self.write("new", "version:1\nerin@other.org clrtxt:erinpw ;\n")
        r = self.migrate(users, f"sqlite3://db={db}", "--schema", "flexiapi", code=65)
        self.assertIn("spaces.theme is NOT NULL without a default", r.stderr)
        self.assertIn("other.org", r.stderr)
        self.assertEqual(content(db, "rb"), before)

    def test_flexiapi_create_schema(self):
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--schema", "flexiapi", "--create-schema",
                     "--verify", "--skip-unconvertible")
        self.assertEqual(rows(db, "select domain, host, name from spaces"),
                         [("example.org", "example.org", "example.org")])
        self.assertEqual(rows(db, "select count(*) from passwords where algorithm = 'CLRTXT'"),
                         [(0,)])

    def test_asterisk_ps_auths_rows_and_realtime_configuration(self):
        db = self.path("a.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "asterisk",
                         "--create-schema", "--verify", "--skip-unconvertible")
        self.assertIn("[res_pjsip]\nauth=realtime,ps_auths\n", r.stdout)
        self.assertIn("ps_auths => odbc,asterisk\n", r.stdout)
        self.assertEqual(
            rows(db, "select id, auth_type, username, realm, password, password_digest, "
                     "supported_algorithms_uas, supported_algorithms_uac from ps_auths order by id"),
            [("alice@example.org", "userpass", "alice", "example.org", "alicepw", None, None,
              None),
             ("bob@example.org", "userpass", "bob", "example.org", None, "MD5:" + BOB_MD5, None,
              None),
             ("carol@example.org", "userpass", "carol", "example.org", None,
              "SHA-256:" + CAROL_SHA256, "SHA-256", "SHA-256"),
             ("d@ve@example.org", "userpass", "d@ve", "example.org", "davepw", None, None, None)])
        # And back, as Asterisk loads the rows: to a pjsip.conf.
        back = self.path("pjsip.conf")
        self.migrate(f"sqlite3://db={db}", "pjsip:" + back, "--schema", "asterisk", "--verify")
        self.assertIn("password_digest=SHA-256:" + CAROL_SHA256, content(back))

    def test_opensips_table_without_rpid(self):
        # The subscriber OpenSIPS 3.6 publishes, without rpid: read and written the same, and
        # the configuration tells auth_db not to load it.
        db = self.path("o.db")
        with sqlite3.connect(db) as connection:
            connection.executescript(
                "CREATE TABLE version (table_name VARCHAR(32) NOT NULL UNIQUE, "
                "table_version INTEGER DEFAULT 0 NOT NULL);"
                "INSERT INTO version VALUES ('subscriber', 8);"
                "CREATE TABLE subscriber (id INTEGER PRIMARY KEY NOT NULL, username CHAR(64) "
                "DEFAULT '' NOT NULL, domain CHAR(64) DEFAULT '' NOT NULL, password CHAR(25) "
                "DEFAULT '' NOT NULL, ha1 CHAR(64) DEFAULT '' NOT NULL, ha1_sha256 CHAR(64) "
                "DEFAULT '' NOT NULL, ha1_sha512t256 CHAR(64) DEFAULT '' NOT NULL, "
                "CONSTRAINT account_idx UNIQUE (username, domain));")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "opensips", "--verify")
        self.assertIn('modparam("auth_db", "load_credentials", "")', r.stdout)
        self.assertEqual(rows(db, "select count(*) from subscriber"), [(4,)])
        self.migrate(f"sqlite3://db={db}", self.path("back"), "--schema", "opensips")
        created = self.path("created.db")
        r = self.migrate(self.users, f"sqlite3://db={created}", "--schema", "opensips",
                         "--create-schema")
        self.assertNotIn("load_credentials", r.stdout)
        self.assertIn("rpid", [c[1] for c in rows(created, "pragma table_info(subscriber)")])
        self.assertEqual(rows(created, "select count(*) from subscriber where rpid is null"),
                         [(4,)])

    def test_realm_other_than_domain_hashes_clear_text_for_it(self):
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema", "--realm", "corp")
        # Flexisip hashes CLRTXT with the domain: for another realm it gets hashes instead.
        self.assertEqual(
            rows(db, "select password, algorithm from passwords where account_id = 1 "
                     "order by algorithm"),
            [(md5("alice:corp:alicepw"), "MD5"), (sha256("alice:corp:alicepw"), "SHA-256")])
        # The userdb's hashes are taken to be for that realm too (--realm says so).
        self.assertEqual(rows(db, "select password from passwords where account_id = 2"),
                         [(BOB_MD5,)])

    def test_hash_for_another_realm_is_never_written(self):
        pjsip = self.write("pjsip.conf", "[bob]\ntype=auth\nusername=bob\nrealm=corp\n"
                                         f"password_digest=md5:{md5('bob:corp:bobpw')}\n"
                                         "[alice]\ntype=auth\nusername=alice\nrealm=corp\n"
                                         "password=alicepw\n")
        db = self.path("k.db")
        r = self.migrate("pjsip:" + pjsip, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "--realm", "sip.example.org", code=1)
        self.assertIn('unconvertible: bob@corp: no clear-text password and no MD5 hash for realm '
                      '"sip.example.org"', r.stderr)
        self.migrate("pjsip:" + pjsip, f"sqlite3://db={db}", "--schema", "kamailio",
                     "--create-schema", "--realm", "sip.example.org", "--skip-unconvertible")
        self.assertEqual(rows(db, "select username, domain, ha1 from subscriber"),
                         [("alice", "corp", md5("alice:sip.example.org:alicepw"))])

    def test_conflicts_fail_skip_replace(self):
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        before = content(db, "rb")
        changed = self.write("changed", "version:1\nalice@example.org clrtxt:newpw ;\n"
                                        "erin@example.org clrtxt:erinpw ;\n")
        r = self.migrate(changed, f"sqlite3://db={db}", code=1)
        self.assertIn("conflict: alice@example.org: already in the destination", r.stderr)
        self.assertNotIn("erin", r.stderr.replace("conflict", ""))
        self.assertEqual(content(db, "rb"), before, "a refused run changed the database")
        self.migrate(changed, f"sqlite3://db={db}", "--on-conflict", "skip")
        self.assertEqual(rows(db, "select password from passwords p join accounts a on "
                                  "a.id = p.account_id where username in ('alice', 'erin') "
                                  "order by username"), [("alicepw",), ("erinpw",)])
        self.migrate(changed, f"sqlite3://db={db}", "--on-conflict", "replace", "--verify")
        self.assertEqual(rows(db, "select password from passwords p join accounts a on "
                                  "a.id = p.account_id where username = 'alice'"), [("newpw",)])

    def test_replace_rerun_equals_clean_run(self):
        clean, rerun = self.path("clean.db"), self.path("rerun.db")
        self.migrate(self.users, f"sqlite3://db={clean}", "--schema", "opensips",
                     "--create-schema")
        stale = self.write("stale", "version:1\nalice@example.org clrtxt:oldpw ;\n"
                                    "bob@example.org clrtxt:oldpw ;\n")
        self.migrate(stale, f"sqlite3://db={rerun}", "--schema", "opensips", "--create-schema")
        self.migrate(self.users, f"sqlite3://db={rerun}", "--schema", "opensips",
                     "--on-conflict", "replace")
        query = ("select username, domain, password, ha1, ha1_sha256, ha1_sha512t256 "
                 "from subscriber order by username")
        self.assertEqual(rows(rerun, query), rows(clean, query))

    def test_dry_run_writes_nothing(self):
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        before = content(db, "rb")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--on-conflict", "replace",
                         "--dry-run", "--json")
        report = json.loads(r.stdout)
        self.assertEqual((report["committed"], report["replaced"], report["read"]), (False, 4, 4))
        self.assertEqual(content(db, "rb"), before)

    def test_printed_configuration_is_one_flexisip_runs_as_is(self):
        """The configuration printed for the flexisip schema enables the module and names
        every domain of the source in auth-domains (Flexisip challenges nobody otherwise):
        sipcred-lint finds nothing in it, and an exchange rehearsed on it is accepted."""
        db = self.path("two.db")
        users = self.write("two-domains", "version:1\nalice@sip.example.org clrtxt:alicepw ;\n"
                           "bob@b.example.net clrtxt:bobpw ;\ncarol@sip.example.org clrtxt:c ;\n")
        r = self.migrate(users, f"sqlite3://db={db}", "--create-schema")
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:2], ["[module::Authentication]", "enabled=true"])
        self.assertIn("auth-domains=b.example.net sip.example.org", lines)
        conf = self.write("auth.conf", r.stdout)
        lint = run("sipcred-lint", conf)
        self.assertExit(lint, 0)
        self.assertIn("0 errors, 0 warnings", lint.stdout + lint.stderr)
        for user, password in (("alice@sip.example.org", "alicepw"), ("bob@b.example.net", "bobpw")):
            sim = run("sipcred-sim", "exchange", "--config", conf, "--user", user,
                      "--password-stdin", stdin=password + "\n")
            self.assertExit(sim, 0)
        # A JSON report carries the same configuration.
        r = self.migrate(users, f"sqlite3://db={db}", "--on-conflict", "replace", "--json")
        self.assertIn("auth-domains=b.example.net sip.example.org\n",
                      json.loads(r.stdout)["server_configuration"])

    def test_quiet_quiets_stderr_only_and_no_config_drops_the_configuration(self):
        """-q is about standard error: the configuration still goes to standard output;
        --no-config leaves it out (of the JSON report too)."""
        db = self.path("q.db")
        r = self.migrate(self.write("one", "version:1\nalice@sip.example.org clrtxt:pw ;\n"),
                         f"sqlite3://db={db}", "--create-schema", "-q")
        self.assertEqual(r.stderr, "")
        self.assertEqual(r.stdout.splitlines()[:2], ["[module::Authentication]", "enabled=true"])
        r = self.migrate(self.path("one"), f"sqlite3://db={db}", "--on-conflict", "replace",
                         "--no-config")
        self.assertEqual(r.stdout, "")
        self.assertIn("migrated: 1 account read", r.stderr)
        r = self.migrate(self.path("one"), f"sqlite3://db={db}", "--on-conflict", "replace",
                         "--no-config", "--json")
        report = json.loads(r.stdout)
        self.assertTrue(report["committed"])
        self.assertNotIn("server_configuration", report)

    def test_auth_domains_leaves_out_accounts_not_migrated(self):
        pjsip = self.write("pjsip.conf", "[bob]\ntype=auth\nusername=bob\nrealm=corp\n"
                                         f"password_digest=md5:{md5('bob:corp:bobpw')}\n"
                                         "[alice]\ntype=auth\nusername=alice\n"
                                         "realm=sip.example.org\npassword=alicepw\n")
        r = self.migrate("pjsip:" + pjsip, f"sqlite3://db={self.path('p.db')}", "--create-schema",
                         "--realm", "sip.example.org", "--skip-unconvertible")
        self.assertIn("unconvertible: bob@corp", r.stderr)
        self.assertIn("auth-domains=sip.example.org", r.stdout.splitlines())

    def test_pjsip_templates_asterisk_refuses_are_refused_and_never_expanded(self):
        # [t](!,t,t,t): no t above, so Asterisk refuses the file; it allocated gigabytes here.
        # tests/fuzz/corpus/pjsip_config/ keeps both inputs.
        here = os.path.dirname(os.path.abspath(__file__))
        corpus = os.path.join(here, "..", "fuzz", "corpus", "pjsip_config")
        for name, code in (("triple_self_inheritance.conf", "SC511"),
                           ("doubling_templates.conf", "SC512")):
            r = self.migrate("pjsip:" + os.path.join(corpus, name),
                             f"sqlite3://db={self.path(name + '.db')}", "--create-schema", code=65)
            self.assertIn(f"[{code}]", r.stderr)
            self.assertIn("the server would refuse this data", r.stderr)

    def test_auth_domains_lists_at_most_100_domains_and_says_so(self):
        users = self.write("many-domains", "version:1\n" + "".join(
            f"u@d{i:03}.example.org clrtxt:pw ;\n" for i in range(150)))
        r = self.migrate(users, f"sqlite3://db={self.path('many.db')}", "--create-schema")
        listed = next(l for l in r.stdout.splitlines() if l.startswith("auth-domains="))
        domains = listed.split("=", 1)[1].split()
        self.assertEqual(domains, [f"d{i:03}.example.org" for i in range(100)])
        self.assertIn("auth-domains lists 100 of the source's domains; add the others", r.stderr)

    def test_json_report(self):
        db = self.path("k.db")
        r = self.migrate(self.users, f"sqlite3://db={db}", "--schema", "kamailio",
                         "--create-schema", "--json", code=1)
        report = json.loads(r.stdout)
        self.assertEqual(report["unconvertible"],
                         {"count": 2, "listed": [
                             {"identity": "carol@example.org", "reason":
                              'no clear-text password and no MD5 hash for realm "example.org"'},
                             {"identity": "d@ve@example.org", "reason":
                              "Kamailio reads a digest username with an '@' as user@domain: "
                              "this user could never log in"}]})
        self.assertEqual((report["read"], report["committed"]), (4, False))
        self.assertNotIn("server_configuration", report)

    def test_sql_back_to_userdb_and_sideways(self):
        db, back = self.path("f.db"), self.path("back")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        self.migrate(f"sqlite3://db={db}", back, "--verify")
        self.assertEqual(os.stat(back).st_mode & 0o777, 0o600)
        self.assertEqual(content(back),
                         "version:1\n"
                         "alice@example.org clrtxt:alicepw ;\n"
                         f"bob@example.org md5:{BOB_MD5} ;\n"
                         f"carol@example.org sha256:{CAROL_SHA256} ;\n"
                         "d%40ve@example.org clrtxt:davepw ; d%40ve +33612345678\n")
        kam = self.path("k.db")
        self.migrate(f"sqlite3://db={db}", f"sqlite3://db={kam}", "--dest-schema", "kamailio",
                     "--create-schema", "--skip-unconvertible")
        # carol (SHA-256 only) and d@ve (an '@', read by auth_db as user@domain) cannot go.
        self.assertEqual(rows(kam, "select count(*) from subscriber"), [(2,)])
        # Kamailio to Flexisip: clear text where kamctl kept it, else the MD5 ha1.
        flex = self.path("f2.db")
        self.migrate(f"sqlite3://db={kam}", f"sqlite3://db={flex}", "--source-schema",
                     "kamailio", "--create-schema", "--verify")
        self.assertEqual(rows(flex, "select a.username, p.password, p.algorithm from accounts a "
                                    "join passwords p on p.account_id = a.id order by a.id"),
                         [("alice", "alicepw", "CLRTXT"), ("bob", BOB_MD5, "MD5")])

    def test_into_an_existing_userdb_keeps_its_lines(self):
        target = self.write("target", "version:1\n# keep me\nzoe@example.org md5:"
                                      + md5("zoe:example.org:z") + " ;\n")
        self.migrate(self.users, target)
        written = content(target)
        self.assertTrue(written.startswith("version:1\n# keep me\nzoe@example.org md5:"))
        self.assertIn("alice@example.org clrtxt:alicepw ;\n", written)

    def test_htdigest_and_pjsip(self):
        self.migrate(self.users, "htdigest:" + self.path("ht"), "--skip-unconvertible")
        self.assertEqual(content(self.path("ht")),
                         f"alice:example.org:{md5('alice:example.org:alicepw')}\n"
                         f"bob:example.org:{BOB_MD5}\n"
                         f"d@ve:example.org:{md5('d@ve:example.org:davepw')}\n")
        self.migrate(self.users, "pjsip:" + self.path("pjsip.conf"))
        pjsip = content(self.path("pjsip.conf"))
        # Asterisk offers MD5 by default: carol, with SHA-256 only, must say what she answers.
        self.assertIn("[carol@example.org]\ntype=auth\nauth_type=digest\nusername=carol\n"
                      f"realm=example.org\npassword_digest=SHA-256:{CAROL_SHA256}\n"
                      "supported_algorithms_uas=SHA-256\nsupported_algorithms_uac=SHA-256\n",
                      pjsip)
        self.assertTrue(pjsip.startswith("[alice@example.org]\n"))
        # And back: pjsip to a userdb.
        self.migrate("pjsip:" + self.path("pjsip.conf"), self.path("again"), "--verify")
        self.assertIn(f"carol@example.org sha256:{CAROL_SHA256} ;",
                      content(self.path("again")))
        # Templates apply, as Asterisk loads objects.
        templated = self.write("t.conf", "[corp](!)\ntype=auth\nrealm=example.org\n"
                                         "[erin](corp)\nusername=erin\npassword=erinpw\n")
        self.migrate("pjsip:" + templated, self.path("from-template"))
        self.assertEqual(content(self.path("from-template")),
                         "version:1\nerin@example.org clrtxt:erinpw ;\n")
        # A file format is written new, never over an existing file.
        r = self.migrate(self.users, "pjsip:" + self.path("pjsip.conf"), code=73)
        self.assertIn("pjsip.conf", r.stderr)

    def test_bytes_a_file_format_cannot_hold_are_unconvertible_never_written(self):
        # A ':' in an htdigest user would make another user of another realm.
        odd = self.write("odd", "version:1\na:b@x.org clrtxt:pw ;\nok@x.org clrtxt:pw ;\n"
                                "semi@x.org md5:" + md5("semi:x.org:p") + " ;\n")
        r = self.migrate(odd, "htdigest:" + self.path("ht"), code=1)
        self.assertIn("a:b@x.org: htdigest cannot hold a ':'", r.stderr)
        self.assertFalse(os.path.exists(self.path("ht")))
        self.migrate(odd, "htdigest:" + self.path("ht"), "--skip-unconvertible")
        self.assertEqual(content(self.path("ht")),
                         f"ok:x.org:{md5('ok:x.org:pw')}\nsemi:x.org:{md5('semi:x.org:p')}\n")
        # pjsip.conf: a ';' is escaped (Asterisk reads "\;" as ';'), a line end is refused.
        semi = self.write("semi.csv", 'identity,password\nsemi@x.org,"p;w"\n')
        csv_then_pjsip = run("sipcred-migrate", "csv:" + semi, "pjsip:" + self.path("p.conf"))
        # The CSV reader holds userdb tokens only: ';' is not one, so it is refused there.
        self.assertExit(csv_then_pjsip, 65)
        jsonl = self.write("odd.jsonl", '{"identity": "u@x.org", "password": "pw"}\n')
        self.migrate("jsonl:" + jsonl, "pjsip:" + self.path("p.conf"))
        r = run("sipcred-lint", "--pjsip", self.path("p.conf"))
        self.assertExit(r, 0)

    def test_two_accounts_that_htdigest_would_keep_as_one_are_refused(self):
        """alice@a and alice@b into one htdigest realm would be one line: keeping the last
        would drop the other's password (exit 0 before). Refused, nothing written."""
        two = self.write("two", "version:1\nalice@a.org clrtxt:pa ;\nalice@b.org clrtxt:pb ;\n")
        out = self.path("out.htdigest")
        r = self.migrate(two, "htdigest:" + out, "--realm", "sip.example.org", code=65)
        self.assertIn("alice@a.org and alice@b.org would be one entry", r.stderr)
        self.assertFalse(os.path.exists(out))
        # Each in its own realm (the domain), both are there.
        self.migrate(two, "htdigest:" + out)
        with open(out) as f:
            self.assertEqual(f.read().splitlines(),
                             [f"alice:a.org:{md5('alice:a.org:pa')}",
                              f"alice:b.org:{md5('alice:b.org:pb')}"])

    def test_repeated_accounts_into_new_files_the_last_entry_wins(self):
        repeated = self.write("repeated", "version:1\n"
                                          "alice@example.org clrtxt:firstpw ;\n"
                                          f"bob@example.org md5:{BOB_MD5} ;\n"
                                          "alice@example.org clrtxt:alicepw ;\n")
        last = md5("alice:example.org:alicepw")
        for target, expected in (
                ("htdigest:ht", f"alice:example.org:{last}\nbob:example.org:{BOB_MD5}\n"),
                ("csv:l.csv", "identity,password,auth_user,phone\nalice@example.org,alicepw,,\n"),
                ("jsonl:l.jsonl", '{"identity":"alice@example.org","password":"alicepw"}\n'),
                ("userdb", "version:1\nalice@example.org clrtxt:alicepw ;\n"
                           f"bob@example.org md5:{BOB_MD5} ;\n")):
            for on_conflict in ("fail", "replace"):
                path = self.path(f"{on_conflict}-{target.split(':')[-1]}")
                locator = (target.split(":")[0] + ":" if ":" in target else "") + path
                r = self.migrate(repeated, locator, "--on-conflict", on_conflict,
                                 "--skip-unconvertible", "--verify", "--json")
                report = json.loads(r.stdout)
                self.assertEqual(report["duplicates"]["count"], 1, locator)
                self.assertEqual(report["verify"]["differences"]["count"], 0, locator)
                self.assertEqual(content(path), expected, locator)
        self.migrate(repeated, "pjsip:" + self.path("p.conf"))
        pjsip = content(self.path("p.conf"))
        self.assertEqual(pjsip.count("[alice@example.org]"), 1)
        self.assertIn("password=alicepw\n", pjsip)

    def test_verify_finds_what_the_server_would_not_accept(self):
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        # Something in the database rewrites hashes as they are stored (a bad trigger).
        with sqlite3.connect(db) as connection:
            connection.execute("create trigger spoil after insert on passwords begin update "
                               "passwords set password = 'x' || password where id = new.id; end")
        more = self.write("more", f"version:1\nfrank@example.org md5:{BOB_MD5} ;\n")
        r = self.migrate(more, f"sqlite3://db={db}", "--verify", code=1)
        self.assertIn("verify: frank@example.org: MD5 hash missing or different", r.stderr)

    def test_verify_checks_kamailio_ha1b(self):
        # auth_db reads ha1b instead of ha1 when the digest username is user@domain.
        db = self.path("k.db")
        users = self.write("kusers", "version:1\nalice@example.org clrtxt:alicepw ;\n"
                                     f"bob@example.org md5:{BOB_MD5} ;\n"
                                     "erin@example.org clrtxt:erinpw ;\n")
        dest = f"sqlite3://db={db}"
        r = self.migrate(users, dest, "--schema", "kamailio", "--create-schema", "--verify")
        # bob has no clear text: his ha1b is empty, and that is not a difference.
        self.assertIn("verified 3 accounts, 0 differences", r.stderr)
        ha1b = "select username, ha1b from subscriber order by id"
        expected = [("alice", md5("alice@example.org:example.org:alicepw")), ("bob", ""),
                    ("erin", md5("erin@example.org:example.org:erinpw"))]
        self.assertEqual(rows(db, ha1b), expected)
        # A damaged ha1b is rewritten by a re-run with replace, which verifies it again.
        with sqlite3.connect(db) as connection:
            connection.execute("update subscriber set ha1b = '' where username = 'alice'")
        r = self.migrate(users, dest, "--schema", "kamailio", "--on-conflict", "replace",
                         "--verify")
        self.assertIn("verified 3 accounts, 0 differences", r.stderr)
        self.assertEqual(rows(db, ha1b), expected)
        # Something in the database spoils ha1b as rows are written: emptied for alice, ha1
        # (the hash without @domain) for erin. ha1 and the clear text stay right.
        with sqlite3.connect(db) as connection:
            connection.execute("create trigger spoil after update on subscriber begin update "
                               "subscriber set ha1b = case new.username when 'alice' then '' "
                               "when 'erin' then new.ha1 else new.ha1b end where id = new.id; "
                               "end")
        r = self.migrate(users, dest, "--schema", "kamailio", "--on-conflict", "replace",
                         "--verify", code=1)
        self.assertEqual(rows(db, ha1b), [("alice", ""), ("bob", ""),
                                          ("erin", md5("erin:example.org:erinpw"))])
        for user in ("alice", "erin"):
            self.assertIn(f'verify: {user}@example.org: ha1b: MD5 hash for the digest username '
                          f'"{user}@example.org" missing or different', r.stderr)
        self.assertIn("verified 3 accounts, 2 differences", r.stderr)
        # The same in SHA-256 mode, where both columns hold SHA-256 values.
        db = self.path("k256.db")
        dest = f"sqlite3://db={db}"
        self.migrate(users, dest, "--schema", "kamailio", "--create-schema", "-a", "SHA-256",
                     "--skip-unconvertible", "--verify")
        self.assertEqual(rows(db, "select ha1b from subscriber where username = 'erin'"),
                         [(sha256("erin@example.org:example.org:erinpw"),)])
        with sqlite3.connect(db) as connection:
            connection.execute("create trigger spoil after update on subscriber begin update "
                               "subscriber set ha1b = upper(new.ha1) where id = new.id; end")
        r = self.migrate(users, dest, "--schema", "kamailio", "-a", "SHA-256", "--on-conflict",
                         "replace", "--skip-unconvertible", "--verify", "--json", code=1)
        report = json.loads(r.stdout)["verify"]
        self.assertEqual(report["differences"]["count"], 2)
        self.assertIn({"identity": "erin@example.org",
                       "reason": 'ha1b: SHA-256 hash for the digest username "erin@example.org" '
                                 "missing or different"}, report["differences"]["listed"])

    def test_review_fixes(self):
        # The same store named two ways.
        self.assertExit(run("sipcred-migrate", self.users, "./users", cwd=self.dir), 2)
        db = self.path("f.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        self.assertExit(run("sipcred-migrate", f"sqlite3://db={db}", "sqlite3://db=./f.db",
                            cwd=self.dir), 2)
        # Kamailio hashes with MD5 or SHA-256 only.
        self.assertExit(run("sipcred-migrate", self.users, "sqlite3://db=" + self.path("k.db"),
                            "--schema", "kamailio", "-a", "SHA-512-256"), 2)
        # A dry run leaves no database file behind.
        self.migrate(self.users, "sqlite3://db=" + self.path("dry.db"), "--create-schema",
                     "--dry-run")
        self.assertFalse(os.path.exists(self.path("dry.db")))
        # What a target has no place for is said: dave's user-id in Flexisip's tables.
        r = self.migrate(self.users, "sqlite3://db=" + self.path("g.db"), "--create-schema")
        self.assertIn('note: d@ve@example.org: user-id "dave-auth" (its clients must now '
                      'authenticate as "d@ve") not kept', r.stderr)
        # A CSV list reads back: the user is escaped as in a userdb.
        self.migrate(self.users, "csv:" + self.path("u.csv"), "--skip-unconvertible")
        self.assertIn("d%40ve@example.org,davepw,dave-auth,+33612345678\n",
                      content(self.path("u.csv")))
        self.migrate("csv:" + self.path("u.csv"), self.path("from-csv"))
        # Flexisip would hash a clear text with the user, not the user-id the client sends.
        self.assertIn(f"d%40ve@example.org md5:{md5('dave-auth:example.org:davepw')} "
                      f"sha256:{sha256('dave-auth:example.org:davepw')} ; dave-auth +33612345678\n",
                      content(self.path("from-csv")))
        # OpenSIPS' password column holds 25 characters: a longer one is not kept, hashes are.
        long = self.write("long", "version:1\nlen@example.org clrtxt:" + "x" * 30 + " ;\n")
        r = self.migrate(long, "sqlite3://db=" + self.path("o.db"), "--schema", "opensips",
                         "--create-schema")
        self.assertIn("clear-text password (longer than the 25 characters", r.stderr)
        self.assertEqual(rows(self.path("o.db"), "select password, ha1 from subscriber"),
                         [("", md5("len:example.org:" + "x" * 30))])

    def test_bad_input(self):
        self.assertExit(run("sipcred-migrate", self.users, "nosuch://x"), 2)
        self.assertExit(run("sipcred-migrate", self.users, "sqlite3://"), 2)
        self.assertExit(run("sipcred-migrate", self.users, "sqlite3://db=" + self.path("x.db"),
                            "--schema", "nosuch"), 2)
        self.assertExit(run("sipcred-migrate", self.users, "csv:" + self.path("u.csv"),
                            "--on-conflict", "merge"), 2)
        self.assertExit(run("sipcred-migrate", self.users, self.users), 2)
        # A missing source, a missing SQLite database, missing tables.
        self.assertExit(run("sipcred-migrate", self.path("none"), self.path("out")), 66)
        self.assertExit(run("sipcred-migrate", "sqlite3://db=" + self.path("none.db"),
                            self.path("out")), 66)
        open(self.path("empty.db"), "wb").close()
        r = run("sipcred-migrate", self.users, "sqlite3://db=" + self.path("empty.db"))
        self.assertExit(r, 66)
        self.assertIn('no table "accounts" of the flexisip schema (sipcred-migrate '
                      '--create-schema or sipcred-user init creates it)', r.stderr)
        # A malformed userdb: its diagnostics, exit 65, nothing written.
        bad = self.write("bad", "version:1\nalice@example.org clrtxt:x;\n")
        r = run("sipcred-migrate", bad, "sqlite3://db=" + self.path("b.db"), "--create-schema")
        self.assertExit(r, 65)
        self.assertRegex(r.stderr, r"bad:2:\d+: error: ")
        self.assertEqual(rows(self.path("b.db"), "select name from sqlite_master"), [])
        # A database server that does not answer: 69, and its password is never shown.
        r = run("sipcred-migrate", self.users,
                "postgresql://dbname=x host=127.0.0.1 port=9 user=u password=hunter2")
        self.assertExit(r, 69)
        self.assertIn("password=***", r.stderr)
        self.assertNotIn("hunter2", r.stderr)

    def test_database_failures_have_their_own_exit_codes(self):
        """Database errors are classified once: a full disk is 74 with the database's reason,
        a server that does not answer 69 with libpq's reason, a database another writer holds
        75; never 65 "malformed input" with SOCI's raw text."""
        big = self.write("big", "version:1\n" + "".join(
            f"user{i}@sip.example.org clrtxt:Secret-{i:06} ;\n" for i in range(20000)))
        # A file size limit makes write() fail (EFBIG) as a full disk does; SIGXFSZ ignored, so
        # the process gets the error instead of being killed.
        def limited():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
        db = self.path("full.db")
        r = subprocess.run([os.path.join(BIN, "sipcred-migrate"), big, f"sqlite3://db={db}",
                            "--create-schema"], capture_output=True, text=True, timeout=120,
                           preexec_fn=limited, env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})
        self.assertEqual(r.returncode, 74, r.stderr)
        self.assertRegex(r.stderr, rf"sipcred-migrate: sqlite3://db={re.escape(db)}: "
                                   r"(database or disk is full|disk I/O error)")
        self.assertNotIn("while executing", r.stderr)
        self.assertFalse(os.path.exists(db))  # created by the run, removed with it
        # A closed port: 69, with the reason libpq gives.
        r = run("sipcred-migrate", self.users, "postgresql://dbname=x host=127.0.0.1 port=9 user=u")
        self.assertExit(r, 69)
        self.assertIn("Connection refused", r.stderr)
        self.assertNotIn("Cannot establish connection to the database.", r.stderr)
        # Another writer holds the SQLite database (beyond SQLite's wait): 75, try again later.
        db = self.path("held.db")
        self.migrate(self.users, f"sqlite3://db={db}", "--create-schema")
        holder = sqlite3.connect(db, isolation_level=None)
        self.addCleanup(holder.close)
        holder.execute("BEGIN EXCLUSIVE")
        r = run("sipcred-migrate", self.write("one", "version:1\nz@example.org clrtxt:pw ;\n"),
                f"sqlite3://db={db} timeout=1")  # SOCI's wait, instead of sipcred's 30 s
        self.assertExit(r, 75)
        self.assertIn(f"sqlite3://db={db} timeout=1: database is locked", r.stderr)

    def test_killed_run_leaves_the_database_as_it_was(self):
        big = self.path("big")
        with open(big, "w") as f:
            f.write("version:1\n")
            for i in range(200000):
                f.write(f"user{i}@example.org clrtxt:pw{i} ;\n")
        for table_was_empty in (False, True):  # the per-row path, and the bulk load
            db = self.path(f"killed-{table_was_empty}.db")
            journal = db + "-journal"
            self.migrate(self.write("one", "version:1\n" if table_was_empty else USERS),
                         f"sqlite3://db={db}", "--create-schema")
            before = content(db, "rb")
            # The run is one transaction: SQLite commits it by deleting its journal, once.
            if os.path.exists(self.log()):
                os.unlink(self.log())
            copy = self.path("copy.db")
            with open(copy, "wb") as f:
                f.write(before)
            finished = run("sipcred-migrate", big, f"sqlite3://db={copy}", "-q",
                           env={"LD_PRELOAD": SHIM, "SIPCRED_SHIM_LOG": self.log()})
            self.assertExit(finished, 0)
            with open(self.log()) as f:
                commits = [line for line in f if line.startswith(f"unlink\t{copy}-journal\t")]
            self.assertEqual(len(commits), 1, "not one transaction")
            os.unlink(copy)
            # Killed where SQLite writes pages of the run into the database file itself, and
            # just before the commit: stopped there by the shim, not after a guessed delay.
            for stop in (f"write:{os.path.realpath(db)}:2",
                         f"unlink:{os.path.realpath(journal)}:1"):
                with self.subTest(table_was_empty=table_was_empty, stop=stop):
                    process = start_stopped("sipcred-migrate", big, f"sqlite3://db={db}", "-q",
                                            stop=stop)
                    # Inside the transaction: the journal of the pages it changed is there.
                    self.assertGreater(os.path.getsize(journal), 0)
                    self.assertEqual(kill_stopped(process), -signal.SIGKILL)
                    # The next reader rolls the journal back.
                    self.assertEqual(rows(db, "select count(*) from accounts"),
                                     [(0,)] if table_was_empty else [(4,)])
                    self.assertEqual(content(db, "rb"), before)
                    self.assertFalse(os.path.exists(journal))

    def log(self):
        return self.path("calls")

    def test_source_repeats_an_account_the_last_entry_wins(self):
        # As Flexisip reads a userdb: the last line of a user is the one it uses.
        repeated = self.write("repeated", "version:1\n"
                                          "alice@example.org clrtxt:firstpw ;\n"
                                          f"bob@example.org md5:{BOB_MD5} ;\n"
                                          "alice@example.org clrtxt:alicepw ;\n"
                                          f"carol@example.org sha256:{CAROL_SHA256} ;\n"
                                          f"alice@example.org md5:{md5('alice:example.org:x')} "
                                          f"sha256:{sha256('alice:example.org:x')} ;\n")
        expected = [("alice", md5("alice:example.org:x"), "MD5"),
                    ("alice", sha256("alice:example.org:x"), "SHA-256"),
                    ("bob", BOB_MD5, "MD5"), ("carol", CAROL_SHA256, "SHA-256")]
        query = ("select a.username, p.password, p.algorithm from accounts a join passwords p "
                 "on p.account_id = a.id order by a.username, p.algorithm")
        # A new database (the bulk load: indexes built after it), one whose unique key is
        # declared inside CREATE TABLE (it stays in place: a repeat is refused at its insert),
        # and one that holds an account already (an account is looked up before it is written).
        legacy = self.path("legacy.db")
        with sqlite3.connect(legacy) as connection:
            connection.executescript(
                "create table accounts (id integer primary key not null, username varchar(64) "
                "not null, domain varchar(64) not null, phone varchar(64) null, activated "
                "boolean not null default false, unique (username, domain));"
                "create table passwords (id integer primary key not null, account_id integer "
                "not null, password varchar(255) not null, algorithm varchar(10) not null "
                "default 'MD5', unique (account_id, algorithm));")
        holding = self.path("holding.db")
        self.migrate(self.write("zoe", "version:1\nzoe@example.org clrtxt:zoepw ;\n"),
                     f"sqlite3://db={holding}", "--create-schema")
        for db in (self.path("new.db"), legacy, holding):
            r = self.migrate(repeated, f"sqlite3://db={db}", "--create-schema", "--verify",
                             "--json")
            report = json.loads(r.stdout)
            self.assertEqual((report["read"], report["inserted"], report["credentials"]),
                             (5, 3, 4), db)
            self.assertEqual(report["duplicates"]["count"], 2, db)
            self.assertEqual({d["identity"] for d in report["duplicates"]["listed"]},
                             {"alice@example.org"})
            self.assertEqual(report["verify"]["differences"]["count"], 0, db)
            self.assertEqual([row for row in rows(db, query) if row[0] != "zoe"], expected, db)
            self.assertEqual(rows(db, "select count(*) from passwords where account_id not in "
                                      "(select id from accounts)"), [(0,)])
        # The same for the other stores.
        kam = self.path("k.db")
        self.migrate(repeated, f"sqlite3://db={kam}", "--schema", "kamailio", "--create-schema",
                     "--skip-unconvertible", "--verify")
        self.assertEqual(rows(kam, "select username, password from subscriber order by username"),
                         [("alice", ""), ("bob", "")])
        self.assertEqual(rows(kam, "select ha1 from subscriber where username = 'alice'"),
                         [(md5("alice:example.org:x"),)])
        r = self.migrate(repeated, self.path("back"), "--verify")
        self.assertIn("duplicate: alice@example.org: listed again later in SOURCE", r.stderr)
        self.assertEqual(content(self.path("back")),
                         "version:1\n"
                         f"alice@example.org md5:{md5('alice:example.org:x')} "
                         f"sha256:{sha256('alice:example.org:x')} ;\n"
                         f"bob@example.org md5:{BOB_MD5} ;\n"
                         f"carol@example.org sha256:{CAROL_SHA256} ;\n")

    def test_a_unique_index_of_dest_still_fails_the_run(self):
        # DEST has a unique index of its own that the new rows break. The bulk load builds it
        # again after the rows are in: it must fail there, and leave DEST as it was.
        db = self.path("f.db")
        self.migrate(self.write("empty", "version:1\n"), f"sqlite3://db={db}", "--create-schema")
        with sqlite3.connect(db) as connection:
            connection.execute("create unique index accounts_phone on accounts (phone)")
        before = content(db, "rb")
        same_phone = self.write("phones", "version:1\n"
                                          "alice@example.org clrtxt:alicepw ; alice +33600000000\n"
                                          "alice@example.org clrtxt:alicepw ; alice +33611111111\n"
                                          "bob@example.org clrtxt:bobpw ; bob +33611111111\n")
        r = self.migrate(same_phone, f"sqlite3://db={db}", code=65)
        self.assertIn("UNIQUE constraint failed: accounts.phone", r.stderr)
        self.assertEqual(content(db, "rb"), before)
        self.assertEqual(rows(db, "select name from sqlite_master where type = 'index' order by "
                                  "name"),
                         [("accounts_phone",), ("accounts_username_domain_unique",),
                          ("passwords_account_id_algorithm_unique",)])
        # Without the repeat of bob's phone, the repeat of alice is no failure.
        self.migrate(self.write("fine", "version:1\n"
                                        "alice@example.org clrtxt:alicepw ; alice +33600000000\n"
                                        "bob@example.org clrtxt:bobpw ; bob +33622222222\n"
                                        "alice@example.org clrtxt:alicepw ; alice +336111111\n"),
                     f"sqlite3://db={db}")
        self.assertEqual(rows(db, "select username, phone from accounts order by username"),
                         [("alice", "+336111111"), ("bob", "+33622222222")])


class ProgressBar(TempDirTest):
    """The progress bar of a run that lasts over a second. Such a run is made deterministic, on
    any machine, without a large input: DEST is a userdb that another writer holds locked for
    LOCKED seconds after sipcred-migrate first tried the lock (the shim stops it there), and
    sipcred-migrate waits for the lock (as its man page says) before it writes."""
    LOCKED = 1.5
    BAR = re.compile(r"\r\[#* *\] +\d+% \d+/\d+ accounts")

    def setUp(self):
        super().setUp()
        self.source = self.write("users", "version:1\n" + "".join(
            f"user{i}@example.org clrtxt:pw{i} ;\n" for i in range(5000)))

    def run_locked(self, *args, stderr_terminal=True, stdout_terminal=False):
        """Runs sipcred-migrate into a locked userdb; returns (stdout, stderr) as written."""
        dest = self.write("dest", "version:1\n")
        lock = open(dest, "rb")
        self.addCleanup(lock.close)
        fcntl.flock(lock, fcntl.LOCK_EX)
        terminal = Terminal()
        err_file = open(self.path("stderr"), "wb+")
        self.addCleanup(err_file.close)
        out_file = open(self.path("stdout"), "wb+")
        self.addCleanup(out_file.close)
        started = time.monotonic()
        proc = terminal.popen([os.path.join(BIN, "sipcred-migrate"), self.source, dest, *args],
                              stdin=subprocess.DEVNULL,
                              stdout=terminal.follower if stdout_terminal else out_file,
                              stderr=terminal.follower if stderr_terminal else err_file,
                              env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8",
                                   "LD_PRELOAD": SHIM,
                                   "SIPCRED_SHIM_STOP": f"flock:{os.path.realpath(dest)}:1"})
        # Stopped by the shim at its first try of the lock: its run (and its bar's clock) has
        # begun, and it waits from now on for as long as the lock is held, however late it
        # started on a slow machine.
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        self.assertTrue(os.WIFSTOPPED(status), f"ended before it tried the lock: {status}")
        os.kill(proc.pid, signal.SIGCONT)
        time.sleep(self.LOCKED)
        lock.close()
        code, terminal_text = terminal.output(proc, timeout=30)
        self.assertEqual(code, 0)
        elapsed = time.monotonic() - started
        # The run lasted over a second, or an absent bar would prove nothing.
        self.assertGreaterEqual(elapsed, self.LOCKED)
        self.assertIn("user4999@example.org clrtxt:pw4999 ;", content(dest))
        err_file.seek(0)
        out_file.seek(0)
        stderr = terminal_text if stderr_terminal else err_file.read().decode("utf-8", "replace")
        stdout = terminal_text if stdout_terminal else out_file.read().decode("utf-8", "replace")
        return stdout, stderr

    def test_bar_on_a_terminal(self):
        _, stderr = self.run_locked()
        self.assertRegex(stderr, self.BAR)
        # Its total is the accounts of the source, not its lines (the version line too).
        self.assertRegex(stderr, r"\d+/5000 accounts")
        self.assertNotRegex(stderr, r"\d+/5001 accounts")
        # Erased when done, before the summary.
        self.assertIn("\r\x1b[K", stderr)
        self.assertLess(stderr.rindex("\r\x1b[K"), stderr.index("migrated: 5000 accounts read"))

    def test_no_bar_with_q(self):
        _, stderr = self.run_locked("-q")
        self.assertNotRegex(stderr, self.BAR)
        self.assertNotIn("%", stderr)
        self.assertNotIn("\x1b", stderr)

    def test_no_bar_when_stderr_is_not_a_terminal(self):
        stdout, stderr = self.run_locked(stdout_terminal=True, stderr_terminal=False)
        self.assertIn("migrated: 5000 accounts read", stderr)
        for output in (stdout, stderr):
            self.assertNotRegex(output, self.BAR)
            self.assertNotIn("%", output)
            self.assertNotIn("\r", output.replace("\r\n", "\n"))
            self.assertNotIn("\x1b", output)


class Freeswitch(TempDirTest):
    """FreeSWITCH's directory XML (freeswitch:PATH): a userdb into a directory of user files and
    back, a whole directory file of several domains, and what is refused, with exit codes."""

    def setUp(self):
        super().setUp()
        self.users = self.write("users", "version:1\n"
                                "alice@example.org clrtxt:alicepw ;\n"
                                f"bob@example.org md5:{BOB_MD5} ;\n"
                                f"carol@example.org sha256:{CAROL_SHA256} ;\n")

    def migrate(self, *args, code=0):
        r = run("sipcred-migrate", *args, cwd=self.dir)
        self.assertExit(r, code)
        return r

    def params(self, path, user_id):
        """The params of the user: name -> value."""
        root = ElementTree.parse(path).getroot()
        user = root.find(f".//user[@id='{user_id}']")
        self.assertIsNotNone(user, path)
        return {p.get("name"): p.get("value") for p in user.find("params").findall("param")}

    def test_a_userdb_into_a_directory_of_user_files_and_back(self):
        directory = self.path("default")
        r = self.migrate(self.users, f"freeswitch:{directory}", "--realm", "example.org",
                         "--skip-unconvertible", "--verify")
        self.assertIn("carol@example.org", r.stderr)  # a SHA-256 hash only: sofia needs MD5
        self.assertEqual(sorted(os.listdir(directory)), ["alice.xml", "bob.xml"])
        for name in ("alice.xml", "bob.xml"):
            self.assertEqual(os.stat(os.path.join(directory, name)).st_mode & 0o777, 0o600)
        alice = os.path.join(directory, "alice.xml")
        self.assertEqual(ElementTree.parse(alice).getroot().tag, "include")
        self.assertEqual(self.params(alice, "alice"),
                         {"password": "alicepw", "a1-hash": md5("alice:example.org:alicepw")})
        self.assertEqual(self.params(os.path.join(directory, "bob.xml"), "bob"),
                         {"a1-hash": BOB_MD5})

        back = self.path("back")
        self.migrate(f"freeswitch:{directory}", back, "--realm", "example.org", "--verify")
        self.assertEqual(content(back), "version:1\n"
                                        "alice@example.org clrtxt:alicepw ;\n"
                                        f"bob@example.org md5:{BOB_MD5} ;\n")

    def test_replacing_a_user_keeps_the_rest_of_its_file(self):
        directory = self.path("default")
        os.mkdir(directory)
        original = ("<include>\n"
                    "  <user id=\"alice\" number-alias=\"1000\">\n"
                    "    <params>\n"
                    "      <param name=\"password\" value=\"old-pw\"/>\n"
                    "      <param name=\"vm-password\" value=\"4321\"/>\n"
                    "    </params>\n"
                    "    <variables>\n"
                    "      <!-- the front desk -->\n"
                    "      <variable name=\"user_context\" value=\"default\"/>\n"
                    "    </variables>\n"
                    "  </user>\n"
                    "</include>\n")
        alice = self.write("default/alice.xml", original, mode=0o640)
        self.migrate(self.users, f"freeswitch:{directory}", "--realm", "example.org",
                     "--skip-unconvertible", code=1)  # alice is there: a conflict
        self.assertEqual(content(alice), original)
        self.migrate(self.users, f"freeswitch:{directory}", "--realm", "example.org",
                     "--skip-unconvertible", "--on-conflict", "replace", "--verify")
        a1 = md5("alice:example.org:alicepw")
        self.assertEqual(content(alice), original.replace(
            "value=\"old-pw\"/>\n", "value=\"alicepw\"/>\n").replace(
            "      <param name=\"vm-password\" value=\"4321\"/>\n",
            "      <param name=\"vm-password\" value=\"4321\"/>\n"
            f"      <param name=\"a1-hash\" value=\"{a1}\"/>\n"))
        self.assertEqual(os.stat(alice).st_mode & 0o777, 0o640)  # its mode is kept

    def test_one_file_of_several_domains(self):
        users = self.write("two", "version:1\n"
                           "alice@example.org clrtxt:alicepw ;\n"
                           "alice@example.net clrtxt:otherpw ;\n")
        file = self.path("directory.xml")
        self.migrate(users, f"freeswitch:{file}", "--verify")
        root = ElementTree.parse(file).getroot()
        self.assertEqual(root.tag, "document")
        domains = root.findall("./section[@name='directory']/domain")
        self.assertEqual([d.get("name") for d in domains], ["example.org", "example.net"])
        net = domains[1].find("./users/user[@id='alice']/params")
        self.assertEqual({p.get("name"): p.get("value") for p in net.findall("param")},
                         {"password": "otherpw", "a1-hash": md5("alice:example.net:otherpw")})
        back = self.path("back")
        self.migrate(f"freeswitch:{file}", back)
        self.assertEqual(content(back), "version:1\n"
                                        "alice@example.org clrtxt:alicepw ;\n"
                                        "alice@example.net clrtxt:otherpw ;\n")

    def test_what_is_refused_and_its_exit_codes(self):
        directory = self.path("default")
        # A directory's user files name no domain: --realm gives it.
        r = self.migrate(self.users, f"freeswitch:{directory}", code=2)
        self.assertIn("--realm", r.stderr)
        self.assertFalse(os.path.exists(directory))
        # Not well-formed: 65, at the line and column libxml2 gives, nothing written.
        bad = self.write("bad.xml", "<include>\n  <user id=\"1\">\n  </usr>\n</include>\n")
        out = self.path("out")
        r = self.migrate(f"freeswitch:{bad}", out, "--realm", "example.org", code=65)
        self.assertRegex(r.stderr, re.escape(bad) + r":3:9: error: not well-formed XML: .*\[SC211\]")
        self.assertFalse(os.path.exists(out))
        # Larger than sipcred reads: 65 without reading it.
        huge = self.write("huge.xml", "")
        os.truncate(huge, 32 * 1024 * 1024 + 1)
        r = self.migrate(f"freeswitch:{huge}", out, "--realm", "example.org", code=65)
        self.assertIn("larger than the 32 MiB", r.stderr)
        # An account of another domain than the directory's: unconvertible, nothing written.
        r = self.migrate(self.users, f"freeswitch:{directory}", "--realm", "example.com", code=1)
        self.assertIn("holds the users of one domain", r.stderr)
        self.assertFalse(os.path.exists(directory))


class StoreTable(unittest.TestCase):
    """--list-stores prints the table every locator is parsed with: the help and the man pages
    name each kind of store in it (completions: test_completions.py)."""

    def test_help_and_man_pages_name_every_store(self):
        r = run("sipcred-migrate", "--list-stores")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        self.assertTrue(all(len(row) == 2 and row[1] for row in rows), rows)
        forms = [row[0] for row in rows]
        for form in ("PATH", "htdigest:PATH", "pjsip:PATH", "csv:PATH", "jsonl:PATH",
                     "freeswitch:PATH", "sqlite3://db=PATH"):
            self.assertIn(form, forms)
        self.assertTrue(any(f.startswith("postgresql://") for f in forms), forms)
        self.assertTrue(any(f.startswith("mysql://") for f in forms), forms)
        self.assertEqual(run("sipcred-sim", "--list-stores").stdout, r.stdout)
        help_text = " ".join(run("sipcred-migrate", "--help").stdout.split())
        for form in forms:
            self.assertIn(form, help_text)
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../man")
        for page in ("sipcred-migrate.1.scd", "sipcred-sim.1.scd"):
            with open(os.path.join(root, page)) as f:
                text = f.read().replace("*", "").replace("_", "")
            for form in forms:
                prefix = form.split("PATH")[0] if "PATH" in form else form[:form.index("://") + 3]
                if prefix:
                    self.assertIn(prefix, text, f"{page} does not name {prefix}")


if __name__ == "__main__":
    unittest.main()
