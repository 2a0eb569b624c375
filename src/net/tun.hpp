#pragma once
// The TUN device through which the simulated remote host talks to the kernel: what pktdrill
// writes to it arrives at the kernel as if received from the wire, and everything the kernel
// transmits on it is queued for us to read.
//
// The device is not persistent: it disappears when the TunDevice is destroyed (or the process
// dies), so nothing outlives a run.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/unique_fd.hpp"

namespace pktdrill::net {

class TunDevice {
public:
    // Scripts refer to the device by this name (e.g. in `ip`/`tc` shell commands).
    static constexpr std::string_view default_name = "tun0";

    // Creates the device in the calling thread's network namespace: IFF_TUN | IFF_NO_PI |
    // IFF_VNET_HDR, and offloads CSUM + TSO4 + TSO6 + TSO_ECN like a typical Ethernet NIC, so the
    // kernel may hand it TSO super-segments. The link stays down; see configure_test_network().
    // Throws if a device with that name already exists (packetdrill waits for tun0 to become free;
    // in a fresh private namespace it always is, so waiting would only hide a bug).
    explicit TunDevice(std::string_view name = default_name);

    TunDevice(TunDevice&&) noexcept = default;
    TunDevice& operator=(TunDevice&&) noexcept = default;

    std::string const& name() const noexcept { return name_; }
    int ifindex() const noexcept { return ifindex_; }
    // Non-blocking. Readable when the kernel has transmitted packets (see drain()).
    int fd() const noexcept { return fd_.get(); }

    // Injects one IP packet (IPv4 or IPv6, starting at the IP header, checksums already correct),
    // as if it had arrived from the wire. A non-zero gso_size marks a TCP packet as a GRO-style
    // aggregate of gso_size-byte segments (packetdrill's --mss); it is ignored for anything but
    // TCP so a caller can pass its --mss for every packet. Throws on failure.
    void write_packet(std::span<std::uint8_t const> ip_packet, std::uint16_t gso_size = 0);

    // Reads and discards every packet the kernel has queued for transmission on the device;
    // returns how many. The transmit queue is bounded: if nobody reads it, the kernel drops
    // further packets (and TCP may see them as lost locally). The sniffer, not this, is how
    // pktdrill observes them. Never blocks.
    std::size_t drain();

    // Frees the oldest packet the kernel queued on the device, if there is one. Until a queued
    // packet is freed it counts against its socket's TCP Small Queues budget, which paces what
    // the kernel sends next: packetdrill frees one packet for each packet it sniffs, and the
    // kernel's timing under a script depends on that.
    bool release_one();

    // Lets the device outlive this object: it then dies with its network namespace instead.
    // Destroying a device waits for RCU grace periods (about 20 ms here); a namespace that dies
    // with the process does that work in the kernel after the process has exited. Only for a
    // namespace of our own: in the caller's namespace the device would be left behind.
    void persist_until_namespace_ends();

private:
    UniqueFd fd_;
    std::string name_;
    int ifindex_ = 0;
    std::vector<std::uint8_t> read_buffer_;
};

}  // namespace pktdrill::net
