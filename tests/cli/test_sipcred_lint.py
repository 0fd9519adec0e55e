"""sipcred-lint as CI runs it: exit codes, the three formats (SARIF checked against what GitHub
code scanning requires), --werror, -q, --explain for every rule, missing files, the source
line shown on a terminal, and no password or hash in any output."""
import hashlib
import json
import os
import re
import subprocess
import unittest

from clitest import BIN, CLEAN_PATH, TempDirTest, Terminal, run

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
TEXT_LINE = re.compile(r"^[^:]+:\d+:\d+: (error|warning|note): .+ \[SC\d{3}\]$")
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings?, \d+ notes?$")

SECRETS = ["Zebra-Secret-77", "hunter2-xyz", "conn-pass-991", "pj-secret-42"]
HASH = hashlib.md5(b"alice:sip.example.org:Zebra-Secret-77").hexdigest()
SHA = hashlib.sha256(b"bob:sip.example.org:other").hexdigest()
PJ_HASH = hashlib.md5(b"alice:asterisk:pj-secret-42").hexdigest()
SECRETS += [HASH, SHA, PJ_HASH]


def lint(*args, cwd=None):
    return run("sipcred-lint", *args, cwd=cwd)


def rule_codes():
    """The codes of the rule table, from the SARIF rules (which list the whole table)."""
    r = subprocess.run([os.path.join(BIN, "sipcred-lint"), "--pjsip", "/dev/null", "--format",
                        "sarif"], capture_output=True, text=True)
    return [rule["id"] for rule in json.loads(r.stdout)["runs"][0]["tool"]["driver"]["rules"]]


class Lint(TempDirTest):
    def setUp(self):
        super().setUp()
        self.users = self.write("users", "version:1\n"
                                f"alice@sip.example.org md5:{HASH} ;\n"
                                f"bob@sip.example.org sha256:{SHA} ;\n")
        self.dup_users = self.write("dup", "version:1\n"
                                    f"bob@sip.example.org sha256:{SHA} ;\n"
                                    f"bob@sip.example.org sha256:{SHA} ;\n")
        self.clean_conf = self.write("clean.conf", "[module::Authentication]\nenabled=true\n"
                                     "auth-domains=sip.example.org\n"
                                     "available-algorithms=SHA-256 MD5\n"
                                     f"file-path={self.users}\n")
        self.warning_conf = self.write("warning.conf", "[module::Authentication]\nenabled=false\n"
                                       "auth-domains=sip.example.org\n"
                                       "available-algorithms=SHA-256 MD5\n"
                                       f"file-path={self.users}\n")
        self.error_conf = self.write("error.conf", "[module::Authentication]\nenabled=yes\n"
                                     "auth-domains=sip.example.org\n"
                                     "available-algorithms=SHA-256 MD5\n"
                                     f"file-path={self.dup_users}\n")

    def test_exit_codes(self):
        self.assertExit(lint(self.clean_conf), 0)
        self.assertExit(lint(self.clean_conf, "--werror"), 0)
        self.assertExit(lint(self.warning_conf), 0)
        self.assertExit(lint(self.warning_conf, "--werror"), 1)
        self.assertExit(lint(self.error_conf), 1)
        self.assertExit(lint(), 2)
        self.assertExit(lint(self.clean_conf, "--format", "xml"), 2)
        self.assertExit(lint("--bogus"), 2)
        self.assertExit(lint("--explain", "SC999"), 2)
        for args in ([self.path("none.conf")], ["--userdb", self.path("none")],
                     ["--pjsip", self.path("none")], [self.clean_conf, "--userdb", self.dir]):
            r = lint(*args)
            self.assertExit(r, 66)
            self.assertIn("sipcred-lint: ", r.stderr)

    def test_userdb_named_only_by_the_config_is_a_finding_not_exit_66(self):
        conf = self.write("c.conf", "[module::Authentication]\nenabled=true\n"
                          f"file-path={self.path('gone')}\n")
        r = lint(conf, "--format", "json")
        self.assertExit(r, 1)
        self.assertIn("SC331", [d["code"] for d in json.loads(r.stdout)["diagnostics"]])

    def test_text_format(self):
        r = lint(self.error_conf)
        self.assertExit(r, 1)
        lines = r.stdout.splitlines()
        for line in lines[:-1]:
            self.assertRegex(line, TEXT_LINE)
        self.assertRegex(lines[-1], SUMMARY)
        self.assertIn(f"{self.error_conf}:2:9: error: expected true, false, 1 or 0 for "
                      "'enabled', got 'yes' [SC312]", lines)
        self.assertEqual(lines[-1], "1 error, 1 warning, 0 notes")
        self.assertEqual(r.stderr, "")

    def test_quiet_prints_errors_only(self):
        r = lint(self.error_conf, "-q")
        self.assertExit(r, 1)
        self.assertEqual(r.stdout.splitlines(),
                         [f"{self.error_conf}:2:9: error: expected true, false, 1 or 0 for "
                          "'enabled', got 'yes' [SC312]"])
        self.assertExit(lint(self.clean_conf, "-q"), 0)
        self.assertEqual(lint(self.clean_conf, "-q").stdout, "")

    def test_json_shape(self):
        r = lint(self.error_conf, "--format", "json")
        self.assertExit(r, 1)
        doc = json.loads(r.stdout)
        self.assertEqual(list(doc), ["diagnostics", "summary"])
        self.assertEqual(doc["summary"], {"errors": 1, "warnings": 1, "notes": 0,
                                          "codes": {"SC124": 1, "SC312": 1}})
        for d in doc["diagnostics"]:
            self.assertEqual(list(d), ["code", "severity", "file", "line", "column", "message",
                                       "subject"])
            self.assertIn(d["severity"], ("error", "warning", "note"))
            self.assertIsInstance(d["line"], int)
            self.assertIsInstance(d["column"], int)
        self.assertEqual(doc["diagnostics"][0],
                         {"code": "SC312", "severity": "error", "file": self.error_conf,
                          "line": 2, "column": 9,
                          "message": "expected true, false, 1 or 0 for 'enabled', got 'yes'",
                          "subject": "[module::Authentication] enabled"})
        self.assertEqual(json.loads(lint(self.clean_conf, "--format", "json").stdout),
                         {"diagnostics": [], "summary": {"errors": 0, "warnings": 0, "notes": 0,
                                                         "codes": {}}})

    def test_sarif_is_what_github_code_scanning_accepts(self):
        r = lint("error.conf", "--format", "sarif", cwd=self.dir)
        self.assertExit(r, 1)
        log = json.loads(r.stdout)
        self.assertEqual(log["version"], "2.1.0")
        self.assertIn("sarif", log["$schema"])
        self.assertEqual(len(log["runs"]), 1)
        driver = log["runs"][0]["tool"]["driver"]
        self.assertEqual(driver["name"], "sipcred-lint")
        self.assertRegex(driver["informationUri"], r"^https://")
        self.assertRegex(driver["version"], r"^\d+\.\d+\.\d+")
        ids = [rule["id"] for rule in driver["rules"]]
        self.assertEqual(len(ids), len(set(ids)))
        for rule in driver["rules"]:
            self.assertRegex(rule["id"], r"^SC\d{3}$")
            for key in ("shortDescription", "fullDescription", "help"):
                self.assertTrue(rule[key]["text"].strip(), f"{rule['id']} {key}")
            self.assertIn(rule["defaultConfiguration"]["level"], ("error", "warning", "note"))
        invocation = log["runs"][0]["invocations"][0]
        self.assertIs(invocation["executionSuccessful"], True)
        self.assertEqual(invocation["workingDirectory"]["uri"],
                         "file://" + os.path.realpath(self.dir) + "/")
        results = log["runs"][0]["results"]
        self.assertEqual(len(results), 2)
        for result in results:
            self.assertIn(result["ruleId"], ids)
            self.assertEqual(ids[result["ruleIndex"]], result["ruleId"])
            self.assertIn(result["level"], ("error", "warning", "note"))
            self.assertTrue(result["message"]["text"])
            location = result["locations"][0]["physicalLocation"]
            self.assertGreaterEqual(location["region"]["startLine"], 1)
            self.assertGreaterEqual(location["region"]["startColumn"], 1)
        uris = [res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for res in results]
        self.assertIn("error.conf", uris)  # relative, as given
        self.assertIn("file://" + self.dup_users, uris)  # absolute: a file URI

    def test_sarif_uris_are_percent_encoded(self):
        os.mkdir(self.path("conf dir"))
        self.write("conf dir/users é", "version:1\nbob@x.org sha256:abc ;\n")
        r = lint("--userdb", "conf dir/users é", "--format", "sarif", cwd=self.dir)
        self.assertExit(r, 0)
        results = json.loads(r.stdout)["runs"][0]["results"]
        self.assertEqual({res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                          for res in results}, {"conf%20dir/users%20%C3%A9"})

    def test_explain_every_code(self):
        codes = rule_codes()
        self.assertGreater(len(codes), 50)
        for code in codes:
            r = lint("--explain", code.lower())
            self.assertExit(r, 0)
            head, _, body = r.stdout.partition("\n\n")
            self.assertRegex(head, rf"^{code} \((error|warning|note)\): \S")
            self.assertGreater(len(body.strip()), 40, code)

    def test_man_page_lists_every_code(self):
        with open(os.path.join(ROOT, "man/sipcred-lint.1.scd")) as f:
            page = f.read()
        for code in rule_codes():
            severity = lint("--explain", code).stdout.split("(")[1].split(")")[0]
            self.assertIn(f"*{code}* ({severity}):", page)
        self.assertEqual(len(set(re.findall(r"^\*(SC\d{3})\*", page, re.M))), len(rule_codes()))

    def test_no_secret_in_any_output(self):
        users = self.write("leaky", "version:1\n"
                           f"alice@sip.example.org clrtxt:Zebra-Secret-77 md5:{HASH} ;\n"
                           f"bob@sip.example.org sha256:{SHA} sha256:{SHA}abc ;\n"
                           "carol@other.org clrtxt:hunter2-xyz$ ;\n"
                           "dave@other.org clrtxt:hunter2-xyz;\n"
                           f"erin@sip.example.org MD5:{HASH} ;\n", mode=0o644)
        conf = self.write("leaky.conf", "[module::Authentication]\nenabled=true\nrealm=corp\n"
                          "db-implementation=soci\nsoci-backend=mysqll\n"
                          "soci-connection-string=db=x user=u password=conn-pass-991\n"
                          "soci-password-request=select a from b where c = :who\n")
        pjsip = self.write("pjsip.conf", "[alice]\ntype=auth\nusername=alice\n"
                           "password=pj-secret-42\n"
                           f"password_digest=MD5:{PJ_HASH}0\nmd5_cred={PJ_HASH}\n"
                           "password_digest=pj-secret-42:abc\n"
                           "supported_algorithms_uac=SHA-256,bogus\n")
        conf2 = self.write("file.conf", "[module::Authentication]\nrealm=corp\n"
                           f"file-path={users}\n")
        outputs = []
        for fmt in ("text", "json", "sarif", "gitlab", "github", "junit"):
            for args in ([conf], [conf2], ["--userdb", users], ["--pjsip", pjsip]):
                r = lint(*args, "--format", fmt, "--enable", "SC130")
                self.assertIn(r.returncode, (0, 1), r.stderr)
                outputs.append(r.stdout + r.stderr)
        for args in ([conf], [conf2], ["--userdb", users], ["--pjsip", pjsip]):
            baseline = self.path("baseline")
            r = lint(*args, "--enable", "SC130", "--write-baseline", baseline)
            self.assertExit(r, 0)
            with open(baseline) as f:
                outputs.append(f.read())
            os.unlink(baseline)
        for args in ([conf], [conf2], ["--pjsip", pjsip]):
            outputs.append(self.on_terminal(*args))
        self.assertIn("^", outputs[-1])  # the terminal view was really produced
        everything = "\n".join(outputs)
        for code in ("SC112", "SC109", "SC125", "SC120", "SC404", "SC405", "SC505", "SC333",
                     "SC504"):
            self.assertIn(code, everything)
        for secret in SECRETS:
            self.assertNotIn(secret, everything)
            self.assertNotIn(secret.upper(), everything)

    def on_terminal(self, *args):
        """stdout of sipcred-lint run with a terminal as standard output."""
        terminal = Terminal()
        proc = terminal.popen([os.path.join(BIN, "sipcred-lint"), *args],
                              stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={"PATH": CLEAN_PATH})
        return terminal.output(proc)[1].replace("\r\n", "\n")

    def test_source_and_caret_on_a_terminal_only(self):
        out = self.on_terminal(self.error_conf)
        lines = out.splitlines()
        at = lines.index(f"{self.error_conf}:2:9: error: expected true, false, 1 or 0 for "
                         "'enabled', got 'yes' [SC312]")
        self.assertEqual(lines[at + 1], "    enabled=yes")
        self.assertEqual(lines[at + 2], "            ^")
        self.assertNotIn("    enabled=yes", lint(self.error_conf).stdout)
        out = self.on_terminal("--userdb", self.users)
        self.assertIn("    bob@sip.example.org sha256:" + "*" * 64 + " ;", out)

    def test_umbrella_runs_it(self):
        r = run("sipcred", "lint", "--explain", "SC405")
        self.assertExit(r, 0)
        self.assertIn("SC405 (warning)", r.stdout)


if __name__ == "__main__":
    unittest.main()
