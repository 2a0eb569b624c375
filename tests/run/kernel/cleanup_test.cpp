// A run leaves nothing behind, however it ends: no network namespace, no TUN device, no process,
// not even when it is killed with SIGKILL in the middle of a command or a system call.

#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "child.hpp"

namespace fs = std::filesystem;
using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

// The inode of a process's network namespace, or 0 when it cannot be read.
ino_t netns_of(pid_t pid) {
    struct stat st {};
    if (::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &st) != 0) return 0;
    return st.st_ino;
}

// Whether any process still uses that network namespace (the kernel frees it once none does).
bool netns_in_use(ino_t ns) {
    for (auto const& entry : fs::directory_iterator("/proc")) {
        std::string const name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        if (netns_of(std::stoi(name)) == ns) return true;
    }
    return false;
}

// A unique word on the command line of the run's shell commands, to find them in /proc.
std::string marker() { return "1000000." + std::to_string(::getpid()) + std::to_string(std::rand() % 100000); }

struct Started {
    std::unique_ptr<TempDir> dir;
    std::unique_ptr<Child> child;
    ino_t netns = 0;
};

// Starts pktdrill on a script that ends in a long command (or a long blocking call) and waits
// until that point is reached.
Started start(std::string const& last_line, std::string const& wait_for_marker) {
    Started s;
    s.dir = std::make_unique<TempDir>();
    auto const script = s.dir->write("long.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                                 "+0 bind(3, ..., ...) = 0\n"
                                                 "+0 listen(3, 1) = 0\n" +
                                                     last_line + "\n");
    s.child = std::make_unique<Child>(std::vector<std::string>{pktdrill_binary(), script.string()}, s.dir->path());
    auto const deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!s.netns) s.netns = netns_of(s.child->pid());
        bool const reached = wait_for_marker.empty() ? std::this_thread::sleep_for(300ms), true
                                                     : !processes_with(wait_for_marker).empty();
        if (reached) break;
        std::this_thread::sleep_for(10ms);
    }
    s.netns = netns_of(s.child->pid());
    return s;
}

void expect_nothing_left(Started& s, std::string const& mark) {
    // Processes of the run, the namespace it ran in, and devices in this test's namespace.
    auto const deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline &&
           (!processes_with(mark).empty() || (s.netns && netns_in_use(s.netns))))
        std::this_thread::sleep_for(20ms);
    CHECK(processes_with(mark).empty());
    CHECK_FALSE(netns_in_use(s.netns));
    CHECK(shell("ip -o link show type tun").empty());
    CHECK(shell("ip netns list").empty());
}

}  // namespace

TEST_CASE("the run's namespace is not the one pktdrill was started in", "[cleanup]") {
    auto const mark = marker();
    auto s = start("+0 `sleep " + mark + "`", mark);
    CHECK(s.netns != 0);
    CHECK(s.netns != netns_of(::getpid()));
    CHECK(shell("ip -o link show type tun").empty());  // tun0 lives in the run's namespace only
    s.child->signal(SIGTERM);
    s.child->wait_for(5s);
}

TEST_CASE("SIGINT during a long command ends the run at once and leaves nothing", "[cleanup]") {
    auto const mark = marker();
    auto s = start("+0 `sleep " + mark + "`", mark);
    auto const t0 = std::chrono::steady_clock::now();
    s.child->signal(SIGINT);
    auto const status = s.child->wait_for(5s);
    CHECK(std::chrono::steady_clock::now() - t0 < 1s);
    CHECK(status == 128 + SIGINT);
    expect_nothing_left(s, mark);
}

TEST_CASE("SIGTERM during a long command ends the run and leaves nothing", "[cleanup]") {
    auto const mark = marker();
    auto s = start("+0 `sleep " + mark + "`", mark);
    s.child->signal(SIGTERM);
    CHECK(s.child->wait_for(5s) == 128 + SIGTERM);
    expect_nothing_left(s, mark);
}

TEST_CASE("SIGKILL during a long command leaves nothing", "[cleanup]") {
    auto const mark = marker();
    auto s = start("+0 `sleep " + mark + " & sleep " + mark + "`", mark);
    s.child->signal(SIGKILL);
    CHECK(s.child->wait_for(5s) == 128 + SIGKILL);
    expect_nothing_left(s, mark);
}

TEST_CASE("SIGINT and SIGKILL during a blocking system call leave nothing", "[cleanup]") {
    for (int sig : {SIGINT, SIGTERM, SIGKILL}) {
        auto const mark = marker();
        // accept() on a listening socket that no SYN reaches blocks until the run is ended.
        auto s = start("+0 accept(3, ..., ...) = 4", "");
        s.child->signal(sig);
        auto const status = s.child->wait_for(5s);
        CHECK(status == 128 + sig);
        expect_nothing_left(s, mark);
    }
}
