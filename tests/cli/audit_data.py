"""The accounts the audit tests plant (sipcred-lint --audit), as a userdb and as rows of
Flexisip's SQL tables, and what the audit must find in them, worked out here with hashlib: the
word list matches by hashing every candidate against every stored HA1, independently of
sipcred."""
import hashlib

DOMAIN = "sip.example.org"
# Each weak password is a secret no output may show without --show-passwords.
WORDS = [f"filler{i}" for i in range(3000)] + ["dragon77", "sunshine", "qwerty99", "Pa55word!"]
SECRETS = ["dragon77", "sunshine", "qwerty99", "Pa55word!", "Same-Long-Pass-1", "Ab3!x",
           "123456", "bulgroz"]  # the extension digits are in the user name: not a secret


def hexdigest(algorithm, text):
    return (hashlib.md5 if algorithm == "md5" else hashlib.sha256)(text.encode()).hexdigest()


def ha1(algorithm, user, password):
    return hexdigest(algorithm, f"{user}:{DOMAIN}:{password}")


def both(user, password):
    return [("md5", ha1("md5", user, password)), ("sha256", ha1("sha256", user, password))]


def accounts(strong=30):
    """(user, phone, credentials, codes): credentials as (clrtxt|md5|sha256, value); codes the
    SC6xx rules planted (SC604 is worked out by expected(), not planted)."""
    out = []
    for i in range(strong):
        out.append((f"strong{i}", "", both(f"strong{i}", f"Xq7-{i * 7919}-vLp2"), set()))
    out += [
        ("wlmd5", "", [("md5", ha1("md5", "wlmd5", "dragon77")),
                       ("sha256", ha1("sha256", "wlmd5", "Other-Strong-1"))], set()),
        ("wlsha", "", [("sha256", ha1("sha256", "wlsha", "sunshine")),
                       ("md5", ha1("md5", "wlsha", "Other-Strong-2"))], set()),
        ("wlclear", "", [("clrtxt", "qwerty99")], {"SC601"}),
        ("wlboth", "", both("wlboth", "Pa55word!"), set()),
        ("zorglub", "", both("zorglub", "bulgroz"), {"SC605"}),
        ("ext2002", "", both("ext2002", "2002"), {"SC605"}),
        ("run", "", both("run", "123456"), {"SC605"}),
        ("phone", "33612345678", [("clrtxt", "33612345678")], {"SC601", "SC605"}),
        ("md5only", "", [("md5", ha1("md5", "md5only", "Long-Random-Pass-9"))], {"SC603"}),
        ("shared1", "", [("clrtxt", "Same-Long-Pass-1")], {"SC601", "SC606"}),
        ("shared2", "", [("clrtxt", "Same-Long-Pass-1")], {"SC601", "SC606"}),
        ("short", "", [("clrtxt", "Ab3!x")], {"SC601", "SC607"}),
    ]
    return out


def userdb(accounts_):
    lines = ["version:1"]
    for user, phone, credentials, _ in accounts_:
        creds = " ".join(f"{kind}:{value}" for kind, value in credentials)
        lines.append(f"{user}@{DOMAIN} {creds} ;" + (f" {user} {phone}" if phone else ""))
    return "\n".join(lines) + "\n"


SQL_ALGORITHM = {"clrtxt": "CLRTXT", "md5": "MD5", "sha256": "SHA-256"}


def sql_inserts(accounts_):
    """INSERTs into Flexisip's accounts and passwords tables (sipcred-migrate --create-schema
    makes them), for SQLite and PostgreSQL alike."""
    statements, password_id = [], 0
    for number, (user, phone, credentials, _) in enumerate(accounts_, start=1):
        shown_phone = f"'{phone}'" if phone else "NULL"
        statements.append("INSERT INTO accounts (id, username, domain, phone, activated) VALUES "
                          f"({number}, '{user}', '{DOMAIN}', {shown_phone}, TRUE)")
        for kind, value in credentials:
            password_id += 1
            statements.append("INSERT INTO passwords (id, account_id, password, algorithm) "
                              f"VALUES ({password_id}, {number}, '{value}', "
                              f"'{SQL_ALGORITHM[kind]}')")
    return statements


def expected(accounts_, words=WORDS):
    """{(code, user@domain)} of the audit rules: planted ones, and SC604 by brute force."""
    out = set()
    for user, _, credentials, codes in accounts_:
        identity = f"{user}@{DOMAIN}"
        out |= {(code, identity) for code in codes}
        if "SC605" in codes:
            continue  # weak already: not looked up in the word lists
        clear = [value for kind, value in credentials if kind == "clrtxt"]
        if clear:
            if clear[0] in words:
                out.add(("SC604", identity))
            continue
        for kind, value in credentials:
            if any(hexdigest(kind, f"{user}:{DOMAIN}:{word}") == value for word in words):
                out.add(("SC604", identity))
    return out
