// record's rewriting of a script from a recorded run, on a run made up here (the kernel test
// record_test.cpp records real ones): which lines stay byte for byte, which are rewritten and how,
// where added lines go and how their times are written.

#include <catch2/catch.hpp>

#include "lint_support.hpp"
#include "src/lint/record.hpp"
#include "src/lint/script_text.hpp"
#include "src/script/render.hpp"

using namespace pktdrill;
using namespace pktdrill::test;

namespace {

run::RecordedPacket tcp(std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::size_t length, run::Micros time,
                        bool matched = false, net::TcpOptions options = {}, std::uint16_t window = 502) {
    net::TcpHeader h;
    h.flags = flags;
    h.seq = seq;
    h.ack = ack;
    h.window = window;
    h.options = std::move(options);
    net::Packet p;
    p.layers.push_back(net::Ipv4Header{});
    p.layers.push_back(h);
    p.payload.assign(length, 0);
    return run::RecordedPacket{std::move(p), time, matched};
}

run::RecordStep event(std::size_t index, run::Micros scheduled, run::Micros reached, run::Micros started,
                      run::Micros done, std::optional<run::RecordedPacket> packet = std::nullopt) {
    run::RecordStep s;
    s.event = index;
    s.scheduled = scheduled;
    s.reached = reached;
    s.started = started;
    s.done = done;
    s.packet = std::move(packet);
    return s;
}

run::RecordStep unmentioned(run::RecordedPacket packet) {
    run::RecordStep s;
    s.scheduled = s.reached = s.started = s.done = packet.time;
    s.packet = std::move(packet);
    return s;
}

namespace f = net::tcp_flag;

}  // namespace

TEST_CASE("record keeps what holds byte for byte, rewrites what does not, and adds the packets the script did not "
          "mention where they came",
          "[record]") {
    std::string const text =
        "--tolerance_usecs=10000\n"
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 bind(3, ..., ...) = 0\n"
        "+0 listen(3, 1) = 0\n"
        "+0 < S 0:0(0) win 65535 <mss 1460>\n"
        "// the kernel answers\n"
        "  +0 > S. 0:0(0) ack 1 <...>   // as written\n"
        "+.1 < . 1:1(0) ack 1 win 65535\n"
        "+.1 accept(3, ..., ...) = 4\n"
        "\n"
        "+0 write(4, ..., 1000) = 1000\n"
        "+0 > P. 1:1001(1000) ack 5 <...>    // wrong ack\n"
        "+0 > F. 1001:1001(0) ack 1\n"
        "+0 `sleep 1`\n";
    grammar::SourceFile const file("test.pkt", text);
    grammar::Diagnostics diagnostics(file);
    auto const script = lint::load_with_text(file, diagnostics, {});
    REQUIRE(script);

    net::TcpOptions const ts{net::TcpOption::nop(), net::TcpOption::nop(), net::TcpOption::timestamp(5, 6)};
    run::Recording r;
    r.steps = {
        event(0, 0, 0, 0, 0), event(1, 0, 0, 0, 0), event(2, 0, 0, 0, 0), event(3, 0, 0, 0, 50),
        event(4, 50, 50, 50, 100, tcp(f::syn | f::ack, 0, 1, 0, 100, true)),
        event(5, 100'050, 100, 100'050, 100'050),
        // Came while the run waited for accept(): accept() then counts from it.
        unmentioned(tcp(f::ack, 1, 1, 0, 140'050, false, ts)),
        event(6, 240'050, 140'050, 240'050, 240'100),
        event(7, 240'100, 240'100, 240'100, 240'200),
        event(8, 240'200, 240'200, 240'200, 240'200, tcp(f::psh | f::ack, 1, 1, 1000, 240'150)),
        event(9, 240'200, 240'200, 240'200, 240'200),  // nothing came
        event(10, 240'200, 240'200, 240'200, 1'240'200),
        // 2 ms into the sleep: the answer to the line before it.
        unmentioned(tcp(f::ack, 1001, 1, 0, 242'200)),
        // Half a second into it: written with an absolute time, after it.
        unmentioned(tcp(f::psh | f::ack, 1001, 1, 100, 740'200)),
    };
    lint::RecordSummary summary;
    std::string const out = lint::recorded_script(*script, r, summary);
    CHECK(out ==
          "--tolerance_usecs=10000\n"
          "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "+0 bind(3, ..., ...) = 0\n"
          "+0 listen(3, 1) = 0\n"
          "+0 < S 0:0(0) win 65535 <mss 1460>\n"
          "// the kernel answers\n"
          "  +0 > S. 0:0(0) ack 1 <...>   // as written\n"
          "+.1 < . 1:1(0) ack 1 win 65535\n"
          "+0.04 > . 1:1(0) ack 1 <nop,nop,TS val 5 ecr 6>\n"
          "+.1 accept(3, ..., ...) = 4\n"
          "\n"
          "+0 write(4, ..., 1000) = 1000\n"
          "+0 > P. 1:1001(1000) ack 1 <...>    // wrong ack\n"
          "// pktdrill record: the kernel sent no such packet: +0 > F. 1001:1001(0) ack 1\n"
          "+0.002 > . 1001:1001(0) ack 1\n"
          "+0 `sleep 1`\n"
          "0.74 > P. 1001:1101(100) ack 1\n");
    CHECK(summary.kept == 1);
    CHECK(summary.rewritten == 1);
    CHECK(summary.inserted == 3);
    CHECK(summary.not_sent == 1);
}

TEST_CASE("record keeps a rewritten line's choices: win, ports, IP info; options it cannot spell become <...>",
          "[record]") {
    script::Packet original;
    original.direction = script::Direction::outbound;
    script::TcpSegment seg;
    seg.ports = script::Ports{8080, 40000};
    seg.window = 1;
    original.transport = seg;
    original.ip.tos_check = script::TosCheck::ecn;
    auto rec = tcp(f::ack, 1, 1, 0, 0, false, {net::TcpOption::mss(1460)}, 502);
    rec.packet.find_first<net::Ipv4Header>()->tos = 2;  // ECT(0)
    rec.packet.find_last<net::TcpHeader>()->src_port = 8080;
    rec.packet.find_last<net::TcpHeader>()->dst_port = 40000;
    CHECK(script::render(lint::script_packet_of(rec, &original, false)) == "> [ect0] 8080>40000 . 1:1(0) ack 1 win 502 <mss 1460>");
    CHECK(script::render(lint::script_packet_of(rec, nullptr, false)) == "> . 1:1(0) ack 1 <mss 1460>");
    auto odd = tcp(f::ack, 1, 1, 0, 0, false, {net::TcpOption::raw(99, {1, 2})});
    CHECK(script::render(lint::script_packet_of(odd, nullptr, false)) == "> . 1:1(0) ack 1 <...>");
}
