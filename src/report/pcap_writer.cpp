#include "src/report/pcap_writer.hpp"

#include <pcap/pcap.h>

#include <algorithm>

#include "src/base/error.hpp"

namespace pktdrill::report {

namespace {

// IP's own limit: a TSO/GSO burst the kernel hands the device is at most 64 KiB, so no packet
// is ever cut short.
constexpr int snapshot_length = 65535;

}  // namespace

void PcapWriter::ClosePcap::operator()(pcap* p) const noexcept { ::pcap_close(p); }
void PcapWriter::CloseDumper::operator()(pcap_dumper* d) const noexcept { ::pcap_dump_close(d); }

PcapWriter::PcapWriter(std::string const& path) : path_(path) {
    pcap_.reset(::pcap_open_dead(DLT_RAW, snapshot_length));
    if (!pcap_) throw Error("pcap: cannot create a DLT_RAW handle");
    dumper_.reset(::pcap_dump_open(pcap_.get(), path.c_str()));
    if (!dumper_) throw Error("cannot write the capture file " + path + ": " + ::pcap_geterr(pcap_.get()));
}

PcapWriter::~PcapWriter() {
    dumper_.reset();  // before the handle it was opened from
}

void PcapWriter::write(std::span<std::uint8_t const> ip_packet, timeval timestamp) {
    pcap_pkthdr header{};
    header.ts = timestamp;
    header.len = static_cast<bpf_u_int32>(ip_packet.size());
    header.caplen = static_cast<bpf_u_int32>(std::min<std::size_t>(ip_packet.size(), snapshot_length));
    ::pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, ip_packet.data());
    ::pcap_dump_flush(dumper_.get());
    ++packets_;
}

}  // namespace pktdrill::report
