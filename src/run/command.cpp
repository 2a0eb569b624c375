#include "src/run/command.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/base/error.hpp"
#include "src/base/unique_fd.hpp"
#include "src/run/interrupt.hpp"

extern char** environ;

namespace pktdrill::run {
namespace {

constexpr char pid_variable[] = "PACKETDRILL_PID=";

// ---- In the child, between clone and execve ---------------------------------------------------
// The child is started the way posix_spawn starts one: CLONE_VM | CLONE_VFORK, on a stack of its
// own, sharing pktdrill's memory until execve. A fork-like copy would cost time in proportion to
// pktdrill's memory (measured: +1 ms per command at 32 MiB resident, +23 ms at 512 MiB), on the
// timed path of a script. So from clone to execve the child runs only async-signal-safe calls
// (other threads of pktdrill may hold locks, malloc's included), writes nothing but its own stack,
// and reads only what the parent prepared.

struct ChildStart {
    char const* const* argv;
    char* const* envp;
    pid_t parent_in_proc;
};

// The parent pid as /proc shows it. getppid() cannot tell: in the new PID namespace it is 0 both
// before and after the parent died. Returns -1 when /proc cannot say.
pid_t parent_pid_from_proc() noexcept {
    int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n <= 0) return -1;
    // "pid (comm) state ppid ...": comm may contain anything, ") " included, so the last ')' of
    // the buffer ends it (the fields after it hold no parenthesis).
    char const* p = buf + n;
    while (p > buf && p[-1] != ')') --p;
    char const* end = buf + n;
    if (p == buf || end - p < 4 || p[0] != ' ' || p[2] != ' ') return -1;
    p += 3;
    pid_t ppid = 0;
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; ++p, any = true) ppid = ppid * 10 + (*p - '0');
    return any ? ppid : -1;
}

int become_command(void* start_arg) noexcept {
    auto const& start = *static_cast<ChildStart const*>(start_arg);
    // Signals are blocked (by the parent, before clone): pktdrill's handlers, Asio's among them,
    // must be gone before they are unblocked, or a signal arriving now would run them here, in
    // pktdrill's memory. Ignored signals stay ignored, as across any exec.
    for (int signal = 1; signal < NSIG; ++signal) {
        struct sigaction action;
        if (::sigaction(signal, nullptr, &action) != 0) continue;  // SIGKILL, glibc's own
        if (action.sa_handler == SIG_DFL || action.sa_handler == SIG_IGN) continue;
        action.sa_handler = SIG_DFL;
        action.sa_flags = 0;
        ::sigemptyset(&action.sa_mask);
        ::sigaction(signal, &action, nullptr);
    }
    // Dies with the parent thread: the kernel then kills the whole namespace. The flag is lost on
    // a set-user-ID exec, which /bin/sh is not.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) ::_exit(127);
    // The parent may have died before the line above; then we were reparented and no signal
    // will come. (If /proc cannot say, the window is a few microseconds: run anyway.)
    pid_t seen = parent_pid_from_proc();
    if (seen > 0 && start.parent_in_proc > 0 && seen != start.parent_in_proc) ::_exit(127);
    // pktdrill runs at real-time priority (runner.cpp); a command must not. Started at SCHED_RR, a
    // shell or a Python keeps its CPU for its whole start-up (20-30 ms), and on a busy machine the
    // pktdrill of a parallel run, waiting at the same priority, wakes that much late.
    sched_param normal{};
    ::sched_setscheduler(0, SCHED_OTHER, &normal);
    // Close-on-exec rather than close: cheaper, and a failure here (old kernel) is harmless.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    // Not the calling thread's mask (a run loop thread may block signals the command must see),
    // nor the all-blocked one the parent set for the clone.
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execve("/bin/sh", const_cast<char* const*>(start.argv), start.envp);
    ::_exit(127);  // as system() does when the shell cannot be run
}

// The child's stack while it shares pktdrill's memory. Only touched by the child, and freed once
// it has exec'd (CLONE_VFORK returns only then).
class ChildStack {
public:
    static constexpr std::size_t size = 64 * 1024;
    ChildStack()
        : base_(::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {
        if (base_ == MAP_FAILED) throw_system_error("cannot start command: mmap", errno);
    }
    ~ChildStack() { ::munmap(base_, size); }
    ChildStack(ChildStack const&) = delete;
    ChildStack& operator=(ChildStack const&) = delete;
    void* top() const noexcept { return static_cast<char*>(base_) + size; }  // grows down

private:
    void* base_;
};

// Blocks every signal in the calling thread for its lifetime.
class BlockAllSignals {
public:
    BlockAllSignals() noexcept {
        sigset_t all;
        ::sigfillset(&all);
        ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
    }
    ~BlockAllSignals() { ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }
    BlockAllSignals(BlockAllSignals const&) = delete;
    BlockAllSignals& operator=(BlockAllSignals const&) = delete;

private:
    sigset_t saved_;
};

// ---- In the parent ------------------------------------------------------------------------------

// pktdrill's pid as /proc sees it, which is what the child reads back; differs from getpid() only
// if pktdrill runs in a PID namespace under a /proc of an outer one.
pid_t own_pid_in_proc() noexcept {
    char buf[32];
    ssize_t n = ::readlink("/proc/self", buf, sizeof buf - 1);
    if (n <= 0) return -1;
    pid_t pid = 0;
    for (ssize_t i = 0; i < n; ++i) {
        if (buf[i] < '0' || buf[i] > '9') return -1;
        pid = pid * 10 + (buf[i] - '0');
    }
    return pid;
}

// A started command: the shell that is PID 1 of its namespace. Destroying it kills and reaps
// it, which returns only once every process of the namespace is gone (the kernel empties a
// namespace before its init can be reaped), so no exit path leaves anything behind.
class ChildProcess {
public:
    ChildProcess(UniqueFd pidfd, pid_t pid) : pidfd_(std::move(pidfd)), pid_(pid) {}
    ChildProcess(ChildProcess const&) = delete;
    ChildProcess& operator=(ChildProcess const&) = delete;
    ~ChildProcess() {
        if (reaped_) return;
        kill();
        siginfo_t ignored;
        wait(ignored);
    }

    pid_t pid() const noexcept { return pid_; }

    // SIGKILL is the only way: PID 1 of a namespace ignores every signal it has no handler for,
    // and killing it takes the whole namespace down. Through the pidfd, so a recycled pid can
    // never be hit.
    void kill() noexcept { ::syscall(SYS_pidfd_send_signal, pidfd_.get(), SIGKILL, nullptr, 0); }

    // Blocks until the child is reaped; returns errno on failure, 0 on success.
    int wait(siginfo_t& info) noexcept {
        info = {};
        int rc;
        do rc = ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED);
        while (rc < 0 && errno == EINTR);
        reaped_ = true;  // also on failure: nothing left to wait for then (ECHILD)
        return rc < 0 ? errno : 0;
    }

private:
    UniqueFd pidfd_;  // blocking: wait() relies on it
    pid_t pid_;
    bool reaped_ = false;
};

// A file that git checked out in place of a symbolic link (core.symlinks=false, or a copy that
// did not keep links) holds the link's target as its only content. packetdrill's own corpus has
// one (tcp/common/defaults.sh), which every script runs as its init command; as a symlink would,
// pktdrill runs the file it points to. Only a small, non-executable file whose whole content is
// one path to an existing file counts.
std::optional<std::string> materialized_link(std::string const& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    auto const st = fs::symlink_status(path, ec);
    if (ec || !fs::is_regular_file(st) || (st.permissions() & fs::perms::owner_exec) != fs::perms::none) return {};
    if (fs::file_size(path, ec) > 512 || ec) return {};
    std::ifstream in(path);
    std::string target;
    std::getline(in, target);
    std::string rest;
    if (target.empty() || (std::getline(in, rest) && !rest.empty())) return {};
    for (char c : target)
        if (c <= ' ' || c > '~') return {};  // a path as git writes it: printable, no spaces
    std::string const resolved =
        target.front() == '/' ? target : (fs::path(path).parent_path() / target).lexically_normal().string();
    if (!fs::is_regular_file(resolved, ec)) return {};
    return resolved;
}

}  // namespace

std::string shell_command_text(std::string const& command_line) {
    std::string out;
    // dash sets $PPID from getppid(), which is 0 for PID 1 of a PID namespace. Scripts use
    // `${PPID}` for pktdrill's pid (packetdrill's commands are its children), so it is set back.
    static bool const dash = [] {
        std::error_code ec;
        return std::filesystem::canonical("/bin/sh", ec).filename() == "dash";
    }();
    if (dash) out = "PPID=" + std::to_string(::getpid()) + "; ";  // same line: sh reports line numbers
    // Words outside quotes that name a materialized symlink are replaced by its target.
    std::size_t i = 0;
    char quote = 0;
    while (i < command_line.size()) {
        char const c = command_line[i];
        if (quote) {
            out.push_back(c);
            if (c == quote) quote = 0;
            ++i;
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out.push_back(c);
            ++i;
            continue;
        }
        if (std::isspace(static_cast<unsigned char>(c)) || std::strchr(";&|()<>`", c)) {
            out.push_back(c);
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < command_line.size() && !std::isspace(static_cast<unsigned char>(command_line[j])) &&
               !std::strchr(";&|()<>`'\"", command_line[j]))
            ++j;
        std::string word = command_line.substr(i, j - i);
        if (word.find('/') != std::string::npos && word.find('$') == std::string::npos) {
            for (int depth = 0; depth < 8; ++depth) {
                auto target = materialized_link(word);
                if (!target) break;
                word = *target;
            }
        }
        out += word;
        i = j;
    }
    return out;
}

namespace {

ChildProcess start_shell(std::string const& command_line) {
    // Everything the child needs is built here, before clone (see become_command).
    std::string pid_assignment = pid_variable + std::to_string(::getpid());
    std::vector<char*> envp;
    for (char** entry = environ; entry && *entry; ++entry)
        if (std::strncmp(*entry, pid_variable, sizeof pid_variable - 1) != 0) envp.push_back(*entry);
    envp.push_back(pid_assignment.data());
    envp.push_back(nullptr);
    std::string const text = shell_command_text(command_line);
    char const* argv[] = {"sh", "-c", text.c_str(), nullptr};
    pid_t const parent_in_proc = own_pid_in_proc();

    // The command writes to the same stdout: what pktdrill printed before it must come first.
    std::fflush(stdout);

    ChildStart const start{argv, envp.data(), parent_in_proc};
    ChildStack stack;
    int pidfd = -1;
    long pid;
    {
        BlockAllSignals blocked;
        // CLONE_PIDFD: the pidfd comes with the child, no pid-reuse window as with pidfd_open.
        // The glibc wrapper, not clone3: the child must start on its own stack in a function.
        pid = ::clone(become_command, stack.top(),
                      CLONE_VM | CLONE_VFORK | CLONE_NEWPID | CLONE_PIDFD | SIGCHLD,
                      const_cast<ChildStart*>(&start), &pidfd);
    }
    if (pid < 0) throw_system_error("cannot start command `" + command_line + "`: clone", errno);
    return ChildProcess(UniqueFd(pidfd), static_cast<pid_t>(pid));
}

// What the handlers report. Shared with them: a handler cancelled by run_command's return still
// runs later (with operation_aborted) and must find it alive.
struct WaitState {
    bool exited = false;
    bool timed_out = false;
    int interrupt_signal = 0;

    bool over() const noexcept { return exited || timed_out || interrupt_signal != 0; }
};

}  // namespace

CommandOutcome run_command(boost::asio::io_context& io, Interrupts& interrupts,
                           std::string const& command_line,
                           std::optional<std::chrono::milliseconds> timeout) {
    using End = CommandOutcome::End;

    std::optional<std::chrono::milliseconds> limit = timeout;
    if (interrupts.requested())
        limit = std::min(limit.value_or(time_limit_after_interrupt), time_limit_after_interrupt);

    auto state = std::make_shared<WaitState>();
    // Subscribed before the start, so a signal that is already pending in Asio's pipe (it
    // arrived while nobody ran the io_context) interrupts this command in the first run_one.
    auto subscription = interrupts.on_interrupt([state](int signal) {
        if (state->interrupt_signal == 0) state->interrupt_signal = signal;
    });

    // Declared before the watchers: destroyed after them, and killed and reaped if anything
    // below throws.
    ChildProcess child = start_shell(command_line);

    // Asio gets a pidfd of its own, from pidfd_open rather than dup: Asio makes its descriptor
    // non-blocking, O_NONBLOCK belongs to the open file (shared by a dup), and waitid on a
    // non-blocking pidfd fails with EAGAIN instead of waiting for the kill to complete. The pid
    // cannot have been reused: the child is not reaped yet.
    boost::asio::posix::stream_descriptor exit_watch(io);
    {
        UniqueFd watch_fd(static_cast<int>(::syscall(SYS_pidfd_open, child.pid(), 0)));
        if (!watch_fd) throw_system_error("cannot watch command `" + command_line + "`", errno);
        boost::system::error_code ec;
        exit_watch.assign(watch_fd.get(), ec);
        if (ec) throw_system_error("cannot watch command `" + command_line + "`", ec.value());
        watch_fd.release();
    }
    // A pidfd becomes readable when the process exits.
    exit_watch.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [state](boost::system::error_code const& ec) {
                              // Any other error: stop watching and reap, which blocks no longer
                              // than the command itself.
                              if (ec != boost::asio::error::operation_aborted) state->exited = true;
                          });

    boost::asio::steady_timer deadline(io);
    if (limit) {
        deadline.expires_after(*limit);
        deadline.async_wait([state](boost::system::error_code const& ec) {
            if (!ec) state->timed_out = true;
        });
    }

    while (!state->over()) {
        if (io.stopped()) io.restart();
        io.run_one();
    }

    CommandOutcome outcome;
    if (!state->exited) {
        child.kill();
        outcome = state->interrupt_signal != 0 ? CommandOutcome{End::interrupted, state->interrupt_signal}
                                               : CommandOutcome{End::timed_out, 0};
    }
    siginfo_t info;
    if (int err = child.wait(info); err != 0)
        throw_system_error("cannot wait for command `" + command_line + "`", err);
    if (state->exited) {
        if (info.si_code == CLD_EXITED)
            outcome = {End::exited, info.si_status};
        else
            outcome = {End::killed_by_signal, info.si_status};
    }
    return outcome;
}

}  // namespace pktdrill::run
