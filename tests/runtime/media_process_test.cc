// A media process and its pipes, with /bin/sh in place of `floe run-job`: lines both ways, how
// it ended, what it inherits, and that it never outlives its owner.
#include "runtime/media_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

namespace floe::runtime {
namespace {

class MediaProcessTest : public ::testing::Test {
 protected:
  bool Start(const std::string& script) {
    return proc_.Start({"/bin/sh", "-c", script}, [this](const std::string& line) {
      std::lock_guard lock(mu_);
      lines_.push_back(line);
    });
  }
  // Waits (up to 10 s) for the process to end; how it ended.
  std::string Ended() {
    for (int i = 0; i < 1000; ++i) {
      if (auto r = proc_.Reaped()) {
        proc_.Finish();
        return *r;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "still running";
  }
  std::vector<std::string> Lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  MediaProcess proc_;
  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(MediaProcessTest, CommandsGoInOneLineEachAndReportsComeBackLineByLine) {
  ASSERT_TRUE(Start("read a; echo \"got $a\"; read b; printf 'got %s\\r\\n' \"$b\"; exit 0"));
  EXPECT_GT(proc_.pid(), 0);
  EXPECT_TRUE(proc_.Send("one"));
  EXPECT_TRUE(proc_.Send("two"));
  EXPECT_EQ(Ended(), "exit code 0");
  EXPECT_EQ(Lines(), (std::vector<std::string>{"got one", "got two"}));
  EXPECT_EQ(proc_.pid(), 0);
  EXPECT_TRUE(proc_.idle());
  EXPECT_FALSE(proc_.Send("three")) << "a process that ended takes no command (and no SIGPIPE)";
}

TEST_F(MediaProcessTest, HowItEndedIsSaidInWords) {
  ASSERT_TRUE(Start("exit 3"));
  EXPECT_EQ(Ended(), "exit code 3");
  ASSERT_TRUE(Start("exec sleep 100"));
  EXPECT_FALSE(proc_.Reaped().has_value());  // still running
  proc_.Signal(SIGKILL);
  EXPECT_EQ(Ended(), "killed by signal 9 (Killed)");
}

TEST(MediaProcess, AProgramThatCannotBeRunEndsWithCode127) {
  MediaProcess p;
  ASSERT_TRUE(p.Start({"/nonexistent/floe"}, [](const std::string&) {}));
  std::optional<std::string> r;
  for (int i = 0; i < 1000 && !r; ++i) {
    r = p.Reaped();
    if (!r) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(r.value_or(""), "exit code 127");
}

TEST_F(MediaProcessTest, ItInheritsNoDescriptorButItsPipes) {
  int fd = open("/dev/null", O_RDONLY);  // no O_CLOEXEC: as a careless library would
  ASSERT_GE(fd, 3);
  ASSERT_TRUE(Start("test -e /proc/$$/fd/" + std::to_string(fd) +
                    " && echo leaked || echo clean; test -e /proc/$$/fd/1 && echo has-stdout"));
  EXPECT_EQ(Ended(), "exit code 0");
  close(fd);
  EXPECT_EQ(Lines(), (std::vector<std::string>{"clean", "has-stdout"}));
}

TEST(MediaProcess, ItNeverOutlivesItsOwner) {
  pid_t pid = 0;
  auto t0 = std::chrono::steady_clock::now();
  {
    MediaProcess p;
    ASSERT_TRUE(p.Start({"/bin/sleep", "100"}, [](const std::string&) {}));
    pid = p.pid();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(kill(pid, 0), -1) << "the process is still there";
}

}  // namespace
}  // namespace floe::runtime
