#pragma once
// What a `%{ }%` snippet sees: the socket under test as getsockopt reports it at the snippet's
// event time (TCP_INFO, TCP_CC_INFO and SO_MEMINFO, as packetdrill collects them), turned into
// the named integers packetdrill's generated Python assigns before each snippet.
//
// Names and grouping follow packetdrill's code.c (reference A.5):
// * the state and option constants (TCP_ESTABLISHED ..., TCP_CA_Open ..., TCPI_OPT_*) come first,
//   then one `tcpi_<field>` per struct tcp_info field the kernel returned;
// * TCP_CC_INFO is a union the kernel fills for the socket's congestion control (nothing for
//   cubic or reno). packetdrill does not ask which one it is: it reads the bytes as BBR's struct
//   (bbr_*), as DCTCP's (dctcp_*) and as Vegas's (tcpv_enabled, tcpv_rttcnt, tcp_rtt,
//   tcp_minrtt — packetdrill's spelling of tcpv_rtt/tcpv_minrtt, which we also give) whenever
//   the returned length covers that struct, so that a script's names keep their meaning;
// * SO_MEMINFO gives SK_MEMINFO_RMEM_ALLOC ... SK_MEMINFO_DROPS holding the socket's *values*,
//   not the array indices the kernel header's enum names.
// All values are unsigned, as packetdrill prints them with %llu.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace pktdrill::run {

struct CodeVariable {
    std::string_view name;  // static storage
    std::uint64_t value = 0;
    friend bool operator==(CodeVariable const&, CodeVariable const&) = default;
};

struct CodeSnapshot {
    std::vector<CodeVariable> tcp_info;  // tcpi_*
    std::vector<CodeVariable> cc_info;   // bbr_*, dctcp_*, tcpv_* (empty for most congestion controls)
    std::vector<CodeVariable> meminfo;   // SK_MEMINFO_*
};

// The constants every snippet sees: packetdrill's 20 (its order), then the few more that
// lookup_code_constant knows (TCP_NEW_SYN_RECV, TCPI_OPT_SACK ...).
std::vector<CodeVariable> const& code_constants();

// Decoders of getsockopt's bytes; `bytes` is what the kernel returned (its returned length), so a
// field is named only when the kernel filled it.
std::vector<CodeVariable> decode_tcp_info(std::span<std::byte const> bytes);
std::vector<CodeVariable> decode_cc_info(std::span<std::byte const> bytes);
std::vector<CodeVariable> decode_meminfo(std::span<std::byte const> bytes);

// Why a snapshot could not be taken, in packetdrill's words ("can't find getsockopt to get TCP
// info"), and the system's reason.
struct SnapshotFailure {
    std::string message;
    int error = 0;  // errno of the failing getsockopt
};

// Takes the three getsockopts on `fd` now.
std::variant<CodeSnapshot, SnapshotFailure> take_snapshot(int fd);

}  // namespace pktdrill::run
