// pktdrill record against the kernel: each of the nine state scripts (close_wait and last_ack as
// fixed) with all its `>` lines deleted is recorded; the recorded script has the original's `>`
// lines where the original has them, up to formatting (`<...>` in the original stands for any
// options), plus the packets the original never checks, and passes 10 times out of 10.

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "child.hpp"
#include "grammar/diagnostics.hpp"
#include "src/script/build.hpp"
#include "src/script/render.hpp"

namespace fs = std::filesystem;
using namespace pktdrill;
using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

std::string read(fs::path const& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The state script with its final `sleep 1000000` (meant for a human with netstat) at 50 ms, well
// before any retransmission timer of the kernel (200 ms at least) fires.
std::string shortened(std::string const& name) {
    std::string text = read(source_dir() / "scripts/tcp-states" / name);
    auto const at = text.find("sleep 1000000");
    if (at != std::string::npos) text.replace(at, 13, "sleep 0.05");
    return text;
}

std::string without_outbound_lines(std::string const& text) {
    std::istringstream in(text);
    std::string out, line;
    std::regex const outbound(R"(^\s*\S+\s+>)");
    while (std::getline(in, line))
        if (!std::regex_search(line, outbound)) out += line + "\n";
    return out;
}

script::Script load(std::string const& text) {
    grammar::SourceFile const file("recorded.pkt", text);
    grammar::Diagnostics diagnostics(file);
    auto loaded = script::load_script(file, diagnostics, {});
    if (!loaded) {
        std::ostringstream errors;
        diagnostics.print(errors);
        FAIL("the script does not load:\n" << errors.str());
    }
    return loaded->script;
}

// The `>` lines of a script, each as "after N events: F. 1:1(0) ack 1" (flags, sequence range and
// ack: what the line is about, without its time, window and options).
std::vector<std::string> outbound_lines(std::string const& text) {
    std::vector<std::string> out;
    int events = 0;
    for (auto const& e : load(text).events) {
        auto const* p = std::get_if<script::Packet>(&e.action);
        if (!p || p->direction != script::Direction::outbound) {
            ++events;
            continue;
        }
        script::Packet shown = *p;
        if (auto* t = std::get_if<script::TcpSegment>(&shown.transport)) {
            t->window.reset();
            t->options = std::vector<script::TcpOption>{};
        }
        out.push_back("after " + std::to_string(events) + " events: " + script::render(shown));
    }
    return out;
}

int run_status(std::vector<std::string> args, fs::path const& dir, std::string* output = nullptr,
               std::chrono::seconds limit = 60s) {
    Child child(args, dir);
    auto const status = child.wait_for(limit);
    if (output) *output = child.output();
    return status.value_or(-1);
}

// Records the script without its `>` lines, checks the recorded `>` lines against the original's
// plus `extra`, then runs the recorded script 10 times.
void record_and_replay(std::string const& name, std::vector<std::string> const& extra,
                       std::vector<std::string> const& flags = {}) {
    TempDir dir;
    std::string const original = shortened(name);
    auto const input = dir.write("input.pkt", without_outbound_lines(original));
    auto const recorded_path = dir.path() / "recorded.pkt";
    std::vector<std::string> args{pktdrill_binary(), "record"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {input.string(), "-o", recorded_path.string()});
    std::string output;
    REQUIRE(run_status(args, dir.path(), &output, 120s) == 0);
    std::string const recorded = read(recorded_path);
    INFO("recorded:\n" << recorded << "pktdrill record said:\n" << output);

    std::vector<std::string> expected = outbound_lines(original);
    expected.insert(expected.end(), extra.begin(), extra.end());
    std::stable_sort(expected.begin(), expected.end(), [](std::string const& a, std::string const& b) {
        return std::stoi(a.substr(6)) < std::stoi(b.substr(6));
    });
    CHECK(outbound_lines(recorded) == expected);
    // Every other line is the input's, in order.
    CHECK(without_outbound_lines(recorded) == read(input));

    for (int i = 0; i < 10; ++i) {
        std::vector<std::string> replay{pktdrill_binary()};
        replay.insert(replay.end(), flags.begin(), flags.end());
        replay.push_back(recorded_path.string());
        std::string said;
        int const status = run_status(replay, dir.path(), &said);
        INFO("run " << i + 1 << " of the recorded script:\n" << said);
        REQUIRE(status == 0);
    }
}

}  // namespace

TEST_CASE("record: syn_rcvd", "[record]") { record_and_replay("syn_rcvd.pkt", {}); }
TEST_CASE("record: established", "[record]") { record_and_replay("established.pkt", {}); }
TEST_CASE("record: closing", "[record]") { record_and_replay("closing.pkt", {}); }
TEST_CASE("record: close_wait (fixed)", "[record]") { record_and_replay("fixed/close_wait.pkt", {}); }
TEST_CASE("record: last_ack (fixed)", "[record]") { record_and_replay("fixed/last_ack.pkt", {}); }

// The FIN close() sends, which the original does not check (lint says so too).
TEST_CASE("record: fin_wait1, plus its FIN", "[record]") {
    record_and_replay("fin_wait1.pkt", {"after 7 events: > F. 1:1(0) ack 1"});
}
TEST_CASE("record: fin_wait2, plus its FIN", "[record]") {
    record_and_replay("fin_wait2.pkt", {"after 7 events: > F. 1:1(0) ack 1"});
}
// The ACK of the peer's FIN, which takes the socket to TIME_WAIT.
TEST_CASE("record: time_wait, plus the ACK of the peer's FIN", "[record]") {
    record_and_replay("time_wait.pkt", {"after 9 events: > . 2:2(0) ack 2"});
}

// connect() blocks through the SYN retries (two instead of six: 7 s instead of 134 s); the
// recorded SYNs stand after it with absolute times, as they came before it returned.
TEST_CASE("record: syn_sent, plus its SYN and retransmissions", "[record]") {
    TempDir dir;
    std::vector<std::string> const flags{"--init_scripts=sysctl -q net.ipv4.tcp_syn_retries=2"};
    auto const input = dir.write("input.pkt", shortened("syn_sent.pkt"));
    auto const recorded_path = dir.path() / "recorded.pkt";
    std::string output;
    REQUIRE(run_status({pktdrill_binary(), "record", flags[0], input.string(), "-o", recorded_path.string()},
                       dir.path(), &output, 120s) == 0);
    std::string const recorded = read(recorded_path);
    INFO("recorded:\n" << recorded << output);
    auto const lines = outbound_lines(recorded);
    REQUIRE(lines.size() >= 3);
    for (auto const& l : lines) CHECK(l == "after 2 events: > S 0:0(0)");
    CHECK(without_outbound_lines(recorded) == read(input));
    std::string said;
    for (int i = 0; i < 10; ++i) {
        INFO("run " << i + 1 << ":\n" << said);
        REQUIRE(run_status({pktdrill_binary(), flags[0], recorded_path.string()}, dir.path(), &said, 60s) == 0);
    }
}
