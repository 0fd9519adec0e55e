// userdb::convert's pipeline when something fails mid-way: the failure comes out of convert(),
// in one piece, and no worker thread is left running on the pieces (a hang or a crash here).

#include "sipcred/userdb/convert.hpp"
#include "sipcred/userdb/userdb.hpp"
#include "sipcred/util/error.hpp"
#include "userdb/userdb_scan.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace sipcred::userdb {
namespace {

// A clear-text userdb of `users` users, in memory, as a stream (about 30 bytes a user).
InputStream userdb_stream(int users) {
  std::string content = "version:1\n";
  for (int i = 0; i < users; ++i)
    content += "user" + std::to_string(i) + "@d.org clrtxt:pw" + std::to_string(i) + " ;\n";
  const int fd = ::memfd_create("users", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  EXPECT_EQ(::lseek(fd, 0, SEEK_SET), 0);
  return InputStream(fd, "users", true);
}

void ignore(const Diagnostic&) {}

TEST(ConvertPipeline, AnOutputThatFailsStopsTheConversion) {
  for (unsigned threads : {1u, 2u, 4u}) {
    InputStream input = userdb_stream(300'000); // 9 MB: many more pieces than the ring holds
    ConvertOptions options;
    options.threads = threads;
    int calls = 0;
    const auto output = [&](std::string_view) {
      if (++calls == 2) throw Error(ErrorKind::Io, "disk full");
    };
    try {
      convert(input, output, options, ignore);
      FAIL() << "no error with " << threads << " threads";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Io);
      EXPECT_STREQ(e.what(), "disk full");
    }
    EXPECT_EQ(calls, 2) << "output called after it failed, " << threads << " threads";
  }
}

TEST(ConvertPipeline, AnInputThatCannotBeReadIsAnIoError) {
  // A directory opened for reading: read() fails with EISDIR on the first piece.
  const int fd =
      ::open(std::filesystem::temp_directory_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  InputStream input(fd, "a-directory", true);
  int calls = 0;
  try {
    convert(
        input, [&](std::string_view) { ++calls; }, ConvertOptions{}, ignore);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Io);
    EXPECT_NE(std::string(e.what()).find("a-directory: cannot read"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(calls, 0);
}

TEST(ConvertPipeline, EveryPieceComesOutOnceInInputOrder) {
  std::string expected;
  for (unsigned threads : {1u, 3u}) {
    InputStream input = userdb_stream(100'000);
    ConvertOptions options;
    options.threads = threads;
    options.hashes = {HashFunction::Sha256}; // the order, not the hashes, is under test here
    std::string out;
    const ConvertReport report = convert(
        input, [&](std::string_view bytes) { out.append(bytes); }, options, ignore);
    EXPECT_EQ(report.users, 100'000u);
    EXPECT_EQ(report.converted, 100'000u);
    std::size_t at = 0;
    for (int i = 0; i < 100'000; i += 9999) { // users appear in order, each once
      const std::string line = "\nuser" + std::to_string(i) + "@d.org clrtxt:pw";
      const std::size_t found = out.find(line, at);
      ASSERT_NE(found, std::string::npos) << "user" << i << ", " << threads << " threads";
      at = found + line.size();
    }
    if (expected.empty())
      expected = out;
    else
      EXPECT_EQ(out, expected) << threads << " threads";
  }
}

// Hashes beside a clear text are what a conversion writes and verifies: they are not reported
// (not even built: on a converted file every line has some), while the other problems are.
TEST(ConvertPipeline, HashesBesideAClearTextAreNotReported) {
  const std::string content = "version:1\n"
                              "a@d.org clrtxt:p md5:" +
                              std::string(32, 'A') +
                              " ;\n" // SC130
                              "b@d.org md5:" +
                              std::string(32, 'b') +
                              " clrtxt:q ;\n"
                              "c@d.org clrtxt:x clrtxt:y ;\n";
  for (bool verify : {false, true}) {
    const int fd = ::memfd_create("users", MFD_CLOEXEC);
    ASSERT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    ASSERT_EQ(::lseek(fd, 0, SEEK_SET), 0);
    InputStream input(fd, "users", true);
    ConvertOptions options;
    options.verify = verify;
    std::vector<std::string> codes;
    convert(
        input, [](std::string_view) {}, options,
        [&](const Diagnostic& d) { codes.emplace_back(d.code); });
    EXPECT_EQ(codes, std::vector<std::string>{"SC130"}) << (verify ? "--verify" : "convert");
  }
  // A plain scan still reports them (sipcred-lint and sipcred-user rely on it).
  std::vector<Diagnostic> diagnostics;
  scan_piece(content, 1, diagnostics, [](const Line&, std::size_t) {});
  std::vector<std::string> codes;
  for (const Diagnostic& d : diagnostics) codes.emplace_back(d.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"SC130", "SC122", "SC121", "SC123"}));
}

// `content` through convert(); returns the output, and the report in `report`.
std::string convert_text(const std::string& content, const ConvertOptions& options,
                         ConvertReport& report) {
  const int fd = ::memfd_create("users", MFD_CLOEXEC);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  EXPECT_EQ(::lseek(fd, 0, SEEK_SET), 0);
  InputStream input(fd, "users", true);
  std::string out;
  report = convert(
      input, [&](std::string_view bytes) { out.append(bytes); }, options, ignore);
  return out;
}

// A client hashes the digest username it sends, unescaped: "%61lice" sends "alice", a user-id
// "b%6fb-id" sends "bob-id". The file keeps both as written.
TEST(ConvertHashes, TheDigestUsernameIsUnescaped) {
  const std::string content = "version:1\n"
                              "%61lice@d.org clrtxt:pw1 ;\n"
                              "bob@d.org clrtxt:pw2 ; b%6fb-id\n"
                              "c%40home@d.org clrtxt:pw3 ; c%40home +33\n";
  ConvertOptions options;
  options.hashes = {HashFunction::Md5, HashFunction::Sha256};
  ConvertReport report;
  const std::string out = convert_text(content, options, report);
  EXPECT_EQ(out, "version:1\n"
                 "%61lice@d.org clrtxt:pw1 md5:" +
                     ha1(HashFunction::Md5, "alice", "d.org", "pw1") +
                     " sha256:" + ha1(HashFunction::Sha256, "alice", "d.org", "pw1") +
                     " ;\n"
                     // A user-id other than the user: Flexisip's hashes of the clear text, of
                     // the user, could never match, so it is dropped.
                     "bob@d.org md5:" +
                     ha1(HashFunction::Md5, "bob-id", "d.org", "pw2") +
                     " sha256:" + ha1(HashFunction::Sha256, "bob-id", "d.org", "pw2") +
                     " ; b%6fb-id\n"
                     "c%40home@d.org clrtxt:pw3 md5:" +
                     ha1(HashFunction::Md5, "c@home", "d.org", "pw3") + " sha256:" +
                     ha1(HashFunction::Sha256, "c@home", "d.org", "pw3") + " ; c%40home +33\n");
  EXPECT_EQ(report.converted, 3u);
  EXPECT_EQ(report.clear_text_dropped, 1u);
}

// --verify hashes the same username: hashes of the unescaped name match, hashes of the name
// as written do not.
TEST(ConvertHashes, VerifyUnescapesTheDigestUsername) {
  const std::string content = "version:1\n"
                              "%61lice@d.org clrtxt:pw1 md5:" +
                              ha1(HashFunction::Md5, "alice", "d.org", "pw1") +
                              " ;\n"
                              "bob@d.org clrtxt:pw2 md5:" +
                              ha1(HashFunction::Md5, "bob-id", "d.org", "pw2") +
                              " ; b%6fb-id\n"
                              "carol@d.org clrtxt:pw3 md5:" +
                              ha1(HashFunction::Md5, "c%61rol-id", "d.org", "pw3") +
                              " ; c%61rol-id\n";
  ConvertOptions options;
  options.hashes = {HashFunction::Md5};
  options.verify = true;
  ConvertReport report;
  EXPECT_EQ(convert_text(content, options, report), "");
  EXPECT_EQ(report.mismatch_count, 1u);
  ASSERT_EQ(report.mismatches.size(), 1u);
  EXPECT_EQ(report.mismatches[0].line, 4u);
}

} // namespace
} // namespace sipcred::userdb
