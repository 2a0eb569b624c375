// Ctrl-C during the document's `sleep 1000000`: the run ends within a second, prints the final
// state table, exits with 128 + SIGINT ("interrupted", not a pass) and leaves nothing behind: no
// process, no open file or mount of its namespace (so the kernel frees it, and its TUN device),
// no name under /run/netns.
//
// The signal goes to the whole process group, as a terminal's Ctrl-C does: pktdrill runs under
// setsid, so its group holds pktdrill, the guardian of its namespace name and the `sleep`.

#include <catch2/catch.hpp>

#include "states_support.hpp"

using namespace pktdrill::test;
using namespace pktdrill::test::states;

namespace {

struct Interrupted {
    int status = -1;
    double seconds = 0;  // from the signal to pktdrill's exit
    std::string output;
    std::vector<std::string> left;  // what still held the run's namespace afterwards
};

// Runs `script` with `args` under setsid, waits until `ready(output)`, then sends SIGINT to the
// process group.
Interrupted interrupt(std::vector<std::string> args, fs::path const& script,
                      std::function<bool(std::string const&)> const& ready) {
    args.insert(args.begin(), {"/usr/bin/setsid", pktdrill_binary()});
    args.push_back(script.string());
    Child child(args, script.parent_path());
    std::string const ns = wait_for_own_netns(child.pid());
    REQUIRE(!ns.empty());
    bool const got_there = wait_until([&] { return ready(child.output()) || !child.running(); }, 30s);
    INFO(child.output());
    REQUIRE(got_there);
    REQUIRE(child.running());
    std::this_thread::sleep_for(100ms);  // well into the command
    auto const t0 = std::chrono::steady_clock::now();
    ::kill(-child.pid(), SIGINT);
    auto const status = child.wait_for(5s);
    Interrupted r;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.status = status.value_or(-1);
    r.output = child.output();
    r.left = wait_released(ns, 2s);
    return r;
}

}  // namespace

TEST_CASE("Ctrl-C during closing's sleep 1000000: within 1 s, the table, status 130, nothing left behind",
          "[states][interrupt]") {
    std::string const name = unique_netns_name("ctrl-c");
    auto const r = interrupt({"--states", "--netns-name", name}, state_script("closing.pkt"),
                             // The row of line 29, the last event before the sleep, is printed.
                             [](std::string const& out) { return change_on(out, 26, "FIN_WAIT1", "CLOSING") &&
                                                                 out.find("\n  29 ") != std::string::npos; });
    INFO(r.output);
    CHECK(r.status == 128 + SIGINT);
    CHECK(r.seconds < 1.0);
    CHECK_THAT(r.output, Catch::Contains("interrupted by signal 2"));
    // The sleep's row says where the run stopped, then the table of what it left.
    CHECK_THAT(r.output, Catch::Matches(R"((.|\n)*\n\s*34\s+\d+\.\d+ `sleep 1000000`  \(interrupted here\)\n(.|\n)*)"));
    CHECK_THAT(r.output, Catch::Contains("TCP sockets at the interruption, as netstat -tan shows them"));
    auto const peer = peer_row(r.output);
    REQUIRE(peer);
    CHECK(peer->state == "CLOSING");
    CHECK(peer->recv_q == 1);
    CHECK(peer->send_q == 1);
    INFO("still holding the namespace: " << Catch::Detail::stringify(r.left));
    CHECK(r.left.empty());
    CHECK(!netns_named(name));
}

TEST_CASE("Ctrl-C while syn_sent's connect() retries: the table shows the document's SYN_SENT line",
          "[states][interrupt]") {
    auto const r = interrupt({"--states"}, state_script("syn_sent.pkt"),
                             [](std::string const& out) { return change_on(out, 4, "-", "SYN_SENT").has_value(); });
    INFO(r.output);
    CHECK(r.status == 128 + SIGINT);
    CHECK(r.seconds < 1.0);
    // `tcp 0 1 192.168.x.y:port 192.0.2.1:8080 SYN_SENT`, held by the script's fd 3.
    auto const peer = peer_row(r.output);
    REQUIRE(peer);
    CHECK(peer->state == "SYN_SENT");
    CHECK(peer->recv_q == 0);
    CHECK(peer->send_q == 1);
    CHECK(peer->foreign == "192.0.2.1:8080");
    CHECK(peer->fd == "3");
    CHECK_THAT(r.output, Catch::Matches(R"((.|\n)*\n\s*4\s+\d+\.\d+ connect\(3, \.\.\., \.\.\.\) = -1  \(interrupted here\)\n(.|\n)*)"));
    CHECK(r.left.empty());
}

TEST_CASE("SIGTERM ends a --states run like Ctrl-C", "[states][interrupt]") {
    TempDir dir;
    auto const script = state_script("time_wait.pkt");
    Child child({pktdrill_binary(), "--states", script.string()}, script.parent_path());
    std::string const ns = wait_for_own_netns(child.pid());
    REQUIRE(!ns.empty());
    REQUIRE(wait_until([&] { return change_on(child.output(), 20, "FIN_WAIT2", "TIME_WAIT").has_value(); }, 30s));
    child.signal(SIGTERM);
    auto const status = child.wait_for(2s);
    INFO(child.output());
    CHECK(status == 128 + SIGTERM);
    auto const peer = peer_row(child.output());
    REQUIRE(peer);
    CHECK(peer->state == "TIME_WAIT");
    CHECK(wait_released(ns).empty());
}
