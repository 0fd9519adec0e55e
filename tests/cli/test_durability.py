"""Durability, observed at the kernel boundary: the tools run with tests/shim/syscall_shim.cpp
preloaded, which records the system calls of their atomic writes and makes one fail on demand.

What the atomic write promises (atomic_file.hpp), and what a crash test cannot show since the
page cache survives a killed process: the new file's content is on disk (fsync) before its name
replaces the old one (rename) or appears (link), and the directory is synced after that, so the
new name survives a power loss too. A failed write, sync or rename is an I/O error (exit 74)
that leaves the original byte for byte and no temporary file."""
import os
import unittest

from clitest import SHIM, TempDirTest, run

USERS = "version:1\nalice@d.org clrtxt:old ;\nbob@d.org clrtxt:bob ;\n"


class ShimTest(TempDirTest):
    def setUp(self):
        super().setUp()
        # The log lives outside the directory under test, whose listing the tests compare.
        self.log = os.path.join(self.dir + "-calls")
        self.addCleanup(lambda: os.path.exists(self.log) and os.unlink(self.log))
        self.real_dir = os.path.realpath(self.dir)

    def traced(self, tool, *args, stdin="", fail=None, short=None):
        """Runs the tool with the shim; returns (result, [(call, path, ..., outcome)])."""
        if os.path.exists(self.log):
            os.unlink(self.log)
        env = {"LD_PRELOAD": SHIM, "SIPCRED_SHIM_LOG": self.log}
        if fail:
            env["SIPCRED_SHIM_FAIL"] = fail
        if short:
            env["SIPCRED_SHIM_SHORT"] = short
        result = run(tool, *args, stdin=stdin, env=env)
        with open(self.log) as f:
            calls = [tuple(line.rstrip("\n").split("\t")) for line in f]
        return result, calls

    def temporary(self, name):
        """The glob of the temporary files beside NAME (atomic_file.cpp names them)."""
        return os.path.join(self.real_dir, f".{name}.sipcred-*")

    def assertDurableOrder(self, calls, publish, target):
        """The temporary file written, then synced, then published over (rename) or at (link)
        TARGET, then the directory synced."""
        published = [i for i, c in enumerate(calls)
                     if c[0] == publish and c[2] == target and c[-1] == "ok"]
        self.assertEqual(len(published), 1, f"one {publish} to {target}: {calls}")
        at = published[0]
        temp = calls[at][1]
        self.assertTrue(os.path.basename(temp).startswith("." + os.path.basename(target)))
        writes = [i for i, c in enumerate(calls) if c[0] == "write" and c[1] == temp]
        self.assertTrue(writes, f"nothing written to {temp}: {calls}")
        syncs = [i for i, c in enumerate(calls)
                 if c[0] in ("fsync", "fdatasync") and c[1] == temp and c[-1] == "ok"]
        self.assertTrue(syncs and syncs[-1] < at,
                        f"{temp} is not synced before the {publish}: {calls}")
        self.assertLess(writes[-1], syncs[-1], f"{temp} written after its sync: {calls}")
        directory = os.path.dirname(target)
        dir_syncs = [i for i, c in enumerate(calls)
                     if c[0] in ("fsync", "fdatasync") and c[1] == directory and c[-1] == "ok"]
        self.assertTrue(dir_syncs and dir_syncs[-1] > at,
                        f"{directory} is not synced after the {publish}: {calls}")
        return temp

    def listing(self):
        return sorted(os.listdir(self.dir))


class Order(ShimTest):
    def test_the_shim_is_preloaded(self):
        # Without it every other test here would fail for a reason that is not the tools'.
        self.assertTrue(os.path.exists(SHIM), SHIM)
        db = self.write("users", USERS)
        _, calls = self.traced("sipcred-user", "rotate", db, "alice@d.org", "--password-stdin",
                               stdin="new\n")
        self.assertTrue(calls)

    def test_user_rotate_replaces_durably(self):
        db = self.write("users", USERS)
        r, calls = self.traced("sipcred-user", "rotate", db, "alice@d.org", "--password-stdin",
                               stdin="new\n")
        self.assertExit(r, 0)
        self.assertDurableOrder(calls, "rename", os.path.join(self.real_dir, "users"))
        self.assertEqual(self.listing(), ["users"])

    def test_user_init_creates_durably(self):
        r, calls = self.traced("sipcred-user", "init", self.path("users"))
        self.assertExit(r, 0)
        temp = self.assertDurableOrder(calls, "link", os.path.join(self.real_dir, "users"))
        # The temporary name is removed; the new file stays.
        self.assertIn(("unlink", temp, "ok"), calls)
        self.assertEqual(self.listing(), ["users"])

    def test_convert_in_place_replaces_durably(self):
        db = self.write("users", USERS)
        r, calls = self.traced("sipcred-convert", "--in-place", db)
        self.assertExit(r, 0)
        self.assertDurableOrder(calls, "rename", os.path.join(self.real_dir, "users"))

    def test_convert_to_a_new_file_creates_durably(self):
        src = self.write("users", USERS)
        r, calls = self.traced("sipcred-convert", src, "-o", self.path("hashed"))
        self.assertExit(r, 0)
        self.assertDurableOrder(calls, "link", os.path.join(self.real_dir, "hashed"))
        self.assertEqual(self.listing(), ["hashed", "users"])

    def test_a_large_output_is_synced_whole(self):
        # Over WriteBack::step (8 MiB): written in many calls while the disk starts on it,
        # still synced once complete.
        src = self.write("users", "version:1\n" + "".join(
            f"user{i}@d.org clrtxt:password{i} ;\n" for i in range(400000)))
        r, calls = self.traced("sipcred-convert", src, "-o", self.path("hashed"), "-a", "md5")
        self.assertExit(r, 0)
        temp = self.assertDurableOrder(calls, "link", os.path.join(self.real_dir, "hashed"))
        self.assertGreater(sum(c[0] == "write" and c[1] == temp for c in calls), 2)


    def test_short_writes_are_completed(self):
        # The kernel may write less than asked (a signal, a quota): every byte still arrives,
        # once and in order.
        users = "version:1\n" + "".join(f"user{i}@d.org clrtxt:pw{i} ;\n" for i in range(2000))
        expected = {}
        for name in ("plain", "short"):
            db = self.write(name, users)
            r, calls = self.traced("sipcred-user", "rotate", db, "user1000@d.org",
                                   "--password-stdin", stdin="new\n",
                                   short=f"write:{self.temporary('short')}:1000")
            self.assertExit(r, 0)
            with open(db) as f:
                expected[name] = f.read()
            writes = sum(c[0] == "write" for c in calls)
            if name == "short":
                self.assertGreater(writes, len(users) // 1000)
        self.assertIn("user1000@d.org clrtxt:new ;", expected["plain"])
        self.assertEqual(expected["short"], expected["plain"])


class Faults(ShimTest):
    """Each step of a replace fails in turn: exit 74, the original intact, nothing left."""

    def rotate(self, fail):
        db = self.write("users", USERS, 0o640)
        r, calls = self.traced("sipcred-user", "rotate", db, "alice@d.org", "--password-stdin",
                               stdin="new\n", fail=fail)
        failed = [c for c in calls if c[-1] != "ok" and c[0] != "unlink"]
        self.assertEqual(len(failed), 1, f"the fault {fail} was not injected once: {calls}")
        return r, calls

    def assertUntouched(self, r, message):
        self.assertExit(r, 74)
        self.assertIn(message, r.stderr)
        with open(self.path("users")) as f:
            self.assertEqual(f.read(), USERS)
        self.assertEqual(os.stat(self.path("users")).st_mode & 0o777, 0o640)
        self.assertEqual(self.listing(), ["users"], "a temporary file is left")

    def test_a_failed_write_is_an_io_error(self):
        r, _ = self.rotate(f"write:{self.temporary('users')}:ENOSPC")
        self.assertUntouched(r, "cannot write: No space left on device")

    def test_a_failed_sync_is_an_io_error(self):
        r, calls = self.rotate(f"fsync:{self.temporary('users')}:EIO")
        self.assertUntouched(r, "cannot sync the new content: Input/output error")
        self.assertNotIn("rename", [c[0] for c in calls])

    def test_a_failed_rename_is_an_io_error(self):
        r, _ = self.rotate(f"rename:{self.temporary('users')}:EIO")
        self.assertUntouched(r, "cannot replace: Input/output error")

    def test_a_full_disk_at_rename_is_an_io_error(self):
        r, _ = self.rotate(f"rename:{self.temporary('users')}:ENOSPC")
        self.assertUntouched(r, "cannot replace: No space left on device")

    def test_a_failed_directory_sync_says_the_file_was_replaced(self):
        # The rename is done and cannot be taken back: the error says so.
        r, _ = self.rotate(f"fsync:{self.real_dir}:EIO")
        self.assertExit(r, 74)
        self.assertIn("replaced, but not known to be on disk", r.stderr)
        with open(self.path("users")) as f:
            self.assertIn("alice@d.org clrtxt:new ;", f.read())
        self.assertEqual(self.listing(), ["users"])

    def test_a_new_file_that_cannot_be_synced_never_appears(self):
        src = self.write("users", USERS)
        for call, error, message in (("fsync", "EIO", "cannot sync"),
                                     ("write", "ENOSPC", "cannot write"),
                                     ("link", "EIO", "cannot create")):
            with self.subTest(call=call):
                # A name of its own: an output left by one case must not fail the next.
                name = "hashed-" + call
                fail = f"{call}:{self.temporary(name)}:{error}"
                r, _ = self.traced("sipcred-convert", src, "-o", self.path(name), fail=fail)
                self.assertExit(r, 74)
                self.assertIn(message, r.stderr)
                self.assertNotIn(name, self.listing())
                self.assertEqual([n for n in self.listing() if n.startswith(".")], [],
                                 "a temporary file is left")


if __name__ == "__main__":
    unittest.main()
