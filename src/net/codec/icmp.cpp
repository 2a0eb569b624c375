#include "src/net/codec/icmp.hpp"

#include <algorithm>
#include <string>

namespace pktdrill::net {

namespace {

// Both versions share one layout; only the type differs, so the variant can tell them apart.
template <class Header>
void write_common(Bytes& out, Header const& h) {
    append_u8(out, h.type);
    append_u8(out, h.code);
    append_be16(out, h.checksum.value_or(0));
    append_bytes(out, h.rest);
}

template <class Header>
Result<Header> read_common(ByteView data, std::size_t base, char const* name) {
    if (data.size() < Header::length_on_wire)
        return CodecError{base, std::string("truncated ") + name + " header: " + std::to_string(data.size()) +
                                    " bytes, need 8"};
    Header h;
    h.type = data[0];
    h.code = data[1];
    h.checksum = load_be16(data, 2);
    std::copy_n(data.begin() + 4, 4, h.rest.begin());
    return h;
}

}  // namespace

Status write_icmpv4_header(Bytes& out, Icmpv4Header const& h) {
    write_common(out, h);
    return Ok{};
}

Status write_icmpv6_header(Bytes& out, Icmpv6Header const& h) {
    write_common(out, h);
    return Ok{};
}

Result<Icmpv4Header> read_icmpv4_header(ByteView data, std::size_t base) {
    return read_common<Icmpv4Header>(data, base, "ICMPv4");
}

Result<Icmpv6Header> read_icmpv6_header(ByteView data, std::size_t base) {
    return read_common<Icmpv6Header>(data, base, "ICMPv6");
}

}  // namespace pktdrill::net
