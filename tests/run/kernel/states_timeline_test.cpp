// --states on the nine TCP state-machine scripts of scripts/tcp-states/ (the fixed close_wait and
// last_ack): the timeline shows each socket's transition into the seed document's state on the
// script line that causes it, and the final table shows the document's netstat line (Recv-Q,
// Send-Q, state). The final `sleep 1000000` is cut short with --max_command_secs, which also
// proves that a held state is still shown at the end.

#include <catch2/catch.hpp>

#include "states_support.hpp"

using namespace pktdrill::test;
using namespace pktdrill::test::states;

namespace {

struct Expectation {
    char const* script;
    int line;          // the line whose event makes the transition
    char const* from;  // "-": the socket did not exist
    char const* to;
    long recv_q;       // the document's netstat line
    long send_q;
};

void check(Expectation const& e, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--states", "--max_command_secs=0.3"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto const ran = run_pktdrill(args, state_script(e.script));
    INFO(e.script << ":\n" << ran.output);
    CHECK(ran.status == 0);
    auto const row = change_on(ran.output, e.line, e.from, e.to);
    REQUIRE(row);
    // The connection to the simulated peer, named by its addresses.
    CHECK_THAT(row->text, Catch::Contains("192.0.2.1:"));
    // The state is reached on that line and not before.
    for (auto const& r : timeline_rows(ran.output))
        if (r.to == e.to) CHECK(r.line >= e.line);
    auto const peer = peer_row(ran.output);
    REQUIRE(peer);
    CHECK(peer->proto == "tcp");
    CHECK(peer->state == e.to);
    CHECK(peer->recv_q == e.recv_q);
    CHECK(peer->send_q == e.send_q);
}

}  // namespace

TEST_CASE("states: syn_rcvd's SYN makes a SYN_RECV socket on line 8", "[states]") {
    check({"syn_rcvd.pkt", 8, "-", "SYN_RECV", 0, 0});
}

TEST_CASE("states: established's ACK makes it ESTABLISHED on line 10, the listener's Recv-Q is 1", "[states]") {
    check({"established.pkt", 10, "SYN_RECV", "ESTABLISHED", 0, 0});
    // The document's listener line: `tcp 1 0 ...:8080 0.0.0.0:* LISTEN` (one connection to accept).
    auto const ran = run_pktdrill({"--states", "--max_command_secs=0.3"}, state_script("established.pkt"));
    bool found = false;
    for (auto const& r : table_rows(ran.output))
        if (r.state == "LISTEN") {
            found = true;
            CHECK(r.recv_q == 1);
            CHECK(r.send_q == 0);
            CHECK(r.foreign == "0.0.0.0:*");
            CHECK(r.fd == "3");
        }
    CHECK(found);
}

TEST_CASE("states: fin_wait1's close() on line 12 makes FIN_WAIT1", "[states]") {
    check({"fin_wait1.pkt", 12, "ESTABLISHED", "FIN_WAIT1", 0, 1});
}

TEST_CASE("states: fin_wait2's ACK of the FIN on line 17 makes FIN_WAIT2", "[states]") {
    check({"fin_wait2.pkt", 17, "FIN_WAIT1", "FIN_WAIT2", 0, 0});
}

TEST_CASE("states: the fixed close_wait's FIN on line 14 makes CLOSE_WAIT", "[states]") {
    check({"fixed/close_wait.pkt", 14, "ESTABLISHED", "CLOSE_WAIT", 1, 0});
}

TEST_CASE("states: time_wait's FIN on line 20 makes TIME_WAIT", "[states]") {
    check({"time_wait.pkt", 20, "FIN_WAIT2", "TIME_WAIT", 0, 0});
}

TEST_CASE("states: the fixed last_ack's close() on line 17 makes LAST_ACK", "[states]") {
    check({"fixed/last_ack.pkt", 17, "CLOSE_WAIT", "LAST_ACK", 1, 1});
}

TEST_CASE("states: closing's FIN on line 26 makes CLOSING", "[states]") {
    check({"closing.pkt", 26, "FIN_WAIT1", "CLOSING", 1, 1});
}

TEST_CASE("states: syn_sent's connect() on line 4 makes SYN_SENT, and CLOSE when it gives up", "[states]") {
    // Two SYN retries instead of six: the same path in 7 s instead of 134 s. connect() blocks all
    // that time, so SYN_SENT is seen when the kernel's SYN goes out, not after the event.
    auto const ran = run_pktdrill({"--states", "--init_scripts=sysctl -q net.ipv4.tcp_syn_retries=2"},
                                  state_script("syn_sent.pkt"), std::chrono::seconds(60));
    INFO(ran.output);
    CHECK(ran.status == 0);
    auto const sent = change_on(ran.output, 4, "-", "SYN_SENT");
    REQUIRE(sent);
    CHECK(sent->time < 0.5);
    CHECK_THAT(sent->text, Catch::Contains("192.0.2.1:8080"));
    // The script still holds fd 3: out of the kernel's tables, the socket is CLOSE.
    auto const gave_up = change_on(ran.output, 4, "SYN_SENT", "CLOSE");
    REQUIRE(gave_up);
    CHECK(gave_up->time > 5.0);
}

TEST_CASE("states: the timeline names the script's fds and lists every event in script syntax", "[states]") {
    auto const ran = run_pktdrill({"--states", "--max_command_secs=0.3"}, state_script("fixed/last_ack.pkt"));
    INFO(ran.output);
    // bind() and listen() on fd 3, by the listener's address.
    auto const bound = change_on(ran.output, 3, "-", "CLOSE");
    REQUIRE(bound);
    CHECK_THAT(bound->text, Catch::Contains("bind(3, ..., ...) = 0"));
    auto const listening = change_on(ran.output, 4, "CLOSE", "LISTEN");
    REQUIRE(listening);
    CHECK_THAT(listening->text, Catch::Matches(R"(.*listen\(3, 1\) = 0\s+3\s+\S+:8080\s+0\.0\.0\.0:\*\s+CLOSE -> LISTEN\s*)"));
    // The accepted socket is fd 4 once accept() ran; close(4) names the fd it had.
    auto const closed = change_on(ran.output, 17, "CLOSE_WAIT", "LAST_ACK");
    REQUIRE(closed);
    CHECK_THAT(closed->text, Catch::Matches(R"(.*close\(4\) = 0\s+4\s+.*)"));
    // Events without a change are listed too, so the timeline follows the script line by line.
    CHECK_THAT(ran.output, Catch::Matches(R"((.|\n)*\n\s*7\s+\d+\.\d{6} > S\. 0:0\(0\) ack 1 <\.\.\.>\n(.|\n)*)"));
    CHECK_THAT(ran.output, Catch::Contains("`sleep 1000000`"));
    // How to look inside, printed on start.
    CHECK_THAT(ran.output, Catch::Contains("look inside with `nsenter --net=/proc/"));
}

TEST_CASE("states: close_wait and last_ack as the document has them fail before their state, and say where",
          "[states]") {
    // Without `ack 1` the FIN is not acceptable in ESTABLISHED: the kernel drops it, sends a
    // duplicate ACK of 1, and the connection stays ESTABLISHED.
    struct Case {
        char const* script;
        int failing_line;
    };
    for (Case c : {Case{"close_wait.pkt", 16}, Case{"last_ack.pkt", 15}}) {
        auto const ran = run_pktdrill({"--states", "--max_command_secs=0.3"}, state_script(c.script));
        INFO(ran.output);
        CHECK(ran.status == 1);
        CHECK_THAT(ran.output,
                   Catch::Matches("(.|\\n)*\\n\\s*" + std::to_string(c.failing_line) + R"( .*\(failed here\)\n(.|\n)*)"));
        for (auto const& r : timeline_rows(ran.output)) CHECK(r.to != "CLOSE_WAIT");
        auto const peer = peer_row(ran.output);
        REQUIRE(peer);
        CHECK(peer->state == "ESTABLISHED");
        CHECK_THAT(ran.output, Catch::Contains("TCP sockets at the failure"));
    }
}

TEST_CASE("states over IPv6: tcp6 rows and the same transitions", "[states]") {
    auto const ran = run_pktdrill({"--states", "--max_command_secs=0.3", "--ip_version=ipv6", "--mtu=1520",
                                   "--local_ip=fd3d:0a0b:17d6::1", "--gateway_ip=fd3d:0a0b:17d6:8888::1",
                                   "--remote_ip=fd3d:fa7b:d17d::1"},
                                  state_script("closing.pkt"));
    INFO(ran.output);
    CHECK(ran.status == 0);
    auto const row = change_on(ran.output, 26, "FIN_WAIT1", "CLOSING");
    REQUIRE(row);
    CHECK_THAT(row->text, Catch::Contains("fd3d:fa7b:d17d::1:"));
    bool found = false;
    for (auto const& r : table_rows(ran.output))
        if (r.state == "CLOSING") {
            found = true;
            CHECK(r.proto == "tcp6");
            CHECK(r.local == "fd3d:a0b:17d6::1:8080");
        }
    CHECK(found);
}

TEST_CASE("%{ assert tcpi_state == TCP_CLOSING }% runs natively (no python3 on PATH)", "[states]") {
    // closing.pkt with shutdown(SHUT_WR) instead of close(), so the script still holds the socket
    // whose tcp_info the code reads; no `sleep` (there is no PATH to find it on).
    TempDir dir;
    std::string text = read_file(state_script("closing.pkt"));
    text.replace(text.find("close(4) = 0"), 12, "shutdown(4, SHUT_WR) = 0");
    auto const sleep_at = text.find("+0 `sleep 1000000`");
    std::string const good = text.substr(0, sleep_at) + "+0 %{ assert tcpi_state == TCP_CLOSING }%\n";
    std::string const bad = text.substr(0, sleep_at) + "+0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n";
    auto const run_without_python = [&](std::string const& name, std::string const& script) {
        auto const path = dir.write(name, script);
        Child child({"/usr/bin/env", "PATH=/nonexistent", pktdrill_binary(), "--states", path.string()}, dir.path());
        auto const status = child.wait_for(std::chrono::seconds(30));
        return Ran{status.value_or(-1), child.output()};
    };
    auto const passed = run_without_python("good.pkt", good);
    INFO(passed.output);
    CHECK(passed.status == 0);
    CHECK(change_on(passed.output, 26, "FIN_WAIT1", "CLOSING"));
    auto const failed = run_without_python("bad.pkt", bad);
    INFO(failed.output);
    CHECK(failed.status == 1);
    CHECK_THAT(failed.output, Catch::Contains("AssertionError"));
    CHECK_THAT(failed.output, Catch::Contains("bad.pkt:34:"));
}
