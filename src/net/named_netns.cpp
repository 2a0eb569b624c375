#include "src/net/named_netns.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

// The guardian's side. It runs in a child forked from a process that may have threads, so from
// here on only async-signal-safe calls: no allocation, no locks, no stdio. Failures before the
// mount is made are written to `report` for the parent to throw; "ok" means the name exists.
void write_text(int fd, char const* text) noexcept {
    std::size_t length = 0;
    while (text[length]) ++length;
    while (length > 0) {
        ssize_t const n = ::write(fd, text, length);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        text += n;
        length -= static_cast<std::size_t>(n);
    }
}

[[noreturn]] void fail(int report, char const* what, int err) noexcept {
    write_text(report, what);
    write_text(report, ": ");
    // strerrordesc_np, unlike strerror, neither allocates nor looks at the locale.
    char const* description = ::strerrordesc_np(err);
    write_text(report, description ? description : "unknown error");
    ::_exit(1);
}

// Closes every descriptor from `first` on except `keep_a` and `keep_b` (both >= first).
void close_all_but(int first, int keep_a, int keep_b) noexcept {
    int const low = keep_a < keep_b ? keep_a : keep_b;
    int const high = keep_a < keep_b ? keep_b : keep_a;
    if (low > first) ::close_range(static_cast<unsigned>(first), static_cast<unsigned>(low - 1), 0);
    if (high > low + 1) ::close_range(static_cast<unsigned>(low + 1), static_cast<unsigned>(high - 1), 0);
    ::close_range(static_cast<unsigned>(high + 1), ~0u, 0);
}

[[noreturn]] void run_guardian(char const* directory, char const* path, int lifeline, int report, pid_t parent) noexcept {
    // Every signal blocked: SIGINT from a Ctrl-C to the process group stays pending and harmless,
    // pktdrill's own handlers (inherited) never run here, and SIGTERM is read from a signalfd.
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The parent died before PR_SET_PDEATHSIG took effect: nothing made yet, nobody to report to.
    if (::getppid() != parent) ::_exit(0);

    // Keep no file of pktdrill's open (a pipe a test reads to its end, the TUN device of an
    // earlier run) and no directory busy. The two pipes move above 2 first, in case pktdrill was
    // started with a standard descriptor closed and a pipe got its number.
    lifeline = ::fcntl(lifeline, F_DUPFD_CLOEXEC, 3);
    report = ::fcntl(report, F_DUPFD_CLOEXEC, 3);
    if (lifeline < 0 || report < 0) ::_exit(1);
    if (int const null = ::open("/dev/null", O_RDWR | O_CLOEXEC); null >= 0) {
        for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
    }
    close_all_but(3, lifeline, report);
    if (::chdir("/") != 0) fail(report, "chdir(/)", errno);

    sigset_t term;
    ::sigemptyset(&term);
    ::sigaddset(&term, SIGTERM);
    int const term_fd = ::signalfd(-1, &term, SFD_CLOEXEC);
    if (term_fd < 0) fail(report, "signalfd", errno);

    if (::mkdir(directory, 0755) != 0 && errno != EEXIST) fail(report, "mkdir", errno);
    int const file = ::open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (file < 0) fail(report, errno == EEXIST ? "the name is taken" : "creating the mount point", errno);
    ::close(file);
    if (::mount("/proc/self/ns/net", path, "none", MS_BIND, nullptr) != 0) {
        int const err = errno;
        ::unlink(path);
        fail(report, "mount --bind /proc/self/ns/net", err);
    }
    struct stat named{};
    if (::stat(path, &named) != 0) {
        int const err = errno;
        ::umount2(path, MNT_DETACH);
        ::unlink(path);
        fail(report, "stat", err);
    }
    write_text(report, "ok");
    ::close(report);

    // Wait for the end: the lifeline's end-of-file (pktdrill let go or died) or SIGTERM.
    pollfd fds[2] = {{lifeline, POLLIN, 0}, {term_fd, POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0 && errno == EINTR) {
    }
    struct stat now{};
    if (::stat(path, &now) == 0 && now.st_dev == named.st_dev && now.st_ino == named.st_ino) {
        ::umount2(path, MNT_DETACH);
        ::unlink(path);
    }
    ::_exit(0);
}

}  // namespace

NamedNetns::NamedNetns(std::string name, std::filesystem::path directory)
    : name_(std::move(name)), path_(directory / name_) {
    if (name_.empty() || name_.find('/') != std::string::npos || name_ == "." || name_ == "..")
        throw Error("cannot name the network namespace '" + name_ + "': not a plain file name");
    // Everything the child needs is made before fork(): it must not allocate.
    std::string const directory_text = directory.string();
    std::string const path_text = path_.string();
    int lifeline[2];
    int report[2];
    if (::pipe2(lifeline, O_CLOEXEC) != 0) throw_system_error("named netns: pipe2", errno);
    UniqueFd lifeline_read(lifeline[0]), lifeline_write(lifeline[1]);
    if (::pipe2(report, O_CLOEXEC) != 0) throw_system_error("named netns: pipe2", errno);
    UniqueFd report_read(report[0]), report_write(report[1]);

    pid_t const parent = ::getpid();
    pid_t const pid = ::fork();
    if (pid < 0) throw_system_error("named netns: fork", errno);
    if (pid == 0) run_guardian(directory_text.c_str(), path_text.c_str(), lifeline_read.get(), report_write.get(), parent);

    lifeline_read.reset();
    report_write.reset();
    std::string answer;
    char buffer[256];
    for (;;) {
        ssize_t const n = ::read(report_read.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    if (answer != "ok") {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (answer.empty()) answer = "its guardian process died";
        throw Error("cannot name the network namespace '" + name_ + "' (" + path_text + "): " + answer);
    }
    guardian_ = pid;
    lifeline_ = std::move(lifeline_write);
}

NamedNetns::~NamedNetns() {
    lifeline_.reset();  // the guardian's cue
    int status = 0;
    while (::waitpid(guardian_, &status, 0) < 0 && errno == EINTR) {
    }
}

}  // namespace pktdrill::net
