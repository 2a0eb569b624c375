#pragma once
// Captures what the kernel transmits on the TUN device: a packet socket bound to the device that
// keeps only outgoing frames, each with the kernel's own capture timestamp.
//
// Order matters: a packet socket sees only packets sent after it is bound, so create the Sniffer
// right after the TunDevice and before configure_test_network() brings the link up. Then every
// packet the kernel ever sends on the device is captured.
//
// Nothing is filtered beyond "outgoing on this device": IPv6 neighbour/router solicitations and
// MLD reports that the kernel sends on its own when an IPv6 device comes up are captured like
// anything else. Telling them apart is the matcher's job (it drops packets foreign to the socket
// under test), and a capture that shows everything is what a user debugging a run wants to see.

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "src/base/unique_fd.hpp"

namespace pktdrill::net {

struct CapturedPacket {
    // From the IP header on, full length (TSO super-segments included, up to 64 KiB).
    std::vector<std::uint8_t> bytes;
    // When the kernel handed the packet to the device, on CLOCK_MONOTONIC (steady_clock), the
    // clock the scheduler uses. The kernel stamps on CLOCK_REALTIME; the offset between the two
    // clocks is measured afresh for every packet (never cached), so a clock step between packets
    // cannot skew it.
    std::chrono::steady_clock::time_point timestamp;
    // The device offloads checksums (TUN_F_CSUM): true when the kernel left the transport
    // checksum for the "hardware" to finish, so the checksum field holds only the pseudo-header
    // sum and must not be verified.
    bool checksum_partial = false;
};

struct SnifferStatistics {
    std::uint32_t packets = 0;  // accepted by the socket's filter
    std::uint32_t drops = 0;    // lost because the receive buffer was full
};

class Sniffer {
public:
    // Binds to the device with that index (in the calling thread's network namespace). The
    // device may still be down: capture starts when it comes up.
    explicit Sniffer(int ifindex);

    // Non-blocking; readable when a packet is waiting. For an event loop.
    int fd() const noexcept { return fd_.get(); }

    // The next captured packet, or nothing if none is waiting. Never blocks.
    std::optional<CapturedPacket> try_receive();
    // Waits (poll) for the next packet until the deadline; nothing if it passes first.
    std::optional<CapturedPacket> receive_until(std::chrono::steady_clock::time_point deadline);

    // Counts since the previous call (the kernel resets them on every read).
    SnifferStatistics statistics();

private:
    UniqueFd fd_;
    int ifindex_ = 0;
    std::vector<std::uint8_t> buffer_;
};

}  // namespace pktdrill::net
