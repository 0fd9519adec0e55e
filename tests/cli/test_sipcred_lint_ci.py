"""sipcred-lint in CI: choosing the rules (--disable, --enable, .sipcred-lint, --config-file),
baselines (--write-baseline, --baseline), and the formats CI systems read, each checked by its
consumer's validator or documented schema: SARIF by Microsoft's SARIF validator, GitLab Code
Quality by a JSON schema written from GitLab's documentation, JUnit by an XSD and xmllint,
GitHub workflow commands by @actions/core's escaping rules."""
import hashlib
import json
import os
import shutil
import subprocess
import unittest

from clitest import TempDirTest, run

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "../..")
SARIF_MULTITOOL = os.environ.get(
    "SIPCRED_SARIF_MULTITOOL",
    "/var/cache/sipcred/sarif-multitool/node_modules/.bin/sarif-multitool")

SECRET = "Zebra-Secret-77"
HASH = hashlib.md5(f"alice:a.org:{SECRET}".encode()).hexdigest()
OTHER = "0123456789abcdef0123456789abcdef"
# alice: SC122 (md5 after clrtxt) and SC404 (it does not match); bob: the same twice.
USERS = ("version:1\n"
         f"alice@a.org clrtxt:{SECRET} md5:{OTHER} ;\n"
         f"bob@a.org clrtxt:{SECRET}x md5:{HASH} ;\n")


def lint(*args, cwd=None):
    return run("sipcred-lint", *args, cwd=cwd)


def codes(result):
    return sorted((d["code"], d["line"]) for d in json.loads(result.stdout)["diagnostics"])


class Selection(TempDirTest):
    def setUp(self):
        super().setUp()
        self.users = self.write("users", USERS, mode=0o644)

    def test_disable_and_enable(self):
        everything = codes(lint("--userdb", self.users, "--format", "json"))
        self.assertIn(("SC405", 1), everything)
        r = lint("--userdb", self.users, "--format", "json", "--disable", "SC405")
        self.assertEqual(codes(r), [c for c in everything if c[0] != "SC405"])
        r = lint("--userdb", self.users, "--format", "json", "--disable", "sc405, SC122",
                 "--disable", "SC404")
        self.assertEqual(codes(r), [])
        # SC130 is off by default, on when asked for.
        upper = self.write("upper", f"version:1\nu@a.org md5:{OTHER.upper()} ;\n")
        self.assertEqual(codes(lint("--userdb", upper, "--format", "json")), [])
        self.assertEqual(codes(lint("--userdb", upper, "--format", "json", "--enable", "SC130")),
                         [("SC130", 2)])
        # --disable has the last word.
        self.assertEqual(codes(lint("--userdb", upper, "--format", "json", "--enable", "SC130",
                                    "--disable", "SC130")), [])

    def test_unknown_or_empty_code_is_a_usage_error(self):
        for option, value, message in (("--disable", "SC999", "--disable: unknown code 'SC999'"),
                                       ("--enable", "SC405,,SC122", "--enable: expected a rule code"),
                                       ("--disable", "SC405;SC122", "--disable: unknown code 'SC405;SC122'")):
            with self.subTest(value=value):
                r = lint("--userdb", self.users, option, value)
                self.assertExit(r, 2)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")

    def test_project_file_in_the_working_directory(self):
        self.write(".sipcred-lint", "# CI: the checkout's modes mean nothing\n"
                   "disable = SC405\n\n  disable=SC122 , SC404\nenable = SC130\n")
        r = lint("--userdb", "users", "--format", "json", cwd=self.dir)
        self.assertExit(r, 0)
        self.assertEqual(codes(r), [])
        # The command line has the last word over the file.
        r = lint("--userdb", "users", "--format", "json", "--enable", "SC405", cwd=self.dir)
        self.assertEqual(codes(r), [("SC405", 1)])

    def test_config_file_option(self):
        project = self.write("lint.ini", "disable = SC405,SC404\n")
        r = lint("--userdb", self.users, "--format", "json", "--config-file", project)
        self.assertEqual(codes(r), [("SC122", 2), ("SC122", 3)])
        r = lint("--userdb", self.users, "--config-file", self.path("missing.ini"))
        self.assertExit(r, 66)
        self.assertIn("missing.ini", r.stderr)

    def test_malformed_project_file(self):
        for content, where, message in (
                ("disable = SC405\nenable SC130\n", ":2:1:", "expected 'disable = CODE"),
                ("# x\ndisabled = SC405\n", ":2:1:", "unknown setting 'disabled'"),
                ("disable = SC405, SC9999\n", ":1:18:", "unknown code 'SC9999'"),
                ("disable = SC405 SC122\n", ":1:17:", "expected ',' between codes"),
                ("disable =\n", ":1:10:", "expected a rule code")):
            with self.subTest(content=content):
                project = self.write("bad.ini", content)
                r = lint("--userdb", self.users, "--config-file", project)
                self.assertExit(r, 2)
                self.assertIn(project + where, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")


class Suppression(TempDirTest):
    def test_a_comment_covers_the_next_line_only(self):
        users = self.write("users", "version:1\n"
                           "# sipcred-lint: disable=SC122,SC404\n"
                           f"alice@a.org clrtxt:{SECRET} md5:{OTHER} ;\n"
                           f"bob@a.org clrtxt:{SECRET} md5:{OTHER} ;\n")
        self.assertEqual(codes(lint("--userdb", users, "--format", "json")),
                         [("SC122", 4), ("SC404", 4)])

    def test_unknown_code_in_a_comment_is_a_finding_where_it_is(self):
        users = self.write("users", "version:1\n# sipcred-lint: disable=SC122,SC12\n"
                           f"alice@a.org clrtxt:{SECRET} md5:{OTHER} ;\n")
        r = lint("--userdb", users)
        self.assertIn(f"{users}:2:31: warning: unknown code 'SC12' in a sipcred-lint comment",
                      r.stdout)
        self.assertIn("[SC122]", r.stdout)  # the comment disabled nothing


class Baseline(TempDirTest):
    def setUp(self):
        super().setUp()
        self.users = self.write("users", USERS)

    def write_baseline(self, *args):
        r = lint("--userdb", "users", "--write-baseline", "baseline", *args, cwd=self.dir)
        self.assertExit(r, 0)
        with open(self.path("baseline")) as f:
            return f.read()

    def test_baseline_reports_only_new_findings(self):
        text = self.write_baseline()
        self.assertEqual(os.stat(self.path("baseline")).st_mode & 0o777, 0o600)
        self.assertTrue(text.startswith("sipcred-lint baseline 1\n"))
        records = [line.split() for line in text.splitlines()[1:] if not line.startswith("#")]
        self.assertEqual(sorted(r[0] for r in records), ["SC122", "SC122", "SC404", "SC404"])
        self.assertTrue(all(r[1] == "1" and r[3] == "users" for r in records))
        # No secret, no hash, no user name, no line number.
        for word in (SECRET, HASH, OTHER, "alice", "bob", "clrtxt"):
            self.assertNotIn(word, text)
        r = lint("--userdb", "users", "--baseline", "baseline", cwd=self.dir)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, "0 errors, 0 warnings, 0 notes (4 more in the baseline)\n")

        # Lines inserted above, a password rotated: the same findings, still known. A new
        # user with the same problem is new.
        with open(self.path("users"), "w") as f:
            f.write("version:1\n# moved down\n\n"
                    f"carol@a.org clrtxt:{SECRET} md5:{OTHER} ;\n"
                    f"bob@a.org clrtxt:other-pw md5:{HASH} ;\n"
                    f"alice@a.org clrtxt:{SECRET}2 md5:{OTHER} ;\n")
        r = lint("--userdb", "users", "--baseline", "baseline", "--format", "json", cwd=self.dir)
        self.assertEqual(codes(r), [("SC122", 4), ("SC404", 4)])
        for fmt in ("sarif", "gitlab", "github", "junit", "text"):
            r = lint("--userdb", "users", "--baseline", "baseline", "--format", fmt, cwd=self.dir)
            self.assertIn("SC122", r.stdout)
            self.assertNotIn("alice", r.stdout)

    def test_counts_per_subject(self):
        # Two findings without a subject (lines that do not parse) are counted: a third is new.
        self.write("users", "version:1\nbad line\nbad line\n")
        self.write_baseline()
        self.write("users", "version:1\nbad line\nbad line\n\nbad line\n")
        r = lint("--userdb", "users", "--baseline", "baseline", "--format", "json", cwd=self.dir)
        self.assertEqual(len(codes(r)), 1)

    def test_selection_applies_before_the_baseline_is_written(self):
        text = self.write_baseline("--disable", "SC404")
        self.assertNotIn("SC404", text)
        r = lint("--userdb", "users", "--baseline", "baseline", cwd=self.dir)
        self.assertExit(r, 0)
        self.assertEqual(r.stdout.count("[SC404]"), 2)

    def test_bad_baselines(self):
        good = self.write_baseline().splitlines()
        record = [line for line in good if line.startswith("SC")][0]
        code, count, print_, file = record.split(" ", 3)
        for content, where, message in (
                ("", ":1:1:", "not a sipcred-lint baseline"),
                ("sipcred-lint baseline 2\n", ":1:1:", "expected 'sipcred-lint baseline 1'"),
                (f"{good[0]}\nSC999 1 {print_} users\n", ":2:1:", "unknown code 'SC999'"),
                (f"{good[0]}\n{code} x {print_} users\n", ":2:7:", "expected a count"),
                (f"{good[0]}\n{code} 0 {print_} users\n", ":2:7:", "expected a count"),
                (f"{good[0]}\n{code} 1 abc users\n", ":2:9:", "expected a fingerprint"),
                (f"{good[0]}\n{code} 1 {print_}\n", ":2:9:", "expected a fingerprint and a file"),
                (f"{good[0]}\n{code} 1 {print_} us%zzers\n", ":2:28:", "expected %XX")):
            with self.subTest(content=content):
                self.write("bad", content)
                r = lint("--userdb", "users", "--baseline", "bad", cwd=self.dir)
                self.assertExit(r, 65)
                self.assertIn("bad" + where, r.stderr)
                self.assertIn(message, r.stderr)
                self.assertEqual(r.stdout, "")
        r = lint("--userdb", "users", "--baseline", "nothing", cwd=self.dir)
        self.assertExit(r, 66)
        r = lint("--userdb", "users", "--baseline", "bad", "--write-baseline", "b2", cwd=self.dir)
        self.assertExit(r, 2)

    def test_odd_file_names_read_back(self):
        name = " we%ird name "
        self.write(name, USERS)
        r = lint("--userdb", name, "--write-baseline", "baseline", cwd=self.dir)
        self.assertExit(r, 0)
        r = lint("--userdb", name, "--baseline", "baseline", "--format", "json", cwd=self.dir)
        self.assertEqual(codes(r), [])

    def test_rewriting_a_baseline_replaces_it(self):
        self.write_baseline()
        self.write("users", "version:1\n")
        self.assertNotIn("SC", self.write_baseline())


class Formats(TempDirTest):
    """Each format against its consumer's schema, on findings of every file kind."""

    def setUp(self):
        super().setUp()
        self.write("users", USERS, mode=0o644)
        # A file name with what workflow commands and URIs must escape; a message with '%'.
        self.write("a,b:c%.conf", "[module::Authentication]\nenabled=yes\nb%d=1\n"
                   "soci-connection-string=password=conn-pass-991\n"
                   "file-path=users\n")
        self.write("pjsip.conf", "[alice]\ntype=auth\nusername=alice\npassword_digest=MD5:00\n"
                   "md5_cred=pj-secret-42\n")
        self.args = ["a,b:c%.conf", "--pjsip", "pjsip.conf", "--enable", "SC130"]

    def output(self, fmt, *extra):
        r = lint(*self.args, "--format", fmt, *extra, cwd=self.dir)
        self.assertExit(r, 1)
        for secret in (SECRET, HASH, "conn-pass-991", "pj-secret-42"):
            self.assertNotIn(secret, r.stdout + r.stderr)
        return r.stdout

    def findings(self):
        return json.loads(self.output("json"))["diagnostics"]

    def test_sarif_passes_microsofts_validator(self):
        # Its SARIF rules and its GitHub ingestion rules (Gh), warnings and notes included.
        if not os.access(SARIF_MULTITOOL, os.X_OK):
            self.skipTest(f"no SARIF validator at {SARIF_MULTITOOL}: scripts/install-deps "
                          "installs it")
        self.write("lint.sarif", self.output("sarif"))
        r = subprocess.run([SARIF_MULTITOOL, "validate", "lint.sarif", "--output", "log.sarif",
                            # The npm wrapper runs it through a shell: the list is quoted.
                            "--level", '"Error;Warning;Note"', "--rule-kind", '"Sarif;Gh"',
                            "--log", "ForceOverwrite"],
                           cwd=self.dir, capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.path("log.sarif")) as f:
            log = json.load(f)
        problems = [(res["ruleId"], res["message"].get("text") or res["message"].get("arguments"))
                    for run_ in log["runs"] for res in run_.get("results", [])
                    if res.get("level", "warning") in ("error", "warning")]
        self.assertEqual(problems, [])

    def test_sarif_rules_and_fingerprints(self):
        doc = json.loads(self.output("sarif"))
        rules = doc["runs"][0]["tool"]["driver"]["rules"]
        names = [rule["name"] for rule in rules]
        self.assertEqual(len(set(names)), len(names))
        for rule in rules:
            self.assertNotEqual(rule["name"], rule["id"])
            self.assertRegex(rule["name"], r"^[A-Z][A-Za-z0-9]+$")
        self.assertEqual({r["id"]: r["defaultConfiguration"]["enabled"] for r in rules}["SC130"],
                         False)
        results = doc["runs"][0]["results"]
        prints = [r["partialFingerprints"]["sipcredFingerprint/v1"] for r in results]
        self.assertEqual(len(set(prints)), len(prints))
        # Lines above the findings change their lines, not their fingerprints.
        with open(self.path("pjsip.conf")) as f:
            pjsip = f.read()
        self.write("pjsip.conf", "; moved\n[other]\ntype=aor\n" + pjsip)
        moved = json.loads(self.output("sarif"))["runs"][0]["results"]
        self.assertEqual([r["partialFingerprints"] for r in moved], [r["partialFingerprints"]
                                                                     for r in results])
        self.assertNotEqual([r["locations"] for r in moved], [r["locations"] for r in results])

    def test_gitlab_code_quality_schema(self):
        import jsonschema
        with open(os.path.join(HERE, "schemas/gitlab-code-quality.json")) as f:
            schema = json.load(f)
        issues = json.loads(self.output("gitlab"))
        jsonschema.validate(issues, schema)
        findings = self.findings()
        self.assertEqual(len(issues), len(findings))
        self.assertEqual(len({i["fingerprint"] for i in issues}), len(issues))
        severity = {"error": "major", "warning": "minor", "note": "info"}
        for issue, finding in zip(issues, findings):
            self.assertEqual(issue["check_name"], finding["code"])
            self.assertEqual(issue["location"]["path"], finding["file"])
            self.assertEqual(issue["location"]["lines"]["begin"], finding["line"])
            self.assertEqual(issue["severity"], severity[finding["severity"]])
        self.assertEqual(json.loads(lint("--pjsip", "/dev/null", "--format", "gitlab").stdout), [])

    def test_github_workflow_commands(self):
        lines = self.output("github").splitlines()
        findings = self.findings()
        self.assertEqual(len(lines), len(findings))
        command = {"error": "error", "warning": "warning", "note": "notice"}
        for line, f in zip(lines, findings):
            # @actions/core: properties escape % CR LF : and ,; the message % CR LF.
            file = f["file"].replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
            message = f["message"].replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            self.assertEqual(line, f"::{command[f['severity']]} file={file},line={f['line']},"
                             f"col={f['column']},title={f['code']}::{message}")
        self.assertIn("file=a%2Cb%3Ac%25.conf,", lines[0])
        self.assertTrue(any("'b%25d'" in line for line in lines))

    def test_junit_schema(self):
        xmllint = shutil.which("xmllint")
        if not xmllint:
            self.skipTest("no xmllint: scripts/install-deps installs libxml2-utils")
        # A byte that is not UTF-8 in a quoted key must not break the XML.
        with open(self.path("a,b:c%.conf"), "ab") as f:
            f.write(b"k\xff<&>=1\n")
        self.write("report.xml", self.output("junit"))
        r = subprocess.run([xmllint, "--noout", "--schema",
                            os.path.join(HERE, "schemas/junit.xsd"), "report.xml"],
                           cwd=self.dir, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("report.xml")) as f:
            report = f.read()
        self.assertEqual(report.count("<failure "), len(self.findings()))
        self.write("empty.xml", lint("--pjsip", "/dev/null", "--format", "junit").stdout)
        r = subprocess.run([xmllint, "--noout", "--schema",
                            os.path.join(HERE, "schemas/junit.xsd"), "empty.xml"],
                           cwd=self.dir, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)


class LintOnlyInstall(unittest.TestCase):
    def test_lint_only_packages_leave_out_servers_and_test_tools(self):
        script = os.path.join(ROOT, "scripts/install-deps")
        full = subprocess.run(["bash", script, "--list"], capture_output=True, text=True)
        lint_only = subprocess.run(["bash", script, "--lint-only", "--list"],
                                   capture_output=True, text=True)
        self.assertEqual(full.returncode, 0)
        self.assertEqual(lint_only.returncode, 0)
        full, lint_only = full.stdout.split(), lint_only.stdout.split()
        self.assertLess(set(lint_only), set(full))
        for server in ("postgresql", "mariadb-server", "kamailio", "sipsak", "linphone-cli",
                       "clang", "libgtest-dev", "nodejs"):
            self.assertIn(server, full)
            self.assertNotIn(server, lint_only)
        self.assertNotIn("npm", lint_only)
        for needed in ("cmake", "libssl-dev", "libcli11-dev", "nlohmann-json3-dev", "scdoc"):
            self.assertIn(needed, lint_only)


if __name__ == "__main__":
    unittest.main()
