#include "src/net/codec/gre.hpp"

#include <string>

namespace pktdrill::net {

Status write_gre_header(Bytes& out, GreHeader const& h, std::optional<std::uint16_t> next_protocol) {
    std::size_t const at = out.size();
    if (h.version > GreHeader::version_mask)
        return CodecError{at, "GRE version " + std::to_string(h.version) + " does not fit in 3 bits"};
    if ((h.reserved0 & ~GreHeader::reserved0_mask) != 0)
        return CodecError{at, "GRE reserved0 " + std::to_string(h.reserved0) +
                                  " uses bits outside the reserved ones (mask 0x4FF8)"};
    std::uint16_t protocol = 0;
    if (h.protocol) {
        protocol = *h.protocol;
    } else if (next_protocol) {
        protocol = *next_protocol;
    } else {
        return CodecError{at, "GRE protocol must be given: no IP or MPLS layer follows the header"};
    }
    std::uint16_t word = static_cast<std::uint16_t>(h.reserved0 | h.version);
    if (h.checksum_present) word |= GreHeader::flag_checksum;
    if (h.key_present) word |= GreHeader::flag_key;
    if (h.sequence_present) word |= GreHeader::flag_sequence;
    append_be16(out, word);
    append_be16(out, protocol);
    if (h.checksum_present) {
        append_be16(out, h.checksum.value_or(0));
        append_be16(out, h.reserved1);
    }
    if (h.key_present) append_be32(out, h.key);
    if (h.sequence_present) append_be32(out, h.sequence);
    return Ok{};
}

Result<GreHeader> read_gre_header(ByteView data, std::size_t base) {
    if (data.size() < GreHeader::min_length)
        return CodecError{base, "truncated GRE header: " + std::to_string(data.size()) + " bytes, need at least 4"};
    GreHeader h;
    std::uint16_t const word = load_be16(data, 0);
    h.checksum_present = word & GreHeader::flag_checksum;
    h.key_present = word & GreHeader::flag_key;
    h.sequence_present = word & GreHeader::flag_sequence;
    h.reserved0 = word & GreHeader::reserved0_mask;
    h.version = static_cast<std::uint8_t>(word & GreHeader::version_mask);
    h.protocol = load_be16(data, 2);
    if (data.size() < h.header_length())
        return CodecError{base, "truncated GRE header: its flags ask for " + std::to_string(h.header_length()) +
                                    " bytes, " + std::to_string(data.size()) + " present"};
    std::size_t pos = GreHeader::min_length;
    if (h.checksum_present) {
        h.checksum = load_be16(data, pos);
        h.reserved1 = load_be16(data, pos + 2);
        pos += 4;
    }
    if (h.key_present) {
        h.key = load_be32(data, pos);
        pos += 4;
    }
    if (h.sequence_present) h.sequence = load_be32(data, pos);
    return h;
}

}  // namespace pktdrill::net
