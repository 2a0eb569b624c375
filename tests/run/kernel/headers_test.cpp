// Header features of the language against the real kernel, over IPv4, IPv6 and IPv4-mapped IPv6
// where they apply: SACK blocks both ways, TCP Fast Open (FO and FOEXP, server and client),
// AccECN (or what this kernel does instead), IP TOS, TTL/hop limit and flow label, urgent data,
// explicit ports, GRE and MPLS encapsulation. Each works when right and fails with the expected
// message when wrong, so a broken feature fails its test.

#include <catch2/catch.hpp>

#include "family_run.hpp"

using namespace pktdrill::test;
using namespace std::chrono_literals;

namespace {

// Whether an init command succeeds in a run's namespace: how the tests learn what this kernel has.
bool kernel_accepts(std::string const& command) {
    return run(ipv4, {}, "`" + command + "`\n0 `true`\n").status == 0;
}

// Timestamps off keeps the option lists short; the receive buffer fixes the window scale at 8.
std::string const defaults = R"(sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_rmem="4096 540000 15728640")";

std::string const listen = R"(0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
)";

std::string const handshake = R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
)";

std::string const established = "`" + defaults + "`\n" + listen + handshake;

// ---------------------------------------------------------------------------------------------
// SACK

std::string const sack_outbound = established + R"(+0 < P. 1001:2001(1000) ack 1 win 257
+0 > . 1:1(0) ack 1 <nop,nop,sack 1001:2001>
+0 < P. 3001:4001(1000) ack 1 win 257
+0 > . 1:1(0) ack 1 <nop,nop,sack 3001:4001 1001:2001>
+0 < P. 1:1001(1000) ack 1 win 257
+0 > . 1:1(0) ack 2001 <nop,nop,sack 3001:4001>
+0 < P. 2001:3001(1000) ack 1 win 257
+0 > . 1:1(0) ack 4001
+0 read(4, ..., 10000) = 4000
)";

// The SACK block is in the kernel's sequence space once remapped: the kernel takes 2001:10001 as
// delivered and retransmits the hole at once (eight segments SACKed above it).
std::string const sack_inbound = established + R"(+0 write(4, ..., 10000) = 10000
+0 > P. 1:10001(10000) ack 1
+.1 < . 1:1(0) ack 1001 win 257 <nop,nop,sack 2001:10001>
+0 > . 1001:2001(1000) ack 1
+.1 < . 1:1(0) ack 10001 win 257
)";

// ---------------------------------------------------------------------------------------------
// TCP Fast Open. With this key, the cookie for the fixed addresses is known: the kernel's
// siphash of the peer's and its own address.

std::string const fastopen_server = "`sysctl -q net.ipv4.tcp_timestamps=0 net.ipv4.tcp_fastopen=0x3 "
                                    "net.ipv4.tcp_fastopen_key=a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4`\n" +
                                    listen + "+0 setsockopt(3, SOL_TCP, TCP_FASTOPEN, [1], 4) = 0\n";

std::vector<std::string> cookie(Family const& f) {
    return {"-D", &f == &ipv6 ? "TFO_COOKIE=c1d1e9742a47a9bc" : "TFO_COOKIE=3021b9d889017eeb"};
}

std::string const fastopen_cookie_request = fastopen_server + R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,FO,nop,nop>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,FO TFO_COOKIE,nop,nop>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
)";

// The experimental option (kind 254, magic 0xF989) is answered in kind.
std::string const fastopen_cookie_request_exp = fastopen_server + R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,FOEXP>
+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,FOEXP TFO_COOKIE>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
)";

// With a valid cookie the SYN's data is acked and readable before the handshake completes.
std::string fastopen_data(std::string const& option) {
    return fastopen_server + "+0 < S 0:1000(1000) win 32792 <mss 1000,sackOK,nop,nop," + option + R"(>
+0 > S. 0:0(0) ack 1001 <mss 1460,nop,nop,sackOK>
+0 accept(3, ..., ...) = 4
+0 read(4, ..., 2000) = 1000
+.1 < . 1001:1001(0) ack 1 win 257
)";
}

// The client side: no cookie yet, so a cookie request; the SYN-ACK's cookie (a -D define) comes
// back with the data of the next connection's SYN.
std::string const fastopen_client = "`" + defaults + R"(`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 sendto(3, ..., 300, MSG_FASTOPEN, ..., ...) = -1 EINPROGRESS (Operation now in progress)
+0 > S 0:0(0) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO,nop,nop>
+.02 < S. 7000:7000(0) ack 1 win 20000 <mss 1460,nop,nop,sackOK,nop,wscale 7,FO COOKIE,nop,nop>
+0 > . 1:1(0) ack 1
+.02 < R. 1:1(0) ack 1 win 157
+0 close(3) = 0
+.02 socket(..., SOCK_STREAM, IPPROTO_TCP) = 4
+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 sendto(4, ..., 300, MSG_FASTOPEN, ..., ...) = 300
+0 > S 0:300(300) <mss 1460,nop,nop,sackOK,nop,wscale 8,FO COOKIE,nop,nop>
+.02 < S. 9000:9000(0) ack 301 win 20000 <mss 1460,nop,nop,sackOK,nop,wscale 7>
+0 > . 301:301(0) ack 1
)";

// ---------------------------------------------------------------------------------------------
// AccECN

// A kernel that negotiates AccECN answers a SYN with AE, CWR and ECE set (and a not-ECT IP
// header) with ACE 2 (CWR alone) in its SYN-ACK.
std::string const accecn = "`sysctl -q net.ipv4.tcp_ecn=3; " + defaults + "`\n" + listen +
                           R"(+0 < SEWA 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S.2 0:0(0) ack 1 <...>
)";

// A kernel without AccECN falls back to classic ECN, which the ACE digit also expresses: the
// SYN-ACK's ACE is 1 (ECE alone), a CE mark is echoed as ECE (ACE 1) until CWR (ACE 2) arrives.
std::string const accecn_fallback = "`sysctl -q net.ipv4.tcp_ecn=2; " + defaults + "`\n" + listen +
                                    R"(+0 < SEWA 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > S.1 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < .0 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > [ect0] P.0 1:1001(1000) ack 1
+.1 < [ce] P.0 1:1001(1000) ack 1001 win 257
+0 > .1 1001:1001(0) ack 1001
+.1 < [ect0] .2 1001:1001(0) ack 1001 win 257
+0 write(4, ..., 1000) = 1000
+0 > [ect0] P.0 1001:2001(1000) ack 1001
)";

// ---------------------------------------------------------------------------------------------
// IP header fields

// The socket options that set TOS and TTL, and the minimum TTL, for each family. A mapped
// connection is IPv4 on the wire: the SOL_IP options apply.
std::vector<std::string> ip_options(Family const& f) {
    if (&f == &ipv6)
        return {"-D", "TOS_LEVEL=SOL_IPV6", "-D", "TOS=IPV6_TCLASS", "-D", "TTL=IPV6_UNICAST_HOPS",
                "-D", "MINTTL=IPV6_MINHOPCOUNT"};
    return {"-D", "TOS_LEVEL=SOL_IP", "-D", "TOS=IP_TOS", "-D", "TTL=IP_TTL", "-D", "MINTTL=IP_MINTTL"};
}

// With tcp_reflect_tos the kernel answers with the TOS of the SYN (0x28 is DSCP AF11), and the
// connection keeps it; IP_TOS (IPV6_TCLASS) then changes it (0xb8 is DSCP EF).
std::string const tos = "`sysctl -q net.ipv4.tcp_reflect_tos=1; " + defaults + "`\n" + listen +
                        R"(+0 < [tos 0x28] S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > [tos 0x28] S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > [tos 0x28] P. 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 257
+0 setsockopt(4, TOS_LEVEL, TOS, [0xb8], 4) = 0
+0 write(4, ..., 1000) = 1000
+0 > [tos 0xb8] P. 1001:2001(1000) ack 1
)";

// The listener's minimum TTL (hop count) drops a SYN whose TTL is below it: only the second SYN,
// 100 ms later, is answered. Outbound, the default TTL is 64 until IP_TTL changes it.
std::string const ttl = "`" + defaults + R"(`
0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 setsockopt(3, TOS_LEVEL, MINTTL, [200], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < [ttl 199] S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+.1 < [ttl 200] S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > [ttl 64] S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 setsockopt(4, TOS_LEVEL, TTL, [33], 4) = 0
+0 write(4, ..., 1000) = 1000
+0 > [ttl 33] P. 1:1001(1000) ack 1
)";

// An inbound datagram's TTL as the socket sees it (IP_RECVTTL); without `ttl` it is 255.
std::string const udp_ttl = R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 setsockopt(3, SOL_IP, IP_RECVTTL, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > [ttl 64] udp (10)
+.01 < [ttl 7] udp (20)
+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=7}]}, 0) = 20
+.01 < udp (30)
+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_TTL, cmsg_data=255}]}, 0) = 30
)";

// Hop limit, traffic class and flow label of an inbound IPv6 datagram, as the socket sees them.
// IPV6_FLOWINFO comes from linux/in6.h, not glibc's headers. Its cmsg holds the flow info word
// (traffic class << 20 | flow label) in network order: 0x02812345 here, which a little-endian int
// reads as 0x45238102.
std::string const udp_ipv6_fields = R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 setsockopt(3, SOL_IPV6, IPV6_RECVHOPLIMIT, [1], 4) = 0
+0 setsockopt(3, SOL_IPV6, IPV6_RECVTCLASS, [1], 4) = 0
+0 setsockopt(3, SOL_IPV6, IPV6_FLOWINFO, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > [ttl 64] udp (10)
+.01 < [tos 0x28, flowlabel 0x12345, ttl 7] udp (20)
+0 recvmsg(3, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0, msg_control=[
     {cmsg_level=SOL_IPV6, cmsg_type=IPV6_HOPLIMIT, cmsg_data=7},
     {cmsg_level=SOL_IPV6, cmsg_type=IPV6_TCLASS, cmsg_data=0x28},
     {cmsg_level=SOL_IPV6, cmsg_type=IPV6_FLOWINFO, cmsg_data=0x45238102}]}, 0) = 20
)";

// Flow labels are checked relationally: the first one seen stands for the script's; the same
// script label means the same live label, another one a different live label. The tail loss
// probe keeps the flow's hash; the retransmission timeout picks a new one, hence a new label.
std::string const flowlabel = "`" + defaults + "`\n" + listen +
                              R"(+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > [flowlabel 0x1] S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
+.1 < . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 1000) = 1000
+0 > [flowlabel 0x1] P. 1:1001(1000) ack 1
+.2~+.5 > [flowlabel 0x1] P. 1:1001(1000) ack 1
+.2~+1 > [flowlabel 0x2] P. 1:1001(1000) ack 1
+.1 < . 1:1(0) ack 1001 win 257
+0 write(4, ..., 1000) = 1000
+0 > [flowlabel 0x2] P. 1001:2001(1000) ack 1
)";

// ---------------------------------------------------------------------------------------------
// Urgent data: the urgent pointer points just past the urgent byte, the last one sent.

std::string const urgent = established + R"(+0 send(4, ..., 10, MSG_OOB) = 10
+0 > UP. 1:11(10) ack 1 urg 10
+.1 < . 1:1(0) ack 11 win 257
+0 < UP. 1:11(10) ack 11 win 257 urg 10
+0 > . 11:11(0) ack 11
+0 ioctl(4, SIOCATMARK, [0]) = 0
+0 read(4, ..., 100) = 9
+0 ioctl(4, SIOCATMARK, [1]) = 0
+0 recv(4, ..., 100, MSG_OOB) = 1
)";

// ---------------------------------------------------------------------------------------------
// Explicit ports stay as written on injected packets.

// A reset from another port of the peer belongs to no connection of the kernel's: ours lives on.
std::string const ports_tcp = established + R"(+0 < 9999>8080 R. 1:1(0) ack 1 win 257
+0 write(4, ..., 100) = 100
+0 > P. 1:101(100) ack 1
+.1 < . 1:1(0) ack 101 win 257
)";

// A connected UDP socket takes datagrams from its peer's port only.
std::string const ports_udp = R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > udp (10)
+.01 < udp 9999>8080 (50)
+0 read(3, ..., 100) = -1 EAGAIN (Resource temporarily unavailable)
+.01 < udp (20)
+0 read(3, ..., 100) = 20
)";

// ---------------------------------------------------------------------------------------------
// GRE and MPLS

// The kernel's own GRE tunnel: it encapsulates what goes to the peer (routed through gre1) and
// decapsulates what comes from the tunnel's far end, 192.0.2.2 (routed through tun0).
std::string const gre_tunnel_setup =
    "ip link add gre1 type gre local 192.168.0.1 remote 192.0.2.2 key 0x1234 && ip link set gre1 up && "
    "ip route add 192.0.2.2/32 dev tun0 && ip route replace 192.0.2.1/32 dev gre1";

std::string const gre_tunnel = "`" + defaults + "; " + gre_tunnel_setup + "`\n" + listen +
                               R"(+0 < ipv4 192.0.2.2 > 192.168.0.1: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > ipv4 192.168.0.1 > 192.0.2.2: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: S. 0:0(0) ack 1 <...>
+.1 < ipv4 192.0.2.2 > 192.168.0.1: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: . 1:1(0) ack 1 win 257
+0 accept(3, ..., ...) = 4
+0 write(4, ..., 100) = 100
+0 > ipv4 192.168.0.1 > 192.0.2.2: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: P. 1:101(100) ack 1
)";

// The same through MPLS over GRE: the kernel pushes label 100 towards the peer and pops label
// 200 (delivering through lo) coming from it.
std::string const mpls_tunnel_setup =
    "sysctl -q net.mpls.platform_labels=1000 && ip link add gre1 type gre local 192.168.0.1 remote 192.0.2.2 && "
    "ip link set gre1 up && sysctl -q net.mpls.conf.gre1.input=1 && ip route add 192.0.2.2/32 dev tun0 && "
    "ip route replace 192.0.2.1/32 encap mpls 100 dev gre1 && ip -f mpls route add 200 dev lo";

std::string const mpls_tunnel = "`" + defaults + "; " + mpls_tunnel_setup + "`\n" + listen +
                                R"(+0 < ipv4 192.0.2.2 > 192.168.0.1: gre: mpls (label 200, tc 0, [S], ttl 64): S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+0 > ipv4 192.168.0.1 > 192.0.2.2: gre: mpls (label 100, tc 0, [S], ttl 64): S. 0:0(0) ack 1 <...>
)";

// Without the kernel's GRE, an inbound GRE packet still reaches IP, which finds no handler for
// protocol 47 and counts it: the outer header was built as written and addressed to us.
std::string gre_inbound(Family const& f) {
    bool const v6 = &f == &ipv6;
    std::string const outer = v6 ? "ipv6 fd3d:fa7b:d17d::1 > fd3d:a0b:17d6::1" : "ipv4 192.0.2.1 > 192.168.0.1";
    std::string const counted = v6 ? "awk '$1 == \"Ip6InUnknownProtos\" { n = $2 } END { exit !(n == 2) }' /proc/net/snmp6"
                                   : "awk '/^Ip: [0-9]/ { n = $8 } END { exit !(n == 2) }' /proc/net/snmp";
    return listen + "+0 < " + outer + R"(: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
+.01 < )" + outer + R"(: gre: mpls (label 200, tc 0, [S], ttl 64): . 1:1(0) ack 1 win 257
+.01 `)" + counted + "`\n";
}

// What a GRE (or GRE and MPLS) tunnel would send for a datagram local:8080 > remote:8080 of 10
// zero bytes, sent through a raw socket (this kernel may have no GRE or MPLS of its own).
std::string const send_encapsulated = R"py(import socket, struct, sys

family, mode, local, remote = sys.argv[1:5]

def checksum(data):
    total = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff

def ipv4(src, dst, proto, payload):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack('!H', checksum(h)) + h[12:] + payload

def ipv6(src, dst, proto, payload):
    return struct.pack('!IHBB16s16s', 6 << 28, len(payload), proto, 64,
                       socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)) + payload

ip = ipv6 if family == 'ipv6' else ipv4
inner = ip(local, remote, 17, struct.pack('!HHHH', 8080, 8080, 18, 0) + bytes(10))
if mode == 'gre':
    # key present, key 0x1234
    encap = struct.pack('!HHI', 0x2000, 0x86DD if family == 'ipv6' else 0x0800, 0x1234) + inner
else:
    # label 100, tc 0, bottom of stack, ttl 64
    encap = struct.pack('!HHI', 0, 0x8847, (100 << 12) | (1 << 8) | 64) + inner
s = socket.socket(socket.AF_INET6 if family == 'ipv6' else socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip(local, remote, 47, encap), (remote, 0))
)py";

std::string gre_outbound(Family const& f, std::string const& helper) {
    bool const v6 = &f == &ipv6;
    std::string const addresses = v6 ? "fd3d:a0b:17d6::1 fd3d:fa7b:d17d::1" : "192.168.0.1 192.0.2.1";
    std::string const outer = v6 ? "ipv6 fd3d:a0b:17d6::1 > fd3d:fa7b:d17d::1" : "ipv4 192.168.0.1 > 192.0.2.1";
    std::string const send = "/usr/bin/python3 " + helper + " " + (v6 ? "ipv6" : "ipv4");
    return R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > udp (10)
+0 `)" + send + " gre " + addresses + R"(`
* > )" + outer + R"(: gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0: udp (10)
+0 `)" + send + " mpls " + addresses + R"(`
* > )" + outer + R"(: gre: mpls (label 100, tc 0, [S], ttl 64): udp (10)
)";
}

// ---------------------------------------------------------------------------------------------
// ICMP errors the kernel sends: a datagram from a port no socket takes.

std::string const icmp_port_unreachable = R"(0 socket(..., SOCK_DGRAM, IPPROTO_UDP) = 3
+0 bind(3, ..., ...) = 0
+0 connect(3, ..., ...) = 0
+0 write(3, ..., 10) = 10
+0 > udp (10)
+.01 < udp 9999>8080 (50)
+0 > icmp unreachable port_unreachable [udp(50)]
)";

}  // namespace

TEST_CASE("SACK: the kernel's SACK blocks for out-of-order data are checked", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {}, sack_outbound);
    fails_with(ipv4, {}, replaced(sack_outbound, "sack 3001:4001 1001:2001>", "sack 3001:4001 1001:2002>"),
               "f.pkt:13:1: error: bad value in outbound TCP option (kind=5): expected: sack 3001:4001 1001:2002 "
               "actual: sack 3001:4001 1001:2001");
}

TEST_CASE("SACK: inbound SACK blocks are remapped, and the kernel retransmits the hole at once", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {}, sack_inbound);
    fails_with(ipv4, {}, replaced(sack_inbound, "> . 1001:2001(1000) ack 1", "> . 2001:3001(1000) ack 1"),
               "f.pkt:13:1: error: live packet field tcp_seq: expected: 2001 (0x7d1) vs actual: 1001 (0x3e9)");
}

TEST_CASE("TCP Fast Open server: a cookie request gets the cookie, as FO or as FOEXP", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) {
        passes(*f, cookie(*f), fastopen_cookie_request);
        passes(*f, cookie(*f), fastopen_cookie_request_exp);
    }
    // The IPv6 addresses' cookie is not the IPv4 one.
    fails_with(ipv6, cookie(ipv4), fastopen_cookie_request,
               "f.pkt:8:1: error: bad value in outbound TCP option (kind=34): expected: FO 3021b9d889017eeb "
               "actual: FO c1d1e9742a47a9bc");
}

TEST_CASE("TCP Fast Open server: a SYN's data is accepted with a valid FO or FOEXP cookie only", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) {
        passes(*f, cookie(*f), fastopen_data("FO TFO_COOKIE,nop,nop"));
        passes(*f, cookie(*f), fastopen_data("FOEXP TFO_COOKIE"));
    }
    // An invalid cookie: the kernel acks the SYN alone and sends the valid cookie (the options are
    // left unchecked so that the acknowledgment is what differs).
    fails_with(ipv4, cookie(ipv4),
               replaced(fastopen_data("FO 0011223344556677,nop,nop"), "ack 1001 <mss 1460,nop,nop,sackOK>", "ack 1001 <...>"),
               "f.pkt:8:1: error: live packet field tcp_ack_seq: expected: 1001 (0x3e9) vs actual: 1 (0x1)");
}

TEST_CASE("TCP Fast Open client: the cookie of a SYN-ACK (-D) comes back with the next SYN's data", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {"-D", "COOKIE=abcd1234"}, fastopen_client);
    fails_with(ipv4, {"-D", "COOKIE=abcd1234"},
               replaced(fastopen_client, "wscale 8,FO COOKIE,nop,nop>", "wscale 8,FO abcd5678,nop,nop>"),
               "f.pkt:13:1: error: bad value in outbound TCP option (kind=34): expected: FO abcd5678 actual: FO abcd1234");
}

TEST_CASE("AccECN: the ACE field is checked as a digit; the kernel's answer to an AccECN SYN", "[features]") {
    if (kernel_accepts("sysctl -q net.ipv4.tcp_ecn=3")) {
        for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {}, accecn);
        fails_with(ipv4, {}, replaced(accecn, "> S.2", "> S.1"),
                   "live packet field tcp_ace: expected: 1 (0x1) vs actual: 2 (0x2)");
    } else {
        WARN("this kernel refuses net.ipv4.tcp_ecn=3: it does not negotiate AccECN, so the AccECN options "
             "are not exercised; checking its classic-ECN answer to an AccECN SYN with ACE digits instead");
        for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {}, accecn_fallback);
        fails_with(ipv4, {}, replaced(accecn_fallback, "> S.1", "> S.2"),
                   "f.pkt:7:1: error: live packet field tcp_ace: expected: 2 (0x2) vs actual: 1 (0x1)");
        fails_with(ipv4, {}, replaced(accecn_fallback, "> .1 1001", "> .0 1001"),
                   "f.pkt:13:1: error: live packet field tcp_ace: expected: 0 (0x0) vs actual: 1 (0x1)");
    }
}

TEST_CASE("IP TOS / DSCP: set on inbound packets (reflected by the kernel), checked on outbound", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, ip_options(*f), tos);
    fails_with(ipv4, ip_options(ipv4), replaced(tos, "> [tos 0x28] S.", "> [tos 0x20] S."),
               "f.pkt:7:1: error: live packet field tos: expected: 32 (0x20) vs actual: 40 (0x28)");
    fails_with(ipv6, ip_options(ipv6), replaced(tos, "> [tos 0xb8]", "> [tos 0xb9]"),
               "f.pkt:15:1: error: live packet field tos: expected: 185 (0xb9) vs actual: 184 (0xb8)");
}

TEST_CASE("TTL / hop limit: set on inbound packets (IP_MINTTL drops a low one), checked on outbound", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, ip_options(*f), ttl);
    // At or above the minimum, the first SYN is answered at once, not 100 ms later.
    fails_with(ipv4, ip_options(ipv4), replaced(ttl, "[ttl 199]", "[ttl 201]"),
               "f.pkt:9:1: error: timing error: expected outbound packet at 0.1");
    fails_with(ipv6, ip_options(ipv6), replaced(ttl, "[ttl 199]", "[ttl 201]"),
               "f.pkt:9:1: error: timing error: expected outbound packet at 0.1");
    fails_with(mapped, ip_options(mapped), replaced(ttl, "> [ttl 64]", "> [ttl 63]"),
               "f.pkt:9:1: error: live packet field ttl: expected: 63 (0x3f) vs actual: 64 (0x40)");
    fails_with(ipv6, ip_options(ipv6), replaced(ttl, "> [ttl 33]", "> [ttl 34]"),
               "f.pkt:14:1: error: live packet field ttl: expected: 34 (0x22) vs actual: 33 (0x21)");
}

TEST_CASE("TTL, traffic class and flow label of inbound datagrams are what the socket receives", "[features]") {
    passes(ipv4, {}, udp_ttl);
    passes(mapped, {}, udp_ttl);
    passes(ipv6, {}, udp_ipv6_fields);
    fails_with(ipv4, {}, replaced(udp_ttl, "[ttl 7]", "[ttl 8]"),
               "f.pkt:8:1: error: runtime error in recvmsg call: Bad data in cmsg 0: expected=0x07000000 "
               "actual=0x08000000");
    fails_with(ipv6, {}, replaced(udp_ipv6_fields, "flowlabel 0x12345", "flowlabel 0x12346"),
               "error: runtime error in recvmsg call: Bad data in cmsg 2: expected=0x02812345 actual=0x02812346");
}

TEST_CASE("IPv6 flow label: the same within a flow, a new one after a retransmission timeout", "[features]") {
    passes(ipv6, {}, flowlabel);
    fails_with(ipv6, {}, replaced(flowlabel, "+.2~+1 > [flowlabel 0x2]", "+.2~+1 > [flowlabel 0x1]"),
               "f.pkt:13:1: error: inconsistent flowlabels for this packet: expected: 0x");
    fails_with(ipv6, {}, replaced(flowlabel, "+.2~+.5 > [flowlabel 0x1]", "+.2~+.5 > [flowlabel 0x3]"),
               "f.pkt:12:1: error: expected a different flowlabel but got the same");
}

TEST_CASE("urgent data: the urgent pointer is checked on outbound and set on inbound segments", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) passes(*f, {}, urgent);
    fails_with(ipv4, {}, replaced(urgent, "ack 1 urg 10", "ack 1 urg 9"),
               "f.pkt:11:1: error: live packet field tcp_urg_ptr: expected: 9 (0x9) vs actual: 10 (0xa)");
    // The urgent byte is then the fifth: a read stops before it.
    fails_with(ipv6, {}, replaced(urgent, "win 257 urg 10", "win 257 urg 5"),
               "f.pkt:16:1: error: runtime error in read call: Expected result 9 but got 4");
}

TEST_CASE("explicit ports: an injected packet keeps the ports the script gives", "[features]") {
    for (auto const* f : {&ipv4, &ipv6, &mapped}) {
        passes(*f, {}, ports_tcp);
        passes(*f, {}, ports_udp);
    }
    // From the connection's own port the reset is the connection's.
    fails_with(ipv4, {}, replaced(ports_tcp, "< 9999>8080 R.", "< R."),
               "f.pkt:11:1: error: runtime error in write call: Expected result 100 but got -1 with errno 104");
    fails_with(ipv6, {}, replaced(ports_udp, "< udp 9999>8080 (50)", "< udp (50)"),
               "f.pkt:8:1: error: runtime error in read call: Expected result -1 but got 50");
}

TEST_CASE("GRE and MPLS encapsulation: outer headers built as written, encapsulated packets checked", "[features]") {
    if (kernel_accepts("ip link add gre1 type gre local 192.168.0.1 remote 192.0.2.2")) {
        passes(ipv4, {}, gre_tunnel);
        fails_with(ipv4, {}, replaced(gre_tunnel, "key 0x1234 seq 0: P.", "key 0x1235 seq 0: P."),
                   "f.pkt:11:1: error: mismatch in GRE key");
    } else {
        WARN("this kernel has no GRE tunnels (ip link add ... type gre fails): its own encapsulation and "
             "decapsulation are not tested; checking injected GRE packets reach IP, and GRE packets sent "
             "through a raw socket");
        for (auto const* f : {&ipv4, &ipv6}) passes(*f, {}, gre_inbound(*f));
        // Addressed to a host that is not us, it would be counted as an address error instead.
        fails_with(ipv4, {},
                   replaced(gre_inbound(ipv4), "192.0.2.1 > 192.168.0.1: gre flags", "192.0.2.1 > 192.168.0.2: gre flags"),
                   "f.pkt:7:1: error: error executing `awk");
    }
    if (kernel_accepts("sysctl -q net.mpls.platform_labels=1000 && ip link add gre1 type gre local 192.168.0.1 "
                       "remote 192.0.2.2")) {
        passes(ipv4, {}, mpls_tunnel);
    } else {
        WARN("this kernel has no MPLS routing (net.mpls) or no GRE: MPLS is checked on packets sent through a "
             "raw socket only");
    }

    // Whatever the kernel has: GRE and MPLS headers it sends through a raw socket are checked.
    TempDir dir;
    std::string const helper = dir.write("send_encapsulated.py", send_encapsulated).string();
    for (auto const* f : {&ipv4, &ipv6}) {
        auto const o = run_in(dir, *f, {}, gre_outbound(*f, helper));
        INFO(f->name << ":\n" << o.output);
        CHECK(o.status == 0);
    }
    auto const wrong_key = run_in(dir, ipv4, {}, replaced(gre_outbound(ipv4, helper), "key 0x1234", "key 0x1235"));
    CHECK(wrong_key.status == 1);
    CHECK_THAT(wrong_key.output, Catch::Contains("f.pkt:7:1: error: mismatch in GRE key"));
    // Both packets show their outer layers, as a `>` line writes them.
    CHECK_THAT(wrong_key.output, Catch::Matches(
        R"((.|\n)*script packet: +[0-9.]+ ipv4 192\.168\.0\.1 > 192\.0\.2\.1: gre flags 0x2000 sum 0 off 0 key 4661 seq 0: +udp \(10\)\n)"
        R"(actual packet: +[0-9.]+ ipv4 192\.168\.0\.1 > 192\.0\.2\.1: gre flags \[key present\] sum 0 off 0 key 4660 seq 0: udp \(10\)\n)"
        R"( +\^~+\n(.|\n)*)"));
    auto const wrong_label = run_in(dir, ipv6, {}, replaced(gre_outbound(ipv6, helper), "label 100", "label 101"));
    CHECK(wrong_label.status == 1);
    CHECK_THAT(wrong_label.output, Catch::Contains("f.pkt:9:1: error: mismatch in MPLS label 0"));
    CHECK_THAT(wrong_label.output,
               Catch::Contains("mpls (label 101, tc 0, [S], ttl 64): udp (10)") &&
                   Catch::Contains("ipv6 fd3d:a0b:17d6::1 > fd3d:fa7b:d17d::1: gre flags [none] sum 0 off 0 key 0 seq 0: "
                                   "mpls (label 100, tc 0, [S], ttl 64): udp (10)"));
    auto const no_gre = run_in(dir, ipv4, {}, replaced(gre_outbound(ipv4, helper), " gre flags 0x2000, sum 0 off 0 key 0x1234 seq 0:", ""));
    CHECK(no_gre.status == 1);
    CHECK_THAT(no_gre.output, Catch::Contains("f.pkt:7:1: error: live packet header layers: expected: 3 headers vs actual: 4 headers"));
}

// The echoed datagram (IP header, 8 bytes, the data) is the ICMP line's payload, as packetdrill
// counts it: 78 bytes here over IPv4, 98 over IPv6.
TEST_CASE("an ICMP error the kernel sends is matched by a `> icmp` line", "[features]") {
    for (auto const* f : {&ipv4, &ipv6}) passes(*f, {}, icmp_port_unreachable);
    fails_with(ipv4, {}, replaced(icmp_port_unreachable, "[udp(50)]", "[udp(40)]"),
               "f.pkt:7:1: error: live packet payload: expected 68 bytes vs actual 78 bytes");
    fails_with(ipv4, {}, replaced(icmp_port_unreachable, "port_unreachable", "host_unreachable"),
               "f.pkt:7:1: error: live packet field icmp_code");
}
