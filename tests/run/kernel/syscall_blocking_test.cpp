// Blocking calls (`start...end`), calls that block without `...`, interrupts, and the worker
// threads behind them (reference C "Blocking calls and `...`", E).

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "tests/run/kernel/syscall_test_fixture.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::test;

namespace {

using Clock = std::chrono::steady_clock;

std::string message(Error const& e) { return e.what(); }

bool starts_with(std::string const& s, std::string const& prefix) { return s.rfind(prefix, 0) == 0; }

// A script whose lines 0 and 1 connect socket 3 to a peer the test holds, then `lines`.
struct Connected {
    Connected(std::string const& lines, std::uint16_t port, std::string const& options = "")
        : r(options + "--connect_port=" + std::to_string(port) + "\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n" +
            "+0 connect(3, ..., ...) = 0\n" + lines),
          l(listener(port)) {
        r.run_all(2);
        peer = UniqueFd(::accept(l.get(), nullptr, nullptr));
        REQUIRE(peer);
    }
    // Writes n bytes from the peer at script time `at`.
    void write_at(Micros at, std::size_t n) {
        wait_until(r.ctx.live_time(at));
        std::string const data(n, 'x');
        REQUIRE(::write(peer.get(), data.data(), n) == static_cast<ssize_t>(n));
    }
    Run r;
    UniqueFd l;
    UniqueFd peer;
};

// Sends a signal to this process after a delay.
class DelayedSignal {
public:
    DelayedSignal(int signal, std::chrono::milliseconds delay)
        : thread_([signal, delay] {
              std::this_thread::sleep_for(delay);
              ::kill(::getpid(), signal);
          }) {}
    ~DelayedSignal() { thread_.join(); }

private:
    std::thread thread_;
};

}  // namespace

TEST_CASE("a blocking accept sleeps in the kernel, returns on time and maps its fd") {
    Run r("--bind_port=8301\n--tolerance_usecs=50000\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n"
          "0...0.2 accept(3, ..., ...) = 4\n");
    r.run_all(4);
    auto const started = Clock::now();
    r.run(4);
    // run() came back while the call sleeps in the kernel.
    CHECK(seconds_since(started) < 0.15);
    CHECK(r.ctx.fds.find(4) == nullptr);
    wait_until(r.ctx.live_time(200000));
    std::uint16_t port = 0;
    UniqueFd c;
    Socket* child = nullptr;
    {
        // The packet engine would create the child under the lock, as it injects the SYN.
        std::lock_guard lock(r.ctx.mutex);
        c = client(8301, &port);
        child = &child_socket(r.ctx, port);
    }
    r.finish();
    r.check_blocking();
    REQUIRE(r.ctx.fds.find(4));
    CHECK(r.ctx.fds.find(4)->socket == child);
    CHECK(child->script_fd == 4);
}

TEST_CASE("a blocking read that returns late fails with packetdrill's return-time error") {
    Connected c("0...0.1 read(3, ..., 10) = 10\n", 8302);
    c.r.run(2);
    c.write_at(400000, 10);
    try {
        c.r.finish();
        FAIL("no timing error");
    } catch (Error const& e) {
        INFO(e.what());
        CHECK(starts_with(message(e), "timing error: expected system call return at 0.100000 sec but happened at 0.4"));
        CHECK(message(e).find("; tolerance 0.0") != std::string::npos);
        CHECK(e.where() == SourceLocation{4, 1});
    }
}

TEST_CASE("a blocking read that returns on time passes") {
    Connected c("0...0.1 read(3, ..., 10) = 10\n", 8303, "--tolerance_usecs=50000\n");
    c.r.run(2);
    c.write_at(100000, 10);
    c.r.finish();
}

TEST_CASE("a blocking call's wrong result is reported by check_blocking") {
    Connected c("0...0.1 read(3, ..., 10) = 5\n", 8304, "--tolerance_usecs=50000\n");
    c.r.run(2);
    c.write_at(100000, 10);
    // Give the worker the lock and time to check the call.
    for (int i = 0; i < 100; ++i) {
        try {
            c.r.check_blocking();
        } catch (Error const& e) {
            CHECK(message(e) == "runtime error in read call: Expected result 5 but got 10 with errno 0 (Success)");
            CHECK(e.where().line == 5);
            return;
        }
        std::this_thread::sleep_for(10ms);
    }
    FAIL("check_blocking() reported nothing");
}

TEST_CASE("a blocking call that completes at once is checked before run() returns") {
    Connected c("0...0 fcntl(3, F_GETFL) = 0x802\n", 8305);
    Error const e = c.r.error(2);
    CHECK(message(e) == "runtime error in fcntl call: Expected result 2050 but got 2 with errno 0 (Success)");
}

TEST_CASE("a second blocking call while one is in progress fails after waiting a second") {
    Connected c("0...0.5 read(3, ..., 10) = 10\n"
                "0...0.5 read(3, ..., 10) = 10\n",
                8306);
    c.r.run(2);
    auto const started = Clock::now();
    Error const e = c.r.error(3);
    double const waited = seconds_since(started);
    CHECK(message(e) ==
          "runtime error in read call: blocking system call while another blocking system call is already in progress");
    CHECK(e.where().line == 5);
    CHECK(waited > 0.9);
    CHECK(waited < 3);
}

TEST_CASE("a non-blocking call waits for a blocking call in progress to finish") {
    Connected c("0...0.3 read(3, ..., 10) = 10\n"
                "0.1 write(3, ..., 5) = 5\n",
                8307, "--tolerance_usecs=100000\n");
    c.r.run(2);
    // No Catch assertions on this thread: Catch2 is not thread-safe.
    std::thread writer([&] {
        wait_until(c.r.ctx.live_time(300000));
        [[maybe_unused]] auto n = ::write(c.peer.get(), "0123456789", 10);
    });
    wait_until(c.r.ctx.live_time(100000));
    auto const started = Clock::now();
    c.r.run(3);
    double const waited = seconds_since(started);
    writer.join();
    CHECK(waited > 0.15);
    CHECK(waited < 1.5);
    c.r.finish();
}

TEST_CASE("exiting while a blocking call is in progress fails after a second") {
    Connected c("0...5 read(3, ..., 10) = 10\n", 8308);
    c.r.run(2);
    auto const started = Clock::now();
    try {
        c.r.finish();
        FAIL("finish() did not fail");
    } catch (Error const& e) {
        CHECK(message(e) == "runtime error: exiting while a blocking system call is in progress");
        CHECK(e.where().line == 4);
    }
    CHECK(seconds_since(started) > 0.9);
}

TEST_CASE("a call without ... that blocks fails after --syscall_timeout, naming the call, and the run can go on") {
    Connected c("+0 read(3, ..., 10) = 10\n"
                "+0 fcntl(3, F_GETFL) = 0x2\n",
                8309, "--syscall_timeout=0.2\n");
    auto const started = Clock::now();
    Error const e = c.r.error(2);
    double const waited = seconds_since(started);
    CHECK(message(e) == "runtime error in read call: still blocked after 0.2 seconds (--syscall_timeout); a call that "
                        "is meant to block needs an end time, as in `+0...1 read(...)`");
    CHECK(e.where() == SourceLocation{5, 1});
    CHECK(waited > 0.19);
    CHECK(waited < 1.5);
    // The stuck call was interrupted: the worker takes the next call.
    c.r.run(3);
}

TEST_CASE("a signal during a call that blocks ends the run with Interrupted within a fraction of a second") {
    int const signal = GENERATE(SIGINT, SIGTERM);
    Connected c("+0 read(3, ..., 10) = 10\n"
                "+0 fcntl(3, F_GETFL) = 0x2\n",
                8310, "--syscall_timeout=60\n");
    auto const started = Clock::now();
    {
        DelayedSignal sender(signal, 100ms);
        try {
            c.r.run(2);
            FAIL("not interrupted");
        } catch (Interrupted const& i) {
            CHECK(i.signal == signal);
        }
    }
    double const waited = seconds_since(started);
    CHECK(waited >= 0.09);
    CHECK(waited < 0.5);
}

TEST_CASE("a signal while the end of the script waits for a blocking call ends the run with Interrupted") {
    Connected c("0...5 read(3, ..., 10) = 10\n", 8311);
    c.r.run(2);
    auto const started = Clock::now();
    {
        DelayedSignal sender(SIGINT, 100ms);
        CHECK_THROWS_AS(c.r.finish(), Interrupted);
    }
    CHECK(seconds_since(started) < 0.5);
}

TEST_CASE("the worker threads are joined when the runner goes, even with a call stuck in the kernel") {
    int const before = thread_count();
    {
        Connected c("0...10 read(3, ..., 10) = 10\n", 8312);
        CHECK(thread_count() == before + 2);
        c.r.run(2);
        auto const started = Clock::now();
        c.r.runner.reset();
        CHECK(seconds_since(started) < 0.5);
        CHECK(thread_count() == before);
    }
    CHECK(thread_count() == before);
}

TEST_CASE("cap_set changes the capabilities of the threads that make the script's calls, blocking ones too") {
    Run r("0 cap_set(CAP_EFFECTIVE, CAP_NET_RAW, CAP_CLEAR) = 0\n"
          "+0 socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = -1 EPERM (Operation not permitted)\n"
          "0...0 socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = -1 EPERM (Operation not permitted)\n"
          "+0 cap_set(CAP_EFFECTIVE, CAP_NET_RAW, CAP_SET) = 0\n"
          "+0 socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = 3\n"
          "0...0 socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) = 4\n"
          "+0 cap_set(CAP_EFFECTIVE, 99, CAP_SET) = 0\n");
    r.run_all(6);
    r.check_blocking();
    // The test's own thread kept its capabilities all along.
    UniqueFd raw(::socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
    CHECK(raw);
    CHECK(message(r.error(6)) == "runtime error in cap_set call: Error in cap_set_flag()");
}

TEST_CASE("the handoff of a non-blocking call to the worker costs microseconds") {
    Run r("0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3\n"
          "+0 fcntl(3, F_GETFL) = 0x2\n");
    r.run(0);
    int const fd = r.live_fd(3);
    constexpr int rounds = 2000;
    for (int i = 0; i < 100; ++i) r.run(1);  // warm up
    auto t0 = Clock::now();
    for (int i = 0; i < rounds; ++i) (void)::fcntl(fd, F_GETFL);
    double const direct_us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / rounds;
    std::vector<double> us;
    us.reserve(rounds);
    for (int i = 0; i < rounds; ++i) {
        t0 = Clock::now();
        r.run(1);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::sort(us.begin(), us.end());
    double const median = us[rounds / 2], p90 = us[rounds * 9 / 10], p99 = us[rounds * 99 / 100];
    WARN("fcntl(F_GETFL): " << direct_us << " us direct; through SyscallRunner: median " << median << " us, p90 "
                            << p90 << " us, p99 " << p99 << " us");
    // Generous: a loaded machine must not fail this. It is a guard against a handoff gone
    // wrong (a lost wakeup would cost milliseconds), not a benchmark.
    CHECK(median < 500);
}
