"""Differential test of sipcred's userdb parser against Flexisip's own grammar run the way
its parser runs it (flexisip_grammar.py): on random files biased toward the hard cases (CRLF
comments continued on indented lines, trailing whitespace, bare CR, uppercase prefixes,
missing space before ';', bad bytes, version-line variants), sipcred must report an error
exactly when Flexisip would refuse the file, and read the same fields when it loads it.

    SIPCRED_VERDICTS=build/tests/userdb_verdicts python3 tests/grammar/test_userdb_grammar.py
Set SIPCRED_GRAMMAR_FILES to try more files than the test suite's default.
"""
import os
import random
import struct
import subprocess
import unittest

from flexisip_grammar import flexisip

VERDICTS = os.environ.get("SIPCRED_VERDICTS", "build/tests/userdb_verdicts")
FILES = int(os.environ.get("SIPCRED_GRAMMAR_FILES", "20000"))

TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.!%*_+`'~:"
BAD_CHARS = [" ", '"', "#", "(", ")", ",", "/", ";", "=", "@", "\\", "\x7f", "\x00", "\xc3\xa9",
             "\xff", "\r", "\t"]
UTF8_GOOD = ["\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xf8\x88\x80\x80\x80"]
UTF8_BAD = ["\x80", "\xff", "\xe2\x82", "\xc3", "\xc3\r"]


class Generator:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, *weighted):
        total = sum(w for w, _ in weighted)
        x = self.r.random() * total
        for w, value in weighted:
            x -= w
            if x < 0:
                return value() if callable(value) else value
        return weighted[-1][1]

    def token(self):
        t = "".join(self.r.choice(TOKEN_CHARS) for _ in range(self.r.randint(1, 6)))
        x = self.r.random()
        if x < 0.03:
            return ""
        if x < 0.09:
            i = self.r.randint(0, len(t))
            t = t[:i] + self.r.choice(BAD_CHARS) + t[i:]
        return t

    def space(self):
        return self.pick((6, " "), (2, "\t"), (2, "  "), (1, " \t"), (0.5, ""))

    def line_end(self):
        return self.pick((6, "\n"), (5, "\r\n"), (0.3, "\r"), (0.2, "\r\r\n"))

    def prefix(self):
        p = self.r.choice(["clrtxt", "md5", "sha256"])
        if self.r.random() < 0.2:
            p = "".join(c.upper() if self.r.random() < 0.5 else c for c in p)
        return p if self.r.random() < 0.95 else self.r.choice(["sha512", "md", "clear", ""])

    def credential(self):
        value = self.pick((5, self.token), (2, lambda: "%032x" % self.r.getrandbits(128)),
                          (0.3, ""))
        return self.prefix() + (":" if self.r.random() < 0.96 else "") + value

    def auth_line(self):
        identity = self.pick((15, lambda: self.token() + "@" + self.token()), (4, self.token),
                             (1, lambda: self.r.choice(["@d", "u@", "u@d@e", "u@d:5060"])))
        line = (self.space() if self.r.random() < 0.03 else "") + identity + self.space()
        line += " ".join(self.credential() for _ in range(self.pick((0.3, 0), (10, 1), (4, 2), (1, 3))))
        line += (self.space() if self.r.random() < 0.85 else "") + (";" if self.r.random() < 0.96 else "")
        for i in range(self.pick((5, 0), (3, 1), (3, 2), (1, 3))):
            line += (self.space() if i or self.r.random() < 0.8 else "") + self.token()
        return line + (self.space() if self.r.random() < 0.25 else "")

    def comment_char(self):
        return self.pick((10, lambda: self.r.choice("abcXYZ019!\"$%&'*+,-./:;<=>?@[]^_`{|}~")),
                         (3, " "), (1.5, "\t"), (1, lambda: self.r.choice(UTF8_GOOD)),
                         (0.4, lambda: self.r.choice(UTF8_BAD)), (0.3, lambda: self.r.choice("()\\")),
                         (0.15, lambda: self.r.choice(["\x7f", "\x00", "\x01", "\r"])))

    def comment(self):
        text = "#" + "".join(self.comment_char() for _ in range(self.r.randint(0, 8)))
        return text + (self.space() if self.r.random() < 0.35 else "")

    def continuation(self):
        body = self.pick((3, lambda: "".join(self.comment_char() for _ in range(self.r.randint(0, 6)))),
                         (2, self.auth_line), (1, self.comment), (1, ""))
        return self.space() + body

    def version(self):
        return self.pick((30, "version:1"), (1, "VERSION:1"), (1, "version:2"), (0.5, "version: 1"),
                         (0.5, "version:10"), (0.5, "version:1 "), (0.5, "\xef\xbb\xbfversion:1"),
                         (0.3, ""), (0.3, "#c"))

    def file(self):
        lines = [self.version()]
        for _ in range(self.r.randint(0, 6)):
            kind = self.pick((6, "auth"), (3, "comment"), (2, "blank"), (2, "continued"))
            if kind == "auth":
                lines.append(self.auth_line())
            elif kind == "comment":
                lines.append(self.comment())
            elif kind == "blank":
                lines.append(self.pick((3, ""), (2, " "), (2, "\t"), (0.3, " \r")))
            else:
                lines += [self.comment(), self.continuation()]
        crlf = self.r.random() < 0.5
        text = ""
        for i, line in enumerate(lines):
            end = self.line_end() if self.r.random() < 0.3 else ("\r\n" if crlf else "\n")
            if i == len(lines) - 1 and self.r.random() < 0.1:
                end = self.pick((3, ""), (1, "\r"))
            text += line + end
        data = bytearray(text.encode("latin-1"))
        if self.r.random() < 0.15:  # a random byte inserted, deleted or replaced
            i = self.r.randint(0, max(0, len(data) - 1))
            c = self.r.choice(b" \t\r\n;:@#()\\\x80\xc3xM5\x00")
            op = self.r.random()
            if op < 0.4 or not data:
                data[i:i] = bytes([c])
            elif op < 0.7:
                del data[i]
            else:
                data[i] = c
        return bytes(data)


def sipcred_verdicts(files):
    records = b"".join(struct.pack("<I", len(f)) + f for f in files)
    out = subprocess.run([VERDICTS], input=records, capture_output=True, check=True).stdout
    verdicts = []
    for line in out.decode().splitlines():
        head, *entries = line.split(" | ")
        errors, agree = (int(x) for x in head.split())
        parsed = []
        for entry in entries:
            parts = [b"" if h == "-" else bytes.fromhex(h) for h in entry.replace(":", ",").split(",")]
            parsed.append((parts[0], parts[1], parts[2], parts[3],
                           [(parts[i], parts[i + 1]) for i in range(4, len(parts), 2)]))
        verdicts.append((errors == 0, agree == 1, parsed))
    return verdicts


class Grammar(unittest.TestCase):
    def test_sipcred_refuses_exactly_what_flexisip_refuses(self):
        generator = Generator(2026)
        files = [generator.file() for _ in range(FILES)]
        verdicts = sipcred_verdicts(files)
        self.assertEqual(len(verdicts), len(files))
        loads = 0
        for data, (accepts, agree, entries) in zip(files, verdicts):
            expected, expected_entries = flexisip(data)
            self.assertTrue(agree, f"scan_lines and Document::parse disagree on {data!r}")
            self.assertEqual(accepts, expected, f"Flexisip {'loads' if expected else 'refuses'} {data!r}")
            if expected:
                loads += 1
                self.assertEqual(entries, expected_entries, repr(data))
        # Both answers must be common, or the test proves little.
        self.assertGreater(loads, FILES // 10)
        self.assertLess(loads, FILES - FILES // 10)

    def test_the_oracle_knows_the_reference_facts(self):
        self.assertTrue(flexisip(b"version:1\na@d clrtxt:p:w ; id +33\n")[0])
        self.assertFalse(flexisip(b"version:1\na@d clrtxt:x;\n")[0])           # space before ';'
        self.assertFalse(flexisip(b"version:1\na@d MD5:x ;\n")[0])             # no usable credential
        self.assertFalse(flexisip(b"version:1\r\n# c \r\na@d clrtxt:x ;\r\n")[0])  # CRLF trap
        self.assertTrue(flexisip(b"version:1\r\n# c\r\n\ta@d clrtxt:x ;\r\n")[0])  # comment text


if __name__ == "__main__":
    unittest.main()
