// Packet lines and the packets they load as: direction, TCP flags (ECN letters, AccECN ACE digit,
// '-'), sequence ranges, ack/win/urg, explicit ports, IP info, UDP, ICMP, encapsulations.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;
namespace flag = pktdrill::script::tcp_flag;
using model::Direction;
using model::Ecn;
using model::IpInfo;
using model::TosCheck;

std::uint16_t flags(std::string const& written) { return tcp(only("> " + written + " 0:0(0)")).flags.bits; }

}  // namespace

// ---------------------------------------------------------------------------------------------
// TCP

TEST_CASE("'<' is an inbound packet, '>' an outbound one", "[packets]") {
    CHECK(packet(only("< S 0:0(0) win 1")).direction == Direction::inbound);
    CHECK(packet(only("> S 0:0(0)")).direction == Direction::outbound);
}

TEST_CASE("a TCP segment: flags, sequence range, ack, window, urgent pointer", "[packets]") {
    auto const t_event = only("< P. 1:1001(1000) ack 2001 win 257 urg 5");
    auto const& t = tcp(t_event);
    CHECK(t.flags.bits == (flag::psh | flag::ack));
    CHECK(t.seq == 1);
    CHECK(t.length == 1000);
    CHECK(t.ack == 2001u);
    CHECK(t.window == 257);
    CHECK(t.urgent == 5);
    CHECK_FALSE(t.ports.has_value());
    REQUIRE(t.options.has_value());
    CHECK(t.options->empty());
}

TEST_CASE("ack, win and urg are absent when not written (win only on outbound packets)", "[packets]") {
    auto const t_event = only("> . 1:1(0)");
    auto const& t = tcp(t_event);
    CHECK_FALSE(t.ack.has_value());
    CHECK_FALSE(t.window.has_value());
    CHECK_FALSE(t.urgent.has_value());
}

TEST_CASE("each TCP flag letter sets its bit", "[packets][flags]") {
    CHECK(flags("F") == flag::fin);
    CHECK(flags("S") == flag::syn);
    CHECK(flags("R") == flag::rst);
    CHECK(flags("P") == flag::psh);
    CHECK(flags(".") == flag::ack);
    CHECK(flags("U") == flag::urg);
    CHECK(flags("E") == flag::ece);
    CHECK(flags("W") == flag::cwr);
    CHECK(flags("A") == flag::ae);
}

TEST_CASE("flag letters combine in any order, with '.' last", "[packets][flags]") {
    CHECK(flags("S.") == (flag::syn | flag::ack));
    CHECK(flags("F.") == (flag::fin | flag::ack));
    CHECK(flags("R.") == (flag::rst | flag::ack));
    CHECK(flags("FP.") == (flag::fin | flag::psh | flag::ack));
    CHECK(flags("PF.") == (flag::fin | flag::psh | flag::ack));
    CHECK(flags("SEW") == (flag::syn | flag::ece | flag::cwr));
    CHECK(flags("SEWA.") == (flag::syn | flag::ece | flag::cwr | flag::ae | flag::ack));
}

TEST_CASE("'-' is a segment without flags", "[packets][flags]") {
    auto const t_event = only("> - 1:1(0)");
    auto const& t = tcp(t_event);
    CHECK(t.flags.bits == 0);
    CHECK_FALSE(t.flags.ace.has_value());
}

TEST_CASE("an AccECN ACE digit after '.' sets AE, CWR and ECE as a counter", "[packets][flags]") {
    auto const s5 = tcp(only("> S.5 0:0(0)")).flags;
    CHECK(s5.ace == 5);
    CHECK(s5.bits == (flag::syn | flag::ack | flag::ae | flag::ece));
    auto const dot2 = tcp(only("> .2 1:1(0)")).flags;
    CHECK(dot2.ace == 2);
    CHECK(dot2.bits == (flag::ack | flag::cwr));
    auto const p7 = tcp(only("> P.7 1:1(0)")).flags;
    CHECK(p7.bits == (flag::psh | flag::ack | flag::ae | flag::cwr | flag::ece));
    CHECK(tcp(only("> .0 1:1(0)")).flags == model::TcpFlags{flag::ack, 0});
}

TEST_CASE("a sequence range may start anywhere in 32 bits", "[packets]") {
    auto const t_event = only("> . 4294967295:4294967295(0)");
    auto const& t = tcp(t_event);
    CHECK(t.seq == 4294967295u);
    CHECK(t.length == 0);
}

TEST_CASE("explicit ports come before the flags", "[packets]") {
    auto const t_event = only("< 8080>40000 S 0:0(0) win 10");
    auto const& t = tcp(t_event);
    REQUIRE(t.ports);
    CHECK(t.ports->src == 8080);
    CHECK(t.ports->dst == 40000);
}

// ---------------------------------------------------------------------------------------------
// IP info

TEST_CASE("ECN codepoints in brackets or parentheses", "[packets][ip-info]") {
    CHECK(packet(only("> [ect0] S 0:0(0)")).ip == IpInfo{TosCheck::ecn, 2, {}, {}});
    CHECK(packet(only("> (ect0) S 0:0(0)")).ip == IpInfo{TosCheck::ecn, 2, {}, {}});
    CHECK(packet(only("> [ect1] S 0:0(0)")).ip == IpInfo{TosCheck::ecn, 1, {}, {}});
    CHECK(packet(only("> (ce) S 0:0(0)")).ip == IpInfo{TosCheck::ecn, static_cast<std::uint8_t>(Ecn::ce), {}, {}});
    CHECK(packet(only("> [noecn] S 0:0(0)")).ip == IpInfo{TosCheck::ecn, 0, {}, {}});
}

TEST_CASE("[ect01] on an outbound packet accepts ECT0 or ECT1", "[packets][ip-info]") {
    CHECK(packet(only("> [ect01] . 1:1(0)")).ip.tos_check == TosCheck::ect01);
}

TEST_CASE("[tos 0x10] checks the whole byte", "[packets][ip-info]") {
    CHECK(packet(only("> [tos 0x10] S 0:0(0)")).ip == IpInfo{TosCheck::tos, 0x10, {}, {}});
}

TEST_CASE("[flowlabel 0x12345] alone and after an ECN codepoint", "[packets][ip-info]") {
    CHECK(packet(only("> [flowlabel 0x12345] S 0:0(0)")).ip == IpInfo{TosCheck::none, 0, 0x12345u, {}});
    CHECK(packet(only("> [ect0, flowlabel 0x1] S 0:0(0)")).ip == IpInfo{TosCheck::ecn, 2, 1u, {}});
}

TEST_CASE("[ttl 64] sets the TTL or hop limit", "[packets][ip-info]") {
    CHECK(packet(only("< [ttl 64] S 0:0(0) win 1")).ip == IpInfo{TosCheck::none, 0, {}, std::uint8_t{64}});
}

TEST_CASE("without IP info nothing about the IP header is asked", "[packets][ip-info]") {
    CHECK(packet(only("> S 0:0(0)")).ip == IpInfo{});
}

// ---------------------------------------------------------------------------------------------
// UDP

TEST_CASE("a UDP datagram: its payload length, and ports when written", "[packets][udp]") {
    auto const in = only("< udp (1000)");
    CHECK(udp(in).length == 1000);
    CHECK_FALSE(udp(in).ports.has_value());
    auto const out = only("> udp 1234>5678 (10)");
    REQUIRE(udp(out).ports);
    CHECK(udp(out).ports->src == 1234);
    CHECK(udp(out).ports->dst == 5678);
}

TEST_CASE("a UDP datagram may carry TOS and TTL info", "[packets][udp]") {
    CHECK(packet(only("< [tos 0x4] udp (1)")).ip.tos == 4);
}

// ---------------------------------------------------------------------------------------------
// ICMP

TEST_CASE("an ICMPv4 message: type, code, mtu and the echoed TCP range", "[packets][icmp]") {
    auto const m_event = only("< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]", {"--ip_version=ipv4"});
    auto const& m = icmp(m_event);
    CHECK_FALSE(m.ipv6);
    CHECK(m.type_name == "unreachable");
    CHECK(m.code_name == "frag_needed");
    CHECK(m.type == 3);
    CHECK(m.code == 4);
    CHECK(m.mtu == 1200u);
    REQUIRE(m.echoed);
    CHECK(m.echoed->protocol == model::IcmpEchoed::Protocol::tcp);
    CHECK(m.echoed->seq == 1);
    CHECK(m.echoed->length == 1460);
}

TEST_CASE("an ICMP message without a code has code 0", "[packets][icmp]") {
    auto const m_event = only("< icmp unreachable [5000:6000(1000)]", {"--ip_version=ipv4"});
    auto const& m = icmp(m_event);
    CHECK(m.code_name.empty());
    CHECK(m.code == 0);
    CHECK(m.echoed->seq == 5000);
}

TEST_CASE("ICMP names are the ICMPv4 ones for ipv4 and ipv4-mapped-ipv6", "[packets][icmp]") {
    for (char const* version : {"--ip_version=ipv4", "--ip_version=ipv4-mapped-ipv6"}) {
        auto const m_event = only("< icmp unreachable host_unreachable [0:10(10)]", {version});
    auto const& m = icmp(m_event);
        CHECK_FALSE(m.ipv6);
        CHECK(m.type == 3);
        CHECK(m.code == 1);
    }
}

TEST_CASE("ICMPv6 names under --ip_version=ipv6", "[packets][icmp]") {
    auto const m_event = only("< icmp packet_too_big mtu 1400 [0:1440(1440)]", {"--ip_version=ipv6"});
    auto const& m = icmp(m_event);
    CHECK(m.ipv6);
    CHECK(m.type == 2);
    CHECK(m.mtu == 1400u);
    auto const u_event = only("< icmp unreachable port_unreachable", {"--ip_version=ipv6"});
    auto const& u = icmp(u_event);
    CHECK(u.type == 1);
    CHECK(u.code == 4);
}

TEST_CASE("without --ip_version a name of either family is accepted", "[packets][icmp]") {
    CHECK(icmp(only("< icmp packet_too_big mtu 1400")).ipv6);
    CHECK_FALSE(icmp(only("< icmp unreachable frag_needed mtu 1400")).ipv6);
}

TEST_CASE("ICMP echo id, and echoed UDP and raw datagrams", "[packets][icmp]") {
    auto const echo_event = only("> icmp echo_request id 5 [raw(10)]", {"--ip_version=ipv4"});
    auto const& echo = icmp(echo_event);
    CHECK(echo.type == 8);
    CHECK(echo.echo_id == 5);
    CHECK(echo.echoed->protocol == model::IcmpEchoed::Protocol::raw);
    CHECK(echo.echoed->length == 10);
    auto const port_event = only("> icmp unreachable port_unreachable [udp(1000)]", {"--ip_version=ipv4"});
    auto const& port = icmp(port_event);
    CHECK(port.code == 3);
    CHECK(port.echoed->protocol == model::IcmpEchoed::Protocol::udp);
    CHECK(port.echoed->length == 1000);
}

// ---------------------------------------------------------------------------------------------
// Encapsulation

TEST_CASE("an outer IPv4 header with GRE", "[packets][encap]") {
    auto const p_event = only("< ipv4 192.168.0.1 > 192.0.2.1: gre: S 0:0(0) win 10");
    auto const& p = packet(p_event);
    REQUIRE(p.encapsulations.size() == 2);
    auto const& ip = std::get<model::OuterIp>(p.encapsulations[0]);
    CHECK_FALSE(ip.ipv6);
    CHECK(ip.src == "192.168.0.1");
    CHECK(ip.dst == "192.0.2.1");
    CHECK(std::get<model::GreHeader>(p.encapsulations[1]) == model::GreHeader{});
    CHECK(std::holds_alternative<model::TcpSegment>(p.transport));
}

TEST_CASE("an outer IPv6 header with IP info", "[packets][encap]") {
    auto const p_event = only("< ipv6 [tos 0x20] 2001:db8::1 > 2001:db8::2: udp (5)");
    auto const& p = packet(p_event);
    auto const& ip = std::get<model::OuterIp>(p.encapsulations.at(0));
    CHECK(ip.ipv6);
    CHECK(ip.info.tos == 0x20);
    CHECK(ip.src == "2001:db8::1");
    CHECK(ip.dst == "2001:db8::2");
}

TEST_CASE("a full GRE header: flag names, sum, off, key (with or without '='), seq", "[packets][encap]") {
    auto const p_event = only(
        "< gre flags [checksum present, key present, sequence# present], sum 1 off 2 key=3 seq 4: S 0:0(0) win 1");
    auto const& p = packet(p_event);
    auto const& g = std::get<model::GreHeader>(p.encapsulations.at(0));
    CHECK(g.flags == 0xb000);
    CHECK(g.flags_as_list);
    CHECK(g.sum == 1);
    CHECK(g.offset == 2);
    CHECK(g.key == 3);
    CHECK(g.seq == 4);
    auto const n = std::get<model::GreHeader>(packet(only("< GREv0 flags 0x2000 sum 0 off 0 key 9 seq 0: udp (1)"))
                                                  .encapsulations.at(0));
    CHECK(n.flags == 0x2000);
    CHECK_FALSE(n.flags_as_list);
    CHECK(n.key == 9);
    CHECK(std::get<model::GreHeader>(packet(only("< gre flags [none] sum 0 off 0 key 0 seq 0: udp (1)"))
                                         .encapsulations.at(0))
              .flags == 0);
}

TEST_CASE("an MPLS label stack", "[packets][encap]") {
    auto const p_event = only("< mpls (label 1, tc 2, ttl 3) (label 1048575, tc 7, [S], ttl 255): S 0:0(0) win 1");
    auto const& p = packet(p_event);
    auto const& m = std::get<model::MplsStack>(p.encapsulations.at(0));
    REQUIRE(m.entries.size() == 2);
    CHECK(m.entries[0] == model::MplsEntry{1, 2, false, 3});
    CHECK(m.entries[1] == model::MplsEntry{1048575, 7, true, 255});
}

TEST_CASE("encapsulations stack in the order written", "[packets][encap]") {
    auto const p_event = only("< ipv4 1.1.1.1 > 2.2.2.2: gre: mpls (label 5, tc 0, [S], ttl 1): [ect0] S 0:0(0) win 1");
    auto const& p = packet(p_event);
    REQUIRE(p.encapsulations.size() == 3);
    CHECK(std::holds_alternative<model::OuterIp>(p.encapsulations[0]));
    CHECK(std::holds_alternative<model::GreHeader>(p.encapsulations[1]));
    CHECK(std::holds_alternative<model::MplsStack>(p.encapsulations[2]));
    CHECK(p.ip.tos_check == TosCheck::ecn);
}

TEST_CASE("PSP encapsulation keeps its SPI", "[packets][encap]") {
    auto const p_event = only("> encap psp spi 23 P. 1001:1501(500) ack 1001");
    auto const& p = packet(p_event);
    CHECK(p.psp_spi == 23u);
    CHECK(tcp(only("> encap psp spi 23 P. 1001:1501(500) ack 1001")).length == 500);
}
