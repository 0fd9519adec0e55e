"""The umbrella command: dispatch to sipcred-TOOL, help, version, unknown tools."""
import os
import shutil
import subprocess
import unittest

from clitest import BIN, BUILD, TempDirTest, run


class Umbrella(TempDirTest):
    def test_runs_the_tool_beside_it(self):
        r = run("sipcred", "hash", "-a", "MD5", "Mufasa", "testrealm@host.com",
                stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, "939e7578ed9e3c518a452acee763bce9\n")

    def test_exit_status_is_the_tools(self):
        self.assertExit(run("sipcred", "hash", "-a", "bogus", "u", "r", stdin="x"), 2)
        self.assertExit(run("sipcred", "hash", "--password-file", self.path("none"), "u", "r"), 66)
        self.assertExit(run("sipcred", "hash", "u", "r", stdin=""), 65)

    def test_help_lists_installed_tools_only(self):
        for args in ([], ["--help"], ["help"]):
            r = run("sipcred", *args)
            self.assertExit(r, 0)
            self.assertRegex(r.stdout, r"\n  hash +print the A1 hashes")
            self.assertRegex(r.stdout, r"\n  migrate +move users")
        # A directory holding only sipcred and sipcred-hash (PATH holds no sipcred install):
        # only hash is listed.
        lone = self.path("lone")
        os.mkdir(lone)
        for tool in ("sipcred", "sipcred-hash"):
            shutil.copy(os.path.join(BIN, tool), lone)
        r = subprocess.run([os.path.join(lone, "sipcred"), "--help"], capture_output=True,
                           text=True, env={"PATH": "/nonexistent",
                                           "LD_LIBRARY_PATH": os.path.join(BUILD, "lib")})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\n  hash +print the A1 hashes")
        self.assertNotRegex(r.stdout, r"\n  (migrate|user|convert|sim|lint) ")

    def test_help_tool_runs_its_help(self):
        r = run("sipcred", "help", "hash")
        self.assertExit(r, 0)
        self.assertIn("--password-stdin", r.stdout)

    def test_unknown_tool_or_option_is_2(self):
        for args in (["nosuch"], ["--bogus"], [""], ["help", "nosuch"]):
            r = run("sipcred", *args)
            self.assertExit(r, 2)
            self.assertIn("sipcred --help", r.stderr)

    def test_an_unknown_subcommand_is_named_with_the_nearest(self):
        """As git does: the word that is not a command, and the command meant."""
        users = self.write("users", "version:1\na@example.org clrtxt:pw ;\n")
        for argv, word, meant in ((["sipcred", "user", "lsit", users], "lsit", "list"),
                                  (["sipcred-user", "-q", "rotat", users], "rotat", "rotate"),
                                  (["sipcred-sim", "chalenge", "--realm", "r"], "chalenge",
                                   "challenge"),
                                  (["sipcred", "usr", "list", users], "usr", "user")):
            r = run(*argv)
            self.assertExit(r, 2)
            self.assertIn(f"'{word}' is not a", r.stderr)
            self.assertIn(f"did you mean '{meant}'?", r.stderr)
            self.assertNotIn("A subcommand is required", r.stderr)
        r = run("sipcred-user", "zzzzzz", users)
        self.assertExit(r, 2)
        self.assertIn("'zzzzzz' is not a sipcred-user command", r.stderr)
        self.assertNotIn("did you mean", r.stderr)
        # Still the usual message when no subcommand is given at all.
        self.assertIn("subcommand is required", run("sipcred-user").stderr)

    def test_global_options_before_the_tool(self):
        """-q, which every tool has, is passed on; any other option before the tool name
        gets a message saying where options go."""
        users = self.write("users", "version:1\n")
        r = run("sipcred", "-q", "user", "add", users, "a@example.org", "--password-stdin",
                stdin="pw\n")
        self.assertExit(r, 0)
        self.assertEqual(r.stderr, "")
        r = run("sipcred", "--quiet", "hash", "-a", "MD5", "Mufasa", "testrealm@host.com",
                stdin="Circle Of Life")
        self.assertExit(r, 0)
        self.assertEqual(r.stdout, "939e7578ed9e3c518a452acee763bce9\n")
        r = run("sipcred", "--json", "user", "list", users)
        self.assertExit(r, 2)
        self.assertIn("options go after the tool name: sipcred TOOL --json", r.stderr)
        self.assertExit(run("sipcred", "-q"), 2)

    def test_a_name_with_a_slash_is_never_run(self):
        """`sipcred evil/run` must not run PATH/sipcred-evil/run."""
        import os
        os.mkdir(self.path("sipcred-evil"))
        marker = self.path("ran")
        self.write("sipcred-evil/run", f"#!/bin/sh\ntouch {marker}\n", mode=0o755)
        r = run("sipcred", "evil/run", env={"PATH": f"{self.dir}:/usr/bin:/bin"})
        self.assertExit(r, 2)
        self.assertFalse(os.path.exists(marker))

    def test_version(self):
        r = run("sipcred", "--version")
        self.assertExit(r, 0)
        self.assertRegex(r.stdout, r"^sipcred \d+\.\d+\.\d+\n$")


if __name__ == "__main__":
    unittest.main()
