"""sipcred-sim exchange, and serve / verify with --config and --store LOCATOR, as an
administrator runs them against a flexisip.conf: transcripts (text and JSON), verdicts and exit
codes, Flexisip's algorithm filtering, realm-regex, no-403, 407, auth-domains, config errors
with FILE:LINE:COL, a Flexisip SQLite store made by sipcred-migrate. Expected hashes come from
hashlib."""
import json
import os
import re
import subprocess
import unittest

from clitest import BIN, CLEAN_PATH, TempDirTest, run
from test_sipcred_sim import h, sim


class ExchangeTest(TempDirTest):
    def setUp(self):
        super().setUp()
        # alice: clear text; bob: MD5 only; carol: SHA-256 only; dan: MD5 for realm "example";
        # erin: a domain outside auth-domains.
        self.users = self.write("users", "version:1\n"
                                "alice@sip.example.org clrtxt:s3cret ;\n"
                                f"bob@sip.example.org md5:{h('md5', 'bob:sip.example.org:pw2')} ;\n"
                                f"carol@sip.example.org sha256:{h('sha256', 'carol:sip.example.org:pw3')} ;\n"
                                f"dan@sip.example.com md5:{h('md5', 'dan:example:pw4')} ;\n"
                                "erin@other.org clrtxt:pw5 ;\n")
        self.passwords = {name: self.write(f"{name}.pw", pw + "\n") for name, pw in
                          (("alice", "s3cret"), ("bob", "pw2"), ("carol", "pw3"), ("dan", "pw4"),
                           ("erin", "pw5"), ("wrong", "nope"))}

    def config(self, *lines, store=True):
        text = "[module::Authentication]\nenabled=true\n" \
               "auth-domains=sip.example.org sip.example.com\n"
        if store:
            text += f"file-path={self.users}\n"
        self.configs = getattr(self, "configs", 0) + 1  # a file each: none overwrites another
        return self.write(f"flexisip{self.configs}.conf", text + "".join(l + "\n" for l in lines))

    def exchange(self, config, user, password, *args):
        return sim("exchange", "--config", config, "--user", user, "--password-file",
                   self.passwords[password], *args)


class Exchange(ExchangeTest):
    def test_transcript_of_a_user_who_gets_in(self):
        r = self.exchange(self.config("available-algorithms=SHA-256 MD5"),
                          "alice@sip.example.org", "alice")
        self.assertExit(r, 0)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[-1], "accepted (line 2)")
        self.assertIn("> REGISTER sip:sip.example.org SIP/2.0", lines)
        self.assertEqual(lines.count("< SIP/2.0 401 Unauthorized"), 1)
        self.assertEqual(lines.count("< SIP/2.0 200 OK"), 1)
        challenges = [l for l in lines if l.startswith("< WWW-Authenticate: ")]
        # Clear text gives both hashes: both challenges, in the config's order, one nonce.
        self.assertEqual([re.search(r"algorithm=([\w-]+)", c).group(1) for c in challenges],
                         ["SHA-256", "MD5"])
        self.assertTrue(all('realm="sip.example.org"' in c and 'qop="auth"' in c
                            for c in challenges))
        # The answer (SHA-256, the topmost) checked with hashlib from its own nonce and cnonce.
        authorization = next(l for l in lines if l.startswith("> Authorization: "))
        p = dict(re.findall(r'(\w+)="?([^",]*)"?', authorization.split("Digest ", 1)[1]))
        self.assertEqual(p["algorithm"], "SHA-256")
        s = lambda text: h("sha256", text)
        ha1 = s("alice:sip.example.org:s3cret")
        expected = s(f"{ha1}:{p['nonce']}:{p['nc']}:{p['cnonce']}:auth:"
                     f"{s('REGISTER:sip:sip.example.org')}")
        self.assertEqual(p["response"], expected)
        self.assertEqual(p["nc"], "00000001")
        self.assertNotIn("s3cret", r.stdout + r.stderr)

    def test_wrong_password_is_refused_with_the_reason(self):
        r = self.exchange(self.config(), "bob@sip.example.org", "wrong")
        self.assertExit(r, 1)
        self.assertIn("< SIP/2.0 403 Forbidden", r.stdout)
        self.assertEqual(r.stdout.splitlines()[-1],
                         "rejected: wrong password (or a stored hash made for another realm) "
                         "(line 3)")
        self.assertExit(self.exchange(self.config(), "bob@sip.example.org", "bob"), 0)

    def test_json(self):
        r = self.exchange(self.config("available-algorithms=MD5"), "carol@sip.example.org",
                          "carol", "--json")
        self.assertExit(r, 1)
        out = json.loads(r.stdout)
        self.assertFalse(out["accepted"])
        self.assertEqual(out["exit"], 1)
        self.assertEqual(out["settings"]["algorithms"], ["MD5"])
        self.assertEqual(out["settings"]["auth_domains"], ["sip.example.org", "sip.example.com"])
        self.assertEqual([m["from"] for m in out["messages"]],
                         ["client", "registrar", "client", "registrar"])
        self.assertEqual([m.get("status") for m in out["messages"]], [None, 401, None, 403])
        # carol holds SHA-256 only: under available-algorithms=MD5 she is offered MD5 and
        # cannot answer it.
        offered = [x["value"] for x in out["messages"][1]["headers"]
                   if x["name"] == "WWW-Authenticate"]
        self.assertEqual(len(offered), 1)
        self.assertIn("algorithm=MD5", offered[0])
        self.assertIn("no MD5 hash", out["verdict"])
        ok = json.loads(self.exchange(self.config("available-algorithms=MD5 SHA-256"),
                                      "carol@sip.example.org", "carol", "--json").stdout)
        self.assertTrue(ok["accepted"])
        self.assertEqual(ok["exit"], 0)

    def test_realm_regex_qop_and_no_403(self):
        regex = r"realm-regex=sip:.*@sip\.(.*)\.com"
        r = self.exchange(self.config(regex, "disable-qop-auth=true"), "dan@sip.example.com",
                          "dan")
        self.assertExit(r, 0)
        challenge = next(l for l in r.stdout.splitlines() if l.startswith("< WWW-Authenticate"))
        self.assertIn('realm="example"', challenge)
        self.assertNotIn("qop", challenge)
        self.assertNotIn("nc=", r.stdout)
        r = self.exchange(self.config("no-403=true"), "bob@sip.example.org", "wrong")
        self.assertExit(r, 1)
        self.assertEqual(r.stdout.count("< SIP/2.0 401 Unauthorized"), 2)
        self.assertNotIn("403 Forbidden", r.stdout)
        self.assertIn("challenged again", r.stdout.splitlines()[-1])

    def test_other_methods_get_407(self):
        r = self.exchange(self.config(), "bob@sip.example.org", "bob", "--method", "invite")
        self.assertExit(r, 0)
        self.assertIn("> INVITE sip:bob@sip.example.org SIP/2.0", r.stdout)
        self.assertIn("< SIP/2.0 407 Proxy Authentication Required", r.stdout)
        self.assertIn("< Proxy-Authenticate: Digest", r.stdout)
        self.assertIn("> Proxy-Authorization: Digest", r.stdout)

    def test_auth_domains(self):
        r = self.exchange(self.config(), "erin@other.org", "erin")
        self.assertExit(r, 1)
        self.assertIn("< SIP/2.0 403 Domain forbidden", r.stdout)
        self.assertNotIn("WWW-Authenticate", r.stdout)
        self.assertIn("not in auth-domains", r.stdout.splitlines()[-1])

    def test_store_given_overrides_the_config(self):
        other = self.write("other", "version:1\nbob@sip.example.org clrtxt:nope ;\n")
        r = sim("exchange", "--config", self.config(), "--store", other, "--user",
                "bob@sip.example.org", "--password-file", self.passwords["wrong"])
        self.assertExit(r, 0)
        self.assertIn(f"store {other}", r.stdout.splitlines()[0])

    def test_bad_config_and_bad_input(self):
        bad = self.config("enabled=yes")  # enabled twice, and not a bool
        r = self.exchange(bad, "alice@sip.example.org", "alice")
        self.assertExit(r, 65)
        self.assertIn(f"{bad}:5:1: error:", r.stderr)
        self.assertEqual(r.stdout, "")
        conf = self.write("c.conf", "[module::Authentication]\nenabled=true\nfile-path=/u\n"
                                    "filter=is_request\n")
        r = self.exchange(conf, "alice@sip.example.org", "alice")
        self.assertExit(r, 65)
        self.assertIn(f"{conf}:4:8: error: sipcred-sim cannot evaluate 'filter'", r.stderr)
        self.assertIn("[SIM]", r.stderr)
        conf = self.write("d.conf", "[module::Authentication]\nenabled=true\n"
                                    "file-path=/nonexistent/users\n")
        self.assertExit(self.exchange(conf, "alice@sip.example.org", "alice"), 66)
        broken = self.write("broken", "version:1\nalice@sip.example.org clrtxt:x;\n")
        r = sim("exchange", "--config", self.config(), "--store", broken, "--user",
                "alice@sip.example.org", "--password-file", self.passwords["alice"])
        self.assertExit(r, 65)
        self.assertIn(f"{broken}:2:", r.stderr)
        for user in ("alice", "sip:@x", "tel:+331"):
            with self.subTest(user=user):
                self.assertExit(self.exchange(self.config(), user, "alice"), 2)
        self.assertExit(self.exchange(self.config(), "alice@sip.example.org", "alice",
                                      "--method", "REG ISTER"), 2)
        self.assertExit(sim("exchange", "--user", "a@b", "--password-file",
                            self.passwords["alice"]), 2)  # --config is required


class FlexisipSqlite(ExchangeTest):
    """A Flexisip-schema SQLite database made by sipcred-migrate, named by the config's soci
    settings or by --store."""

    def setUp(self):
        super().setUp()
        self.db = self.path("auth.db")
        m = run("sipcred-migrate", self.users, f"sqlite3://db={self.db}", "--create-schema")
        self.assertExit(m, 0)

    def test_soci_config_and_store_locator(self):
        conf = self.write("soci.conf", "[module::Authentication]\nenabled=true\n"
                                       "auth-domains=sip.example.org\n"
                                       "available-algorithms=MD5 SHA-256\n"
                                       "db-implementation=soci\nsoci-backend=sqlite3\n"
                                       f"soci-connection-string=db={self.db}\n"
                                       "soci-password-request=select password, algorithm from "
                                       "passwords where account_id = (select id from accounts "
                                       "where username = :id and domain = :domain)\n")
        for user in ("alice", "bob", "carol"):
            with self.subTest(user=user):
                self.assertExit(self.exchange(conf, f"{user}@sip.example.org", user), 0)
        self.assertExit(self.exchange(conf, "bob@sip.example.org", "wrong"), 1)
        r = sim("exchange", "--config", self.config(), "--store", f"sqlite3://db={self.db}",
                "--user", "carol@sip.example.org", "--password-file", self.passwords["carol"])
        self.assertExit(r, 1)  # the userdb config offers MD5 only
        self.assertIn("no MD5 hash", r.stdout.splitlines()[-1])
        # A password request naming a column that does not exist: the store fails, 500.
        with open(conf) as f:
            broken = self.write("b.conf", f.read().replace("select password,", "select nothing,"))
        r = self.exchange(broken, "bob@sip.example.org", "bob")
        self.assertExit(r, 1)
        self.assertIn("500 Internal error", r.stdout)


class VerifyWithConfig(ExchangeTest):
    def answer(self, user, password, realm="sip.example.org", algorithm="MD5"):
        challenge = f'Digest realm="{realm}", nonce="n", algorithm={algorithm}, qop="auth"'
        r = sim("respond", "--challenge", challenge, "--user", user, "--password-file",
                self.passwords[password], "--method", "REGISTER", "--uri", "sip:sip.example.org")
        self.assertExit(r, 0)
        return r.stdout.strip()

    def test_verify_config(self):
        conf = self.config("available-algorithms=MD5")
        ok = sim("verify", "--config", conf, "--authorization", self.answer("bob", "bob"),
                 "--method", "REGISTER")
        self.assertExit(ok, 0)
        self.assertEqual(ok.stdout, f"accepted ({self.users} line 3)\n")
        # SHA-256 is right for alice, but the config does not offer it.
        sha = self.answer("alice", "alice", algorithm="SHA-256")
        r = sim("verify", "--config", conf, "--authorization", sha, "--method", "REGISTER")
        self.assertExit(r, 1)
        self.assertIn("algorithm SHA-256 not available", r.stdout)
        self.assertExit(sim("verify", "--store", self.users, "--authorization", sha,
                            "--method", "REGISTER"), 0)
        fixed = self.config("realm=sip.example.org")
        r = sim("verify", "--config", fixed, "--authorization",
                self.answer("bob", "bob", realm="elsewhere"), "--method", "REGISTER")
        self.assertExit(r, 1)
        self.assertIn("realm mismatch", r.stdout)
        # Any store locator: the SQLite store sipcred-migrate makes.
        db = self.path("auth.db")
        self.assertExit(run("sipcred-migrate", self.users, f"sqlite3://db={db}",
                            "--create-schema"), 0)
        r = sim("verify", "--config", conf, "--store", f"sqlite3://db={db}", "--authorization",
                self.answer("bob", "bob"), "--method", "REGISTER")
        self.assertExit(r, 0)
        self.assertExit(sim("verify", "--authorization", self.answer("bob", "bob"),
                            "--method", "REGISTER"), 2)


class ServeWithConfig(ExchangeTest):
    """serve --config with sipcred-sim probe as the phone, on loopback."""

    def serve(self, *args):
        proc = subprocess.Popen([os.path.join(BIN, "sipcred-sim"), "serve", "--listen",
                                 "127.0.0.1:0", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={"PATH": CLEAN_PATH, "LC_ALL": "C.UTF-8"})
        first = proc.stdout.readline()
        if not first.startswith("listening on "):
            proc.kill()
            self.fail(f"serve did not start: {first}{proc.stderr.read()}")
        self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.communicate()))
        return proc, int(first.split("(")[0].strip().rsplit(":", 1)[1]), first

    def probe(self, port, user, domain, password):
        return sim("probe", f"sip:{user}@{domain}:{port}", "--password-file",
                   self.passwords[password], "--timeout", "5")

    def test_serve_as_the_config_says(self):
        users = self.write("users127", "version:1\n"
                           f"bob@127.0.0.1 md5:{h('md5', 'bob:127.0.0.1:pw2')} ;\n"
                           f"carol@127.0.0.1 sha256:{h('sha256', 'carol:127.0.0.1:pw3')} ;\n")
        conf = self.write("serve.conf", "[module::Authentication]\nenabled=true\n"
                                        "auth-domains=127.0.0.1\n"
                                        f"file-path={users}\n")
        proc, port, first = self.serve("--config", conf)
        self.assertIn("auth-domains 127.0.0.1", first)
        self.assertIn("(2 accounts)", first)
        self.assertExit(self.probe(port, "bob", "127.0.0.1", "bob"), 0)
        self.assertExit(self.probe(port, "bob", "127.0.0.1", "wrong"), 1)
        # carol's only hash is SHA-256; the config offers MD5 alone.
        self.assertExit(self.probe(port, "carol", "127.0.0.1", "carol"), 1)
        proc.terminate()
        out, err = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(out.count(": accepted (line 2) -> 200 OK"), 1, out)
        self.assertIn("no MD5 hash", out)

    def test_domain_forbidden_on_the_wire(self):
        proc, port, _ = self.serve("--config", self.config())
        r = self.probe(port, "alice", "127.0.0.1", "alice")
        self.assertExit(r, 1)
        self.assertEqual(r.stdout.splitlines()[-1], "rejected: 403 Domain forbidden")

    def test_serve_refuses_before_listening(self):
        bad = self.config("no-403=from.uri.domain == 'x'")
        for args, code in ((["--config", bad], 65),
                           (["--config", self.config(), "--realm", "r"], 2),
                           (["--config", self.config(), "--no-403"], 2),
                           (["--store", "sqlite3://db=" + self.path("none.db")], 66),
                           (["--store", "nosuch://x"], 2),
                           ([], 2)):
            with self.subTest(args=args):
                r = sim("serve", "--listen", "127.0.0.1:0", *args)
                self.assertExit(r, code)
                self.assertNotIn("listening", r.stdout)


if __name__ == "__main__":
    unittest.main()
