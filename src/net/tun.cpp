#include "src/net/tun.hpp"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

constexpr std::uint8_t ip_protocol_tcp = 6;

// struct virtio_net_hdr, the 10-byte prefix IFF_VNET_HDR puts on every packet. <linux/virtio_net.h>
// cannot be included from C++ (a member is called `class`), so the ABI is spelled out here. The
// 16-bit fields are in native byte order: TUN uses the legacy virtio convention unless
// TUNSETVNETLE/BE says otherwise.
struct VirtioNetHeader {
    std::uint8_t flags = 0;
    std::uint8_t gso_type = 0;
    std::uint16_t hdr_len = 0;
    std::uint16_t gso_size = 0;
    std::uint16_t csum_start = 0;
    std::uint16_t csum_offset = 0;
};
static_assert(sizeof(VirtioNetHeader) == 10);
constexpr std::uint8_t virtio_gso_tcpv4 = 1;  // VIRTIO_NET_HDR_GSO_TCPV4
constexpr std::uint8_t virtio_gso_tcpv6 = 4;  // VIRTIO_NET_HDR_GSO_TCPV6

// Bytes from the IP header's start to the end of the TCP header, or 0 if this is not a TCP
// packet we can see into (IPv6 extension headers are not followed).
std::size_t tcp_headers_length(std::span<std::uint8_t const> packet) {
    if (packet.empty()) return 0;
    std::size_t ip_header = 0;
    switch (packet[0] >> 4) {
    case 4:
        if (packet.size() < 20 || packet[9] != ip_protocol_tcp) return 0;
        ip_header = (packet[0] & 0x0fu) * 4u;
        break;
    case 6:
        if (packet.size() < 40 || packet[6] != ip_protocol_tcp) return 0;
        ip_header = 40;
        break;
    default:
        return 0;
    }
    if (packet.size() < ip_header + 20) return 0;
    return ip_header + (packet[ip_header + 12] >> 4) * 4u;
}

}  // namespace

TunDevice::TunDevice(std::string_view name) : name_(name), read_buffer_(sizeof(VirtioNetHeader) + 65536 + 64) {
    if (name.empty() || name.size() >= IFNAMSIZ)
        throw Error("bad network device name '" + std::string(name) + "'");

    fd_ = UniqueFd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd_) throw_system_error("open /dev/net/tun", errno);

    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    // IFF_TUN_EXCL: refuse to attach to an existing device of that name instead of sharing it.
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL;
    if (::ioctl(fd_.get(), TUNSETIFF, &ifr) != 0) {
        int const err = errno;
        if (err == EBUSY || err == EEXIST)
            throw Error("cannot create TUN device " + name_ + ": a network device of that name already exists in "
                        "this network namespace");
        throw_system_error("cannot create TUN device " + name_ + ": TUNSETIFF", err);
    }

    unsigned const offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    if (::ioctl(fd_.get(), TUNSETOFFLOAD, offloads) != 0)
        throw_system_error("TUNSETOFFLOAD on " + name_, errno);

    ifindex_ = static_cast<int>(::if_nametoindex(name_.c_str()));
    if (ifindex_ == 0) throw_system_error("if_nametoindex(" + name_ + ")", errno);
}

void TunDevice::write_packet(std::span<std::uint8_t const> ip_packet, std::uint16_t gso_size) {
    VirtioNetHeader header;  // all zero: no offload, checksum already complete
    if (gso_size != 0) {
        if (auto const headers = tcp_headers_length(ip_packet); headers != 0) {
            header.gso_type = (ip_packet[0] >> 4) == 4 ? virtio_gso_tcpv4 : virtio_gso_tcpv6;
            header.gso_size = gso_size;
            header.hdr_len = static_cast<std::uint16_t>(headers);
        }
    }
    iovec parts[2] = {
        {&header, sizeof header},
        {const_cast<std::uint8_t*>(ip_packet.data()), ip_packet.size()},
    };
    ssize_t written;
    do {
        written = ::writev(fd_.get(), parts, 2);
    } while (written < 0 && errno == EINTR);
    if (written < 0) throw_system_error("write to " + name_, errno);
    if (static_cast<std::size_t>(written) != sizeof header + ip_packet.size())
        throw Error("write to " + name_ + ": short write of " + std::to_string(written) + " bytes");
}

std::size_t TunDevice::drain() {
    std::size_t count = 0;
    for (;;) {
        ssize_t const n = ::read(fd_.get(), read_buffer_.data(), read_buffer_.size());
        if (n > 0) {
            ++count;
            continue;
        }
        if (n == 0) return count;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return count;
        throw_system_error("read from " + name_, errno);
    }
}

bool TunDevice::release_one() {
    // A short read consumes (and frees) a whole queued packet, as a datagram read does; it must
    // still hold the virtio_net_hdr that precedes every packet, or the read fails with EINVAL.
    std::uint8_t head[64];
    for (;;) {
        ssize_t const n = ::read(fd_.get(), head, sizeof head);
        if (n >= 0) return n > 0;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        throw_system_error("read from " + name_, errno);
    }
}

void TunDevice::persist_until_namespace_ends() {
    if (::ioctl(fd_.get(), TUNSETPERSIST, 1) != 0) throw_system_error("TUNSETPERSIST on " + name_, errno);
}

}  // namespace pktdrill::net
