#include "src/net/codec/tcp.hpp"

#include <string>

namespace pktdrill::net {

Status write_tcp_header(Bytes& out, TcpHeader const& h) {
    std::size_t const at = out.size();
    if (h.flags > tcp_flag::all)
        return CodecError{at, "TCP flags " + std::to_string(h.flags) + " do not fit in 12 bits"};
    std::uint8_t doff = 0;
    if (h.data_offset) {
        if (*h.data_offset > 15)
            return CodecError{at, "TCP data offset " + std::to_string(*h.data_offset) + " does not fit in 4 bits"};
        doff = *h.data_offset;
    } else {
        std::size_t const olen = tcp_options_length(h.options);
        if (olen % 4 != 0)
            return CodecError{at + TcpHeader::options_offset,
                              "TCP options take " + std::to_string(olen) +
                                  " bytes, not a multiple of 4: pad them (the codec does not) or give the data offset"};
        if (olen > 40)
            return CodecError{at + TcpHeader::options_offset,
                              "TCP options take " + std::to_string(olen) + " bytes, more than the 40 that fit"};
        doff = static_cast<std::uint8_t>((TcpHeader::min_length + olen) / 4);
    }
    append_be16(out, h.src_port);
    append_be16(out, h.dst_port);
    append_be32(out, h.seq);
    append_be32(out, h.ack);
    append_be16(out, static_cast<std::uint16_t>(doff << 12 | h.flags));
    append_be16(out, h.window);
    append_be16(out, h.checksum.value_or(0));
    append_be16(out, h.urgent_pointer);
    return write_tcp_options(out, h.options);
}

Result<TcpHeader> read_tcp_header(ByteView data, std::size_t base) {
    if (data.size() < TcpHeader::min_length)
        return CodecError{base, "truncated TCP header: " + std::to_string(data.size()) + " bytes, need at least 20"};
    TcpHeader h;
    h.src_port = load_be16(data, 0);
    h.dst_port = load_be16(data, 2);
    h.seq = load_be32(data, 4);
    h.ack = load_be32(data, 8);
    std::uint16_t const word = load_be16(data, 12);
    h.data_offset = static_cast<std::uint8_t>(word >> 12);
    h.flags = word & tcp_flag::all;
    h.window = load_be16(data, 14);
    h.checksum = load_be16(data, 16);
    h.urgent_pointer = load_be16(data, 18);
    std::size_t const hlen = std::size_t{*h.data_offset} * 4;
    if (hlen < TcpHeader::min_length)
        return CodecError{base + 12, "TCP data offset " + std::to_string(*h.data_offset) + " is below the minimum of 5"};
    if (hlen > data.size())
        return CodecError{base + 12, "TCP data offset says " + std::to_string(hlen) + " header bytes, only " +
                                         std::to_string(data.size()) + " present"};
    auto options = read_tcp_options(data.subspan(TcpHeader::options_offset, hlen - TcpHeader::options_offset),
                                    base + TcpHeader::options_offset);
    if (!options) return options.error();
    h.options = std::move(options).value();
    return h;
}

}  // namespace pktdrill::net
