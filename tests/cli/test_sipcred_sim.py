"""sipcred-sim challenge, respond and verify as an administrator runs them: the wire format,
the choice of challenge, responses checked with hashlib, verdicts against a userdb."""
import hashlib
import re
import unittest

from clitest import TempDirTest, run


def sim(*args, stdin=""):
    return run("sipcred-sim", *args, stdin=stdin)


def h(name, text):
    return hashlib.new(name, text.encode()).hexdigest()


class Sim(TempDirTest):
    def setUp(self):
        super().setUp()
        self.pw = self.write("pw", "Circle Of Life\n")
        self.store = self.write("users", "version:1\n"
                                         "Mufasa@biloxi.com clrtxt:Circle:Of:Life ;\n"
                                         f"bob@biloxi.com md5:{h('md5', 'bob:biloxi.com:pw2')} ;\n")

    def test_challenge(self):
        r = sim("challenge", "--realm", "biloxi.com", "-a", "sha-256,md5", "--nonce", "n1",
                "--opaque", "o1", "--stale")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.splitlines(), [
            'WWW-Authenticate: Digest realm="biloxi.com", nonce="n1", opaque="o1", stale=true, '
            'algorithm=SHA-256, qop="auth"',
            'WWW-Authenticate: Digest realm="biloxi.com", nonce="n1", opaque="o1", stale=true, '
            'algorithm=MD5, qop="auth"'])
        proxy = sim("challenge", "--realm", "r", "--proxy", "--qop", "none")
        self.assertRegex(proxy.stdout,
                         r'^Proxy-Authenticate: Digest realm="r", nonce="[0-9a-f]{48}", algorithm=MD5\n$')
        self.assertNotEqual(proxy.stdout, sim("challenge", "--realm", "r", "--proxy", "--qop", "none").stdout)
        self.assertExit(sim("challenge", "--realm", "r", "-a", "MD5-sess", "--qop", "none"), 2)
        self.assertExit(sim("challenge", "--realm", "r", "-a", "SHA-1"), 2)

    def test_respond_matches_hashlib(self):
        challenge = ('WWW-Authenticate: Digest realm="testrealm@host.com", '
                     'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop="auth,auth-int", algorithm=MD5')
        r = sim("respond", "--challenge", challenge, "--user", "Mufasa", "--password-file", self.pw,
                "--method", "GET", "--uri", "/dir/index.html", "--cnonce", "0a4f113b")
        self.assertExit(r, 0)
        # RFC 2617 §3.5
        self.assertIn('response="6629fae49393a05397450978507c4ef1"', r.stdout)
        self.assertTrue(r.stdout.startswith("Authorization: Digest "))
        self.assertNotIn("Circle", r.stdout)
        # auth-int with a body, SHA-512-256 picked among several, from standard input.
        body = self.write("body", "v=0\r\n")
        challenges = ('Proxy-Authenticate: Digest realm="r", nonce="n", algorithm=SHA-1, qop="auth"\n'
                      'Proxy-Authenticate: Digest realm="r", nonce="n", algorithm=SHA-512-256, '
                      'qop="auth-int,auth"\n')
        r = sim("respond", "--user", "u", "--password-file", self.pw, "--method", "INVITE",
                "--uri", "sip:b@r", "--cnonce", "c", "--body-file", body, stdin=challenges)
        self.assertExit(r, 0)
        self.assertTrue(r.stdout.startswith("Proxy-Authorization: "))
        s = lambda text: h("sha512_256", text)
        expected = s(f"{s('u:r:Circle Of Life')}:n:00000001:c:auth-int:{s('INVITE:sip:b@r:' + s(chr(118) + '=0' + chr(13) + chr(10)))}")
        self.assertIn(f'response="{expected}"', r.stdout)
        self.assertIn("qop=auth-int", r.stdout)

    def test_respond_names_the_header_of_the_challenge_it_answers(self):
        lines = ('WWW-Authenticate: Digest realm="r", nonce="n", algorithm=SHA-256\n'
                 'Proxy-Authenticate: Digest realm="p", nonce="n", algorithm=MD5\n')
        args = ("respond", "--user", "u", "--password-file", self.pw, "--method", "INVITE",
                "--uri", "sip:x")
        self.assertTrue(sim(*args, stdin=lines).stdout.startswith("Authorization: "))
        r = sim(*args, "-a", "MD5", stdin=lines)
        self.assertTrue(r.stdout.startswith("Proxy-Authorization: "), r.stdout)
        self.assertIn('realm="p"', r.stdout)

    def test_nothing_half_printed(self):
        r = sim("challenge", "--realm", "r", "-a", "SHA-256", "-a", "MD5-sess", "--qop", "none")
        self.assertExit(r, 2)
        self.assertEqual(r.stdout, "")
        import subprocess, os
        from clitest import BIN
        with open("/dev/full", "w") as full:
            code = subprocess.run([os.path.join(BIN, "sipcred-sim"), "challenge", "--realm", "r"],
                                  stdout=full, stderr=subprocess.DEVNULL).returncode
        self.assertEqual(code, 74)

    def test_respond_refuses(self):
        self.assertExit(sim("respond", "--challenge", 'Digest realm="r", nonce="n"', "--user", "u",
                            "--password-file", self.pw, "--method", "REGISTER", "--uri", "x",
                            "--nc", "2"), 2)
        self.assertExit(sim("respond", "--user", "u", "--password-stdin", "--method", "REGISTER",
                            "--uri", "sip:r", stdin='Digest realm="r", nonce="n"\n'), 2)
        r = sim("respond", "--challenge", 'Digest realm="r", nonce="n", algorithm=SHA-1',
                "--user", "u", "--password-file", self.pw, "--method", "REGISTER", "--uri", "x")
        self.assertExit(r, 65)
        self.assertIn("no challenge", r.stderr)
        r = sim("respond", "--challenge", 'Digest realm="r"', "--user", "u", "--password-file",
                self.pw, "--method", "REGISTER", "--uri", "x")
        self.assertExit(r, 65)
        self.assertIn("'nonce'", r.stderr)

    def answer(self, user, password, realm="biloxi.com", algorithm="MD5"):
        pw = self.write("p", password + "\n")
        challenge = f'Digest realm="{realm}", nonce="n", algorithm={algorithm}, qop="auth"'
        r = sim("respond", "--challenge", challenge, "--user", user, "--password-file", pw,
                "--method", "REGISTER", "--uri", "sip:biloxi.com")
        self.assertExit(r, 0)
        return r.stdout.strip()

    def test_verify(self):
        ok = sim("verify", "--authorization", self.answer("Mufasa", "Circle:Of:Life", algorithm="SHA-256"),
                 "--store", self.store, "--method", "REGISTER")
        self.assertExit(ok, 0)
        self.assertEqual(ok.stdout, f"accepted ({self.store} line 2)\n")
        cases = [(self.answer("Mufasa", "wrong"), "wrong password"),
                 (self.answer("bob", "pw2", algorithm="SHA-256"), "no SHA-256 hash"),
                 (self.answer("dave", "x"), "unknown user"),
                 (self.answer("Mufasa", "Circle:Of:Life", realm="other"), "realm mismatch")]
        for header, reason in cases:
            r = sim("verify", "--authorization", header, "--store", self.store, "--method", "REGISTER")
            self.assertExit(r, 1)
            self.assertIn(reason, r.stdout)
        self.assertExit(sim("verify", "--authorization", self.answer("bob", "pw2"), "--store",
                            self.store, "--method", "REGISTER"), 0)
        # The method is part of the response: another one is rejected.
        self.assertExit(sim("verify", "--authorization", self.answer("bob", "pw2"), "--store",
                            self.store, "--method", "INVITE"), 1)

    def test_verify_bad_input(self):
        r = sim("verify", "--authorization", 'Digest username="a", realm="r', "--store", self.store,
                "--method", "REGISTER")
        self.assertExit(r, 65)
        self.assertIn("'realm'", r.stderr)
        bad = self.write("bad", "version:1\na@d clrtxt:x;\n")
        r = sim("verify", "--authorization", self.answer("a", "x"), "--store", bad,
                "--method", "REGISTER")
        self.assertExit(r, 65)
        self.assertIn(f"{bad}:2:13", r.stderr)
        self.assertExit(sim("verify", "--authorization", self.answer("a", "x"), "--store",
                            self.path("none"), "--method", "REGISTER"), 66)


class LiveCommandLine(TempDirTest):
    """probe and serve refuse bad command lines and stores before touching the network."""

    def setUp(self):
        super().setUp()
        self.pw = self.write("pw", "secret\n")
        self.store = self.write("users", "version:1\nalice@127.0.0.1 clrtxt:secret ;\n")

    def test_probe_usage(self):
        for args in (["http://x"], ["sip:127.0.0.1"], ["sip:a@127.0.0.1:99999"],
                     ["sip:a@127.0.0.1", "--transport", "tls"],
                     ["sip:a@127.0.0.1", "--timeout", "0"],
                     ["sip:a@127.0.0.1", "--timeout", "-1"],
                     ["sip:a@127.0.0.1", "-a", "SHA-1"]):
            with self.subTest(args=args):
                r = sim("probe", *args, "--password-file", self.pw)
                self.assertExit(r, 2)
                self.assertEqual(r.stdout, "")
        self.assertExit(sim("probe", "sip:a@127.0.0.1", "--password-file", self.path("none")), 66)
        # Nothing is sent before the password is read: an unresolvable host comes after.
        r = sim("probe", "sip:a@no-such-host.invalid", "--password-file", self.pw,
                "--timeout", "1")
        self.assertExit(r, 69)

    def test_serve_refuses_before_listening(self):
        cases = [(["--store", self.store, "-a", "SHA-512-256"], 2),
                 (["--store", self.store, "-a", "MD5-sess"], 2),
                 (["--store", self.store, "--listen", "127.0.0.1:70000"], 2),
                 (["--store", self.store, "--listen", "::1:5060"], 2),
                 (["--store", self.store, "--nonce-expires", "0"], 2),
                 (["--store", self.store, "--transport", "sctp"], 2),
                 (["--store", self.store, "--idle-timeout", "0"], 2),
                 (["--store", self.store, "--message-timeout", "0"], 2),
                 (["--store", self.store, "--message-timeout", "86401"], 2),
                 (["--store", self.store, "--max-failures", "5"], 2),
                 (["--store", self.store, "--max-failures", "0/10"], 2),
                 (["--store", self.store, "--max-failures", "5/0"], 2),
                 (["--store", self.store, "--max-failures", "5/1441"], 2),
                 (["--store", self.store, "--max-failures", "5/10/2"], 2),
                 (["--store", self.store, "--max-failures", "-5/10"], 2),
                 (["--store", self.path("none"), "--max-failures", "x"], 2),
                 (["--store", self.path("none")], 66),
                 (["--store", self.write("bad", "version:1\nalice@d clrtxt:x;\n")], 65)]
        for args, code in cases:
            with self.subTest(args=args):
                r = sim("serve", "--listen", "127.0.0.1:0", *args) if "--listen" not in args \
                    else sim("serve", *args)
                self.assertExit(r, code)
                self.assertNotIn("listening", r.stdout)

    def test_serve_port_taken_is_69(self):
        import socket
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            r = sim("serve", "--store", self.store, "--listen", f"127.0.0.1:{s.getsockname()[1]}",
                    "--transport", "udp")
        self.assertExit(r, 69)
        self.assertIn("cannot listen on udp", r.stderr)


if __name__ == "__main__":
    unittest.main()
