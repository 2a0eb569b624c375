#pragma once
// --pcap FILE: every packet that crosses tun0, both directions, into a capture file that
// tcpdump -r and Wireshark read (through libpcap, see report/pcap_writer.hpp).
//
// Timestamps are wall-clock time, as capture files carry them: the run's monotonic time of each
// packet (the kernel's capture time for what it sent, the moment the write to the TUN device
// returned for what the script injected) plus the offset between the two clocks at that moment.
//
// Order: the file is in the order pktdrill saw the packets, and its times never go backwards.
// The kernel answers an injected packet inside the write() that injects it, so the answer's
// capture time can be a few microseconds earlier than the time the injection is stamped with;
// such a time is raised to the previous packet's, so the answer never appears before its cause.

#include <limits>
#include <string>

#include "src/report/pcap_writer.hpp"
#include "src/run/observer.hpp"

namespace pktdrill::run {

class PcapObserver : public RunObserver {
public:
    // Creates the file at once, so a path that cannot be written fails before the run starts.
    explicit PcapObserver(std::string const& path) : writer_(path) {}

    void packet(RunContext& ctx, bool inbound, std::span<std::uint8_t const> ip_packet, Micros script_time) override;

    report::PcapWriter const& writer() const noexcept { return writer_; }

private:
    report::PcapWriter writer_;
    Micros last_ = std::numeric_limits<Micros>::min();  // wall-clock time of the last packet written
};

}  // namespace pktdrill::run
