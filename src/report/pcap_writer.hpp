#pragma once
// A capture file that tcpdump -r and Wireshark read, written through libpcap itself (not by hand)
// so the format is whatever libpcap guarantees. Link type DLT_RAW: packets start at the IP
// header, as they cross the TUN device, IPv4 and IPv6 alike.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include <sys/time.h>

struct pcap;
struct pcap_dumper;

namespace pktdrill::report {

class PcapWriter {
public:
    // Creates (or truncates) the file. Throws Error if it cannot be written.
    explicit PcapWriter(std::string const& path);
    ~PcapWriter();
    PcapWriter(PcapWriter const&) = delete;
    PcapWriter& operator=(PcapWriter const&) = delete;

    // Appends one packet (from the IP header on) with its wall-clock timestamp, and flushes: a
    // run killed outright still leaves every packet it saw in the file, and a reader following
    // the file live sees them at once.
    void write(std::span<std::uint8_t const> ip_packet, timeval timestamp);

    std::string const& path() const noexcept { return path_; }
    std::uint64_t packets() const noexcept { return packets_; }

private:
    struct ClosePcap {
        void operator()(pcap* p) const noexcept;
    };
    struct CloseDumper {
        void operator()(pcap_dumper* d) const noexcept;
    };
    std::string path_;
    std::unique_ptr<pcap, ClosePcap> pcap_;  // the "dead" handle that only describes the link type
    std::unique_ptr<pcap_dumper, CloseDumper> dumper_;
    std::uint64_t packets_ = 0;
};

}  // namespace pktdrill::report
