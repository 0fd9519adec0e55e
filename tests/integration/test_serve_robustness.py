"""sipcred-sim serve against hostile peers on loopback (issue 15): garbage and oversized
datagrams, truncated and pipelined TCP, a 10k-parameter Authorization, 50 MB without a header
end, slow peers, 300 idle connections, a burst of wrong passwords. After each, probe registers
over UDP and TCP, and serve's memory stays bounded. Every count and wait is bounded."""
import hashlib
import os
import random
import select
import socket
import time
import unittest

from livetest import Serve, TempDirTest, run

# serve's resident memory may grow this much over what it holds once warm: its buffers are
# bounded at 256 connections of 64 KiB in and out (sipcred-sim(1), LIMITS).
MEMORY_BOUND_KIB = 48 * 1024


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def register(port, local, user="alice", cseq=1, call_id="c1", authorization=None,
             transport="UDP", extra=()):
    host, lport = local
    lines = [f"REGISTER sip:127.0.0.1:{port} SIP/2.0",
             f"Via: SIP/2.0/{transport} {host}:{lport};branch=z9hG4bK{random.getrandbits(48):x}",
             "Max-Forwards: 70",
             f"From: <sip:{user}@127.0.0.1>;tag=t{cseq}",
             f"To: <sip:{user}@127.0.0.1>",
             f"Call-ID: {call_id}",
             f"CSeq: {cseq} REGISTER",
             f"Contact: <sip:{user}@{host}:{lport}>",
             "Expires: 60",
             *extra]
    if authorization:
        lines.append("Authorization: " + authorization)
    return ("\r\n".join(lines + ["Content-Length: 0", "", ""])).encode()


def closed_by_peer(sock, timeout):
    """Whether the peer closes `sock` within `timeout` seconds (what it sends is read and
    dropped)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        readable, _, _ = select.select([sock], [], [], max(0, end - time.monotonic()))
        if not readable:
            continue
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
    return False


class Robustness(TempDirTest):
    def setUp(self):
        super().setUp()
        self.store = self.write("users", "version:1\nalice@127.0.0.1 clrtxt:s3cret ;\n")
        self.pw = self.write("pw", "s3cret\n")

    def serve(self, *args):
        serve = Serve("--store", self.store, *args, drain=True)
        self.addCleanup(serve.__exit__)
        self.registers(serve)  # warm: what it holds once it has served
        serve.rss_start = serve.rss_kib()
        return serve

    def registers(self, serve):
        for transport in ("udp", "tcp"):
            start = time.monotonic()
            r = run("sipcred-sim", "probe", f"sip:alice@127.0.0.1:{serve.port}",
                    "--password-file", self.pw, "--timeout", "5", "--transport", transport)
            self.assertExit(r, 0)
            self.assertEqual(r.stdout.splitlines()[-1], "registered")
            # A registration over loopback is a matter of milliseconds, not of waiting for
            # some deadline to free serve.
            self.assertLess(time.monotonic() - start, 4, transport)

    def logged(self, serve, text, counts):
        """How many times serve logged `text`, once that is one of `counts` (the log comes
        through a pipe: it may lag behind the answers), or after 5 s."""
        end = time.monotonic() + 5
        while serve.log().count(text) not in counts and time.monotonic() < end:
            time.sleep(0.05)
        return serve.log().count(text)

    def bounded(self, serve):
        self.assertLess(serve.rss_kib() - serve.rss_start, MEMORY_BOUND_KIB, serve.log()[-2000:])

    def connect(self, port, local="127.0.0.1"):
        s = socket.socket()
        self.addCleanup(s.close)
        s.bind((local, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        return s

    def test_garbage_and_oversized_datagrams(self):
        serve = self.serve()
        rng = random.Random(15)
        datagrams = [b"", b"\r\n\r\n", b"SIP/2.0 200 OK\r\n\r\n", b"\x00" * 1472,
                     b"REGISTER sip:x SIP/2.0\r\n" + b"X: " + b"a" * 65000 + b"\r\n\r\n",
                     register(serve.port, ("127.0.0.1", 9), extra=["X-Pad: " + "p" * 64000]),
                     bytes(rng.getrandbits(8) for _ in range(65507))]
        datagrams += [bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 1472)))
                      for _ in range(300)]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for d in datagrams:
                s.sendto(d, ("127.0.0.1", serve.port))
        self.registers(serve)
        self.bounded(serve)
        code, out, err = serve.stop()
        self.assertEqual(code, 0, err)

    def test_truncated_and_pipelined_tcp(self):
        serve = self.serve()
        whole = register(serve.port, ("127.0.0.1", 9), transport="TCP")
        # Half a message, then the peer goes; a body shorter than its Content-Length.
        s = self.connect(serve.port)
        s.sendall(whole[:len(whole) // 2])
        s.close()
        s = self.connect(serve.port)
        s.sendall(whole.replace(b"Content-Length: 0", b"Content-Length: 100") + b"0123456789")
        s.shutdown(socket.SHUT_WR)
        self.assertTrue(closed_by_peer(s, 5))
        # 100 requests in one write, keep-alives between some, then one split at every byte:
        # each is answered, in order.
        s = self.connect(serve.port)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        burst = b"".join(register(serve.port, s.getsockname(), cseq=i, transport="TCP")
                         + (b"\r\n\r\n" if i % 10 == 0 else b"") for i in range(1, 101))
        s.sendall(burst)
        last = register(serve.port, s.getsockname(), cseq=101, transport="TCP")
        for i in range(len(last)):
            s.send(last[i:i + 1])
        answers = b""
        while answers.count(b"SIP/2.0 401") < 101:
            chunk = s.recv(65536)
            self.assertTrue(chunk, answers[-500:])
            answers += chunk
        cseqs = [int(l.split()[1]) for l in answers.decode().split("\r\n")
                 if l.startswith("CSeq:")]
        self.assertEqual(cseqs, list(range(1, 102)))
        # A peer that pipelines without ever reading its answers: serve stops reading it when
        # its answers pile up, and keeps serving the others.
        greedy = self.connect(serve.port)
        greedy.setblocking(False)
        one = register(serve.port, greedy.getsockname(), transport="TCP")
        sent, blocked_since, end = 0, None, time.monotonic() + 10
        while time.monotonic() < end:
            try:
                sent += greedy.send(one * 64)
                blocked_since = None
            except BlockingIOError:
                blocked_since = blocked_since or time.monotonic()
                if time.monotonic() - blocked_since > 0.5:
                    break  # serve no longer reads it
                time.sleep(0.01)
        self.assertIsNotNone(blocked_since, f"{sent} bytes sent, all read")
        self.registers(serve)
        self.bounded(serve)
        self.assertEqual(serve.stop()[0], 0)

    def test_authorization_with_10k_parameters(self):
        serve = self.serve()
        letters = "abcdefghijklmnopqrstuvwxyz"
        names = [letters[i // 676] + letters[i // 26 % 26] + letters[i % 26] for i in range(10000)]
        authorization = (f'Digest username="alice", realm="127.0.0.1", nonce="n", '
                         f'uri="sip:127.0.0.1:{serve.port}", response="{"0" * 32}", '
                         + ",".join(f"{n}=1" for n in names))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            u.settimeout(5)
            request = register(serve.port, u.getsockname(), authorization=authorization)
            self.assertLess(len(request), 65507)  # one datagram
            start = time.monotonic()
            u.sendto(request, ("127.0.0.1", serve.port))
            answer = u.recv(65536)
            udp_time = time.monotonic() - start
        self.assertTrue(answer.startswith(b"SIP/2.0 "), answer[:200])
        s = self.connect(serve.port)
        start = time.monotonic()
        s.sendall(register(serve.port, s.getsockname(), authorization=authorization,
                           transport="TCP"))
        self.assertTrue(s.recv(65536).startswith(b"SIP/2.0 "))
        tcp_time = time.monotonic() - start
        self.assertLess(max(udp_time, tcp_time), 2)
        self.registers(serve)
        self.bounded(serve)
        self.assertEqual(serve.stop()[0], 0)

    def flood(self, sock, data, total):
        """Sends `data` repeatedly, `total` bytes at most, until serve cuts the connection;
        the bytes sent."""
        sent = 0
        try:
            while sent < total:
                sent += sock.send(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        except socket.timeout:
            self.fail(f"serve neither read nor cut the connection after {sent} bytes")
        return sent

    def test_50_mb_without_a_header_end(self):
        serve = self.serve()
        start = time.monotonic()
        # Header bytes with no line end, header lines with no empty line, and a Content-Length
        # of 50 MB: each cut long before its 50 MB are in.
        for head, data in ((b"", b"A" * 65536),
                           (b"REGISTER sip:x SIP/2.0\r\n", b"X-Filler: " + b"f" * 60 + b"\r\n"),
                           (register(serve.port, ("127.0.0.1", 9), transport="TCP").replace(
                               b"Content-Length: 0", b"Content-Length: 52428800"), b"B" * 65536)):
            s = self.connect(serve.port)
            s.sendall(head)
            sent = self.flood(s, data, 50 << 20)
            self.assertLess(sent, 50 << 20, head)
            self.assertTrue(closed_by_peer(s, 5))
        self.assertLess(time.monotonic() - start, 10)
        # 200 peers each announcing a body of 900 kB and sending it: refused at their headers,
        # so serve never holds 200 bodies.
        head = register(serve.port, ("127.0.0.1", 9), transport="TCP").replace(
            b"Content-Length: 0", b"Content-Length: 900000")
        peers = [self.connect(serve.port) for _ in range(200)]
        for s in peers:
            try:
                s.sendall(head + b"C" * 899000)
            except (BrokenPipeError, ConnectionResetError):
                pass
        time.sleep(0.5)  # for serve to read what was sent
        self.bounded(serve)
        self.registers(serve)
        self.assertEqual(serve.stop()[0], 0)

    def test_slow_peers_are_cut_by_the_message_deadline(self):
        serve = self.serve("--message-timeout", "2", "--idle-timeout", "3")
        start = time.monotonic()
        idle = self.connect(serve.port)
        slow = [self.connect(serve.port) for _ in range(5)]
        message = register(serve.port, ("127.0.0.1", 9), transport="TCP")
        cut = {}
        for second in range(8):
            for i, s in enumerate(slow):
                if i not in cut:
                    try:
                        s.send(message[second:second + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        cut[i] = time.monotonic() - start
            if second == 1:
                self.registers(serve)  # served while they crawl
            for i, s in enumerate(slow):
                if i not in cut and closed_by_peer(s, 0.2 / len(slow)):
                    cut[i] = time.monotonic() - start
            time.sleep(max(0, start + second + 1 - time.monotonic()))
        self.assertEqual(sorted(cut), list(range(5)), serve.log()[-2000:])
        for elapsed in cut.values():
            self.assertGreater(elapsed, 1.5)
            self.assertLess(elapsed, 5)
        # The connection that never sent a byte went at the idle deadline.
        self.assertTrue(closed_by_peer(idle, 1))
        self.assertEqual(self.logged(serve, "no whole message 2 s after its first byte", [5]), 5)
        self.assertEqual(self.logged(serve, "idle for 3 s; connection closed", [1]), 1)
        self.bounded(serve)
        self.assertEqual(serve.stop()[0], 0)

    def test_300_idle_connections_do_not_lock_clients_out(self):
        serve = self.serve()
        idle = [self.connect(serve.port) for _ in range(300)]
        time.sleep(0.5)  # accepted: the first ones made room for the last
        self.registers(serve)
        # The oldest went first; the newest are still there.
        self.assertTrue(closed_by_peer(idle[0], 1))
        self.assertFalse(closed_by_peer(idle[-1], 0.2))
        # 44 for the idle ones, one for probe's (and one more when probe's first connection
        # was not closed yet).
        counts = (300 + 1 - 256, 300 + 2 - 256)
        self.assertIn(self.logged(serve, "closed to make room for", counts), counts,
                      serve.log()[-2000:])
        self.bounded(serve)
        self.assertEqual(serve.stop()[0], 0)

    def guess(self, sock, port, nonce, nc, password):
        """One REGISTER answering `nonce` with `password` from `sock` (UDP); the answer."""
        uri = f"sip:127.0.0.1:{port}"
        ha1 = md5(f"alice:127.0.0.1:{password}")
        response = md5(f"{ha1}:{nonce}:{nc:08x}:cn:auth:{md5('REGISTER:' + uri)}")
        authorization = (f'Digest username="alice", realm="127.0.0.1", nonce="{nonce}", '
                         f'uri="{uri}", response="{response}", algorithm=MD5, cnonce="cn", '
                         f'nc={nc:08x}, qop=auth')
        sock.sendto(register(port, sock.getsockname(), cseq=nc + 1, authorization=authorization),
                    ("127.0.0.1", port))
        return sock.recv(65536).decode()

    def test_burst_of_wrong_passwords_is_cut_by_max_failures(self):
        serve = self.serve("--max-failures", "5/1")
        self.assertIn("max-failures 5/1", serve.first_line)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            # From another address of loopback: the block is per source, probe's is 127.0.0.1.
            s.bind(("127.0.0.2", 0))
            s.settimeout(5)
            s.sendto(register(serve.port, s.getsockname()), ("127.0.0.1", serve.port))
            challenge = s.recv(65536).decode()
            self.assertIn("401 Unauthorized", challenge)
            nonce = challenge.split('nonce="')[1].split('"')[0]
            answers = [self.guess(s, serve.port, nonce, nc, "wrong") for nc in range(1, 41)]
            # The right password, once blocked, is refused as well.
            right = self.guess(s, serve.port, nonce, 41, "s3cret")
        self.assertTrue(all(a.startswith("SIP/2.0 403 Forbidden") for a in answers + [right]))
        blocked = self.logged(serve, "blocked: 5 failed authentications within 1 min", [36])
        self.assertEqual(blocked, 36, serve.log())
        self.assertEqual(serve.log().count("rejected: wrong password"), 5, serve.log())
        # Other sources go on registering.
        self.registers(serve)
        self.bounded(serve)
        self.assertEqual(serve.stop()[0], 0)


if __name__ == "__main__":
    unittest.main()
