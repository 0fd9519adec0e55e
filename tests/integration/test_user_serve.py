"""Accounts that sipcred-user added to the Flexisip, FlexiAPI and OpenSIPS schemas (SQLite),
authenticated by real clients against sipcred-sim serve reading that database the way each
server does: sipsak (MD5) and linphonec (SHA-256); then a rotation, then a removal."""
import shutil
import subprocess
import unittest

from livetest import Serve, TempDirTest, run
from test_user_kamailio import Linphonec


def sipsak(port, password):
    # sipsak takes the password in argv: acceptable for a throwaway test account.
    return subprocess.run(["sipsak", "-U", "-i", "-s", f"sip:alice@127.0.0.1:{port}", "-u",
                           "alice", "-a", password, "-x", "60"], capture_output=True,
                          timeout=60).returncode


@unittest.skipUnless(shutil.which("sipsak") and shutil.which("linphonec"),
                     "sipsak and linphone-cli are not installed (scripts/install-deps)")
class ServeReadsWhatSipcredUserWrote(TempDirTest):
    def user(self, *args, stdin=""):
        r = run("sipcred-user", *args, stdin=stdin)
        self.assertExit(r, 0)

    def logins(self, store, schema, password):
        """(sipsak with MD5, linphonec with SHA-256) against serve: 0/'ok' when accepted."""
        with Serve("--store", store, "--schema", schema, "-a", "MD5") as serve:
            md5 = sipsak(serve.port, password)
            serve.stop()
        with Serve("--store", store, "--schema", schema, "-a", "SHA-256") as serve:
            sha256, log = Linphonec(serve.port, password).register()
            serve.stop()
        if sha256 == "ok":
            self.assertIn("algorithm=SHA-256", log)
        return md5, sha256

    def test_each_schema(self):
        for schema in ("flexisip", "flexiapi", "opensips"):
            with self.subTest(schema=schema):
                store = f"sqlite3://db={self.path(schema + '.db')}"
                self.user("init", store, "--schema", schema)
                self.user("add", store, "--schema", schema, "alice@127.0.0.1",
                          "--password-stdin", stdin="Old-Pw-1\n")
                self.assertEqual(self.logins(store, schema, "Old-Pw-1"), (0, "ok"))
                self.assertEqual(self.logins(store, schema, "Wrong-Pw"), (1, "failed"))
                self.user("rotate", store, "--schema", schema, "alice@127.0.0.1",
                          "--password-stdin", stdin="New-Pw-2\n")
                self.assertEqual(self.logins(store, schema, "Old-Pw-1"), (1, "failed"))
                self.assertEqual(self.logins(store, schema, "New-Pw-2"), (0, "ok"))
                self.user("remove", store, "--schema", schema, "alice@127.0.0.1")
                md5, sha256 = self.logins(store, schema, "New-Pw-2")
                self.assertNotEqual(md5, 0)
                self.assertNotEqual(sha256, "ok")


if __name__ == "__main__":
    unittest.main()
