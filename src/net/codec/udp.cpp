#include "src/net/codec/udp.hpp"

#include <string>

namespace pktdrill::net {

Status write_udp_header(Bytes& out, UdpHeader const& h, std::size_t datagram_length) {
    if (!h.length && datagram_length > 0xFFFF)
        return CodecError{out.size(), "UDP datagram of " + std::to_string(datagram_length) +
                                          " bytes does not fit the 16-bit length"};
    append_be16(out, h.src_port);
    append_be16(out, h.dst_port);
    append_be16(out, h.length.value_or(static_cast<std::uint16_t>(datagram_length)));
    append_be16(out, h.checksum.value_or(0));
    return Ok{};
}

Result<UdpHeader> read_udp_header(ByteView data, std::size_t base) {
    if (data.size() < UdpHeader::length_on_wire)
        return CodecError{base, "truncated UDP header: " + std::to_string(data.size()) + " bytes, need 8"};
    UdpHeader h;
    h.src_port = load_be16(data, 0);
    h.dst_port = load_be16(data, 2);
    h.length = load_be16(data, 4);
    h.checksum = load_be16(data, 6);
    return h;
}

}  // namespace pktdrill::net
