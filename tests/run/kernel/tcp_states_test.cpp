// The nine TCP state-machine scripts of scripts/tcp-states/, run as a user runs them: their
// verdicts match packetdrill's on this kernel, and each socket reaches the state the seed
// document's netstat line shows, as `ss -tan` sees it from inside the run's namespace.

#include <sched.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "child.hpp"

namespace fs = std::filesystem;
using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

std::string read(fs::path const& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A copy of a state script whose final `sleep 1000000` (meant for a human with netstat) is short.
fs::path shortened(TempDir const& dir, std::string const& name, std::string const& sleep = "0.2") {
    std::string text = read(source_dir() / "scripts/tcp-states" / name);
    auto const at = text.find("sleep 1000000");
    if (at != std::string::npos) text.replace(at, 13, "sleep " + sleep);
    return dir.write(fs::path(name).filename().string(), text);
}

struct Verdict {
    int status = -1;
    std::string output;
};

Verdict run(std::vector<std::string> args, fs::path const& script) {
    args.insert(args.begin(), pktdrill_binary());
    args.push_back(script.string());
    Child child(args, script.parent_path());
    auto const status = child.wait_for(60s);
    return {status.value_or(-1), child.output()};
}

// The state of the connection to the simulated peer, in ss's spelling, or "" if there is none.
std::string peer_state() {
    std::istringstream lines(shell("ss -tanH 2>/dev/null"));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.find("192.0.2.1:") == std::string::npos && line.find("fd3d:fa7b:d17d::1") == std::string::npos)
            continue;
        std::istringstream fields(line);
        std::string state;
        fields >> state;
        return state;
    }
    return {};
}

// Runs the script in this test's own namespace (--netns=current) and polls ss until the
// connection shows `expected`, as a user with netstat in another terminal would.
void expect_state(fs::path const& script, std::string const& expected, std::vector<std::string> extra = {}) {
    // A fresh namespace for each script, also when the tests share a process (the whole binary run
    // at once rather than by ctest): an orphaned FIN_WAIT1 of an earlier test lives on for a minute
    // and would be the first connection ss lists.
    REQUIRE(::unshare(CLONE_NEWNET) == 0);
    std::vector<std::string> args{pktdrill_binary(), "--netns=current"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(script.string());
    Child child(args, script.parent_path());
    std::string seen, last;
    auto const deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        last = peer_state();
        if (last == expected) {
            seen = last;
            break;
        }
        if (!child.running()) break;
        std::this_thread::sleep_for(10ms);
    }
    INFO("pktdrill printed:\n" << child.output());
    INFO("last state seen: " << last);
    CHECK(seen == expected);
    child.signal(SIGTERM);
    child.wait_for(5s);
}

}  // namespace

TEST_CASE("the scripts packetdrill passes on this kernel pass (syn_sent has its own tests)", "[tcp-states]") {
    TempDir dir;
    for (char const* name : {"syn_rcvd.pkt", "established.pkt", "fin_wait1.pkt", "fin_wait2.pkt", "time_wait.pkt",
                             "closing.pkt"}) {
        auto const v = run({}, shortened(dir, name));
        INFO(name << ":\n" << v.output);
        CHECK(v.status == 0);
    }
}

TEST_CASE("close_wait and last_ack fail on the line after their FIN with the ack mismatch", "[tcp-states]") {
    TempDir dir;
    struct Case {
        char const* name;
        int line;
    };
    for (Case c : {Case{"close_wait.pkt", 16}, Case{"last_ack.pkt", 15}}) {
        auto const v = run({}, shortened(dir, c.name));
        INFO(c.name << ":\n" << v.output);
        CHECK(v.status == 1);
        CHECK_THAT(v.output, Catch::Contains(std::string(c.name) + ":" + std::to_string(c.line) +
                                             ":1: error: live packet field tcp_ack_seq: expected: 2 (0x2) vs "
                                             "actual: 1 (0x1)"));
        // Both packets are shown, the script's and the kernel's, with the ack marked.
        CHECK_THAT(v.output, Catch::Contains("script packet:"));
        CHECK_THAT(v.output, Catch::Contains("actual packet:"));
    }
}

TEST_CASE("the fixed close_wait and last_ack, with ack 1 on the FIN, pass", "[tcp-states]") {
    TempDir dir;
    for (char const* name : {"fixed/close_wait.pkt", "fixed/last_ack.pkt"}) {
        auto const v = run({}, shortened(dir, name));
        INFO(name << ":\n" << v.output);
        CHECK(v.status == 0);
    }
}

TEST_CASE("syn_sent's connect gives up after the SYN retries and returns -1, as the script expects",
          "[tcp-states]") {
    // Two retries instead of six: the same path through the kernel in 7 s instead of 134 s.
    TempDir dir;
    auto const v = run({"--init_scripts=sysctl -q net.ipv4.tcp_syn_retries=2"}, shortened(dir, "syn_sent.pkt"));
    INFO(v.output);
    CHECK(v.status == 0);
}

TEST_CASE("syn_sent as written passes after about 134 s of SYN retries", "[tcp-states][slow]") {
    auto const script = source_dir() / "scripts/tcp-states/syn_sent.pkt";
    std::vector<std::string> args{pktdrill_binary(), script.string()};
    Child child(args, script.parent_path());
    auto const status = child.wait_for(200s);
    INFO(child.output());
    CHECK(status == 0);
}

// One test case per state: each runs in a process (and so a network namespace) of its own, where
// no socket of another script's run can linger.
TEST_CASE("syn_sent's socket reaches SYN_SENT", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "syn_sent.pkt"), "SYN-SENT");
}
TEST_CASE("syn_rcvd's socket reaches SYN_RECV", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "syn_rcvd.pkt", "5"), "SYN-RECV");
}
TEST_CASE("established's socket reaches ESTABLISHED", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "established.pkt", "5"), "ESTAB");
}
TEST_CASE("fin_wait1's socket reaches FIN_WAIT1", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "fin_wait1.pkt", "5"), "FIN-WAIT-1");
}
TEST_CASE("fin_wait2's socket reaches FIN_WAIT2", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "fin_wait2.pkt", "5"), "FIN-WAIT-2");
}
TEST_CASE("close_wait's socket (fixed script) reaches CLOSE_WAIT", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "fixed/close_wait.pkt", "5"), "CLOSE-WAIT");
}
TEST_CASE("time_wait's socket reaches TIME_WAIT", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "time_wait.pkt", "5"), "TIME-WAIT");
}
TEST_CASE("last_ack's socket (fixed script) reaches LAST_ACK", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "fixed/last_ack.pkt", "5"), "LAST-ACK");
}
TEST_CASE("closing's socket reaches CLOSING", "[tcp-states]") {
    TempDir dir;
    expect_state(shortened(dir, "closing.pkt", "5"), "CLOSING");
}

namespace {

std::vector<std::string> const ipv6_args = {"--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                                            "--gateway_ip=fd3d:0a0b:17d6:8888::1", "--remote_ip=fd3d:fa7b:d17d::1"};
std::vector<std::string> const mapped_args = {"--ip_version=ipv4-mapped-ipv6"};

void check_all_verdicts(std::vector<std::string> const& args) {
    TempDir dir;
    for (char const* name : {"syn_rcvd.pkt", "established.pkt", "fin_wait1.pkt", "fin_wait2.pkt", "time_wait.pkt",
                             "closing.pkt"}) {
        auto const v = run(args, shortened(dir, name));
        INFO(name << ":\n" << v.output);
        CHECK(v.status == 0);
    }
    for (char const* name : {"close_wait.pkt", "last_ack.pkt"}) {
        auto const v = run(args, shortened(dir, name));
        INFO(name << ":\n" << v.output);
        CHECK(v.status == 1);
        CHECK_THAT(v.output, Catch::Contains("error: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)"));
    }
    TempDir fixed;
    for (char const* name : {"fixed/close_wait.pkt", "fixed/last_ack.pkt"}) {
        auto const v = run(args, shortened(fixed, name));
        INFO(name << ":\n" << v.output);
        CHECK(v.status == 0);
    }
}

}  // namespace

TEST_CASE("the state scripts give the same verdicts over IPv6", "[tcp-states][ipv6]") { check_all_verdicts(ipv6_args); }

TEST_CASE("the state scripts give the same verdicts over IPv4-mapped IPv6", "[tcp-states][ipv4-mapped]") {
    check_all_verdicts(mapped_args);
}

TEST_CASE("syn_sent returns -1 after its SYN retries over IPv6 and IPv4-mapped IPv6", "[tcp-states][ipv6]") {
    TempDir dir;
    for (auto const* args : {&ipv6_args, &mapped_args}) {
        std::vector<std::string> a = *args;
        a.push_back("--init_scripts=sysctl -q net.ipv4.tcp_syn_retries=2");
        auto const v = run(a, shortened(dir, "syn_sent.pkt"));
        INFO(v.output);
        CHECK(v.status == 0);
    }
}

TEST_CASE("the fixed close_wait socket reaches CLOSE_WAIT over IPv6", "[tcp-states][ipv6]") {
    TempDir dir;
    auto args = ipv6_args;
    expect_state(shortened(dir, "fixed/close_wait.pkt", "5"), "CLOSE-WAIT", args);
}
