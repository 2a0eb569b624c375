// The semantic checks packetdrill makes, each with its own message, line and column. Errors in one
// script are all reported; a script with any error does not load.

#include <catch2/catch.hpp>

#include "tests/script/access.hpp"

namespace {

using namespace pktdrill::test;
using Problems = std::vector<Problem>;

Problems errors(std::string const& text, std::vector<std::string> const& args = {}) {
    return load_errors(text, args);
}

std::string const no_events =
    "script has no events: expected at least one event (a time followed by a packet, a system call, a "
    "`command` or %{ code }%)";

}  // namespace

// ---------------------------------------------------------------------------------------------
// Structure

TEST_CASE("an empty file has no events", "[semantic]") {
    CHECK(errors("") == Problems{{1, 1, no_events}});
}

TEST_CASE("a file of comments, options and an init command has no events", "[semantic]") {
    CHECK(errors("// nothing\n") == Problems{{2, 1, no_events}});
    CHECK(errors("--tolerance_usecs=10\n`init`\n") == Problems{{3, 1, no_events}});
}

TEST_CASE("an option line after the first event", "[semantic]") {
    CHECK(errors("0 close(3) = 0\n--tolerance_usecs=10\n") ==
          Problems{{2, 1, "option lines must come before the first event and the init command"}});
}

TEST_CASE("an option line after the init command", "[semantic]") {
    CHECK(errors("`init`\n--tolerance_usecs=10\n0 close(3) = 0\n") ==
          Problems{{2, 1, "option lines must come before the first event and the init command"}});
}

TEST_CASE("an untimed command between events", "[semantic]") {
    CHECK(errors("0 close(3) = 0\n`b`\n+0 close(3) = 0\n") ==
          Problems{{2, 1, "a command without a time may only be the first statement (the init command) or the last "
                          "(the cleanup command); give it a time such as +0"}});
}

TEST_CASE("an unknown option", "[semantic][options]") {
    CHECK(errors("--frobnicate=1\n0 close(3) = 0\n") == Problems{{1, 1, "option 'frobnicate' unknown"}});
}

TEST_CASE("a bad option value is reported at the value", "[semantic][options]") {
    CHECK(errors("--tolerance_usecs=abc\n0 close(3) = 0\n") ==
          Problems{{1, 19, "tolerance_usecs must be an integer, not 'abc'"}});
    CHECK(errors("--ip_version=ipv5\n0 close(3) = 0\n") ==
          Problems{{1, 14, "ip_version must be ipv4, ipv4-mapped-ipv6 or ipv6, not 'ipv5'"}});
    CHECK(errors("--mtu=10\n0 close(3) = 0\n") == Problems{{1, 7, "mtu must be between 68 and 65535, not '10'"}});
}

TEST_CASE("an option that needs a value, or takes none", "[semantic][options]") {
    CHECK(errors("--tolerance_usecs\n0 close(3) = 0\n") ==
          Problems{{1, 1, "option 'tolerance_usecs' requires a value (--tolerance_usecs=VALUE)"}});
    CHECK(errors("--strict_segments=1\n0 close(3) = 0\n") == Problems{{1, 19, "option 'strict_segments' takes no value"}});
}

// ---------------------------------------------------------------------------------------------
// Times

TEST_CASE("the first event must be at time 0", "[semantic][times]") {
    CHECK(errors("0.1 close(3) = 0\n") == Problems{{1, 1, "first event should be at time 0"}});
    CHECK(errors("+1 close(3) = 0\n") == Problems{{1, 1, "first event should be at time 0"}});
}

TEST_CASE("time going backwards between absolute times", "[semantic][times]") {
    CHECK(errors("0 close(3) = 0\n0.2 close(3) = 0\n0.1 close(3) = 0\n") ==
          Problems{{3, 1, "time goes backward in script from 200000 usec to 100000 usec"}});
}

TEST_CASE("a negative time", "[semantic][times]") {
    CHECK(errors("-1 close(3) = 0\n") == Problems{{1, 1, "negative time"}});
}

TEST_CASE("a time in hex (an integer define can make one)", "[semantic][times]") {
    CHECK(errors("0x10 close(3) = 0\n") == Problems{{1, 1, "a time must be a decimal number of seconds, not '0x10'"}});
    CHECK(errors("T close(3) = 0\n", {"-D", "T=0x1"}).at(0).message ==
          "a time must be a decimal number of seconds, not '0x1'");
}

TEST_CASE("a time too large for microseconds in 64 bits", "[semantic][times]") {
    CHECK(errors("0 close(3) = 0\n99999999999999999 close(3) = 0\n") == Problems{{2, 1, "time out of range"}});
}

TEST_CASE("'*' on anything but an outbound packet", "[semantic][times]") {
    std::string const message = "event time <star> can only be used with outbound packets";
    CHECK(errors("0 close(3) = 0\n* < S 0:0(0) win 10\n") == Problems{{2, 1, message}});
    CHECK(errors("0 close(3) = 0\n* close(3) = 0\n") == Problems{{2, 1, message}});
    CHECK(errors("0 close(3) = 0\n* `true`\n") == Problems{{2, 1, message}});
}

TEST_CASE("a time range on anything but an outbound packet", "[semantic][times]") {
    std::string const message = "event time range can only be used with outbound packets";
    CHECK(errors("0~1 < S 0:0(0) win 10\n") == Problems{{1, 1, message}});
    CHECK(errors("0 close(3) = 0\n+0~+1 close(3) = 0\n") == Problems{{2, 1, message}});
    CHECK(errors("0 close(3) = 0\n+0~+1 %{ x }%\n") == Problems{{2, 1, message}});
}

TEST_CASE("a reversed time range", "[semantic][times]") {
    CHECK(errors("0 > S 0:0(0)\n1~0.5 > S 0:0(0)\n") == Problems{{2, 1, "time range is backwards"}});
    CHECK(errors("0 > S 0:0(0)\n+1~+0.5 > S 0:0(0)\n") == Problems{{2, 1, "time range is backwards"}});
}

TEST_CASE("a time range mixing absolute and relative ends", "[semantic][times]") {
    CHECK(errors("0 > S 0:0(0)\n+1~2 > S 0:0(0)\n") ==
          Problems{{2, 1, "a time range must be absolute at both ends (0.1~0.3) or relative at both (+0.1~+0.3)"}});
}

TEST_CASE("a blocking end time before the start", "[semantic][times]") {
    CHECK(errors("0 close(3) = 0\n+1...0.5 close(3) = 0\n") ==
          Problems{{2, 6, "blocking system call ends (0.500000 sec) before it starts (1.000000 sec)"}});
}

TEST_CASE("a blocking end time on a packet", "[semantic][times]") {
    CHECK(errors("0...1 < S 0:0(0) win 10\n") ==
          Problems{{1, 5, "an end time ('start...end') is only allowed on system calls"}});
}

// ---------------------------------------------------------------------------------------------
// TCP packets

TEST_CASE("end != start+len in a sequence range", "[semantic][tcp]") {
    CHECK(errors("0 < S 0:10(5) win 10\n") == Problems{{1, 7, "inconsistent TCP sequence numbers and payload size"}});
}

TEST_CASE("an inbound packet without win", "[semantic][tcp]") {
    CHECK(errors("0 < . 1:1(0) ack 1\n") == Problems{{1, 5, "window must be specified for inbound packets"}});
}

TEST_CASE("an invalid TCP flag letter", "[semantic][tcp][flags]") {
    CHECK(errors("0 < SX 0:0(0) win 10\n") ==
          Problems{{1, 5, "invalid TCP flag 'X' in 'SX' (flags are F S R P . U E W A, '.' last, or '-' for none)"}});
}

TEST_CASE("'.' before other flags", "[semantic][tcp][flags]") {
    CHECK(errors("0 < S.E 0:0(0) win 10\n") == Problems{{1, 5, "'.' must be the last TCP flag ('S.E')"}});
}

TEST_CASE("a TCP flag given twice", "[semantic][tcp][flags]") {
    CHECK(errors("0 < SS 0:0(0) win 10\n") == Problems{{1, 5, "TCP flag 'S' given twice in 'SS'"}});
}

TEST_CASE("an AccECN ACE digit above 7, or with E, W or A", "[semantic][tcp][flags]") {
    CHECK(errors("0 > S.9 0:0(0)\n") == Problems{{1, 5, "AccECN ACE value 9 out of range 0-7"}});
    CHECK(errors("0 > SE.5 0:0(0)\n") ==
          Problems{{1, 5, "AccECN ACE value cannot be combined with the E, W or A flags"}});
}

TEST_CASE("two digits after '.' are no ACE value", "[semantic][tcp][flags]") {
    CHECK(errors("0 > P.12 1:1(0)\n") == Problems{{1, 5, "'.' must be the last TCP flag ('P.12')"}});
}

TEST_CASE("<...> on an inbound packet", "[semantic][tcp]") {
    CHECK(errors("0 < S 0:0(0) win 10 <...>\n") ==
          Problems{{1, 21, "<...> for TCP options can only be used with outbound packets"}});
}

TEST_CASE("[ect01] on an inbound packet", "[semantic][ip-info]") {
    CHECK(errors("0 < [ect01] S 0:0(0) win 10\n") == Problems{{1, 6, "[ect01] can only be used with outbound packets"}});
}

TEST_CASE("ECN on a UDP packet", "[semantic][ip-info]") {
    CHECK(errors("0 < [ect0] udp (10)\n") == Problems{{1, 5, "ECN can only be used with TCP packets"}});
}

TEST_CASE("IP info giving the TOS byte twice", "[semantic][ip-info]") {
    CHECK(errors("0 > [ect0, ce] S 0:0(0)\n") == Problems{{1, 12, "IP info gives the TOS byte twice"}});
}

TEST_CASE("tos and flowlabel must be hex", "[semantic][ip-info]") {
    CHECK(errors("0 > [tos 16] S 0:0(0)\n") == Problems{{1, 10, "tos value must be written in hex (tos 0x16)"}});
    CHECK(errors("0 > [flowlabel 1] S 0:0(0)\n") ==
          Problems{{1, 16, "flowlabel value must be written in hex (flowlabel 0x1)"}});
}

TEST_CASE("TCP options not padded to 4 bytes", "[semantic][tcp-options]") {
    CHECK(errors("0 < S 0:0(0) win 10 <mss 1000,wscale 7>\n") ==
          Problems{{1, 21, "TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 3 "
                           "excess bytes"}});
    CHECK(errors("0 > S 0:0(0) <nop>\n") ==
          Problems{{1, 14, "TCP options are not padded correctly to ensure TCP header is a multiple of 4 bytes: 1 "
                           "excess bytes"}});
}

TEST_CASE("TCP options longer than 40 bytes", "[semantic][tcp-options]") {
    CHECK(errors("0 > S 0:0(0) <sack 1:2 3:4 5:6 7:8 9:10,nop,nop>\n") ==
          Problems{{1, 14, "TCP option list too long: 44 bytes (at most 40 fit in a TCP header)"}});
}

TEST_CASE("bad TCP fast open cookies", "[semantic][tcp-options]") {
    CHECK(errors("0 > S 0:0(0) <FO abc,nop>\n") == Problems{{1, 18, "TCP fast open cookie has an odd number of digits"}});
    CHECK(errors("0 > S 0:0(0) <FO zz,nop,nop>\n") ==
          Problems{{1, 18, "TCP fast open cookie 'zz' is not a valid hex string"}});
    CHECK(errors("0 > S 0:0(0) <FO " + std::string(78, 'a') + ">\n") ==
          Problems{{1, 18, "TCP fast open cookie of 39 bytes exceeds maximum cookie length of 38 bytes"}});
}

TEST_CASE("bad MD5 digests", "[semantic][tcp-options]") {
    CHECK(errors("0 > S 0:0(0) <md5 000102030405060708090a0b0c0d0e0f10>\n") ==
          Problems{{1, 19, "TCP MD5 digest longer than 16 bytes"}});
    CHECK(errors("0 > S 0:0(0) <md5 xyz>\n") == Problems{{1, 19, "TCP MD5 digest is not a valid hex string"}});
}

TEST_CASE("bad AccECN options", "[semantic][tcp-options]") {
    CHECK(errors("0 > S 0:0(0) <ECN ceb 1 e0b 2,nop>\n") ==
          Problems{{1, 19, "AccECN option must start with e0b (kind 172) or e1b (kind 174)"}});
    CHECK(errors("0 > S 0:0(0) <ECN e0b 1 e0b 2,nop>\n") == Problems{{1, 25, "AccECN option gives field e0b twice"}});
    CHECK(errors("0 > S 0:0(0) <ECN e0b 16777216,nop,nop,nop>\n") ==
          Problems{{1, 23, "AccECN field value out of range for 24 bits"}});
}

// ---------------------------------------------------------------------------------------------
// Values out of range

TEST_CASE("ports out of range", "[semantic][range]") {
    CHECK(errors("0 < 70000>1 S 0:0(0) win 10\n") == Problems{{1, 5, "src port out of range"}});
    CHECK(errors("0 < 1>65536 S 0:0(0) win 10\n") == Problems{{1, 7, "dst port out of range"}});
    CHECK(errors("0 < udp 1>-1 (1)\n") == Problems{{1, 11, "dst port out of range"}});
}

TEST_CASE("TCP header fields out of range", "[semantic][range]") {
    CHECK(errors("0 < S 0:0(0) win 65536\n") == Problems{{1, 18, "TCP window value out of range"}});
    CHECK(errors("0 < S 0:0(0) win -1\n") == Problems{{1, 18, "TCP window value out of range"}});
    CHECK(errors("0 < S 0:0(0) ack 4294967296 win 1\n") == Problems{{1, 18, "TCP ack sequence number out of range"}});
    CHECK(errors("0 > S 0:0(0) urg 65536\n") == Problems{{1, 18, "urg_ptr value out of range"}});
    CHECK(errors("0 > S 4294967296:4294967296(0)\n") ==
          Problems{{1, 7, "TCP start sequence number out of range"}, {1, 18, "TCP end sequence number out of range"}});
    CHECK(errors("0 > S 0:65536(65536)\n") == Problems{{1, 15, "TCP payload size out of range"}});
}

TEST_CASE("TCP option values out of range", "[semantic][range]") {
    CHECK(errors("0 < S 0:0(0) win 10 <mss 65536>\n") == Problems{{1, 26, "mss value out of range"}});
    CHECK(errors("0 < S 0:0(0) win 10 <wscale 256,nop>\n") ==
          Problems{{1, 29, "window scale shift count out of range"}});
    CHECK(errors("0 > . 1:1(0) <nop,nop,TS val 4294967296 ecr 0>\n") == Problems{{1, 30, "ts val out of range"}});
    CHECK(errors("0 > . 1:1(0) <nop,nop,TS val 0 ecr -1>\n") == Problems{{1, 36, "ecr val out of range"}});
    CHECK(errors("0 > . 1:1(0) <nop,nop,sack 4294967296:1>\n") ==
          Problems{{1, 28, "TCP SACK left sequence number out of range"}});
}

TEST_CASE("IP info values out of range", "[semantic][range]") {
    CHECK(errors("0 > [tos 0x100] S 0:0(0)\n") == Problems{{1, 10, "tos out of range for 8 bits"}});
    CHECK(errors("0 > [flowlabel 0x100000] S 0:0(0)\n") == Problems{{1, 16, "flowlabel out of range for 20 bits"}});
    CHECK(errors("0 > [ttl 256] S 0:0(0)\n") == Problems{{1, 10, "ttl out of range for 8 bits"}});
}

TEST_CASE("UDP, ICMP, PSP, MPLS and GRE values out of range", "[semantic][range]") {
    CHECK(errors("0 < udp (65536)\n") == Problems{{1, 10, "UDP payload size out of range"}});
    CHECK(errors("0 < icmp echo_request id 65536\n") ==
          Problems{{1, 26, "invalid echo_id, must be between 0 and 65535"}});
    CHECK(errors("0 < icmp unreachable frag_needed mtu 65536\n", {"--ip_version=ipv4"}) ==
          Problems{{1, 38, "ICMPv4 MTU out of 16-bit range"}});
    CHECK(errors("0 > encap psp spi 4294967296 S 0:0(0)\n") == Problems{{1, 19, "PSP spi out of range for 32 bits"}});
    CHECK(errors("0 < mpls (label 1048576, tc 8, ttl 256): S 0:0(0) win 1\n") ==
          Problems{{1, 17, "MPLS label out of range for 20 bits"},
                   {1, 29, "MPLS traffic class out of range for 3 bits"},
                   {1, 36, "MPLS ttl out of range for 8 bits"}});
    CHECK(errors("0 < gre flags 0x10000 sum 0 off 0 key 0 seq 0: udp (1)\n") ==
          Problems{{1, 15, "GRE flags out of range for 16 bits"}});
}

TEST_CASE("a 20,000-digit number", "[semantic][range]") {
    CHECK(errors("0 f(" + std::string(20000, '7') + ") = 0\n") == Problems{{1, 5, "integer out of range for 64 bits"}});
}

// ---------------------------------------------------------------------------------------------
// ICMP

TEST_CASE("an unknown ICMP type or code, for the family in use", "[semantic][icmp]") {
    CHECK(errors("0 < icmp frobnicate\n", {"--ip_version=ipv4"}) ==
          Problems{{1, 10, "bad ICMP type frobnicate (for ICMPv4)"}});
    CHECK(errors("0 < icmp unreachable frag_needed\n", {"--ip_version=ipv6"}) ==
          Problems{{1, 22, "bad ICMP code frag_needed for ICMP type unreachable"}});
    CHECK(errors("0 < icmp packet_too_big\n", {"--ip_version=ipv4"}) ==
          Problems{{1, 10, "bad ICMP type packet_too_big (for ICMPv4)"}});
}

TEST_CASE("an ICMP MTU on a message that has none", "[semantic][icmp]") {
    CHECK(errors("0 < icmp unreachable host_unreachable mtu 100\n", {"--ip_version=ipv4"}) ==
          Problems{{1, 43, "ICMPv4 MTU is only valid for unreachable frag_needed"}});
    CHECK(errors("0 < icmp unreachable port_unreachable mtu 100\n", {"--ip_version=ipv6"}) ==
          Problems{{1, 43, "ICMPv6 MTU is only valid for packet_too_big"}});
}

// ---------------------------------------------------------------------------------------------
// Expressions

TEST_CASE("inet_addr and inet6_addr need an address string", "[semantic][expressions]") {
    CHECK(errors("0 f(inet_addr(\"1.2.3\")) = 0\n") == Problems{{1, 5, "cannot parse IPv4 address '1.2.3'"}});
    CHECK(errors("0 f(inet_addr(1)) = 0\n") ==
          Problems{{1, 5, "inet_addr() takes one string, as in inet_addr(\"...\")"}});
    CHECK(errors("0 f(inet6_addr(\"::g\")) = 0\n") == Problems{{1, 5, "cannot parse in6_addr '::g'"}});
}

TEST_CASE("a function that is not inet_addr or inet6_addr", "[semantic][expressions]") {
    CHECK(errors("0 f(foo(1)) = 0\n") ==
          Problems{{1, 5, "unknown function 'foo' (expressions may use inet_addr(\"...\") and inet6_addr(\"...\"))"}});
}

TEST_CASE("structs missing a field, repeating one, or with a stray one", "[semantic][expressions]") {
    CHECK(errors("0 sendmsg(3, {msg_name(...)=..., msg_flags=0}, 0) = 0\n") ==
          Problems{{1, 14, "msghdr lacks its field msg_iov"}});
    CHECK(errors("0 poll([{fd=4, events=POLLIN, fd=5}], 1, 0) = 0\n") ==
          Problems{{1, 31, "field fd given twice in pollfd"}});
    CHECK(errors("0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0, x=1}, 8) = 0\n") ==
          Problems{{1, 60, "unexpected item in linger (its fields are onoff, linger)"}});
}

TEST_CASE("a sockaddr with a bad family, port or address", "[semantic][expressions]") {
    CHECK(errors("0 f({sa_family=AF_UNIX, sin_port=htons(1), sin_addr=inet_addr(\"1.2.3.4\")}) = 0\n") ==
          Problems{{1, 16, "sa_family must be AF_INET or AF_INET6"}});
    CHECK(errors("0 f({sa_family=AF_INET, sin_port=1, sin_addr=inet_addr(\"1.2.3.4\")}) = 0\n") ==
          Problems{{1, 34, "sin_port must be htons(N)"}});
    CHECK(errors("0 f({sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr(\"::1\")}) = 0\n") ==
          Problems{{1, 53, "invalid IPv4 address"}});
}

// ---------------------------------------------------------------------------------------------
// Several errors

TEST_CASE("independent semantic errors are all reported, in order", "[semantic]") {
    CHECK(errors("0.1 close(3) = 0\n"
                 "+0 < S 0:10(5) win 10\n"
                 "+0 < . 1:1(0) ack 1\n"
                 "* close(3) = 0\n"
                 "+0 > [tos 0x100] S 0:0(0) <mss 1>\n") ==
          Problems{{1, 1, "first event should be at time 0"},
                   {2, 8, "inconsistent TCP sequence numbers and payload size"},
                   {3, 6, "window must be specified for inbound packets"},
                   {4, 1, "event time <star> can only be used with outbound packets"},
                   {5, 11, "tos out of range for 8 bits"}});
}

TEST_CASE("syntax and semantic errors are reported together", "[semantic]") {
    CHECK(errors("0 close(3 = 0\n+0 < S 0:10(5) win 10\n") ==
          Problems{{1, 14, "expected ')'"}, {2, 8, "inconsistent TCP sequence numbers and payload size"}});
}
