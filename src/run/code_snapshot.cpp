#include "src/run/code_snapshot.hpp"

// The kernel's uapi headers, not glibc's <netinet/tcp.h>: only they have the full struct
// tcp_info and the TCP_CC_INFO structs (the two define struct tcp_info differently and cannot be
// included together).
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>

#include "src/run/symbols.hpp"

namespace pktdrill::run {
namespace {

// Reads an unsigned integer of `size` bytes at `offset`, in the host's byte order (getsockopt's).
std::uint64_t read_unsigned(std::span<std::byte const> bytes, std::size_t offset, std::size_t size) {
    switch (size) {
    case 1: return std::to_integer<std::uint8_t>(bytes[offset]);
    case 2: {
        std::uint16_t v;
        std::memcpy(&v, bytes.data() + offset, sizeof v);
        return v;
    }
    case 4: {
        std::uint32_t v;
        std::memcpy(&v, bytes.data() + offset, sizeof v);
        return v;
    }
    default: {
        std::uint64_t v;
        std::memcpy(&v, bytes.data() + offset, sizeof v);
        return v;
    }
    }
}

// A tcp_info field: its name, where it ends (the kernel must have returned that much), and how
// to read it from the header's struct.
struct TcpInfoField {
    std::string_view name;
    std::size_t end;
    std::uint64_t (*get)(tcp_info const&);
};

#define TCPI(f) \
    TcpInfoField { #f, offsetof(tcp_info, f) + sizeof(tcp_info::f), [](tcp_info const& t) -> std::uint64_t { return t.f; } }
// Bit-fields have no offsetof; they share the bytes 6 and 7.
#define TCPI_BITS(f, byte) \
    TcpInfoField { #f, (byte) + 1, [](tcp_info const& t) -> std::uint64_t { return t.f; } }

// In the struct's order, every field Debian 12's header (Linux 6.1) has. packetdrill names the
// same fields except tcpi_fastopen_client_fail, which costs nothing to add.
TcpInfoField const header_fields[] = {
    TCPI(tcpi_state), TCPI(tcpi_ca_state), TCPI(tcpi_retransmits), TCPI(tcpi_probes), TCPI(tcpi_backoff),
    TCPI(tcpi_options), TCPI_BITS(tcpi_snd_wscale, 6), TCPI_BITS(tcpi_rcv_wscale, 6),
    TCPI_BITS(tcpi_delivery_rate_app_limited, 7), TCPI_BITS(tcpi_fastopen_client_fail, 7), TCPI(tcpi_rto),
    TCPI(tcpi_ato), TCPI(tcpi_snd_mss), TCPI(tcpi_rcv_mss), TCPI(tcpi_unacked), TCPI(tcpi_sacked), TCPI(tcpi_lost),
    TCPI(tcpi_retrans), TCPI(tcpi_fackets), TCPI(tcpi_last_data_sent), TCPI(tcpi_last_ack_sent),
    TCPI(tcpi_last_data_recv), TCPI(tcpi_last_ack_recv), TCPI(tcpi_pmtu), TCPI(tcpi_rcv_ssthresh), TCPI(tcpi_rtt),
    TCPI(tcpi_rttvar), TCPI(tcpi_snd_ssthresh), TCPI(tcpi_snd_cwnd), TCPI(tcpi_advmss), TCPI(tcpi_reordering),
    TCPI(tcpi_rcv_rtt), TCPI(tcpi_rcv_space), TCPI(tcpi_total_retrans), TCPI(tcpi_pacing_rate),
    TCPI(tcpi_max_pacing_rate), TCPI(tcpi_bytes_acked), TCPI(tcpi_bytes_received), TCPI(tcpi_segs_out),
    TCPI(tcpi_segs_in), TCPI(tcpi_notsent_bytes), TCPI(tcpi_min_rtt), TCPI(tcpi_data_segs_in),
    TCPI(tcpi_data_segs_out), TCPI(tcpi_delivery_rate), TCPI(tcpi_busy_time), TCPI(tcpi_rwnd_limited),
    TCPI(tcpi_sndbuf_limited), TCPI(tcpi_delivered), TCPI(tcpi_delivered_ce), TCPI(tcpi_bytes_sent),
    TCPI(tcpi_bytes_retrans), TCPI(tcpi_dsack_dups), TCPI(tcpi_reord_seen), TCPI(tcpi_rcv_ooopack),
    TCPI(tcpi_snd_wnd),
};

#undef TCPI
#undef TCPI_BITS

// The fields newer kernels append after tcpi_snd_wnd, which Debian 12's header lacks. The layout
// is the kernel's ABI (include/uapi/linux/tcp.h, Linux 6.2: rcv_wnd, rehash; 6.7: total_rto*;
// 6.18: the AccECN counters), so offsets are stable; each is named only when the running kernel
// returned it.
struct RawField {
    std::string_view name;
    std::size_t offset;
    std::size_t size;
};
constexpr std::size_t after_snd_wnd = offsetof(tcp_info, tcpi_snd_wnd) + sizeof(tcp_info::tcpi_snd_wnd);
static_assert(after_snd_wnd == 232, "struct tcp_info's layout is the kernel ABI");
constexpr RawField newer_fields[] = {
    {"tcpi_rcv_wnd", 232, 4},
    {"tcpi_rehash", 236, 4},
    {"tcpi_total_rto", 240, 2},
    {"tcpi_total_rto_recoveries", 242, 2},
    {"tcpi_total_rto_time", 244, 4},
    {"tcpi_received_ce", 248, 4},
    {"tcpi_delivered_e1_bytes", 252, 4},
    {"tcpi_delivered_e0_bytes", 256, 4},
    {"tcpi_delivered_ce_bytes", 260, 4},
    {"tcpi_received_e1_bytes", 264, 4},
    {"tcpi_received_e0_bytes", 268, 4},
    {"tcpi_received_ce_bytes", 272, 4},
    {"tcpi_accecn_fail_mode", 276, 2},
    {"tcpi_accecn_opt_seen", 278, 2},
};
// Room for all of the above and for fields later kernels may add (they are not named).
constexpr std::size_t tcp_info_buffer = 512;

// packetdrill's constants, in its order.
constexpr std::string_view packetdrill_constants[] = {
    "TCP_ESTABLISHED", "TCP_SYN_SENT",    "TCP_SYN_RECV",     "TCP_FIN_WAIT1",       "TCP_FIN_WAIT2",
    "TCP_TIME_WAIT",   "TCP_CLOSE",       "TCP_CLOSE_WAIT",   "TCP_LAST_ACK",        "TCP_LISTEN",
    "TCP_CLOSING",     "TCP_CA_Open",     "TCP_CA_Disorder",  "TCP_CA_CWR",          "TCP_CA_Recovery",
    "TCP_CA_Loss",     "TCPI_OPT_TIMESTAMPS", "TCPI_OPT_WSCALE", "TCPI_OPT_ECN",     "TCPI_OPT_SYN_DATA",
};

}  // namespace

std::vector<CodeVariable> const& code_constants() {
    static std::vector<CodeVariable> const table = [] {
        std::vector<CodeVariable> out;
        std::set<std::string_view> seen;
        for (auto name : packetdrill_constants) {
            out.push_back({name, static_cast<std::uint64_t>(lookup_code_constant(name).value())});
            seen.insert(name);
        }
        for (auto const& s : all_code_constants()) {
            if (!seen.count(s.name)) out.push_back({s.name, static_cast<std::uint64_t>(s.value)});
        }
        return out;
    }();
    return table;
}

std::vector<CodeVariable> decode_tcp_info(std::span<std::byte const> bytes) {
    tcp_info info{};
    std::memcpy(&info, bytes.data(), std::min(bytes.size(), sizeof info));
    std::vector<CodeVariable> out;
    for (auto const& f : header_fields) {
        if (f.end <= bytes.size()) out.push_back({f.name, f.get(info)});
    }
    for (auto const& f : newer_fields) {
        if (f.offset + f.size <= bytes.size()) out.push_back({f.name, read_unsigned(bytes, f.offset, f.size)});
    }
    return out;
}

std::vector<CodeVariable> decode_cc_info(std::span<std::byte const> bytes) {
    tcp_cc_info info{};
    std::memcpy(&info, bytes.data(), std::min(bytes.size(), sizeof info));
    std::vector<CodeVariable> out;
    auto const covers = [&](std::size_t end) { return bytes.size() >= end; };
    if (covers(offsetof(tcp_bbr_info, bbr_cwnd_gain) + sizeof(info.bbr.bbr_cwnd_gain))) {
        auto const& b = info.bbr;
        out.push_back({"bbr_bw_lo", b.bbr_bw_lo});
        out.push_back({"bbr_bw_hi", b.bbr_bw_hi});
        // Not a kernel field: packetdrill puts the two halves together for scripts.
        out.push_back({"bbr_bw", (std::uint64_t{b.bbr_bw_hi} << 32) + b.bbr_bw_lo});
        out.push_back({"bbr_min_rtt", b.bbr_min_rtt});
        out.push_back({"bbr_pacing_gain", b.bbr_pacing_gain});
        out.push_back({"bbr_cwnd_gain", b.bbr_cwnd_gain});
    }
    if (covers(offsetof(tcp_dctcp_info, dctcp_ab_tot) + sizeof(info.dctcp.dctcp_ab_tot))) {
        auto const& d = info.dctcp;
        out.push_back({"dctcp_enabled", d.dctcp_enabled});
        out.push_back({"dctcp_ce_state", d.dctcp_ce_state});
        out.push_back({"dctcp_alpha", d.dctcp_alpha});
        out.push_back({"dctcp_ab_ecn", d.dctcp_ab_ecn});
        out.push_back({"dctcp_ab_tot", d.dctcp_ab_tot});
    }
    if (covers(offsetof(tcpvegas_info, tcpv_minrtt) + sizeof(info.vegas.tcpv_minrtt))) {
        auto const& v = info.vegas;
        out.push_back({"tcpv_enabled", v.tcpv_enabled});
        out.push_back({"tcpv_rttcnt", v.tcpv_rttcnt});
        // packetdrill's names for tcpv_rtt and tcpv_minrtt (scripts written for it use these),
        // then the struct's own.
        out.push_back({"tcp_rtt", v.tcpv_rtt});
        out.push_back({"tcp_minrtt", v.tcpv_minrtt});
        out.push_back({"tcpv_rtt", v.tcpv_rtt});
        out.push_back({"tcpv_minrtt", v.tcpv_minrtt});
    }
    return out;
}

std::vector<CodeVariable> decode_meminfo(std::span<std::byte const> bytes) {
    static constexpr CodeVariable names[] = {
        {"SK_MEMINFO_RMEM_ALLOC", SK_MEMINFO_RMEM_ALLOC}, {"SK_MEMINFO_RCVBUF", SK_MEMINFO_RCVBUF},
        {"SK_MEMINFO_WMEM_ALLOC", SK_MEMINFO_WMEM_ALLOC}, {"SK_MEMINFO_SNDBUF", SK_MEMINFO_SNDBUF},
        {"SK_MEMINFO_FWD_ALLOC", SK_MEMINFO_FWD_ALLOC},   {"SK_MEMINFO_WMEM_QUEUED", SK_MEMINFO_WMEM_QUEUED},
        {"SK_MEMINFO_OPTMEM", SK_MEMINFO_OPTMEM},         {"SK_MEMINFO_BACKLOG", SK_MEMINFO_BACKLOG},
        {"SK_MEMINFO_DROPS", SK_MEMINFO_DROPS},
    };
    std::vector<CodeVariable> out;
    for (auto const& n : names) {
        std::size_t const offset = n.value * sizeof(std::uint32_t);
        if (offset + sizeof(std::uint32_t) <= bytes.size())
            out.push_back({n.name, read_unsigned(bytes, offset, sizeof(std::uint32_t))});
    }
    return out;
}

std::variant<CodeSnapshot, SnapshotFailure> take_snapshot(int fd) {
    auto const get = [fd](int level, int option, std::span<std::byte> buffer) -> std::optional<std::size_t> {
        socklen_t len = static_cast<socklen_t>(buffer.size());
        if (::getsockopt(fd, level, option, buffer.data(), &len) != 0) return std::nullopt;
        return std::min<std::size_t>(len, buffer.size());
    };
    CodeSnapshot snapshot;

    std::array<std::byte, tcp_info_buffer> info{};
    auto len = get(IPPROTO_TCP, TCP_INFO, info);
    if (!len) return SnapshotFailure{"can't find getsockopt to get TCP info", errno};
    snapshot.tcp_info = decode_tcp_info(std::span(info).first(*len));

    // Larger than the union: a kernel with a larger struct returns no more than we ask for.
    std::array<std::byte, 64> cc{};
    len = get(IPPROTO_TCP, TCP_CC_INFO, cc);
    if (!len) return SnapshotFailure{"can't find getsockopt to get TCP_CC_INFO", errno};
    snapshot.cc_info = decode_cc_info(std::span(cc).first(*len));

    std::array<std::byte, 64 * sizeof(std::uint32_t)> mem{};
    len = get(SOL_SOCKET, SO_MEMINFO, mem);
    if (!len) return SnapshotFailure{"can't find getsockopt to get sk_meminfo", errno};
    snapshot.meminfo = decode_meminfo(std::span(mem).first(*len));
    return snapshot;
}

}  // namespace pktdrill::run
