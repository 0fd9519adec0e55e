"""Flexisip's userdb grammar (share/authdb-file-grammar in Flexisip), run the way its parser
belr runs it: a sequence or a repetition never backtracks, an alternative takes the longest
match (case-insensitive string literals, as in ABNF). flexisip(data) says whether Flexisip
loads a file and what it reads from it: an independent oracle for sipcred's userdb parser.

Two belr details are kept: a repetition stops, without counting it, after an element that
reaches the end of the input or a NUL byte. Neither changes what a whole file parses to.
"""

EMPTY = ()


def _at(data, pos):
    return data[pos] if pos < len(data) else 0


class Range:
    def __init__(self, low, high):
        self.low, self.high = low, high

    def feed(self, data, pos):
        return (1, EMPTY) if pos < len(data) and self.low <= data[pos] <= self.high else None


class Literal:
    def __init__(self, text):
        self.text = text.lower().encode()

    def feed(self, data, pos):
        for i, expected in enumerate(self.text):
            if pos + i >= len(data):
                return None
            c = data[pos + i]
            if 65 <= c <= 90:
                c += 32
            if c != expected:
                return None
        return (len(self.text), EMPTY)


class Sequence:
    def __init__(self, *elements):
        self.elements = elements

    def feed(self, data, pos):
        total, captures = 0, EMPTY
        for element in self.elements:
            match = element.feed(data, pos)
            if match is None:
                return None
            pos += match[0]
            total += match[0]
            captures += match[1]
        return (total, captures)


class Repeat:
    def __init__(self, element, low, high):
        self.element, self.low, self.high = element, low, high

    def feed(self, data, pos):
        total, count, captures = 0, 0, EMPTY
        while self.high == -1 or count < self.high:
            match = self.element.feed(data, pos)
            if match is None:
                break
            total += match[0]
            pos += match[0]
            captures += match[1]
            if _at(data, pos) == 0:
                break
            count += 1
        return None if count < self.low else (total, captures)


class Longest:
    def __init__(self, *elements):
        self.elements = elements

    def feed(self, data, pos):
        best = None
        for element in self.elements:
            match = element.feed(data, pos)
            if match is not None and match[0] > (best[0] if best else 0):
                best = match
        return best


class Named:
    def __init__(self, name, element):
        self.name, self.element = name, element

    def feed(self, data, pos):
        match = self.element.feed(data, pos)
        return None if match is None else (match[0], ((self.name, pos, pos + match[0], match[1]),))


def optional(e): return Repeat(e, 0, 1)
def many(e): return Repeat(e, 0, -1)
def some(e): return Repeat(e, 1, -1)
def char(c): return Range(ord(c), ord(c))
def times(e, k): return Sequence(*([e] * k))


ALPHA = Longest(Range(0x41, 0x5A), Range(0x61, 0x7A))
DIGIT = Range(0x30, 0x39)
WSP = Longest(char(" "), char("\t"))
CRLF = Sequence(char("\r"), char("\n"))
LWS = Sequence(optional(Sequence(many(WSP), CRLF)), some(WSP))
ILF = Sequence(optional(char("\r")), char("\n"))
CONT = Range(0x80, 0xBF)
UTF8_NONASCII = Longest(Sequence(Range(0xC0, 0xDF), CONT), Sequence(Range(0xE0, 0xEF), times(CONT, 2)),
                        Sequence(Range(0xF0, 0xF7), times(CONT, 3)),
                        Sequence(Range(0xF8, 0xFB), times(CONT, 4)),
                        Sequence(Range(0xFC, 0xFD), times(CONT, 5)))
TOKEN = some(Longest(ALPHA, DIGIT, *[char(c) for c in "-.!%*_+`'~:"]))
CTEXT = Longest(Range(0x21, 0x27), Range(0x2A, 0x5B), Range(0x5D, 0x7E), UTF8_NONASCII, LWS)
COMMENT = Sequence(char("#"), many(CTEXT), ILF)
VOID = Sequence(many(WSP), ILF)
VERSION = Sequence(Literal("version:"), Named("version-number", DIGIT), ILF)
ALGO = Named("algo", Longest(Literal("clrtxt"), Literal("md5"), Literal("sha256")))
PASS_ALGO = Named("pass-algo", Sequence(ALGO, char(":"), Named("password", TOKEN)))
IDENTITY = Longest(Sequence(Named("user", TOKEN), char("@"), Named("domain", TOKEN)),
                   Named("domain", TOKEN))
OTHER = Sequence(optional(Sequence(many(WSP), Named("user-id", TOKEN))),
                 optional(Sequence(many(WSP), Named("phone", TOKEN))), many(WSP), ILF)
AUTH_LINE = Named("auth-line", Sequence(IDENTITY, some(WSP), some(Sequence(PASS_ALGO, some(WSP))),
                                        char(";"), many(WSP), Longest(ILF, OTHER)))
PASSWORD_FILE = Sequence(VERSION, many(Longest(COMMENT, VOID, AUTH_LINE)))


def flexisip(data: bytes):
    """(loads, entries): entries are (user, domain, user_id, phone, [(prefix, value)])."""
    match = PASSWORD_FILE.feed(data, 0)
    if match is None or match[0] < len(data):
        return False, None  # Flexisip: "ended prematurely"
    entries, version = [], None
    for name, start, end, inner in match[1]:
        if name == "version-number":
            version = data[start:end]
        elif name == "auth-line":
            fields = {"user": b"", "domain": b"", "user-id": b"", "phone": b""}
            credentials = []
            for name2, start2, end2, inner2 in inner:
                if name2 == "pass-algo":
                    parts = {n: data[s:e] for n, s, e, _ in inner2}
                    credentials.append((parts["algo"], parts["password"]))
                else:
                    fields[name2] = data[start2:end2]
            entries.append((fields["user"], fields["domain"], fields["user-id"], fields["phone"],
                            credentials))
    if version != b"1":
        return False, entries
    # Prefixes are matched exactly afterwards: a user with none usable is an empty password list.
    for entry in entries:
        if not any(prefix in (b"clrtxt", b"md5", b"sha256") for prefix, _ in entry[4]):
            return False, entries
    return True, entries
