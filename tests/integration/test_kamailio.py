"""sipcred-sim probe against a real Kamailio (5.6+) with auth_db: users in its subscriber table
(SQLite, table version 7), in MD5 mode and in SHA-256 mode. Hashes come from hashlib."""
import glob
import hashlib
import os
import shutil
import sqlite3
import unittest

from livetest import TempDirTest, run
from servers import Kamailio

MODULES = next(iter(glob.glob("/usr/lib/*/kamailio/modules/auth_db.so")), None)
SQLITE_MODULE = MODULES and os.path.exists(os.path.join(os.path.dirname(MODULES), "db_sqlite.so"))

SCHEMA = """
CREATE TABLE version (id INTEGER PRIMARY KEY NOT NULL, table_name VARCHAR(32) NOT NULL,
  table_version INTEGER DEFAULT 0 NOT NULL, CONSTRAINT version_table_name_idx UNIQUE (table_name));
INSERT INTO version (table_name, table_version) VALUES ('subscriber', 7);
CREATE TABLE subscriber (id INTEGER PRIMARY KEY NOT NULL, username VARCHAR(64) DEFAULT '' NOT NULL,
  domain VARCHAR(64) DEFAULT '' NOT NULL, password VARCHAR(64) DEFAULT '' NOT NULL,
  ha1 VARCHAR(128) DEFAULT '' NOT NULL, ha1b VARCHAR(128) DEFAULT '' NOT NULL,
  CONSTRAINT subscriber_account_idx UNIQUE (username, domain));
CREATE INDEX subscriber_username_idx ON subscriber (username);
"""


@unittest.skipUnless(shutil.which("kamailio") and SQLITE_MODULE,
                     "kamailio and kamailio-sqlite-modules are not installed (scripts/install-deps)")
class ProbeAgainstKamailio(TempDirTest):
    def start(self, hash_name, qop_flags):
        """Kamailio on a free port, alice's password s3cret hashed with `hash_name` (realm =
        domain = 127.0.0.1)."""
        h = lambda text: hashlib.new(hash_name, text.encode()).hexdigest()
        db = self.path("kamailio.db")
        with sqlite3.connect(db) as conn:
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO subscriber (username, domain, ha1, ha1b) VALUES (?,?,?,?)",
                         ("alice", "127.0.0.1", h("alice:127.0.0.1:s3cret"),
                          h("alice@127.0.0.1:127.0.0.1:s3cret")))
        conn.close()
        algorithm = 'modparam("auth", "algorithm", "SHA-256")' if hash_name == "sha256" else ""
        self.kamailio = Kamailio("\n".join([
            'loadmodule "db_sqlite.so"',
            f'modparam("auth_db", "db_url", "sqlite:///{db}")',  # 4 slashes: absolute
            'modparam("auth_db", "calculate_ha1", 0)',
            'modparam("auth_db", "password_column", "ha1")', algorithm]), qop_flags)
        return self.kamailio.port

    def stop(self):
        self.kamailio.stop()

    def probe(self, port, password):
        pw = self.write("pw", password + "\n")
        return run("sipcred-sim", "probe", f"sip:alice@127.0.0.1:{port}", "--password-file", pw,
                   "--timeout", "5")

    def check_mode(self, hash_name, qop_flags, algorithm_token):
        port = self.start(hash_name, qop_flags)
        try:
            ok = self.probe(port, "s3cret")
            bad = self.probe(port, "s3cres")
        finally:
            self.stop()
        self.assertExit(ok, 0)
        lines = ok.stdout.splitlines()
        self.assertEqual(lines[1], "< SIP/2.0 401 Unauthorized")
        if algorithm_token:
            self.assertIn(f"algorithm={algorithm_token}", lines[2])
        else:  # Kamailio leaves algorithm out in MD5 mode: absent means MD5
            self.assertNotIn("algorithm=", lines[2])
        self.assertEqual(lines[-2:], ["< SIP/2.0 200 OK", "registered"])
        self.assertExit(bad, 1)
        self.assertTrue(bad.stdout.splitlines()[-1].startswith("rejected: "), bad.stdout)
        self.assertNotIn("s3cre", ok.stdout + bad.stdout)
        return ok

    def test_md5_mode_with_qop(self):
        ok = self.check_mode("md5", "1", None)
        self.assertIn("qop=auth", ok.stdout)

    def test_sha256_mode(self):
        self.check_mode("sha256", "0", "SHA-256")


if __name__ == "__main__":
    unittest.main()
