#include "runtime/media_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "runtime/child_env.h"

namespace floe::runtime {

namespace {

std::string ExitReason(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const char* name = strsignal(WTERMSIG(status));
    return "killed by signal " + std::to_string(WTERMSIG(status)) + " (" + (name ? name : "?") +
           ")";
  }
  return "ended";
}

void ReadLines(int fd, const MediaProcess::OnLine& on_line) {
  FILE* f = fdopen(fd, "r");
  if (!f) {
    close(fd);
    return;
  }
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&buf, &cap, f)) > 0) {
    std::string_view line(buf, static_cast<size_t>(n));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    on_line(std::string(line));
  }
  free(buf);
  fclose(f);
}

}  // namespace

MediaProcess::~MediaProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
  }
  Finish();
}

bool MediaProcess::Start(const std::vector<std::string>& args, OnLine on_line) {
  // Commands go through a pipe: a process that died is an error of Send, not SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  int out[2], in[2];
  if (pipe2(out, O_CLOEXEC) != 0) return false;
  if (pipe2(in, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return false;
  }
  // Everything the child needs is built before fork: nothing allocates after it.
  std::vector<std::string> argv_text = args;
  std::vector<char*> argv;
  for (auto& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = ChildEnvironment(environ);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the server died: stop (and flush) too
    if (getppid() != parent) _exit(0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    syscall(SYS_close_range, 3U, ~0U, 0U);  // no listening socket or database handle leaks
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  if (pid < 0) {
    close(in[1]);
    close(out[0]);
    return false;
  }
  pid_ = pid;
  in_fd_ = in[1];
  reader_ = std::thread([fd = out[0], on_line = std::move(on_line)] { ReadLines(fd, on_line); });
  return true;
}

bool MediaProcess::Send(const std::string& line) {
  if (in_fd_ < 0) return false;
  std::string text = line + "\n";
  for (size_t done = 0; done < text.size();) {
    ssize_t n = write(in_fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

void MediaProcess::Signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

std::optional<std::string> MediaProcess::Reaped() {
  if (pid_ <= 0) return std::nullopt;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  pid_ = 0;
  return r == pid_t(-1) ? std::string("ended") : ExitReason(status);
}

void MediaProcess::Finish() {
  // The reader ends at EOF, once the process (and any child it left holding the pipe) is gone.
  if (reader_.joinable()) reader_.join();
  if (in_fd_ >= 0) close(in_fd_);
  in_fd_ = -1;
}

}  // namespace floe::runtime
