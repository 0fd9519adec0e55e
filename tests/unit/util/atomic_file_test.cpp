#include "sipcred/util/atomic_file.hpp"
#include "sipcred/util/error.hpp"
#include "util/write_back.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace sipcred;
namespace fs = std::filesystem;

namespace {

class AtomicFileTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sipcred-atomic-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
  }
  void TearDown() override { fs::remove_all(m_dir); }

  fs::path write(const std::string& name, const std::string& content, mode_t mode) {
    const fs::path path = m_dir / name;
    std::ofstream(path, std::ios::binary) << content;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(m_dir), {}));
  }
  static mode_t mode_of(const fs::path& path) {
    struct stat info {};
    ::stat(path.c_str(), &info);
    return info.st_mode & 07777;
  }

  fs::path m_dir;
};

ErrorKind kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "no sipcred::Error thrown";
  return ErrorKind::Internal;
}

TEST_F(AtomicFileTest, CreateMakesA0600FileAndRefusesToOverwrite) {
  const fs::path path = m_dir / "users";
  ::umask(022);
  AtomicFile::create(path, "version:1\n");
  EXPECT_EQ(read_file(path), "version:1\n");
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(kind_of([&] { AtomicFile::create(path, "other\n"); }), ErrorKind::CannotCreate);
  EXPECT_EQ(read_file(path), "version:1\n");
  EXPECT_EQ(entries(), 1u); // no temporary file left behind
}

TEST_F(AtomicFileTest, ReplaceKeepsModeAndOwnerAndLeavesNoTemporaryFile) {
  const fs::path path = write("users", "old\n", 0640);
  if (::geteuid() == 0) { // as root, prove the owner survives: give the file to nobody
    ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  }
  struct stat before {};
  ::stat(path.c_str(), &before);
  {
    AtomicFile file(path);
    EXPECT_EQ(file.read(), "old\n");
    file.replace("new content\n");
  }
  struct stat after {};
  ::stat(path.c_str(), &after);
  EXPECT_EQ(read_file(path), "new content\n");
  EXPECT_EQ(after.st_mode & 07777, 0640u);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_gid, before.st_gid);
  EXPECT_NE(after.st_ino, before.st_ino); // replaced by rename, not rewritten in place
  EXPECT_EQ(entries(), 1u);
}

// A temporary file in a setgid directory takes the directory's group: the original's group
// must be restored all the same.
TEST_F(AtomicFileTest, ReplaceKeepsGroupInASetgidDirectory) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a file owned by another group";
  const fs::path shared = m_dir / "shared";
  fs::create_directory(shared);
  ASSERT_EQ(::chown(shared.c_str(), 0, 65534), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 02775), 0);
  const fs::path path = write("shared/users", "old\n", 0640);
  ASSERT_EQ(::chown(path.c_str(), 0, 0), 0);
  AtomicFile(path).replace("new\n");
  struct stat after {};
  ::stat(path.c_str(), &after);
  EXPECT_EQ(after.st_gid, 0u);
  EXPECT_EQ(after.st_mode & 07777, 0640u);
}

// The lock follows the file across a replace: a second read-modify-replace through the same
// object sees its own first change and loses no other writer's.
TEST_F(AtomicFileTest, LockHoldsTheNewFileAfterReplace) {
  const fs::path path = write("users", "v\n", 0600);
  AtomicFile file(path);
  file.replace(file.read() + "a\n");
  EXPECT_EQ(kind_of([&] { AtomicFile other(path, std::chrono::milliseconds(50)); }),
            ErrorKind::TempFail);
  file.replace(file.read() + "b\n");
  EXPECT_EQ(read_file(path), "v\na\nb\n");
}

// The mapped view of the old content stays readable while and after it is replaced.
TEST_F(AtomicFileTest, ViewSurvivesReplace) {
  const fs::path path = write("users", "version:1\nold\n", 0600);
  AtomicFile file(path);
  const std::string_view old = file.view();
  EXPECT_EQ(old, "version:1\nold\n");
  file.replace(std::vector<std::string_view>{old.substr(0, 10), "new\n"});
  EXPECT_EQ(old, "version:1\nold\n");
  EXPECT_EQ(read_file(path), "version:1\nnew\n");
}

// Writes go out 4 MiB at a time: a content of several such calls, not a multiple of them,
// arrives whole and in order.
TEST_F(AtomicFileTest, ContentLargerThanOneWriteArrivesWhole) {
  const fs::path path = write("users", "version:1\n", 0600);
  std::string content;
  for (std::size_t i = 0; content.size() < (9u << 20) + 3; ++i)
    content += "user" + std::to_string(i) + "@d clrtxt:p ;\n";
  AtomicFile(path).replace(content);
  EXPECT_EQ(read_file(path), content);
}

// Content streamed in many pieces, small and large, arrives whole; an uncommitted one leaves
// neither the target changed nor a temporary file.
TEST_F(AtomicFileTest, StreamedReplacementCommitsWholeOrNothing) {
  const fs::path path = write("users", "old\n", 0640);
  std::string expected;
  {
    AtomicFile file(path);
    PendingFile dropped = file.begin_replace();
    dropped.write("never seen\n");
  }
  EXPECT_EQ(read_file(path), "old\n");
  EXPECT_EQ(entries(), 1u);
  {
    AtomicFile file(path);
    PendingFile pending = file.begin_replace();
    for (int i = 0; i < 50000; ++i) {
      const std::string line = "line " + std::to_string(i) + "\n";
      pending.write(line);
      expected += line;
    }
    const std::string big(3 << 20, 'x');
    pending.write(big);
    expected += big;
    pending.commit();
  }
  EXPECT_EQ(read_file(path), expected);
  EXPECT_EQ(mode_of(path), 0640u);
  EXPECT_EQ(entries(), 1u);
}

// At every WriteBack::step (8 MiB) a thread asks the disk to start on what is written.
// Content that crosses steps in every way arrives whole, created or replacing; dropped, it
// leaves nothing and stops the thread: small gathered pieces whose buffer crosses a step, one
// piece over several steps, a large piece ending on a step, and a last small one.
TEST_F(AtomicFileTest, LargeStreamedFileArrivesWholeOrNotAtAll) {
  constexpr std::size_t step = WriteBack::step;
  constexpr std::size_t gather_limit = 1 << 20; // PendingFile::write writes larger pieces as is
  std::vector<std::string> pieces;
  std::size_t size = 0;
  for (std::size_t i = 0; size < step + gather_limit; ++i) {
    pieces.push_back("user" + std::to_string(i) + "@d clrtxt:p ;\n");
    size += pieces.back().size();
  }
  pieces.push_back(std::string(2 * step + 5, 'a'));
  size += pieces.back().size();
  pieces.push_back(std::string(step - size % step, 'b'));
  ASSERT_GE(pieces.back().size(), gather_limit);
  pieces.push_back(std::string(300, 'c'));
  std::string content;
  for (const std::string& piece : pieces) content += piece;
  ASSERT_EQ((content.size() - 300) % step, 0u);

  const fs::path created = m_dir / "created";
  {
    PendingFile pending = AtomicFile::begin_create(created);
    for (const std::string& piece : pieces) pending.write(piece);
    pending.commit();
  }
  EXPECT_EQ(read_file(created), content);

  const fs::path replaced = write("users", "old\n", 0600);
  {
    AtomicFile file(replaced);
    PendingFile dropped = file.begin_replace();
    for (const std::string& piece : pieces) dropped.write(piece);
  }
  EXPECT_EQ(read_file(replaced), "old\n");
  EXPECT_EQ(entries(), 2u);
  {
    AtomicFile file(replaced);
    PendingFile pending = file.begin_replace();
    for (const std::string& piece : pieces) pending.write(piece);
    pending.commit();
  }
  EXPECT_EQ(read_file(replaced), content);
  EXPECT_EQ(entries(), 2u);
}

TEST_F(AtomicFileTest, SymlinkIsFollowedAndKept) {
  fs::create_directory(m_dir / "real");
  const fs::path target = write("real/users", "old\n", 0600);
  const fs::path link = m_dir / "users";
  fs::create_symlink(target, link);
  {
    AtomicFile file(link);
    EXPECT_EQ(file.path(), fs::canonical(target));
    file.replace("new\n");
  }
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_file(target), "new\n");
  EXPECT_EQ(read_file(link), "new\n");
}

// Messages and the stream's name show the path as it was given (relative, through a link),
// never the resolved one: CI annotations and the user's own words must match.
TEST_F(AtomicFileTest, MessagesNameThePathAsGiven) {
  fs::create_directory(m_dir / "real");
  const fs::path target = write("real/users", "x\n", 0600);
  fs::create_symlink(target, m_dir / "users");
  const fs::path saved = fs::current_path();
  fs::current_path(m_dir);
  const auto message_of = [](auto&& body) {
    try {
      body();
    } catch (const Error& error) {
      return std::string(error.what());
    }
    return std::string();
  };
  {
    AtomicFile file("./users");
    EXPECT_EQ(file.stream().name(), "./users");
    EXPECT_EQ(file.path(), fs::canonical(target));
    const std::string locked =
        message_of([] { AtomicFile waiter("real/../users", std::chrono::milliseconds(50)); });
    EXPECT_EQ(locked.rfind("real/../users: ", 0), 0u) << locked;
  }
  const std::string missing = message_of([] { AtomicFile file("./absent"); });
  EXPECT_EQ(missing.rfind("./absent: cannot open", 0), 0u) << missing;
  const std::string created = message_of([] {
    AtomicFile::create("new", "x\n");
    AtomicFile::create("new", "y\n");
  });
  EXPECT_EQ(created, "new: already exists");
  const std::string no_directory = message_of([] { AtomicFile::create("nodir/new", "x\n"); });
  EXPECT_EQ(no_directory.rfind("nodir/new: ", 0), 0u) << no_directory;
  fs::current_path(saved);
}

TEST_F(AtomicFileTest, MissingFileIsNoInput) {
  EXPECT_EQ(kind_of([&] { AtomicFile file(m_dir / "absent"); }), ErrorKind::NoInput);
  EXPECT_EQ(kind_of([&] { read_file(m_dir / "absent"); }), ErrorKind::NoInput);
  EXPECT_EQ(kind_of([&] { read_file(m_dir); }), ErrorKind::NoInput);
  EXPECT_EQ(kind_of([&] { AtomicFile file(m_dir); }), ErrorKind::NoInput);
}

TEST_F(AtomicFileTest, LockedFileTimesOutWithTempFail) {
  const fs::path path = write("users", "x\n", 0600);
  AtomicFile holder(path);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(kind_of([&] { AtomicFile waiter(path, std::chrono::milliseconds(200)); }),
            ErrorKind::TempFail);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
}

// Writers that each read, append a line and replace must not lose each other's lines, even
// though every replace swaps the inode that the others are waiting on.
TEST_F(AtomicFileTest, ConcurrentWritersLoseNothing) {
  const fs::path path = write("users", "", 0600);
  constexpr int writers = 8, appends = 25;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      for (int i = 0; i < appends; ++i) {
        AtomicFile file(path);
        file.replace(file.read() + std::to_string(w) + "-" + std::to_string(i) + "\n");
      }
    });
  for (std::thread& t : threads) t.join();
  const std::string content = read_file(path);
  EXPECT_EQ(std::count(content.begin(), content.end(), '\n'), writers * appends);
  for (int w = 0; w < writers; ++w)
    EXPECT_NE(content.find(std::to_string(w) + "-" + std::to_string(appends - 1) + "\n"),
              std::string::npos);
}

} // namespace
