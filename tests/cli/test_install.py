"""`cmake --install` to a fresh prefix: the tools run from there, and another C++ program can
link libsipcred through pkg-config and through find_package(sipcred)."""
import os
import subprocess
import unittest

from clitest import BUILD, TempDirTest

# The build's compiler, and its sanitizers when the library under test has them.
CXX = os.environ.get("SIPCRED_CXX") or "c++"
SANITIZE = os.environ.get("SIPCRED_SANITIZE_FLAGS", "").split()


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=300, **kwargs)


CONSUMER = r"""
#include <sipcred/digest.hpp>
#include <iostream>
int main() {
  std::cout << sipcred::ha1(sipcred::HashFunction::Md5, "Mufasa", "testrealm@host.com",
                            "Circle Of Life") << '\n';
}
"""
MUFASA_MD5 = "939e7578ed9e3c518a452acee763bce9\n"


class Install(TempDirTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls._prefix_dir = tempfile.TemporaryDirectory(prefix="sipcred-prefix-")
        cls.prefix = cls._prefix_dir.name
        sh("cmake", "--install", BUILD, "--prefix", cls.prefix)
        libdirs = [d for d in ("lib", "lib64", "lib/x86_64-linux-gnu")
                   if os.path.exists(os.path.join(cls.prefix, d, "pkgconfig", "sipcred.pc"))]
        cls.libdir = os.path.join(cls.prefix, libdirs[0])

    @classmethod
    def tearDownClass(cls):
        cls._prefix_dir.cleanup()

    def test_files_are_installed(self):
        for path in ("bin/sipcred", "bin/sipcred-hash", "include/sipcred/digest.hpp",
                     "include/sipcred/userdb.hpp", "share/man/man1/sipcred-hash.1",
                     "share/man/man1/sipcred.1", "share/man/man5/sipcred-userdb.5",
                     "share/bash-completion/completions/sipcred-hash",
                     "share/zsh/vendor-completions/_sipcred-hash",
                     "share/fish/vendor_completions.d/sipcred-hash.fish"):
            self.assertTrue(os.path.exists(os.path.join(self.prefix, path)), path)
        for path in ("cmake/sipcred/sipcredConfig.cmake", "pkgconfig/sipcred.pc"):
            self.assertTrue(os.path.exists(os.path.join(self.libdir, path)), path)

    def test_library_has_a_soname(self):
        out = sh("objdump", "-p", os.path.join(self.libdir, "libsipcred.so")).stdout
        self.assertRegex(out, r"SONAME\s+libsipcred\.so\.\d+\n")

    def test_installed_tools_run_from_anywhere(self):
        r = subprocess.run([os.path.join(self.prefix, "bin/sipcred"), "hash", "Mufasa",
                            "testrealm@host.com"], input=b"Circle Of Life", capture_output=True,
                           cwd="/", env={"PATH": "/usr/bin:/bin"}, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.decode(), MUFASA_MD5)

    def test_pkg_config_consumer(self):
        source = self.write("consumer.cpp", CONSUMER)
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.libdir, "pkgconfig"))
        flags = sh("pkg-config", "--cflags", "--libs", "sipcred", env=env).stdout.split()
        exe = self.path("consumer")
        sh(CXX, source, "-o", exe, *flags, *SANITIZE, f"-Wl,-rpath,{self.libdir}")
        self.assertEqual(sh(exe).stdout, MUFASA_MD5)

    def test_cmake_find_package_consumer(self):
        os.mkdir(self.path("project"))
        self.write("project/consumer.cpp", CONSUMER)
        self.write("project/CMakeLists.txt",
                   "cmake_minimum_required(VERSION 3.22)\nproject(consumer CXX)\n"
                   "find_package(sipcred 0 REQUIRED)\nadd_executable(consumer consumer.cpp)\n"
                   "target_link_libraries(consumer PRIVATE sipcred::sipcred)\n")
        build = self.path("build")
        sh("cmake", "-S", self.path("project"), "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}",
           f"-DCMAKE_CXX_COMPILER={CXX}", f"-DCMAKE_EXE_LINKER_FLAGS={' '.join(SANITIZE)}")
        sh("cmake", "--build", build)
        self.assertEqual(sh(os.path.join(build, "consumer")).stdout, MUFASA_MD5)


if __name__ == "__main__":
    unittest.main()
