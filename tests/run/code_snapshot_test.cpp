// The names `%{ }%` code sees, decoded from getsockopt's bytes as packetdrill names them. The
// live getsockopts are in kernel/code_runner_test.cpp.

#include <catch2/catch.hpp>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include <array>
#include <cstring>
#include <map>
#include <string>

#include "src/run/code_snapshot.hpp"

using pktdrill::run::CodeVariable;

namespace {

std::map<std::string, std::uint64_t> as_map(std::vector<CodeVariable> const& variables) {
    std::map<std::string, std::uint64_t> out;
    for (auto const& v : variables) out[std::string(v.name)] = v.value;
    return out;
}

template <typename T>
std::span<std::byte const> bytes_of(T const& value, std::size_t length = sizeof(T)) {
    return std::span(reinterpret_cast<std::byte const*>(&value), length);
}

}  // namespace

TEST_CASE("code: tcp_info fields become tcpi_* variables named after the kernel's fields", "[code][snapshot]") {
    tcp_info info{};
    info.tcpi_state = 1;  // TCP_ESTABLISHED
    info.tcpi_ca_state = TCP_CA_Recovery;
    info.tcpi_options = TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK;
    info.tcpi_snd_wscale = 7;
    info.tcpi_rcv_wscale = 10;
    info.tcpi_delivery_rate_app_limited = 1;
    info.tcpi_snd_cwnd = 10;
    info.tcpi_snd_ssthresh = 0x7fffffff;
    info.tcpi_max_pacing_rate = ~0ULL;
    info.tcpi_snd_wnd = 65535;
    auto const vars = as_map(pktdrill::run::decode_tcp_info(bytes_of(info)));
    CHECK(vars.at("tcpi_state") == 1);
    CHECK(vars.at("tcpi_ca_state") == TCP_CA_Recovery);
    CHECK(vars.at("tcpi_options") == 3);
    CHECK(vars.at("tcpi_snd_wscale") == 7);
    CHECK(vars.at("tcpi_rcv_wscale") == 10);
    CHECK(vars.at("tcpi_delivery_rate_app_limited") == 1);
    CHECK(vars.at("tcpi_snd_cwnd") == 10);
    CHECK(vars.at("tcpi_snd_ssthresh") == 0x7fffffff);
    CHECK(vars.at("tcpi_max_pacing_rate") == ~0ULL);  // unsigned, as packetdrill's %llu
    CHECK(vars.at("tcpi_snd_wnd") == 65535);
    CHECK(vars.at("tcpi_rtt") == 0);
    // A header-sized reply has nothing of what newer kernels append.
    CHECK(vars.count("tcpi_rcv_wnd") == 0);
}

TEST_CASE("code: tcp_info fields newer than the build's header are read at the kernel's offsets",
          "[code][snapshot]") {
    std::array<std::uint8_t, 280> raw{};
    auto const put32 = [&](std::size_t offset, std::uint32_t v) { std::memcpy(raw.data() + offset, &v, 4); };
    auto const put16 = [&](std::size_t offset, std::uint16_t v) { std::memcpy(raw.data() + offset, &v, 2); };
    raw[0] = 8;  // TCP_CLOSE_WAIT
    put32(232, 1000);  // tcpi_rcv_wnd
    put32(236, 2);     // tcpi_rehash
    put16(240, 3);     // tcpi_total_rto
    put16(242, 4);     // tcpi_total_rto_recoveries
    put32(244, 500);   // tcpi_total_rto_time
    put32(248, 6);     // tcpi_received_ce
    put16(278, 9);     // tcpi_accecn_opt_seen
    auto const all = as_map(pktdrill::run::decode_tcp_info(std::as_bytes(std::span(raw))));
    CHECK(all.at("tcpi_state") == 8);
    CHECK(all.at("tcpi_rcv_wnd") == 1000);
    CHECK(all.at("tcpi_rehash") == 2);
    CHECK(all.at("tcpi_total_rto") == 3);
    CHECK(all.at("tcpi_total_rto_recoveries") == 4);
    CHECK(all.at("tcpi_total_rto_time") == 500);
    CHECK(all.at("tcpi_received_ce") == 6);
    CHECK(all.at("tcpi_accecn_opt_seen") == 9);
    // A kernel that returns 248 bytes (Linux 6.7 to 6.17) names the RTO counters, not AccECN's.
    auto const older = as_map(pktdrill::run::decode_tcp_info(std::as_bytes(std::span(raw).first(248))));
    CHECK(older.at("tcpi_total_rto_time") == 500);
    CHECK(older.count("tcpi_received_ce") == 0);
}

TEST_CASE("code: TCP_CC_INFO is read as BBR's, DCTCP's and Vegas's structs when long enough, as packetdrill does",
          "[code][snapshot]") {
    tcp_cc_info bbr{};
    bbr.bbr.bbr_bw_lo = 5;
    bbr.bbr.bbr_bw_hi = 1;
    bbr.bbr.bbr_min_rtt = 2000;
    bbr.bbr.bbr_pacing_gain = 739;
    bbr.bbr.bbr_cwnd_gain = 512;
    auto const b = as_map(pktdrill::run::decode_cc_info(bytes_of(bbr, sizeof(tcp_bbr_info))));
    CHECK(b.at("bbr_bw_lo") == 5);
    CHECK(b.at("bbr_bw_hi") == 1);
    CHECK(b.at("bbr_bw") == (1ULL << 32) + 5);
    CHECK(b.at("bbr_min_rtt") == 2000);
    CHECK(b.at("bbr_pacing_gain") == 739);
    CHECK(b.at("bbr_cwnd_gain") == 512);
    CHECK(b.count("dctcp_alpha") == 1);  // the same bytes, read as the other structs
    CHECK(b.count("tcpv_rttcnt") == 1);

    tcp_cc_info vegas{};
    vegas.vegas.tcpv_enabled = 1;
    vegas.vegas.tcpv_rttcnt = 3;
    vegas.vegas.tcpv_rtt = 1500;
    vegas.vegas.tcpv_minrtt = 1000;
    auto const v = as_map(pktdrill::run::decode_cc_info(bytes_of(vegas, sizeof(tcpvegas_info))));
    CHECK(v.count("bbr_bw") == 0);
    CHECK(v.at("tcpv_enabled") == 1);
    CHECK(v.at("tcpv_rttcnt") == 3);
    CHECK(v.at("tcp_rtt") == 1500);  // packetdrill's names
    CHECK(v.at("tcp_minrtt") == 1000);
    CHECK(v.at("tcpv_rtt") == 1500);  // the struct's
    CHECK(v.at("tcpv_minrtt") == 1000);

    // cubic and reno have no TCP_CC_INFO: the kernel returns 0 bytes.
    CHECK(pktdrill::run::decode_cc_info({}).empty());
}

TEST_CASE("code: SO_MEMINFO's values are the SK_MEMINFO_* variables", "[code][snapshot]") {
    std::array<std::uint32_t, SK_MEMINFO_VARS> mem{};
    for (std::size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<std::uint32_t>(1000 + i);
    auto const m = as_map(pktdrill::run::decode_meminfo(std::as_bytes(std::span(mem))));
    CHECK(m.size() == SK_MEMINFO_VARS);
    CHECK(m.at("SK_MEMINFO_RMEM_ALLOC") == 1000 + SK_MEMINFO_RMEM_ALLOC);
    CHECK(m.at("SK_MEMINFO_RCVBUF") == 1000 + SK_MEMINFO_RCVBUF);
    CHECK(m.at("SK_MEMINFO_DROPS") == 1000 + SK_MEMINFO_DROPS);
    auto const shorter = as_map(pktdrill::run::decode_meminfo(std::as_bytes(std::span(mem).first(2))));
    CHECK(shorter.size() == 2);
}

TEST_CASE("code: the constants start with packetdrill's twenty, in its order", "[code][snapshot]") {
    auto const& constants = pktdrill::run::code_constants();
    REQUIRE(constants.size() >= 20);
    CHECK(constants[0] == CodeVariable{"TCP_ESTABLISHED", 1});
    CHECK(constants[10] == CodeVariable{"TCP_CLOSING", 11});
    CHECK(constants[11] == CodeVariable{"TCP_CA_Open", TCP_CA_Open});
    CHECK(constants[19] == CodeVariable{"TCPI_OPT_SYN_DATA", TCPI_OPT_SYN_DATA});
    auto const all = as_map(constants);
    CHECK(all.at("TCP_NEW_SYN_RECV") == 12);
    CHECK(all.at("TCPI_OPT_SACK") == TCPI_OPT_SACK);
    CHECK(all.count("SK_MEMINFO_RCVBUF") == 0);  // a measured value, not a constant
}
