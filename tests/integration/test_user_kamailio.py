"""sipcred-user against a real Kamailio (auth_db): the subscriber table is created and filled
only by sipcred-user (init, add, rotate, remove), on SQLite and on PostgreSQL, and real clients
register with it: sipsak (MD5, as the user and as user@domain, Kamailio's ha1b) and linphonec
(SHA-256, Kamailio's modparam("auth", "algorithm", "SHA-256"))."""
import glob
import os
import queue
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest

from livetest import TempDirTest, free_port, run
from servers import Kamailio, PostgreSQL

MODULES = os.path.dirname(next(iter(glob.glob("/usr/lib/*/kamailio/modules/auth_db.so")), "/-"))
HAS_KAMAILIO = bool(shutil.which("kamailio")) and os.path.exists(MODULES)

# auth_db as test_kamailio.py sets it up: the hashes only (never the clear text), ha1 for the
# digest username user, ha1b (password_column_2, its default) for user@domain.
AUTH_DB = ['modparam("auth_db", "calculate_ha1", 0)',
           'modparam("auth_db", "password_column", "ha1")']


def kamailio_on(db_module, db_url, *extra):
    return Kamailio("\n".join([f'loadmodule "{db_module}.so"',
                               f'modparam("auth_db", "db_url", "{db_url}")', *AUTH_DB, *extra]))


def user(*args, stdin=""):
    return run("sipcred-user", *args, stdin=stdin)


class UserTest(TempDirTest):
    def user_ok(self, *args, stdin=""):
        r = user(*args, stdin=stdin)
        self.assertExit(r, 0)
        return r

    def registers(self, kamailio, password, username=None):
        return kamailio.register("alice", "127.0.0.1", password, username) == 0

    def lifecycle(self, store, schema_args, kamailio_factory):
        """init, add alice, then Kamailio reads what sipcred-user wrote: add, rotate, remove,
        each seen by sipsak as the user and as user@domain."""
        self.user_ok("init", store, *schema_args)
        self.user_ok("add", store, *schema_args, "alice@127.0.0.1", "--password-stdin",
                     stdin="first-Pw1\n")
        kamailio = kamailio_factory()
        try:
            for username in (None, "alice@127.0.0.1"):
                with self.subTest(step="added", username=username):
                    self.assertTrue(self.registers(kamailio, "first-Pw1", username))
                    self.assertFalse(self.registers(kamailio, "first-Pw2", username))
            rotated = self.user_ok("rotate", store, *schema_args, "alice@127.0.0.1",
                                   "--password-stdin", stdin="second-Pw\n")
            self.assertNotIn("second-Pw", rotated.stdout + rotated.stderr)
            for username in (None, "alice@127.0.0.1"):
                with self.subTest(step="rotated", username=username):
                    self.assertFalse(self.registers(kamailio, "first-Pw1", username))
                    self.assertTrue(self.registers(kamailio, "second-Pw", username))
            self.user_ok("remove", store, *schema_args, "alice@127.0.0.1")
            for username in (None, "alice@127.0.0.1"):
                with self.subTest(step="removed", username=username):
                    self.assertFalse(self.registers(kamailio, "second-Pw", username))
        finally:
            kamailio.stop()


@unittest.skipUnless(HAS_KAMAILIO and shutil.which("sipsak"),
                     "kamailio and sipsak are not installed (scripts/install-deps)")
class SipsakWithKamailio(UserTest):
    @unittest.skipUnless(os.path.exists(os.path.join(MODULES, "db_sqlite.so")),
                         "kamailio-sqlite-modules is not installed")
    def test_sqlite_table_made_by_sipcred_user(self):
        db = self.path("kamailio.db")
        self.assertFalse(os.path.exists(db))
        self.lifecycle(f"sqlite3://db={db}", ["--schema", "kamailio"],
                       lambda: kamailio_on("db_sqlite", f"sqlite:///{db}"))
        # Only hashes: auth_db was told to read ha1, and no clear text was asked for.
        with sqlite3.connect(db) as conn:
            self.assertEqual(conn.execute("SELECT COUNT(*) FROM subscriber").fetchone()[0], 0)
            self.assertEqual(conn.execute("SELECT table_version FROM version WHERE "
                                          "table_name = 'subscriber'").fetchone()[0], 7)
        conn.close()

    @unittest.skipUnless(os.path.exists(os.path.join(MODULES, "db_postgres.so")),
                         "kamailio-postgres-modules is not installed")
    def test_postgresql_table_made_by_sipcred_user(self):
        server = PostgreSQL()
        try:
            self.assertEqual(server.sql("SELECT COUNT(*) FROM information_schema.tables WHERE "
                                        "table_schema = 'public'", "sipcred"), "0\n")
            self.lifecycle(server.locator, ["--schema", "kamailio"],
                           lambda: kamailio_on("db_postgres", "postgres://postgres@127.0.0.1:"
                                                             f"{server.port}/sipcred"))
            self.assertEqual(server.sql("SELECT table_version FROM version WHERE table_name = "
                                        "'subscriber'", "sipcred"), "7\n")
        finally:
            server.stop()

    def test_sipsak_fails_for_a_user_never_added(self):
        """The control: registering is no formality (a Kamailio that accepted anyone would pass
        the tests above as long as the wrong passwords failed)."""
        db = self.path("kamailio.db")
        self.user_ok("init", f"sqlite3://db={db}", "--schema", "kamailio")
        self.user_ok("add", f"sqlite3://db={db}", "--schema", "kamailio", "bob@127.0.0.1",
                     "--password-stdin", stdin="bobs-Pw\n")
        kamailio = kamailio_on("db_sqlite", f"sqlite:///{db}")
        try:
            self.assertFalse(self.registers(kamailio, "bobs-Pw"))  # alice, with bob's password
            self.assertEqual(kamailio.register("bob", "127.0.0.1", "bobs-Pw"), 0)
        finally:
            kamailio.stop()


class Linphonec:
    """linphonec registering once with an rc file of its own (stores.md): a fresh HOME each time,
    since linphonec moves the auth_info of its rc into its database there and would reuse it."""

    def __init__(self, port, password, userid="alice"):
        self.home = tempfile.mkdtemp(prefix="sipcred-linphone-")
        os.makedirs(os.path.join(self.home, ".local/share/linphone"))
        self.rc = os.path.join(self.home, "rc")
        with open(self.rc, "w") as f:
            f.write(f"[sip]\nsip_port={free_port()}\nsip_tcp_port=-1\nbind_address=127.0.0.1\n"
                    f"[auth_info_0]\nusername=alice\nuserid={userid}\npasswd={password}\n"
                    "realm=127.0.0.1\ndomain=127.0.0.1\n"
                    f"[proxy_0]\nreg_proxy=<sip:127.0.0.1:{port}>\n"
                    "reg_identity=sip:alice@127.0.0.1\nreg_sendregister=1\nreg_expires=60\n")

    def register(self, timeout=20):
        """'ok', 'failed' or 'timeout', and the log."""
        proc = subprocess.Popen(["linphonec", "-c", self.rc, "-d", "5"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", env={"PATH": "/usr/bin:/bin", "HOME": self.home,
                                                       "LC_ALL": "C.UTF-8"})
        lines = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(l) for l in proc.stdout], daemon=True)
        reader.start()
        log, outcome = [], "timeout"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                if proc.poll() is not None:
                    break
                continue
            log.append(line)
            if "to [LinphoneRegistrationOk]" in line:
                outcome = "ok"
                break
            if "to [LinphoneRegistrationFailed]" in line:
                outcome = "failed"
                break
        try:
            proc.stdin.write("quit\n")
            proc.stdin.flush()
            proc.wait(timeout=10)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        reader.join(timeout=5)
        for pipe in (proc.stdin, proc.stdout):
            try:
                pipe.close()
            except BrokenPipeError:
                pass
        while not lines.empty():
            log.append(lines.get())
        shutil.rmtree(self.home, ignore_errors=True)
        return outcome, "".join(log)


@unittest.skipUnless(HAS_KAMAILIO and os.path.exists(os.path.join(MODULES, "db_sqlite.so"))
                     and shutil.which("linphonec"),
                     "kamailio, kamailio-sqlite-modules and linphone-cli are not installed "
                     "(scripts/install-deps)")
class LinphonecWithKamailioSha256(UserTest):
    def test_sha256_mode(self):
        db = self.path("kamailio.db")
        store = f"sqlite3://db={db}"
        self.user_ok("init", store, "--schema", "kamailio")
        self.user_ok("add", store, "--schema", "kamailio", "-a", "SHA-256", "alice@127.0.0.1",
                     "--password-stdin", stdin="sha-Pw1\n")
        with sqlite3.connect(db) as conn:
            ha1, ha1b = conn.execute("SELECT ha1, ha1b FROM subscriber").fetchone()
        conn.close()
        self.assertEqual(len(ha1), 64)  # SHA-256, not MD5's 32 hex digits
        self.assertEqual(len(ha1b), 64)
        kamailio = kamailio_on("db_sqlite", f"sqlite:///{db}",
                               'modparam("auth", "algorithm", "SHA-256")')
        try:
            cases = [("sha-Pw1", "alice", "ok"), ("sha-Pw2", "alice", "failed"),
                     ("sha-Pw1", "alice@127.0.0.1", "ok"),  # the digest username user@domain
                     ("sha-Pw2", "alice@127.0.0.1", "failed")]
            for password, userid, expected in cases:
                with self.subTest(password=password, userid=userid):
                    outcome, log = Linphonec(kamailio.port, password, userid).register()
                    self.assertEqual(outcome, expected, log[-4000:])
                    self.assertIn("algorithm=SHA-256", log)  # challenged and answered in SHA-256
            # After a rotation in SHA-256 (kept without -a), the old password fails.
            self.user_ok("rotate", store, "--schema", "kamailio", "-a", "SHA-256",
                         "alice@127.0.0.1", "--password-stdin", stdin="sha-Pw3\n")
            self.assertEqual(Linphonec(kamailio.port, "sha-Pw1").register()[0], "failed")
            self.assertEqual(Linphonec(kamailio.port, "sha-Pw3").register()[0], "ok")
        finally:
            kamailio.stop()

    def test_md5_hashes_fail_in_sha256_mode(self):
        """The control: the same user stored with MD5 (the kamailio default) cannot log in to a
        Kamailio in SHA-256 mode, so -a SHA-256 is what made the test above pass."""
        db = self.path("kamailio.db")
        store = f"sqlite3://db={db}"
        self.user_ok("init", store, "--schema", "kamailio")
        self.user_ok("add", store, "--schema", "kamailio", "alice@127.0.0.1",
                     "--password-stdin", stdin="sha-Pw1\n")
        kamailio = kamailio_on("db_sqlite", f"sqlite:///{db}",
                               'modparam("auth", "algorithm", "SHA-256")')
        try:
            outcome, log = Linphonec(kamailio.port, "sha-Pw1").register()
        finally:
            kamailio.stop()
        self.assertEqual(outcome, "failed", log[-4000:])


if __name__ == "__main__":
    unittest.main()
