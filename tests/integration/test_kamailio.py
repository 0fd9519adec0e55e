"""sipcred-sim probe against a real Kamailio (5.6+) with auth_db: users in its subscriber table
(SQLite, table version 7), in MD5 mode and in SHA-256 mode. Hashes come from hashlib."""
import glob
import hashlib
import os
import shutil
import socket
import sqlite3
import subprocess
import time
import unittest

from livetest import TempDirTest, free_port, run

MODULES = next(iter(glob.glob("/usr/lib/*/kamailio/modules/auth_db.so")), None)
SQLITE_MODULE = MODULES and os.path.exists(os.path.join(os.path.dirname(MODULES), "db_sqlite.so"))

CONFIG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
disable_tcp=yes
listen=udp:127.0.0.1:{port}
mpath="{mpath}"
loadmodule "db_sqlite.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
modparam("usrloc", "db_mode", 0)
modparam("auth_db", "db_url", "sqlite://{db}")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
{algorithm}
request_route {{
  if (is_method("REGISTER")) {{
    if (!www_authenticate("$fd", "subscriber")) {{
      www_challenge("$fd", "{qop_flags}");
      exit;
    }}
    if (!save("location")) sl_reply_error();
    exit;
  }}
  sl_send_reply("404", "Not here");
}}
"""

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
        """Kamailio in the foreground on a free port, alice's password s3cret hashed with
        `hash_name` (realm = domain = 127.0.0.1); returns the port."""
        h = lambda text: hashlib.new(hash_name, text.encode()).hexdigest()
        db = self.path("kamailio.db")
        with sqlite3.connect(db) as conn:
            conn.executescript(SCHEMA)
            conn.execute("INSERT INTO subscriber (username, domain, ha1, ha1b) VALUES (?,?,?,?)",
                         ("alice", "127.0.0.1", h("alice:127.0.0.1:s3cret"),
                          h("alice@127.0.0.1:127.0.0.1:s3cret")))
        conn.close()
        algorithm = 'modparam("auth", "algorithm", "SHA-256")' if hash_name == "sha256" else ""
        for _ in range(5):  # another suite may take the port between our check and the bind
            port = free_port()
            cfg = self.write("kamailio.cfg", CONFIG.format(
                port=port, mpath=os.path.dirname(MODULES) + "/", db=db, algorithm=algorithm,
                qop_flags=qop_flags))
            check = subprocess.run(["kamailio", "-c", "-f", cfg], capture_output=True, text=True,
                                   timeout=60)
            self.assertEqual(check.returncode, 0, check.stderr[-2000:])
            self.log = open(self.path("kamailio.log"), "w")
            self.kamailio = subprocess.Popen(
                ["kamailio", "-DD", "-E", "-f", cfg, "-Y", self.dir, "-P", self.path("pid"),
                 "-m", "32", "-M", "4"], stdout=self.log, stderr=subprocess.STDOUT)
            if self.wait_ready(port):
                return port
            exited = self.kamailio.poll() is not None
            self.stop()
            if not exited:  # up but silent: retrying will not help
                break
        with open(self.path("kamailio.log")) as log:
            self.fail("kamailio did not start: " + log.read()[-3000:])

    def wait_ready(self, port):
        """Kamailio answers an OPTIONS (with its 404) once it is up."""
        options = (f"OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n"
                   "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKready;rport\r\n"
                   "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:t@127.0.0.1>\r\n"
                   "Call-ID: ready\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                   "Content-Length: 0\r\n\r\n").encode()
        end = time.monotonic() + 15
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            s.connect(("127.0.0.1", port))
            while time.monotonic() < end and self.kamailio.poll() is None:
                try:
                    s.send(options)
                    if s.recv(65536).startswith(b"SIP/2.0 "):
                        return True
                except (socket.timeout, ConnectionRefusedError):
                    time.sleep(0.1)
        return False

    def stop(self):
        if self.kamailio.poll() is None:
            self.kamailio.terminate()
            try:
                self.kamailio.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kamailio.kill()
                self.kamailio.wait()
        self.log.close()

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
