#pragma once
// The TCP sockets of a network namespace as the kernel reports them through NETLINK_SOCK_DIAG
// (inet_diag, the interface `ss` uses), so pktdrill never has to run ss or netstat. One dump
// covers every state, including what no process holds any more: request sockets (SYN_RECV),
// orphans (FIN_WAIT1, LAST_ACK after close()), TIME_WAIT sockets, and since Linux 6.8 sockets
// that are bound but neither listening nor connected.
//
// The socket lives in the network namespace of the thread that constructs it: construct it in
// the namespace to watch.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/base/unique_fd.hpp"
#include "src/net/ip_address.hpp"

namespace pktdrill::net {

// The kernel's TCP state numbers (include/net/tcp_states.h); the uapi headers do not export them.
namespace tcp_state {
inline constexpr std::uint8_t established = 1;
inline constexpr std::uint8_t syn_sent = 2;
inline constexpr std::uint8_t syn_recv = 3;
inline constexpr std::uint8_t fin_wait1 = 4;
inline constexpr std::uint8_t fin_wait2 = 5;
inline constexpr std::uint8_t time_wait = 6;
inline constexpr std::uint8_t close = 7;
inline constexpr std::uint8_t close_wait = 8;
inline constexpr std::uint8_t last_ack = 9;
inline constexpr std::uint8_t listen = 10;
inline constexpr std::uint8_t closing = 11;
inline constexpr std::uint8_t new_syn_recv = 12;    // a request socket; reported as SYN_RECV
inline constexpr std::uint8_t bound_inactive = 13;  // bound only; what `ss` calls UNCONN
}  // namespace tcp_state

// The state as netstat spells it (ESTABLISHED, SYN_SENT, FIN_WAIT1, ...): a request socket is
// SYN_RECV and a socket that is only bound is CLOSE, as its sk_state says. "UNKNOWN" otherwise.
char const* netstat_state_name(std::uint8_t state) noexcept;

struct TcpSocketInfo {
    int family = 0;  // AF_INET or AF_INET6 (an IPv4-mapped socket is AF_INET6)
    std::uint8_t state = 0;
    IpAddress local_ip;
    std::uint16_t local_port = 0;
    IpAddress remote_ip;  // the unspecified address for listening and bound-only sockets
    std::uint16_t remote_port = 0;
    // netstat's Recv-Q and Send-Q as the kernel reports them: unread bytes (a received FIN counts
    // one) and unacknowledged ones (a SYN or FIN counts one); for a listener the accept queue
    // and its limit.
    std::uint32_t rqueue = 0;
    std::uint32_t wqueue = 0;
    // The socket inode (what fstat() of its fd gives as st_ino), 0 for sockets no file refers
    // to: request sockets, children not yet accepted, orphans, TIME_WAIT.
    std::uint64_t inode = 0;
    std::uint64_t cookie = 0;  // the kernel's socket cookie (a TIME_WAIT socket gets its own)

    friend bool operator==(TcpSocketInfo const&, TcpSocketInfo const&) = default;
};

class SockDiag {
public:
    // Opens a NETLINK_SOCK_DIAG socket in the calling thread's network namespace.
    SockDiag();

    // Every TCP socket of the namespace, IPv4 and IPv6, in the kernel's dump order (listeners,
    // then connections, then bound-only sockets). Throws Error if the kernel refuses.
    std::vector<TcpSocketInfo> tcp_sockets();
    // The same into `out` (cleared first), reusing its storage: for reading after every event.
    void tcp_sockets(std::vector<TcpSocketInfo>& out);

private:
    // Appends the sockets of one address family (AF_UNSPEC: all, through the compat request);
    // false if the dump was interrupted by a change (NLM_F_DUMP_INTR) and must be repeated,
    // nothing if the kernel refused the compat request.
    std::optional<bool> dump(int family, std::vector<TcpSocketInfo>& out);

    UniqueFd fd_;
    bool compat_ = true;  // the one-walk request works (until the kernel says otherwise)
    std::uint32_t sequence_ = 0;
    std::vector<std::uint8_t> buffer_;
};

// `192.168.0.1:8080`, `0.0.0.0:*`, `:::*`, `::ffff:192.168.0.1:8080`: an address and port as
// netstat -n prints them (port 0 of the unspecified address is `*`).
std::string netstat_endpoint(IpAddress const& ip, std::uint16_t port);

}  // namespace pktdrill::net
