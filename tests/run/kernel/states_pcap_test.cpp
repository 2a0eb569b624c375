// --pcap: every packet on tun0, both directions, in a file that libpcap and tcpdump read, in the
// order the script has them, with timestamps that never go backwards.

#include <arpa/inet.h>
#include <pcap/pcap.h>

#include <catch2/catch.hpp>

#include "states_support.hpp"

using namespace pktdrill::test;
using namespace pktdrill::test::states;

namespace {

struct Segment {
    double time = 0;
    bool inbound = false;  // from the simulated peer
    std::string flags;     // tcpdump's spelling: S, S., ., P., F., R.
    std::uint32_t payload = 0;
};

std::string flag_text(std::uint8_t f) {
    std::string s;
    if (f & 0x02) s += 'S';
    if (f & 0x01) s += 'F';
    if (f & 0x04) s += 'R';
    if (f & 0x08) s += 'P';
    if (f & 0x10) s += '.';
    return s.empty() ? "none" : s;
}

struct Capture {
    int linktype = -1;
    std::size_t packets = 0;
    std::vector<double> times;  // of every packet
    std::vector<Segment> tcp;   // the TCP segments
};

Capture read_capture(fs::path const& file, std::string const& peer_prefix) {
    Capture c;
    char error[PCAP_ERRBUF_SIZE];
    pcap_t* p = ::pcap_open_offline(file.c_str(), error);
    INFO(error);
    REQUIRE(p);
    c.linktype = ::pcap_datalink(p);
    pcap_pkthdr* header = nullptr;
    u_char const* data = nullptr;
    while (::pcap_next_ex(p, &header, &data) == 1) {
        ++c.packets;
        double const t = static_cast<double>(header->ts.tv_sec) + static_cast<double>(header->ts.tv_usec) / 1e6;
        c.times.push_back(t);
        std::size_t tcp = 0;
        std::uint32_t total = 0;
        char source[INET6_ADDRSTRLEN] = {};
        if ((data[0] >> 4) == 4 && data[9] == IPPROTO_TCP) {
            tcp = static_cast<std::size_t>(data[0] & 0x0f) * 4;
            total = (std::uint32_t{data[2]} << 8) | data[3];
            ::inet_ntop(AF_INET, data + 12, source, sizeof source);
        } else if ((data[0] >> 4) == 6 && data[6] == IPPROTO_TCP) {
            tcp = 40;
            total = 40 + ((std::uint32_t{data[4]} << 8) | data[5]);
            ::inet_ntop(AF_INET6, data + 8, source, sizeof source);
        } else {
            continue;  // the router solicitation the kernel sends when tun0 comes up, ...
        }
        std::uint32_t const data_offset = static_cast<std::uint32_t>(data[tcp + 12] >> 4) * 4;
        c.tcp.push_back({t, std::string(source).rfind(peer_prefix, 0) == 0, flag_text(data[tcp + 13]),
                         total - static_cast<std::uint32_t>(tcp) - data_offset});
    }
    ::pcap_close(p);
    return c;
}

// closing.pkt's packets, in its order: the handshake, 1000 bytes and their ACK, our FIN, the
// peer's FIN (crossing it), our ACK of it.
std::vector<std::pair<bool, std::string>> const closing_packets = {
    {true, "S"}, {false, "S."}, {true, "."}, {false, "P."}, {true, "."}, {false, "F."}, {true, "F."}, {false, "."}};

}  // namespace

TEST_CASE("pcap: libpcap reads closing's capture: raw IP, both directions, in order, times never go back",
          "[states][pcap]") {
    TempDir dir;
    auto const file = dir.path() / "closing.pcap";
    auto const ran = run_pktdrill({"--max_command_secs=0.3", "--pcap", file.string()}, state_script("closing.pkt"));
    INFO(ran.output);
    REQUIRE(ran.status == 0);
    auto const c = read_capture(file, "192.0.2.1");
    CHECK(c.linktype == DLT_RAW);
    REQUIRE(c.tcp.size() >= closing_packets.size());
    for (std::size_t i = 0; i < closing_packets.size(); ++i) {
        INFO("packet " << i);
        CHECK(c.tcp[i].inbound == closing_packets[i].first);
        CHECK(c.tcp[i].flags == closing_packets[i].second);
    }
    CHECK(c.tcp[3].payload == 1000);
    // What follows is the kernel's own: FIN retransmissions while CLOSING, then the RST pktdrill
    // sends at the end, as packetdrill does.
    CHECK(c.tcp.back().inbound);
    CHECK(c.tcp.back().flags.find('R') != std::string::npos);
    for (std::size_t i = 1; i < c.times.size(); ++i) CHECK(c.times[i] >= c.times[i - 1]);
    // Wall-clock times, spaced as the script spaces them: the ACK 0.1 s after the SYN.
    auto const now = static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    CHECK(std::abs(c.times.front() - now) < 60);
    CHECK(c.tcp[2].time - c.tcp[0].time == Approx(0.1).margin(0.03));
}

TEST_CASE("pcap: tcpdump -r lists closing's packets in the script's order", "[states][pcap]") {
    TempDir dir;
    auto const file = dir.path() / "closing.pcap";
    auto const ran = run_pktdrill({"--max_command_secs=0.3", "--pcap", file.string()}, state_script("closing.pkt"));
    INFO(ran.output);
    REQUIRE(ran.status == 0);
    std::string const listing = shell("tcpdump -r " + file.string() + " -nn tcp 2>/dev/null");
    INFO(listing);
    std::istringstream lines(listing);
    std::string line;
    std::size_t next = 0;
    static std::regex const packet(R"(^\S+ IP (\S+) > (\S+): Flags \[([^\]]+)\].*)");
    while (std::getline(lines, line) && next < closing_packets.size()) {
        std::smatch m;
        REQUIRE(std::regex_match(line, m, packet));
        bool const inbound = std::string(m[1]).rfind("192.0.2.1.", 0) == 0;
        CHECK(inbound == closing_packets[next].first);
        CHECK(m[3] == closing_packets[next].second);
        if (closing_packets[next].second == "P.") CHECK_THAT(line, Catch::Contains("length 1000"));
        ++next;
    }
    CHECK(next == closing_packets.size());
}

TEST_CASE("pcap over IPv6: tcpdump reads IP6 packets", "[states][pcap]") {
    TempDir dir;
    auto const file = dir.path() / "established.pcap";
    auto const ran = run_pktdrill({"--max_command_secs=0.2", "--pcap", file.string(), "--ip_version=ipv6",
                                   "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1", "--gateway_ip=fd3d:0a0b:17d6:8888::1",
                                   "--remote_ip=fd3d:fa7b:d17d::1"},
                                  state_script("established.pkt"));
    INFO(ran.output);
    REQUIRE(ran.status == 0);
    auto const c = read_capture(file, "fd3d:fa7b:d17d::1");
    REQUIRE(c.tcp.size() >= 3);
    CHECK(c.tcp[0].inbound);
    CHECK(c.tcp[0].flags == "S");
    CHECK(!c.tcp[1].inbound);
    CHECK(c.tcp[1].flags == "S.");
    CHECK(c.tcp[2].inbound);
    std::string const listing = shell("tcpdump -r " + file.string() + " -nn tcp 2>/dev/null");
    CHECK_THAT(listing, Catch::Contains("IP6 fd3d:fa7b:d17d::1."));
}

TEST_CASE("pcap with several scripts writes one file per run", "[states][pcap]") {
    TempDir dir;
    auto const a = edited(dir, "syn_rcvd.pkt", "sleep 1000000", "sleep 0.1");
    auto const b = edited(dir, "established.pkt", "sleep 1000000", "sleep 0.1");
    Child child({pktdrill_binary(), "--pcap", (dir.path() / "cap.pcap").string(), a.string(), b.string()}, dir.path());
    auto const status = child.wait_for(std::chrono::seconds(30));
    INFO(child.output());
    CHECK(status == 0);
    auto const first = read_capture(dir.path() / "cap.syn_rcvd.pcap", "192.0.2.1");
    auto const second = read_capture(dir.path() / "cap.established.pcap", "192.0.2.1");
    CHECK(first.tcp.size() >= 2);
    CHECK(second.tcp.size() >= 3);
    CHECK(!fs::exists(dir.path() / "cap.pcap"));
}

TEST_CASE("pcap to a file that cannot be written fails before the run", "[states][pcap]") {
    auto const ran = run_pktdrill({"--pcap", "/nonexistent/dir/x.pcap"}, state_script("syn_rcvd.pkt"));
    CHECK(ran.status == 1);
    CHECK_THAT(ran.output, Catch::Contains("cannot write the capture file /nonexistent/dir/x.pcap"));
}
