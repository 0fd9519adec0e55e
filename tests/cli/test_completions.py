"""Shell completions: valid syntax in bash, zsh and fish, they complete for real, and they
know every option the tool's --help lists (so a new option cannot be forgotten)."""
import os
import re
import subprocess
import tempfile
import unittest

from clitest import run

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../completions")
TOOLS = ["sipcred-hash", "sipcred-user", "sipcred-convert", "sipcred-sim", "sipcred-migrate",
         "sipcred-lint"]
SUBCOMMANDS = {"sipcred-user": ["init", "add", "rotate", "remove", "list", "show", "check",
                                "import"],
               "sipcred-sim": ["challenge", "respond", "verify", "exchange", "probe", "serve"]}


def store_prefixes():
    """The locator prefixes of the table of stores (sipcred-migrate --list-stores), a userdb's
    bare PATH aside: "htdigest:", "sqlite3://"..."""
    forms = [line.split("\t")[0] for line in run("sipcred-migrate", "--list-stores").stdout.splitlines()]
    assert len(forms) >= 8, forms
    return [form[:form.index("://") + 3] if "://" in form else form[:form.index(":") + 1]
            for form in forms if form != "PATH"]


def files(tool):
    return {"bash": os.path.join(ROOT, "bash", tool),
            "zsh": os.path.join(ROOT, "zsh", "_" + tool),
            "fish": os.path.join(ROOT, "fish", tool + ".fish")}


def shell(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


class Completions(unittest.TestCase):
    def test_syntax(self):
        for tool in TOOLS + ["sipcred"]:
            for sh, path in files(tool).items():
                r = shell(sh, "-n", path)
                self.assertEqual(r.returncode, 0, f"{path}: {r.stderr}")

    def test_every_option_of_help_is_completed(self):
        for tool in TOOLS:
            help_text = run(tool, "--help").stdout
            for sub in SUBCOMMANDS.get(tool, []):
                help_text += run(tool, sub, "--help").stdout
            options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]+", help_text))
            self.assertIn("--version", options)  # the help was read
            for sub in SUBCOMMANDS.get(tool, []):
                for sh, path in files(tool).items():
                    with open(path) as f:
                        self.assertIn(sub, f.read(), f"{path} does not complete {sub}")
            for sh, path in files(tool).items():
                with open(path) as f:
                    text = f.read()
                for option in options:
                    bare = option[2:]
                    # fish writes long options without their dashes: -l password-stdin
                    found = option in text or (sh == "fish" and f"-l {bare}" in text)
                    self.assertTrue(found, f"{path} does not complete {option}")

    def bash_complete(self, line, tool="sipcred-hash", cwd=None):
        # Split as bash does with its default COMP_WORDBREAKS: "=" and ":" are words.
        words = re.findall(r"[=:]+|[^ =:]+|(?<= )$|^$", line)
        function = "_" + tool.replace("-", "_")
        script = (f"source /usr/share/bash-completion/bash_completion; "
                  f"source {files(tool)['bash']}; "
                  f"COMP_WORDS=({' '.join(repr(w) for w in words)}); "
                  f"COMP_CWORD={len(words) - 1}; COMP_LINE={line!r}; COMP_POINT={len(line)}; "
                  f"{function}; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30,
                           cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.split()

    def test_bash_completes_values_and_options(self):
        self.assertEqual(self.bash_complete("sipcred-hash -a SHA"), ["SHA-256", "SHA-512-256"])
        self.assertEqual(self.bash_complete("sipcred-hash --format u"), ["userdb"])
        self.assertIn("--password-file", self.bash_complete("sipcred-hash --pass"))

    def test_bash_completes_migrate_values_and_stores(self):
        def complete(line, cwd=None):
            return self.bash_complete(line, "sipcred-migrate", cwd)
        self.assertEqual(complete("sipcred-migrate --schema k"), ["kamailio"])
        self.assertEqual(complete("sipcred-migrate --dest-schema=o"), ["opensips"])
        self.assertEqual(complete("sipcred-migrate --schema flexi"), ["flexisip", "flexiapi"])
        self.assertEqual(complete("sipcred-migrate --source-schema a"), ["asterisk"])
        self.assertEqual(complete("sipcred-migrate --on-conflict "), ["fail", "skip", "replace"])
        self.assertEqual(complete("sipcred-migrate -a SHA"), ["SHA-256", "SHA-512-256"])
        self.assertNotIn("--dry-run", complete("sipcred-migrate --verify --"))
        with tempfile.TemporaryDirectory() as tmp:
            open(os.path.join(tmp, "users"), "w").close()
            stores = complete("sipcred-migrate ", tmp)
            self.assertIn("users", stores)  # a userdb PATH
            # Every other kind of store in sipcred's table: its prefix is offered.
            for prefix in store_prefixes():
                self.assertTrue(any(s.startswith(prefix) for s in stores), (prefix, stores))
            # readline replaces the text after the last ":" or "=" of the word
            self.assertEqual(complete("sipcred-migrate users sqlite3://db=u", tmp), ["users"])
            self.assertEqual(complete("sipcred-migrate pjsip:u", tmp), ["users"])
            self.assertEqual(complete("sipcred-migrate users out ", tmp), [])

    def test_fish_completes_values(self):
        r = shell("fish", "-c", f"source {files('sipcred-hash')['fish']}; "
                                f"complete -C 'sipcred-hash -f '")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(line.split("\t")[0] for line in r.stdout.splitlines()),
                         ["hex", "htdigest", "pjsip", "userdb"])
        r = shell("fish", "-c", f"source {files('sipcred-migrate')['fish']}; "
                                f"complete -C 'sipcred-migrate --on-conflict '; "
                                f"complete -C 'sipcred-migrate sq'")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sorted(line.split("\t")[0] for line in r.stdout.splitlines()),
                         ["fail", "replace", "skip", "sqlite3://db="])

    def test_fish_completes_every_store_prefix(self):
        with tempfile.TemporaryDirectory() as tmp:
            r = subprocess.run(["fish", "-c", f"source {files('sipcred-migrate')['fish']}; "
                                              "complete -C 'sipcred-migrate '"],
                               capture_output=True, text=True, timeout=30, cwd=tmp)
        self.assertEqual(r.returncode, 0, r.stderr)
        offered = [line.split("\t")[0] for line in r.stdout.splitlines()]
        for prefix in store_prefixes():
            self.assertTrue(any(s.startswith(prefix) for s in offered), (prefix, offered))


if __name__ == "__main__":
    unittest.main()
