#include "src/net/sniffer.hpp"

#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <type_traits>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

// Like packetdrill's: room for a burst of TSO super-segments while the scheduler sleeps.
constexpr int receive_buffer_bytes = 2 * 1024 * 1024;
// The largest IP packet: an IPv6 header plus a 64 KiB payload; a little slack on top so that a
// packet that does not fit is certainly an anomaly (reported, not silently cut).
constexpr std::size_t capture_buffer_bytes = 40 + 65535 + 1024;

static_assert(std::is_same_v<std::chrono::steady_clock::duration, std::chrono::nanoseconds>);

std::int64_t nanoseconds(timespec const& ts) { return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec; }

std::int64_t now_ns(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return nanoseconds(ts);
}

// Packet timestamps are CLOCK_REALTIME; the scheduler runs on CLOCK_MONOTONIC. The offset
// between the two is measured afresh for every packet (three vDSO calls, well under a
// microsecond), bracketing the realtime read between two monotonic ones, so an NTP step or slew
// between packets cannot skew the conversion. Only a step in the few microseconds between the
// kernel stamping the packet and this call could; that is accepted.
std::chrono::steady_clock::time_point realtime_to_steady(timespec const& realtime) {
    auto const mono_before = now_ns(CLOCK_MONOTONIC);
    auto const real = now_ns(CLOCK_REALTIME);
    auto const mono_after = now_ns(CLOCK_MONOTONIC);
    auto const offset = real - (mono_before + (mono_after - mono_before) / 2);
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(nanoseconds(realtime) - offset));
}

void set_option(int fd, int level, int name, int value, char const* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
        throw_system_error(std::string("sniffer: setsockopt(") + what + ")", errno);
}

}  // namespace

Sniffer::Sniffer(int ifindex) : ifindex_(ifindex), buffer_(capture_buffer_bytes) {
    // Protocol 0: the socket receives nothing until bind() gives it one, so no packet of another
    // device can slip in before the binding below.
    fd_ = UniqueFd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd_) throw_system_error("sniffer: socket(AF_PACKET)", errno);

    // FORCE exceeds net.core.rmem_max (we are root, and a fresh namespace keeps its small default).
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes, sizeof receive_buffer_bytes) != 0)
        set_option(fd_.get(), SOL_SOCKET, SO_RCVBUF, receive_buffer_bytes, "SO_RCVBUF");
    set_option(fd_.get(), SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
    set_option(fd_.get(), SOL_PACKET, PACKET_AUXDATA, 1, "PACKET_AUXDATA");

    // Keep only what the kernel transmits: the packets we inject come back as PACKET_HOST and
    // would otherwise fill the receive buffer for nothing.
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, static_cast<__u32>(SKF_AD_OFF + SKF_AD_PKTTYPE)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),  // whole packet
        BPF_STMT(BPF_RET | BPF_K, 0),            // drop
    };
    sock_fprog const program{static_cast<unsigned short>(std::size(code)), code};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program) != 0)
        throw_system_error("sniffer: setsockopt(SO_ATTACH_FILTER)", errno);

    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = ifindex;
    if (::bind(fd_.get(), reinterpret_cast<sockaddr const*>(&address), sizeof address) != 0)
        throw_system_error("sniffer: bind to ifindex " + std::to_string(ifindex), errno);
    // Bound to a device that is still down, the socket is given a pending ENETDOWN (and starts
    // capturing once the link comes up). Reading SO_ERROR consumes it.
    int pending = 0;
    socklen_t size = sizeof pending;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &pending, &size);
}

std::optional<CapturedPacket> Sniffer::try_receive() {
    for (;;) {
        sockaddr_ll from{};
        iovec data{buffer_.data(), buffer_.size()};
        alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(timespec)) + CMSG_SPACE(sizeof(tpacket_auxdata)) + 64];
        msghdr message{};
        message.msg_name = &from;
        message.msg_namelen = sizeof from;
        message.msg_iov = &data;
        message.msg_iovlen = 1;
        message.msg_control = control;
        message.msg_controllen = sizeof control;

        // MSG_TRUNC: the result is the packet's real length even when it did not fit.
        ssize_t const length = ::recvmsg(fd_.get(), &message, MSG_TRUNC);
        if (length < 0) {
            // ENETDOWN is the one-off notice that the link went down (e.g. the down/up cycle
            // after a speed change); capture resumes by itself when it comes back up.
            if (errno == EINTR || errno == ENETDOWN) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
            throw_system_error("sniffer: recvmsg", errno);
        }
        // The filter already did this; checking again costs nothing and keeps the guarantee
        // independent of the BPF program.
        if (from.sll_pkttype != PACKET_OUTGOING || from.sll_ifindex != ifindex_) continue;
        if (static_cast<std::size_t>(length) > buffer_.size())
            throw Error("sniffer: captured a packet of " + std::to_string(length) + " bytes, more than the " +
                        std::to_string(buffer_.size()) + "-byte capture buffer");

        CapturedPacket packet;
        packet.bytes.assign(buffer_.begin(), buffer_.begin() + length);
        std::optional<timespec> stamp;
        for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts;
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                stamp = ts;
            } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
                tpacket_auxdata aux;
                std::memcpy(&aux, CMSG_DATA(c), sizeof aux);
                packet.checksum_partial = (aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0;
            }
        }
        // The kernel always stamps when SO_TIMESTAMPNS is on; "now" is a harmless fallback.
        packet.timestamp = stamp ? realtime_to_steady(*stamp) : std::chrono::steady_clock::now();
        return packet;
    }
}

std::optional<CapturedPacket> Sniffer::receive_until(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        if (auto packet = try_receive()) return packet;
        auto const left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd_.get(), POLLIN, 0};
        int const ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 60'000)));
        if (ready < 0 && errno != EINTR) throw_system_error("sniffer: poll", errno);
    }
}

SnifferStatistics Sniffer::statistics() {
    tpacket_stats stats{};
    socklen_t size = sizeof stats;
    if (::getsockopt(fd_.get(), SOL_PACKET, PACKET_STATISTICS, &stats, &size) != 0)
        throw_system_error("sniffer: getsockopt(PACKET_STATISTICS)", errno);
    return {stats.tp_packets, stats.tp_drops};
}

}  // namespace pktdrill::net
