// `--dump` output parses back to the model it was printed from: for every script of the shared
// corpus (with the arguments packetdrill's own runner gives each ip version) and for the nine
// scripts of scripts/tcp-states.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/script/build.hpp"
#include "src/script/render.hpp"
#include "tests/support/scripts.hpp"

namespace {

namespace fs = std::filesystem;
using pktdrill::test::load_text;

// Loads `text`, dumps it, loads the dump with the same arguments and compares the models.
void check_round_trip(std::string const& name, std::string const& text, std::vector<std::string> const& args) {
    INFO(name);
    auto const first = load_text(text, args);
    INFO(first.printed);
    REQUIRE(first.loaded);
    std::string const dumped = pktdrill::script::dump(first.loaded->script);
    auto const second = load_text(dumped, args);
    INFO("dump:\n" << dumped << second.printed);
    REQUIRE(second.loaded);
    CHECK(second.loaded->script == first.loaded->script);
    // And rendering is a fixed point: the reloaded events print as they did (the dump itself
    // differs only in the source lines it notes).
    auto const& a = first.loaded->script.events;
    auto const& b = second.loaded->script.events;
    for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
        CHECK(pktdrill::script::render(b[i]) == pktdrill::script::render(a[i]));
}

}  // namespace

TEST_CASE("every corpus run's script loads, and its dump loads back to the same model", "[round-trip][corpus]") {
    auto const shared = pktdrill::test::shared_dir();
    if (!shared) {
        WARN("skipped: " PKTDRILL_SHARED_DIR "/corpus/packetdrill is not present");
        return;
    }
    auto const args = pktdrill::test::reference_args(*shared);
    auto const runs = pktdrill::test::reference_runs(*shared);
    REQUIRE(runs.size() > 400);
    int round_trips = 0, rejected = 0;
    for (auto const& run : runs) {
        INFO(run.script << " (" << run.ip_version << ")");
        REQUIRE(args.count(run.ip_version));
        fs::path const path = *shared / "corpus" / "packetdrill" / run.script;
        std::string const text = pktdrill::test::read_file(path);
        // Where the reference rejected the script before running it, so must we: on the same
        // line, with a message that starts with the reference's.
        auto const semantic = run.error.find(": semantic error: ");
        if (semantic != std::string::npos) {
            auto const colon = run.error.find(':');
            int const line = std::stoi(run.error.substr(colon + 1));
            std::string const message = run.error.substr(semantic + 18);
            auto const l = load_text(text, args.at(run.ip_version));
            CHECK_FALSE(l.loaded);
            REQUIRE(l.errors.size() == 1);
            CHECK(l.errors[0].line == line);
            CHECK(l.errors[0].message.rfind(message, 0) == 0);
            ++rejected;
            continue;
        }
        check_round_trip(run.script, text, args.at(run.ip_version));
        ++round_trips;
    }
    CHECK(round_trips > 400);
    CHECK(rejected > 0);
}

TEST_CASE("every corpus script is listed among the reference runs", "[round-trip][corpus]") {
    auto const shared = pktdrill::test::shared_dir();
    if (!shared) {
        WARN("skipped: " PKTDRILL_SHARED_DIR "/corpus/packetdrill is not present");
        return;
    }
    std::vector<std::string> listed;
    for (auto const& run : pktdrill::test::reference_runs(*shared)) listed.push_back(run.script);
    fs::path const corpus = *shared / "corpus" / "packetdrill";
    for (auto const& script : pktdrill::test::scripts_below(corpus)) {
        std::string const relative = fs::relative(script, corpus).string();
        INFO(relative);
        CHECK(std::find(listed.begin(), listed.end(), relative) != listed.end());
    }
}

TEST_CASE("the nine tcp-states scripts (and every other shipped one) round-trip", "[round-trip]") {
    fs::path const dir = fs::path(PKTDRILL_SOURCE_DIR) / "scripts" / "tcp-states";
    int nine = 0;
    for (auto const& entry : fs::directory_iterator(dir)) nine += entry.path().extension() == ".pkt";
    CHECK(nine == 9);
    auto const scripts = pktdrill::test::scripts_below(fs::path(PKTDRILL_SOURCE_DIR) / "scripts");
    REQUIRE(scripts.size() >= 9);
    for (auto const& path : scripts) check_round_trip(path.string(), pktdrill::test::read_file(path), {});
}

TEST_CASE("a script using every construct round-trips", "[round-trip]") {
    check_round_trip("every construct",
                     "// comment\n"
                     "/* block */\n"
                     "--tolerance_usecs=10000\n"
                     "--define=X=1\n"
                     "--define=W=\"s\"\n"
                     "--define=C=`echo hi`\n"
                     "--code_command=\"python3 -u\"\n"
                     "`init`\n"
                     "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                     "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n"
                     "0.1 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
                     "+0 > S. 0:0(0) ack 1 <...>\n"
                     "+.1 < . 1:1(0) ack 1 win 257\n"
                     "0.2~0.3 > . 1:1(0) ack 1\n"
                     "+0~+0.1 > . 1:1(0) ack 1\n"
                     "* > . 1:1(0) ack 1\n"
                     "+.1...0.5 accept(3, ..., ...) = 4\n"
                     "0.6...0.7 read(4, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n"
                     "+0 > SEW 0:0(0) win 100 urg 4\n"
                     "+0 > S.5 0:0(0)\n+0 > .2 1:1(0)\n+0 > - 1:1(0)\n+0 > FPU. 1:1(0)\n"
                     "+0 > P. 1:11(10) ack 1 <nop,nop,sack 1:2 3:4>\n"
                     "+0 > P. 1:11(10) ack 1 <nop,nop,TS val 1 ecr 2>\n"
                     "+0 > S 0:0(0) <FO,nop,nop>\n"
                     "+0 > S 0:0(0) <FO 0102030405060708,nop,nop>\n"
                     "+0 > S 0:0(0) <FOEXP>\n"
                     "+0 > S 0:0(0) <FOEXP aabb,nop,nop>\n"
                     "+0 > S 0:0(0) <md5 000102030405060708090a0b0c0d0e0f,nop,nop>\n"
                     "+0 > S 0:0(0) <ECN e0b 1 ceb 2 e1b 3,nop>\n"
                     "+0 > S 0:0(0) <ECN e1b 1 ceb 2 e0b 3,nop>\n"
                     "+0 > S 0:0(0) <eol,nop,nop,nop>\n"
                     "+0 < 8080>40000 S 0:0(0) win 10\n"
                     "+0 > [ect0] S 0:0(0)\n+0 > (ce) S 0:0(0)\n+0 > [ect01] S 0:0(0)\n+0 > [noecn] S 0:0(0)\n"
                     "+0 > [ect1] S 0:0(0)\n+0 > [tos 0x10] S 0:0(0)\n+0 > [flowlabel 0x12345] S 0:0(0)\n"
                     "+0 > [ect0, flowlabel 0x1] S 0:0(0)\n+0 > [ttl 64] S 0:0(0)\n"
                     "+0 < udp (1000)\n+0 > udp 1>2 (10)\n"
                     "+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n"
                     "+0 < icmp unreachable host_unreachable [0:10(10)]\n"
                     "+0 > icmp unreachable port_unreachable [udp(1000)]\n"
                     "+0 > icmp echo_request id 5 [raw(10)]\n"
                     "+0 < ipv4 192.168.0.1 > 192.0.2.1: gre: S 0:0(0) win 10\n"
                     "+0 < ipv4 [tos 0x4] 10.0.0.1 > 10.0.0.2: gre flags 0x2000 sum 0 off 0 key 7 seq 0: S 0:0(0) win 1\n"
                     "+0 < ipv6 2001:db8::1 > 2001:db8::2: gre flags [checksum present, key present, sequence# present], "
                     "sum 0 off 0 key=1 seq 2: S 0:0(0) win 10\n"
                     "+0 < mpls (label 1, tc 0, [S], ttl 64): S 0:0(0) win 10\n"
                     "+0 < mpls (label 1, tc 0, ttl 64) (label 2, tc 1, [S], ttl 1): udp (1)\n"
                     "+0 > encap psp spi 23 P. 1001:1501(500) ack 1001\n"
                     "+0 write(4, \"a\" \"b\\n\\x01\\\\\\\"\", 2) = 2\n"
                     "+0 write(4, \"abc\"..., 3) = 3\n"
                     "+0 setsockopt(4, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0\n"
                     "+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}, {fd=5, events=POLLIN}], 2, 0) = 1\n"
                     "+0 sendmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0}, 0) = 1000\n"
                     "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=MSG_ERRQUEUE, "
                     "msg_control=[{cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data={ee_errno=0, "
                     "ee_origin=SO_EE_ORIGIN_ZEROCOPY, ee_type=0, ee_code=0, ee_info=0, ee_data=0}}]}, MSG_ERRQUEUE) = 0\n"
                     "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 0}], msg_flags=0, "
                     "msg_control=[{cmsg_level=SOL_SOCKET, cmsg_type=SCM_TIMESTAMPING, cmsg_data={scm_sec=1, scm_nsec=2}}]}, 0) = 0\n"
                     "+0 bind(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr(\"1.2.3.4\")}, 16) = 0\n"
                     "+0 bind(3, {sa_family=AF_INET6, sin_port=htons(1), sin_addr=inet_addr(\"::1\")}, 28) = 0\n"
                     "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, fd=4}) = 0\n"
                     "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, ptr=0}) = 0\n"
                     "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, u32=3}) = 0\n"
                     "+0 epoll_ctl(5, EPOLL_CTL_ADD, 4, {events=EPOLLOUT, u64=3}) = 0\n"
                     "+0 setsockopt(4, SOL_IP, IP_TOS, inet_addr(\"1.2.3.4\"), 4) = 0\n"
                     "+0 setsockopt(4, SOL_IPV6, X, inet6_addr(\"::1\"), 16) = 0\n"
                     "+0 getsockopt(4, SOL_TCP, TCP_NLA, {TCP_NLA_BUSY=0, TCP_NLA_RWND_LIMITED=...}, [4]) = 0\n"
                     "+0 setsockopt(4, SOL_IP, X, {(label 1, tc 0, [S], ttl 64)}, 4) = 0\n"
                     "+0 setsockopt(4, SOL_IP, X, {flags [key present] sum 0 off 0 key 5 seq 0}, 4) = 0\n"
                     "+0 sendto(4, NULL, 1, 0, ..., 0) = 1\n"
                     "+0 fcntl(4, F_GETFL) = 0x2 (flags O_RDWR)\n"
                     "+0 f(-1, -0x10, 0xffffffffffffffff, []) = O_RDWR|O_NONBLOCK\n"
                     "+0 pipe([3, 4]) = 0\n"
                     "+0 `sysctl -q a=b`\n"
                     "+0 C\n"
                     "+0 %{ assert tcpi_snd_cwnd == 10 }%\n"
                     "+0 write(X, W, 1) = X\n"
                     "`cleanup`\n",
                     {"-D", "Y=2"});
}

TEST_CASE("option values that are empty, have blanks or line breaks round-trip", "[round-trip]") {
    check_round_trip("option values",
                     "--code_command=\"\"\n"
                     "--code_sockopt=\"\"\n"
                     "--so_flags=\"a\\nb\"\n"
                     "--so_filename=\"with space\\tand tab\"\n"
                     "--wire_client_dev=a\"b c\"\n"
                     "--define=X=\"q\"\n"
                     "0 f(X) = 0\n",
                     {});
}
