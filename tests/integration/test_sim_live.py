"""sipcred-sim serve and probe with real peers on loopback: sipsak registers with serve, probe
registers with serve over UDP and TCP, probe meets silence, refusal and garbage."""
import hashlib
import shutil
import signal
import socket
import threading
import time
import unittest

from livetest import Serve, TempDirTest, run


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


class Live(TempDirTest):
    def setUp(self):
        super().setUp()
        # alice: clear text; bob: MD5 only; carol: SHA-256 only (hashes from hashlib).
        self.store = self.write("users", "version:1\n"
                                         "alice@127.0.0.1 clrtxt:s3cret ;\n"
                                         f"bob@127.0.0.1 md5:{md5('bob:127.0.0.1:pw2')} ;\n"
                                         f"carol@127.0.0.1 sha256:{sha256('carol:127.0.0.1:pw3')} ;\n")
        self.pw = self.write("pw", "s3cret\n")
        self.wrong = self.write("wrong", "s3cres\n")

    def probe(self, port, user, password_file, *args):
        return run("sipcred-sim", "probe", f"sip:{user}@127.0.0.1:{port}", "--password-file",
                   password_file, "--timeout", "5", *args)


@unittest.skipUnless(shutil.which("sipsak"), "sipsak is not installed (scripts/install-deps)")
class SipsakAgainstServe(Live):
    def sipsak(self, port, password):
        # sipsak takes the password in argv: acceptable for a throwaway test account.
        return run_external(["sipsak", "-U", "-i", "-s", f"sip:alice@127.0.0.1:{port}",
                             "-u", "alice", "-a", password, "-x", "60"])

    def test_right_password_registers_wrong_one_fails(self):
        with Serve("--store", self.store) as serve:
            right = self.sipsak(serve.port, "s3cret")
            wrong = self.sipsak(serve.port, "s3cres")
            code, out, err = serve.stop()
        self.assertEqual(right.returncode, 0, right.stdout + right.stderr)
        # sipsak: 1 when a final answer other than 2xx came (its man page, RETURN VALUES).
        self.assertEqual(wrong.returncode, 1, wrong.stdout + wrong.stderr)
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertEqual(sum("[username alice, MD5]: accepted" in l and l.endswith("200 OK")
                             for l in lines), 1, out)
        self.assertEqual(sum("rejected: wrong password" in l and l.endswith("403 Forbidden")
                             for l in lines), 1, out)
        self.assertNotIn("s3cre", out + err)
        self.assertEqual(lines[-1], "stopping on SIGTERM")

    def config(self, store_lines):
        return self.write("flexisip.conf", "[module::Authentication]\nenabled=true\n"
                                           "auth-domains=127.0.0.1\n" + store_lines)

    def sipsak_pair(self, *serve_args):
        """sipsak with the right and the wrong password against serve; serve's log."""
        with Serve(*serve_args) as serve:
            right = self.sipsak(serve.port, "s3cret")
            wrong = self.sipsak(serve.port, "s3cres")
            code, out, err = serve.stop()
        self.assertEqual(right.returncode, 0, right.stdout + right.stderr + out)
        self.assertEqual(wrong.returncode, 1, wrong.stdout + wrong.stderr + out)
        self.assertEqual(code, 0, err)
        self.assertNotIn("s3cre", out + err)
        return out

    def test_serve_config_with_a_userdb(self):
        out = self.sipsak_pair("--config", self.config(f"file-path={self.store}\n"))
        self.assertEqual(out.count("[username alice, MD5]: accepted (line 2) -> 200 OK"), 1, out)
        self.assertEqual(out.count("rejected: wrong password"), 1, out)

    def test_serve_config_with_a_flexisip_sqlite_store(self):
        db = self.path("auth.db")
        m = run("sipcred-migrate", self.store, f"sqlite3://db={db}", "--create-schema", "--verify")
        self.assertExit(m, 0)
        # The password request Flexisip runs by default, as sipcred-migrate prints it.
        request = next(l for l in m.stdout.splitlines() if l.startswith("soci-password-request="))
        conf = self.config("db-implementation=soci\nsoci-backend=sqlite3\n"
                           f"soci-connection-string=db={db}\n{request}\n")
        out = self.sipsak_pair("--config", conf)
        self.assertEqual(out.count("[username alice, MD5]: accepted -> 200 OK"), 1, out)
        self.assertEqual(out.count("rejected: wrong password"), 1, out)
        # The same database as a store locator, with the userdb's config.
        out = self.sipsak_pair("--config", self.config(f"file-path={self.store}\n"),
                               "--store", f"sqlite3://db={db}")
        self.assertEqual(out.count("accepted -> 200 OK"), 1, out)

    def test_stops_on_sigint_and_sigterm(self):
        for sig, name in ((signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM")):
            with Serve("--store", self.store) as serve:
                code, out, err = serve.stop(sig)
            self.assertEqual(code, 0, err)
            self.assertEqual(out.splitlines(), [f"stopping on {name}"])


def run_external(argv):
    import subprocess
    r = subprocess.run(argv, capture_output=True, timeout=60)
    r.stdout = r.stdout.decode("utf-8", "replace")
    r.stderr = r.stderr.decode("utf-8", "replace")
    return r


class ProbeAgainstServe(Live):
    def test_udp_and_tcp_right_and_wrong(self):
        with Serve("--store", self.store, "-a", "SHA-256,MD5") as serve:
            for transport in ("udp", "tcp"):
                with self.subTest(transport=transport):
                    ok = self.probe(serve.port, "alice", self.pw, "--transport", transport)
                    self.assertExit(ok, 0)
                    lines = ok.stdout.splitlines()
                    self.assertEqual(lines[0], f"> REGISTER sip:127.0.0.1:{serve.port} SIP/2.0")
                    self.assertEqual(lines[1], "< SIP/2.0 401 Unauthorized")
                    # SHA-256 offered first, answered (RFC 8760: the topmost known).
                    self.assertIn("algorithm=SHA-256", lines[2])
                    self.assertIn("algorithm=MD5", lines[3])
                    self.assertTrue(lines[5].startswith("> Authorization: Digest username=\"alice\""))
                    self.assertIn("algorithm=SHA-256", lines[5])
                    self.assertEqual(lines[-2:], ["< SIP/2.0 200 OK", "registered"])
                    self.assertNotIn("s3cret", ok.stdout + ok.stderr)
                    bad = self.probe(serve.port, "alice", self.wrong, "--transport", transport)
                    self.assertExit(bad, 1)
                    self.assertEqual(bad.stdout.splitlines()[-1], "rejected: 403 Forbidden")
            # bob has only MD5: he is offered MD5 alone; carol SHA-256 alone.
            bob_pw = self.write("bob.pw", "pw2\n")
            bob = self.probe(serve.port, "bob", bob_pw)
            self.assertExit(bob, 0)
            self.assertEqual(bob.stdout.count("WWW-Authenticate"), 1)
            carol = self.probe(serve.port, "carol", self.write("carol.pw", "pw3\n"), "--transport",
                               "tcp")
            self.assertExit(carol, 0)
            self.assertIn("algorithm=SHA-256", carol.stdout)
            code, out, err = serve.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(out.count(": accepted"), 4, out)
        self.assertEqual(out.count("-> 403 Forbidden"), 2, out)

    def test_no_403_answers_a_new_challenge(self):
        with Serve("--store", self.store, "--no-403") as serve:
            bad = self.probe(serve.port, "alice", self.wrong)
            serve.stop()
        self.assertExit(bad, 1)
        self.assertEqual(bad.stdout.splitlines()[-1],
                         "rejected: 401 Unauthorized (challenged again after credentials)")

    def test_realm_warning_for_clear_text_of_another_domain(self):
        with Serve("--store", self.store, "--realm", "biloxi.com") as serve:
            ok = self.probe(serve.port, "bob", self.write("bob.pw", "pw2\n"))
            _, _, err = serve.stop()
        self.assertIn("users:2: alice@127.0.0.1: a clear-text password", err)
        self.assertNotIn("bob", err)
        # bob's MD5 hash was made with realm 127.0.0.1, not biloxi.com.
        self.assertExit(ok, 1)


class ProbeWithoutARegistrar(Live):
    def test_closed_port_is_69(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        start = time.monotonic()
        r = self.probe(port, "alice", self.pw)
        self.assertExit(r, 69)
        self.assertLess(time.monotonic() - start, 5)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.assertExit(self.probe(port, "alice", self.pw, "--transport", "tcp"), 69)

    def test_silence_is_69_after_retransmissions(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(0.2)
            port = s.getsockname()[1]
            received, times = [], []

            def listen():
                end = time.monotonic() + 4
                while time.monotonic() < end:
                    try:
                        received.append(s.recv(65536))
                        times.append(time.monotonic())
                    except socket.timeout:
                        pass

            t = threading.Thread(target=listen)
            t.start()
            r = run("sipcred-sim", "probe", f"sip:alice@127.0.0.1:{port}", "--password-file",
                    self.pw, "--timeout", "2")
            t.join()
        self.assertExit(r, 69)
        self.assertIn("no answer", r.stderr)
        # Timer E: sent at 0, 0.5 s, 1.5 s (then 3.5 s is past the 2 s timeout).
        self.assertEqual(len(received), 3, times)
        self.assertEqual(len(set(received)), 1)  # the same request each time
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertAlmostEqual(gaps[0], 0.5, delta=0.25)
        self.assertAlmostEqual(gaps[1], 1.0, delta=0.25)

    def scripted(self, answers):
        """A UDP peer that answers each REGISTER with the next of `answers` (status line and
        extra headers, or a list of them to send one after the other), copying its transaction
        headers; returns (probe result, CSeqs seen); self.datagrams counts what came."""
        seen = []
        self.datagrams = 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            s.settimeout(5)
            port = s.getsockname()[1]

            def serve():
                for answer in answers:
                    while True:  # the next request, not a retransmission of one answered
                        try:
                            data, peer = s.recvfrom(65536)
                            self.datagrams += 1
                        except socket.timeout:
                            return
                        head = data.decode().split("\r\n\r\n")[0].split("\r\n")
                        keep = [l for l in head[1:] if l.split(":")[0].lower()
                                in ("via", "from", "to", "call-id", "cseq")]
                        cseq = next(l for l in keep if l.lower().startswith("cseq"))
                        if cseq not in seen:
                            break
                    seen.append(cseq)
                    for i, (status, extra) in enumerate(
                            answer if isinstance(answer, list) else [answer]):
                        if i:  # past T1: no retransmission once a 1xx came
                            time.sleep(0.7)
                        s.sendto(("\r\n".join([f"SIP/2.0 {status}", *keep, *extra,
                                                 "Content-Length: 0", "", ""])).encode(), peer)

            t = threading.Thread(target=serve)
            t.start()
            r = self.probe(port, "alice", self.pw)
            t.join()
            s.settimeout(0.1)
            try:
                while s.recv(65536):
                    self.datagrams += 1
            except socket.timeout:
                pass
        return r, seen

    def test_stale_is_followed_once(self):
        challenge = 'WWW-Authenticate: Digest realm="r", nonce="{}", algorithm=MD5, qop="auth"'
        stale = 'WWW-Authenticate: Digest realm="r", nonce="{}", stale=true, algorithm=MD5'
        r, seen = self.scripted([("401 Unauthorized", [challenge.format("n1")]),
                                 ("401 Unauthorized", [stale.format("n2")]),
                                 ("200 OK", [])])
        self.assertExit(r, 0)
        self.assertEqual(seen, ["CSeq: 1 REGISTER", "CSeq: 2 REGISTER", "CSeq: 3 REGISTER"])
        self.assertIn('nonce="n2"', r.stdout.splitlines()[-3])
        r, seen = self.scripted([("401 Unauthorized", [challenge.format("n1")]),
                                 ("401 Unauthorized", [stale.format("n2")]),
                                 ("401 Unauthorized", [stale.format("n3")])])
        self.assertExit(r, 1)
        self.assertEqual(len(seen), 3)
        # A provisional answer is shown and waited past; it stops the retransmissions at T1.
        r, seen = self.scripted([[("100 Trying", []), ("200 OK", [])]])
        self.assertExit(r, 0)
        self.assertEqual(self.datagrams, 1)
        self.assertEqual(r.stdout.splitlines()[1:], ["< SIP/2.0 100 Trying", "< SIP/2.0 200 OK",
                                                     "registered"])

    def test_garbage_answer_is_65(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]

            def answer():
                data, peer = s.recvfrom(65536)
                s.sendto(b"SIP/2.0 4O1 Nope\r\n\r\n", peer)

            t = threading.Thread(target=answer)
            t.start()
            r = self.probe(port, "alice", self.pw)
            t.join()
        self.assertExit(r, 65)
        self.assertIn("bad status line", r.stderr)


if __name__ == "__main__":
    unittest.main()
