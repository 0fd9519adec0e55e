"""The property every write path must keep: an account sipcred reports as written
authenticates, with the digest username a real client sends and nothing but the password, by
the rules of the server that reads the store; an account reported unconvertible (or refused)
is not written at all.

Accounts of every shape (user-id equal to and other than the user, a URL-escaped user, a
phone, clear text, MD5 only, SHA-256 only, both, a realm other than the domain) go through
`user add`, `rotate`, `import`, `convert` (with and without --drop-clrtxt) and `migrate` into
every store and schema, and back to a userdb. Then each one is authenticated through
sipcred's registrar (`sipcred-sim exchange`, Flexisip's rules: one algorithm at a time), and,
for the Kamailio schema, by a real Kamailio through sipsak. Expected hashes of the source are
computed here with hashlib, never by sipcred."""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import unittest
from dataclasses import dataclass

from servers import Kamailio, require, run_tool

DOMAIN = "sip.example.org"
BOTH = ("MD5", "SHA-256")
HASHLIB = {"MD5": "md5", "SHA-256": "sha256"}
PREFIX = {"MD5": "md5", "SHA-256": "sha256"}


@dataclass
class Account:
    user: str  # as written in a userdb (URL-escaped)
    user_id: str  # "" for the user
    phone: str
    password: str
    kinds: tuple  # ("clrtxt",) or hash algorithms

    @property
    def identity(self):
        return f"{self.user}@{DOMAIN}"

    @property
    def plain_user(self):
        return self.user.replace("%40", "@")

    def digest_username(self, keeps_user_id=True):
        """What a client of a store sends: the user-id where the store keeps one."""
        return self.user_id.replace("%40", "@") if keeps_user_id and self.user_id else \
            self.plain_user

    @property
    def clear(self):
        return self.kinds == ("clrtxt",)

    @property
    def algorithms(self):
        return BOTH if self.clear else self.kinds


ACCOUNTS = [
    Account("alice", "", "", "alice-pw", ("clrtxt",)),
    Account("bob", "", "", "bob-pw", ("MD5",)),
    Account("carol", "carol-desk", "", "carol-pw", BOTH),
    Account("d%40ve", "", "+33612345678", "dave-pw", ("MD5", "SHA-256")),
    Account("erin", "erin-phone", "+33600000000", "erin-pw", ("SHA-256",)),
    Account("frank", "frank", "", "frank-pw", ("clrtxt",)),  # the user-id is the user
    Account("grace", "grace-desk", "", "grace-pw", ("clrtxt",)),  # never logs in as written
    Account("h:x", "", "", "hx-pw", ("MD5",)),  # ':' is a userdb token byte, not an htdigest one
]


def read(path):
    with open(path) as f:
        return f.read()


def ha1(algorithm, name, realm, password):
    return hashlib.new(HASHLIB[algorithm], f"{name}:{realm}:{password}".encode()).hexdigest()


def userdb_line(account, realm, domain=DOMAIN):
    """The auth line of an account, its hashes computed here as a client computes A1."""
    if account.clear:
        credentials = f"clrtxt:{account.password}"
    else:
        credentials = " ".join(
            f"{PREFIX[a]}:{ha1(a, account.digest_username(), realm, account.password)}"
            for a in account.kinds)
    tail = " ".join(t for t in (account.user_id or (account.user if account.phone else ""),
                                account.phone) if t)
    return f"{account.user}@{domain} {credentials} ;{' ' + tail if tail else ''}\n"


class Conformance(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sipcred-conformance-")
        self.empty = self.write("empty", "version:1\n")
        self.checked = 0

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def tool(self, *args, stdin=""):
        return run_tool(*args, stdin=stdin)

    def config(self, algorithm, realm):
        return self.write(f"flexisip-{algorithm}-{realm or 'domain'}.conf",
                          "[module::Authentication]\nenabled=true\nauth-domains=*\n"
                          f"available-algorithms={algorithm}\n"
                          + (f"realm={realm}\n" if realm else "")
                          + f"db-implementation=file\nfile-path={self.empty}\n")

    def exchange(self, store, account, algorithm, realm, password, keeps_user_id, schema=None):
        """True when the client gets in, through sipcred's registrar: Flexisip's exchange, the
        account read as the store's server reads it (--schema)."""
        args = ["sipcred-sim", "exchange", "--config", self.config(algorithm, realm), "--store",
                store, "--user", account.identity, "--password-stdin"]
        if schema:
            args += ["--schema", schema]
        username = account.digest_username(keeps_user_id)
        if username != account.plain_user:
            args += ["--auth-user", username]
        r = self.tool(*args, stdin=password + "\n")
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r.returncode == 0

    def assert_authenticates(self, what, store, written, algorithms, realm=None,
                             keeps_user_id=True, schema=None):
        """Every written account gets in with each algorithm the store holds for it, and not
        with a wrong password; every other account is not there at all."""
        self.assertTrue(written, f"{what}: nothing was written")
        for account in ACCOUNTS:
            for algorithm in algorithms(account):
                accepted = self.exchange(store, account, algorithm, realm, account.password,
                                         keeps_user_id, schema)
                self.checked += 1
                if account in written:
                    self.assertTrue(accepted, f"{what}: {account.identity} as "
                                              f"{account.digest_username(keeps_user_id)} "
                                              f"with {algorithm} is rejected")
                else:
                    self.assertFalse(accepted, f"{what}: {account.identity} was reported "
                                               "unconvertible but authenticates")
            if account in written:
                self.assertFalse(self.exchange(store, account, algorithms(account)[0], realm,
                                               "wrong-pw", keeps_user_id, schema),
                                 f"{what}: {account.identity} gets in with a wrong password")

    # --- sipcred-user ------------------------------------------------------------------

    def add_args(self, db, account, realm=None):
        args = ["sipcred-user", "add", db, account.identity, "--password-stdin"]
        args += ["--clrtxt"] if account.clear else ["-a", ",".join(account.kinds)]
        if realm:
            args += ["--realm", realm]
        if account.user_id:
            args += ["--auth-user", account.user_id]
        if account.phone:
            args += ["--phone", account.phone]
        return args

    def add(self, db, account, password, realm=None):
        return self.tool(*self.add_args(db, account, realm), stdin=password + "\n")

    def test_user_add_and_rotate(self):
        for realm in (None, "corp"):
            db = self.path(f"add-{realm}")
            self.assertEqual(self.tool("sipcred-user", "init", db).returncode, 0)
            written = []
            for account in ACCOUNTS:
                r = self.add(db, account, "old-" + account.password, realm)
                if r.returncode == 0:
                    written.append(account)
                else:  # refused: clear text that could never match; the file keeps nothing
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertNotIn(account.identity, read(db))
            # Flexisip hashes clear text with the domain and the user: with a realm, or for
            # another user-id, sipcred refuses it.
            refused = {a.identity for a in ACCOUNTS if a not in written}
            self.assertEqual(refused, {"grace@" + DOMAIN} if realm is None else
                             {a.identity for a in ACCOUNTS if a.clear})
            for account in written:
                r = self.tool("sipcred-user", "rotate", db, account.identity, "--password-stdin",
                              *(["--realm", realm] if realm else []),
                              stdin=account.password + "\n")
                self.assertEqual(r.returncode, 0, r.stderr)
                r = self.tool("sipcred-user", "check", db, account.identity,
                              *(["--realm", realm] if realm else []),
                              *(["--auth-user", account.user_id] if account.user_id else []),
                              stdin=account.password + "\n")
                self.assertEqual(r.returncode, 0, r.stderr)
            self.assert_authenticates(f"user add/rotate (realm {realm})", db, written,
                                      lambda a: a.algorithms, realm)
            # The old password is gone everywhere.
            for account in written:
                self.assertFalse(self.exchange(db, account, account.algorithms[0], realm,
                                               "old-" + account.password, True))

    def test_user_import(self):
        db = self.path("imported")
        self.assertEqual(self.tool("sipcred-user", "init", db).returncode, 0)
        written = []
        groups = {}
        for account in ACCOUNTS:
            groups.setdefault(account.kinds, []).append(account)
        for kinds, accounts in groups.items():
            listing = "identity,password,auth_user,phone\n" + "".join(
                f"{a.identity},{a.password},{a.user_id},{a.phone}\n" for a in accounts)
            options = ["--clrtxt"] if kinds == ("clrtxt",) else ["-a", ",".join(kinds)]
            r = self.tool("sipcred-user", "import", db, *options, stdin=listing)
            if r.returncode == 0:
                written += accounts
            else:
                # One record the policy cannot serve refuses the whole list: import the rest.
                self.assertEqual(r.returncode, 2, r.stderr)
                servable = [a for a in accounts if not a.user_id or a.user_id == a.user]
                listing = "identity,password,auth_user,phone\n" + "".join(
                    f"{a.identity},{a.password},{a.user_id},{a.phone}\n" for a in servable)
                r = self.tool("sipcred-user", "import", db, *options, stdin=listing)
                self.assertEqual(r.returncode, 0, r.stderr)
                written += servable
        self.assertNotIn("grace@", read(db))
        self.assert_authenticates("user import", db, written, lambda a: a.algorithms)

    def test_user_edits_in_every_schema(self):
        # The same commands on a database: add with an old password, then rotate (the stored
        # account supplies what the command leaves out); import twice, the second a rotation of
        # every account the first wrote. What a schema cannot hold (a user-id, a phone, a hash
        # it does not keep, bytes its server misreads) is refused with exit 2 or 65 and written
        # nowhere; every account written authenticates as the schema's server reads it.
        for schema, algorithms in (("flexisip", lambda a: a.algorithms),
                                   ("opensips", lambda a: a.algorithms),
                                   ("kamailio", lambda a: ("MD5",))):
            db = f"sqlite3://db={self.path(f'user-{schema}.db')}"
            self.assertEqual(self.tool("sipcred-user", "init", db, "--schema", schema)
                             .returncode, 0)
            written = []
            for account in ACCOUNTS:
                r = self.tool(*self.add_args(db, account), "--schema", schema,
                              stdin="old-" + account.password + "\n")
                if r.returncode == 0:
                    written.append(account)
                else:
                    self.assertIn(r.returncode, (2, 65), r.stderr)
            for account in written:
                r = self.tool("sipcred-user", "rotate", db, account.identity, "--schema", schema,
                              "--password-stdin", stdin=account.password + "\n")
                self.assertEqual(r.returncode, 0, r.stderr)
            self.assert_authenticates(f"user add/rotate in {schema}", db, written, algorithms,
                                      keeps_user_id=False, schema=schema)

            db = f"sqlite3://db={self.path(f'import-{schema}.db')}"
            self.assertEqual(self.tool("sipcred-user", "init", db, "--schema", schema)
                             .returncode, 0)
            imported = []
            for account in ACCOUNTS:  # one list an account: a refusal refuses a whole list
                kinds = ["--clrtxt"] if account.clear else ["-a", ",".join(account.kinds)]
                listing = (f"identity,password,auth_user,phone\n{account.identity},"
                           f"old-{account.password},{account.user_id},{account.phone}\n")
                r = self.tool("sipcred-user", "import", db, "--schema", schema, *kinds,
                              stdin=listing)
                if r.returncode == 0:
                    imported.append(account)
                else:
                    self.assertIn(r.returncode, (2, 65), r.stderr)
            listing = "identity,password,auth_user,phone\n" + "".join(
                f"{a.identity},{a.password},{a.user_id},{a.phone}\n" for a in imported)
            r = self.tool("sipcred-user", "import", db, "--schema", schema, stdin=listing)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"0 added, {len(imported)} rotated", r.stderr)
            self.assert_authenticates(f"user import in {schema}", db, imported, algorithms,
                                      keeps_user_id=False, schema=schema)

    # --- sipcred-convert ---------------------------------------------------------------

    def test_convert(self):
        clear = self.write("clear", "version:1\n" + "".join(
            userdb_line(Account(a.user, a.user_id, a.phone, a.password, ("clrtxt",)), DOMAIN)
            for a in ACCOUNTS))
        for realm in (None, "corp"):
            for drop in ([], ["--drop-clrtxt"]):
                out = self.path(f"converted-{realm}-{bool(drop)}")
                r = self.tool("sipcred-convert", clear, "-o", out, *drop,
                              *(["--realm", realm] if realm else []))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assert_authenticates(f"convert {drop} realm {realm}", out, ACCOUNTS,
                                          lambda a: BOTH, realm)

    # --- sipcred-migrate ---------------------------------------------------------------

    def migrate(self, source, dest, *args):
        r = self.tool("sipcred-migrate", source, dest, "--skip-unconvertible", "--create-schema",
                      "--verify", "--json", "-q", *args)
        self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
        report = json.loads(r.stdout)
        unconvertible = {note["identity"] for note in report["unconvertible"]["listed"]}
        return [a for a in ACCOUNTS if a.identity.replace("%40", "@") not in unconvertible], r

    def source(self, realm):
        return self.write(f"source-{realm}", "version:1\n" + "".join(
            userdb_line(a, realm or DOMAIN) for a in ACCOUNTS))

    def test_migrate_into_every_store_and_back(self):
        for realm in (None, "corp"):
            source = self.source(realm)
            realm_args = ["--realm", realm] if realm else []
            # Flexisip's clear text never serves another user-id: the source's grace can never
            # log in, its migration can (hashes of the user-id, from the clear text).
            userdb = self.path(f"to-userdb-{realm}")
            written, _ = self.migrate(source, userdb, *realm_args)
            self.assert_authenticates(f"migrate to a userdb (realm {realm})", userdb, written,
                                      lambda a: a.algorithms, realm)
            for schema, algorithms, keeps_user_id in (
                    ("flexisip", lambda a: a.algorithms, False),
                    ("opensips", lambda a: a.algorithms, False),
                    ("kamailio", lambda a: ("MD5",), False)):
                db = self.path(f"{schema}-{realm}.db")
                written, _ = self.migrate(source, f"sqlite3://db={db}", "--schema", schema,
                                          *realm_args)
                what = f"migrate to {schema} (realm {realm})"
                if schema == "kamailio":
                    # MD5 only: from clear text, or an MD5 of the user; and no '@' in a user,
                    # which auth_db would read as user@domain.
                    self.assertEqual({a.user for a in written},
                                     {a.user for a in ACCOUNTS if "MD5" in a.algorithms
                                      and (a.clear or not a.user_id or a.user_id == a.user)
                                      and "%40" not in a.user and ":" not in a.user})
                self.assert_authenticates(what, f"sqlite3://db={db}", written, algorithms, realm,
                                          keeps_user_id, schema)
                # And back to a userdb.
                back = self.path(f"back-from-{schema}-{realm}")
                again, _ = self.migrate(f"sqlite3://db={db}", back, "--schema", schema,
                                        *realm_args)
                self.assert_authenticates(what + " and back", back,
                                          [a for a in again if a in written], algorithms, realm,
                                          keeps_user_id)
            for kind, algorithms in (("htdigest", lambda a: ("MD5",)),
                                     ("pjsip", lambda a: a.algorithms)):
                target = f"{kind}:" + self.path(f"{kind}-{realm}")
                written, _ = self.migrate(source, target, *realm_args)
                if kind == "pjsip":  # what Asterisk would refuse to load, it says
                    r = self.tool("sipcred-lint", "--pjsip", self.path(f"{kind}-{realm}"))
                    self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assert_authenticates(f"migrate to {kind} (realm {realm})", target, written,
                                          algorithms, realm, keeps_user_id=False)
        # Clear-text lists hold what a userdb holds; they read back into one.
        for kind in ("csv", "jsonl"):
            listing = f"{kind}:" + self.path(f"list.{kind}")
            written, _ = self.migrate(self.source(None), listing)
            self.assertEqual({a.user for a in written}, {a.user for a in ACCOUNTS if a.clear})
            back = self.path(f"back-from-{kind}")
            again, _ = self.migrate(listing, back)
            self.assert_authenticates(f"migrate to {kind} and back", back,
                                      [a for a in again if a in written], lambda a: a.algorithms)

    def test_kamailio_authenticates_what_migrate_wrote(self):
        require("kamailio", "sipsak")
        # The test's Kamailio challenges with the From domain, which sipsak sends as 127.0.0.1.
        domain = "127.0.0.1"
        source = self.write("kamailio-source", "version:1\n" + "".join(
            userdb_line(a, domain, domain) for a in ACCOUNTS))
        db = self.path("kamailio.db")
        r = self.tool("sipcred-migrate", source, f"sqlite3://db={db}", "--schema", "kamailio",
                      "--skip-unconvertible", "--create-schema", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        unconvertible = {n["identity"] for n in report["unconvertible"]["listed"]}
        # What sipcred refuses for Kamailio, written by hand with the right hashes: the real
        # Kamailio must refuse it too, or the refusal is wrong.
        refused = [a for a in ACCOUNTS if "@" in a.plain_user or ":" in a.plain_user]
        self.assertTrue(refused)
        with sqlite3.connect(db) as connection:
            for a in refused:
                self.assertIn(f"{a.plain_user}@{domain}", unconvertible)
                connection.execute(
                    "insert into subscriber (username, domain, password, ha1, ha1b) values "
                    "(?, ?, '', ?, ?)", (a.plain_user, domain, ha1("MD5", a.plain_user, domain,
                                                                   a.password),
                                         ha1("MD5", f"{a.plain_user}@{domain}", domain,
                                             a.password)))
        kamailio = Kamailio(report["server_configuration"])
        try:
            for a in refused:
                self.assertNotEqual(kamailio.register(a.user.replace(":", "%3A"), domain,
                                                      a.password, a.plain_user), 0,
                                    f"Kamailio authenticates {a.plain_user}: sipcred should "
                                    "write it")
            registered = 0
            for account in ACCOUNTS:
                if account in refused:
                    continue
                written = f"{account.plain_user}@{domain}" not in unconvertible
                # The URI's user escapes ':', the digest username is the name itself.
                uri_user = account.user.replace(":", "%3A")
                code = kamailio.register(uri_user, domain, account.password, account.plain_user)
                self.assertEqual(code == 0, written, f"{account.identity}: sipsak exit {code}")
                if written:
                    registered += 1
                    self.assertNotEqual(kamailio.register(uri_user, domain, "wrong",
                                                          account.plain_user), 0)
            self.assertGreaterEqual(registered, 3)
        finally:
            kamailio.stop()

if __name__ == "__main__":
    unittest.main()
