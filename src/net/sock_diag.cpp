#include "src/net/sock_diag.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <optional>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

// The kernel answers a dump of a few sockets in microseconds; the timeout only turns a kernel
// that never answers into an error instead of a hang.
constexpr int reply_timeout_seconds = 5;
// A dump that races with a change (a socket created or freed meanwhile) is flagged
// NLM_F_DUMP_INTR and repeated; sockets change far less often than this many times in a row.
constexpr int dump_attempts = 5;
// Large enough for a whole dump of a test's sockets in one recv() (each takes ~72 bytes), and
// what the kernel's own dump chunk size never exceeds.
constexpr std::size_t receive_buffer_size = 32 * 1024;

struct DumpRequest {
    nlmsghdr header;
    inet_diag_req_v2 request;
};

// The original request, which the kernel still serves (inet_diag_rcv_msg_compat): it dumps every
// address family in one walk (sdiag_family AF_UNSPEC), where SOCK_DIAG_BY_FAMILY needs one walk
// per family. The walk, not the sockets, is the cost: it visits every bucket of the established
// hash, which namespaces share (262144 buckets here, ~200 us), however few sockets there are.
struct CompatDumpRequest {
    nlmsghdr header;
    inet_diag_req request;
};

IpAddress address_of(int family, std::array<__be32, 4> const& words) {
    if (family == AF_INET) {
        std::array<std::uint8_t, 4> b;
        std::memcpy(b.data(), words.data(), 4);
        return IpAddress::v4(b);
    }
    std::array<std::uint8_t, 16> b;
    std::memcpy(b.data(), words.data(), 16);
    return IpAddress::v6(b);
}

}  // namespace

char const* netstat_state_name(std::uint8_t state) noexcept {
    switch (state) {
    case tcp_state::established: return "ESTABLISHED";
    case tcp_state::syn_sent: return "SYN_SENT";
    case tcp_state::syn_recv:
    case tcp_state::new_syn_recv: return "SYN_RECV";
    case tcp_state::fin_wait1: return "FIN_WAIT1";
    case tcp_state::fin_wait2: return "FIN_WAIT2";
    case tcp_state::time_wait: return "TIME_WAIT";
    case tcp_state::close:
    case tcp_state::bound_inactive: return "CLOSE";
    case tcp_state::close_wait: return "CLOSE_WAIT";
    case tcp_state::last_ack: return "LAST_ACK";
    case tcp_state::listen: return "LISTEN";
    case tcp_state::closing: return "CLOSING";
    default: return "UNKNOWN";
    }
}

std::string netstat_endpoint(IpAddress const& ip, std::uint16_t port) {
    return ip.to_string() + ":" + (port == 0 ? std::string("*") : std::to_string(port));
}

SockDiag::SockDiag() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) {
    if (!fd_) throw_system_error("socket(NETLINK_SOCK_DIAG)", errno);
    timeval timeout{reply_timeout_seconds, 0};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0)
        throw_system_error("sock_diag: setsockopt(SO_RCVTIMEO)", errno);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr const*>(&local), sizeof local) != 0)
        throw_system_error("sock_diag: bind", errno);
    buffer_.resize(receive_buffer_size);
}

std::vector<TcpSocketInfo> SockDiag::tcp_sockets() {
    std::vector<TcpSocketInfo> out;
    tcp_sockets(out);
    return out;
}

void SockDiag::tcp_sockets(std::vector<TcpSocketInfo>& out) {
    for (int attempt = 1;; ++attempt) {
        out.clear();
        if (compat_) {
            std::optional<bool> const done = dump(AF_UNSPEC, out);
            if (done && *done) return;
            if (!done) {
                compat_ = false;  // a kernel without the old request: one dump per family
                out.clear();
            }
        }
        if (!compat_ && dump(AF_INET, out).value_or(true) && dump(AF_INET6, out).value_or(true)) return;
        if (attempt == dump_attempts)
            throw Error("sock_diag: the TCP socket dump was interrupted by changes " + std::to_string(dump_attempts) +
                        " times in a row");
    }
}

std::optional<bool> SockDiag::dump(int family, std::vector<TcpSocketInfo>& out) {
    // Every state, including TCP_NEW_SYN_RECV (request sockets) and TCP_BOUND_INACTIVE, whose
    // bits come after the ones Debian's headers name.
    constexpr std::uint32_t all_states = ~0u;
    DumpRequest req{};
    CompatDumpRequest compat{};
    nlmsghdr* header = nullptr;
    std::size_t size = 0;
    if (family == AF_UNSPEC) {
        compat.header.nlmsg_type = TCPDIAG_GETSOCK;
        compat.request.idiag_family = AF_UNSPEC;
        compat.request.idiag_states = all_states;
        header = &compat.header;
        size = sizeof compat;
    } else {
        req.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
        req.request.sdiag_family = static_cast<std::uint8_t>(family);
        req.request.sdiag_protocol = IPPROTO_TCP;
        req.request.idiag_states = all_states;
        header = &req.header;
        size = sizeof req;
    }
    header->nlmsg_len = static_cast<std::uint32_t>(size);
    header->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    header->nlmsg_seq = ++sequence_;

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_.get(), header, size, 0, reinterpret_cast<sockaddr const*>(&kernel), sizeof kernel) < 0)
        throw_system_error("sock_diag: sendto", errno);

    bool interrupted = false;
    for (;;) {
        ssize_t const n = ::recv(fd_.get(), buffer_.data(), buffer_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_system_error("sock_diag: recv", errno);
        }
        int remaining = static_cast<int>(n);
        for (auto const* h = reinterpret_cast<nlmsghdr const*>(buffer_.data()); NLMSG_OK(h, remaining);
             h = NLMSG_NEXT(h, remaining)) {
            if (h->nlmsg_seq != sequence_) continue;  // a late answer to an earlier request
            if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            if (h->nlmsg_type == NLMSG_DONE) return !interrupted;
            if (h->nlmsg_type == NLMSG_ERROR) {
                nlmsgerr err{};
                std::memcpy(&err, NLMSG_DATA(h), std::min<std::size_t>(sizeof err, h->nlmsg_len - NLMSG_HDRLEN));
                if (family == AF_UNSPEC) return std::nullopt;  // no compat request: fall back
                // The kernel refuses an address family whose module is not loaded (no IPv6).
                if (err.error == -ENOENT) return !interrupted;
                throw_system_error("sock_diag: TCP socket dump", -err.error);
            }
            // Answers carry the request's type: TCPDIAG_GETSOCK for the compat request.
            if (h->nlmsg_type != header->nlmsg_type || h->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) continue;
            inet_diag_msg msg;
            std::memcpy(&msg, NLMSG_DATA(h), sizeof msg);
            TcpSocketInfo& s = out.emplace_back();
            s.family = msg.idiag_family;
            s.state = msg.idiag_state;
            std::array<__be32, 4> words;
            std::memcpy(words.data(), msg.id.idiag_src, sizeof words);
            s.local_ip = address_of(s.family, words);
            std::memcpy(words.data(), msg.id.idiag_dst, sizeof words);
            s.remote_ip = address_of(s.family, words);
            s.local_port = ntohs(msg.id.idiag_sport);
            s.remote_port = ntohs(msg.id.idiag_dport);
            s.rqueue = msg.idiag_rqueue;
            s.wqueue = msg.idiag_wqueue;
            s.inode = msg.idiag_inode;
            s.cookie = (static_cast<std::uint64_t>(msg.id.idiag_cookie[1]) << 32) | msg.id.idiag_cookie[0];
        }
    }
}

}  // namespace pktdrill::net
