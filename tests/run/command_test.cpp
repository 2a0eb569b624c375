// Shell commands run by real /bin/sh processes. Processes started by a test are recognised by
// unique marker arguments (sleep durations such as 1000.<pid>0<n>) in /proc/*/cmdline, and every
// test kills whatever still carries its markers on the way out, so a failing test leaves nothing.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "src/run/command.hpp"
#include "src/run/interrupt.hpp"

using namespace std::chrono_literals;
using pktdrill::run::CommandOutcome;
using pktdrill::run::Interrupts;
using pktdrill::run::run_command;
using End = CommandOutcome::End;
using Clock = std::chrono::steady_clock;

namespace {

// A sleep duration no other process on the machine uses, so it identifies our processes. The
// counter has a fixed width: no marker may be a prefix of another ("...01" of "...010").
std::string marker() {
    static int counter = 0;
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04d", ++counter);
    return "1000." + std::to_string(::getpid()) + "0" + digits;
}

// Live processes whose command line contains `text` (zombies have an empty one).
std::vector<pid_t> processes_with(std::string const& text) {
    std::vector<pid_t> found;
    for (auto const& entry : std::filesystem::directory_iterator("/proc")) {
        auto name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline", std::ios::binary);
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline.find(text) != std::string::npos) found.push_back(std::stoi(name));
    }
    return found;
}

bool wait_until(std::function<bool()> const& condition, std::chrono::milliseconds limit) {
    auto const until = Clock::now() + limit;
    while (!condition()) {
        if (Clock::now() > until) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

// Kills what a test started if the code under test did not, so no failure leaves sleeps behind.
struct KillLeftovers {
    std::vector<std::string> markers;
    ~KillLeftovers() {
        for (auto const& m : markers)
            for (pid_t pid : processes_with(m)) ::kill(pid, SIGKILL);
    }
};

struct Run {
    boost::asio::io_context io;
    Interrupts interrupts{io};

    CommandOutcome operator()(std::string const& command,
                              std::optional<std::chrono::milliseconds> timeout = {}) {
        return run_command(io, interrupts, command, timeout);
    }
};

// Sends `signal` to this process once `ready()` holds (or after 5 s: run_command must not hang
// if the command never showed up), and records when.
class DelayedSignal {
public:
    DelayedSignal(int signal, std::function<bool()> ready)
        : thread_([this, signal, ready = std::move(ready)] {
              saw_ready_ = wait_until(ready, 5s);
              sent_at_ = Clock::now();
              ::kill(::getpid(), signal);
          }) {}
    ~DelayedSignal() { join(); }
    void join() {
        if (thread_.joinable()) thread_.join();
    }
    bool saw_ready() const { return saw_ready_; }
    Clock::time_point sent_at() const { return sent_at_; }

private:
    std::atomic<bool> saw_ready_{false};
    Clock::time_point sent_at_;
    std::thread thread_;
};

std::string read_file(std::string const& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_CASE("exit statuses of commands pass through") {
    Run run;
    CHECK(run("true") == CommandOutcome{End::exited, 0});
    CHECK(run("true").succeeded());
    CHECK(run("exit 3") == CommandOutcome{End::exited, 3});
    CHECK(run("pktdrill-no-such-program-here 2>/dev/null") == CommandOutcome{End::exited, 127});
}

TEST_CASE("PACKETDRILL_PID is pktdrill's pid and the command sees it under /proc") {
    Run run;
    std::string const pid = std::to_string(::getpid());
    std::string const check = "[ \"$PACKETDRILL_PID\" = " + pid + " ] || exit 10; "
                              "[ -r /proc/$PACKETDRILL_PID/stat ] || exit 11; "
                              "grep -q \"^Pid:[[:space:]]*$PACKETDRILL_PID\\$\" "
                              "/proc/$PACKETDRILL_PID/status || exit 12";
    CHECK(run(check) == CommandOutcome{End::exited, 0});

    SECTION("also when the environment already has a PACKETDRILL_PID, which is not changed") {
        ::setenv("PACKETDRILL_PID", "stale", 1);
        CHECK(run(check) == CommandOutcome{End::exited, 0});
        CHECK(std::string(::getenv("PACKETDRILL_PID")) == "stale");
        ::unsetenv("PACKETDRILL_PID");
    }
}

TEST_CASE("a command started by a real-time pktdrill runs at normal priority") {
    sched_param rr{};
    rr.sched_priority = ::sched_get_priority_min(SCHED_RR);
    if (::sched_setscheduler(0, SCHED_RR, &rr) != 0) {
        WARN("cannot take SCHED_RR here (not root?): the priority of commands is not checked");
        return;
    }
    Run run;
    // chrt prints "pid N's current scheduling policy: SCHED_OTHER"; the shell is the command.
    // (pktdrill's own pid is out of reach from inside the command's pid namespace.)
    auto const outcome = run("chrt -p $$ | grep -q 'policy: SCHED_OTHER$'");
    sched_param normal{};
    ::sched_setscheduler(0, SCHED_OTHER, &normal);
    CHECK(outcome == CommandOutcome{End::exited, 0});
}

TEST_CASE("the command runs in pktdrill's working directory") {
    char dir_template[] = "/tmp/pktdrill-cwd-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    std::string const dir = std::filesystem::canonical(dir_template).string();
    auto const old_cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    Run run;
    auto outcome = run("[ \"$(pwd -P)\" = '" + dir + "' ]");
    std::filesystem::current_path(old_cwd);
    std::filesystem::remove(dir);
    CHECK(outcome == CommandOutcome{End::exited, 0});
}

TEST_CASE("the command writes to pktdrill's stdout and stderr") {
    char out_template[] = "/tmp/pktdrill-out-XXXXXX";
    char err_template[] = "/tmp/pktdrill-err-XXXXXX";
    int out_file = ::mkstemp(out_template);
    int err_file = ::mkstemp(err_template);
    REQUIRE(out_file >= 0);
    REQUIRE(err_file >= 0);

    Run run;
    std::fflush(stdout);
    std::fflush(stderr);
    int const saved_out = ::dup(1);
    int const saved_err = ::dup(2);
    ::dup2(out_file, 1);
    ::dup2(err_file, 2);
    // Printed by the test before the command: run_command flushes it first, so it comes first.
    std::printf("before ");
    auto outcome = run("echo to-stdout; echo to-stderr >&2");
    std::fflush(stdout);
    ::dup2(saved_out, 1);
    ::dup2(saved_err, 2);
    ::close(saved_out);
    ::close(saved_err);
    ::close(out_file);
    ::close(err_file);

    CHECK(outcome == CommandOutcome{End::exited, 0});
    CHECK(read_file(out_template) == "before to-stdout\n");
    CHECK(read_file(err_template) == "to-stderr\n");
    ::unlink(out_template);
    ::unlink(err_template);
}

TEST_CASE("descriptors other than stdio are not passed to the command") {
    int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    REQUIRE(fd > 2);
    Run run;
    auto outcome = run("[ ! -e /proc/self/fd/" + std::to_string(fd) + " ]");
    ::close(fd);
    CHECK(outcome == CommandOutcome{End::exited, 0});
}

TEST_CASE("the command starts with no signal blocked, whatever the calling thread blocks") {
    sigset_t usr1, saved;
    ::sigemptyset(&usr1);
    ::sigaddset(&usr1, SIGUSR1);
    ::pthread_sigmask(SIG_BLOCK, &usr1, &saved);
    Run run;
    auto outcome = run("exec grep -Eq '^SigBlk:[[:space:]]+0+$' /proc/self/status");
    ::pthread_sigmask(SIG_SETMASK, &saved, nullptr);
    CHECK(outcome == CommandOutcome{End::exited, 0});
}

TEST_CASE("background jobs of a command end with it") {
    auto const m = marker();
    KillLeftovers guard{{m}};
    Run run;
    auto const started = Clock::now();
    CHECK(run("sleep " + m + " & exit 0") == CommandOutcome{End::exited, 0});
    CHECK(Clock::now() - started < 1s);
    CHECK(processes_with(m).empty());
}

TEST_CASE("a signal during a long command kills its whole tree and returns interrupted at once") {
    int const signal = GENERATE(SIGINT, SIGTERM, SIGHUP);
    CAPTURE(signal);
    auto const m1 = marker(), m2 = marker();
    KillLeftovers guard{{m1, m2}};
    Run run;

    DelayedSignal sender(signal, [&] { return !processes_with(m1).empty() && !processes_with(m2).empty(); });
    auto outcome = run("sleep " + m1 + " & sleep " + m2 + " & wait");
    auto const returned = Clock::now();
    sender.join();

    CHECK(sender.saw_ready());
    CHECK(outcome == CommandOutcome{End::interrupted, signal});
    CHECK(run.interrupts.requested());
    CHECK(run.interrupts.signal() == signal);
    auto const latency = std::chrono::duration_cast<std::chrono::microseconds>(returned - sender.sent_at());
    CAPTURE(latency.count());
    CHECK(latency < 500ms);
    // run_command returns only once the namespace is empty: no need to wait here.
    CHECK(processes_with(m1).empty());
    CHECK(processes_with(m2).empty());
}

TEST_CASE("a signal that arrived before the command started interrupts it as soon as the loop runs") {
    auto const m = marker();
    KillLeftovers guard{{m}};
    Run run;
    // Nobody runs the io_context yet: the signal waits in Asio's pipe.
    ::kill(::getpid(), SIGINT);
    auto const started = Clock::now();
    CHECK(run("sleep " + m) == CommandOutcome{End::interrupted, SIGINT});
    CHECK(Clock::now() - started < 500ms);
    CHECK(processes_with(m).empty());
}

TEST_CASE("after an interrupt, commands still run but only briefly, and another signal ends them") {
    auto const m1 = marker(), m2 = marker(), m3 = marker();
    KillLeftovers guard{{m1, m2, m3}};
    Run run;
    {
        DelayedSignal sender(SIGINT, [&] { return !processes_with(m1).empty(); });
        REQUIRE(run("sleep " + m1) == CommandOutcome{End::interrupted, SIGINT});
    }

    // The cleanup command must run...
    CHECK(run("exit 0") == CommandOutcome{End::exited, 0});
    CHECK(run("exit 4") == CommandOutcome{End::exited, 4});

    // ...but cannot hang the cleanup.
    auto started = Clock::now();
    CHECK(run("sleep " + m2) == CommandOutcome{End::timed_out, 0});
    auto const took = Clock::now() - started;
    CHECK(took >= pktdrill::run::time_limit_after_interrupt);
    CHECK(took < pktdrill::run::time_limit_after_interrupt + 500ms);
    CHECK(processes_with(m2).empty());

    // A shorter timeout of the caller wins.
    started = Clock::now();
    CHECK(run("sleep " + m2, 100ms) == CommandOutcome{End::timed_out, 0});
    CHECK(Clock::now() - started < 600ms);

    // A second Ctrl-C does not wait for the limit.
    {
        DelayedSignal sender(SIGTERM, [&] { return !processes_with(m3).empty(); });
        started = Clock::now();
        CHECK(run("sleep " + m3) == CommandOutcome{End::interrupted, SIGTERM});
        sender.join();
        CHECK(Clock::now() - sender.sent_at() < 500ms);
    }
    CHECK(run.interrupts.signal() == SIGINT);
    CHECK(run.interrupts.count() == 2);
    CHECK(processes_with(m3).empty());
}

TEST_CASE("a timeout kills the command with everything it started") {
    auto const m1 = marker(), m2 = marker();
    KillLeftovers guard{{m1, m2}};
    Run run;
    auto const started = Clock::now();
    auto outcome = run("sh -c 'sleep " + m1 + " & sleep " + m2 + "'", 300ms);
    auto const took = Clock::now() - started;
    CHECK(outcome == CommandOutcome{End::timed_out, 0});
    CHECK(took >= 300ms);
    CHECK(took < 1s);
    CHECK(processes_with(m1).empty());
    CHECK(processes_with(m2).empty());
    CHECK_FALSE(run.interrupts.requested());
}

TEST_CASE("a command that ends before its timeout reports its exit status") {
    Run run;
    CHECK(run("exit 5", 5000ms) == CommandOutcome{End::exited, 5});
}

TEST_CASE("a command killed from outside reports the signal") {
    auto const m = marker();
    KillLeftovers guard{{m}};
    Run run;
    // Killed in the scan that finds it: a second scan could fall into the shell's exec of sleep,
    // when /proc shows an empty command line, find nothing and leave the command running.
    std::thread killer([&] {
        wait_until(
            [&] {
                auto const found = processes_with(m);
                for (pid_t pid : found) ::kill(pid, SIGKILL);
                return !found.empty();
            },
            5s);
    });
    auto outcome = run("exec sleep " + m);
    killer.join();
    CHECK(outcome == CommandOutcome{End::killed_by_signal, SIGKILL});
}

TEST_CASE("SIGKILL of pktdrill while a command runs leaves no process of the command behind") {
    auto const m1 = marker(), m2 = marker();
    KillLeftovers guard{{m1, m2}};
    std::fflush(nullptr);
    pid_t const pktdrill = ::fork();
    REQUIRE(pktdrill >= 0);
    if (pktdrill == 0) {
        // The stand-in for pktdrill. No Catch2 here: only the parent may report.
        try {
            Run run;
            run("sleep " + m1 + " & sleep " + m2 + " & wait");
        } catch (...) {
        }
        ::_exit(0);
    }
    bool const started = wait_until([&] { return !processes_with(m1).empty() && !processes_with(m2).empty(); }, 5s);
    ::kill(pktdrill, SIGKILL);
    int status = 0;
    ::waitpid(pktdrill, &status, 0);
    CHECK(started);
    CHECK(WIFSIGNALED(status));
    CHECK(wait_until([&] { return processes_with(m1).empty() && processes_with(m2).empty(); }, 2s));
}

TEST_CASE("commands run one after another on the same io_context, with other work served meanwhile") {
    Run run;
    boost::asio::steady_timer ticker(run.io);
    int ticks = 0;
    std::function<void()> tick = [&] {
        ticker.expires_after(10ms);
        ticker.async_wait([&](boost::system::error_code const& ec) {
            if (ec) return;
            ++ticks;
            tick();
        });
    };
    tick();
    CHECK(run("sleep 0.2") == CommandOutcome{End::exited, 0});
    CHECK(ticks >= 5);
    ticker.cancel();
    run.io.poll();
    for (int i = 0; i < 20; ++i) REQUIRE(run("exit " + std::to_string(i)) == CommandOutcome{End::exited, i});
}

TEST_CASE("Interrupts puts back the signal dispositions it found") {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction before_hup {}, before_int {};
    ::sigaction(SIGHUP, &ignore, &before_hup);
    ::sigaction(SIGINT, nullptr, &before_int);
    {
        boost::asio::io_context io;
        Interrupts interrupts(io);
        struct sigaction during {};
        ::sigaction(SIGHUP, nullptr, &during);
        CHECK(during.sa_handler != SIG_IGN);
        CHECK((during.sa_flags & SA_RESTART) != 0);
    }
    struct sigaction after_hup {}, after_int {};
    ::sigaction(SIGHUP, &before_hup, &after_hup);
    ::sigaction(SIGINT, nullptr, &after_int);
    CHECK(after_hup.sa_handler == SIG_IGN);
    CHECK(after_int.sa_handler == before_int.sa_handler);
}

TEST_CASE("an interrupt callback is called once per signal until its subscription ends") {
    boost::asio::io_context io;
    Interrupts interrupts(io);
    std::vector<int> seen;
    {
        auto subscription = interrupts.on_interrupt([&](int signal) { seen.push_back(signal); });
        ::kill(::getpid(), SIGHUP);
        while (seen.empty()) io.run_one();
        ::kill(::getpid(), SIGTERM);
        while (seen.size() < 2) io.run_one();
    }
    ::kill(::getpid(), SIGINT);
    while (interrupts.count() < 3) io.run_one();
    CHECK(seen == std::vector<int>{SIGHUP, SIGTERM});
    CHECK(interrupts.signal() == SIGHUP);
}
