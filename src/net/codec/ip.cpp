#include "src/net/codec/ip.hpp"

#include <algorithm>
#include <string>

#include "src/net/codec/checksum.hpp"

namespace pktdrill::net {

namespace {

CodecError error_at(std::size_t offset, std::string message) {
    return CodecError{offset, std::move(message)};
}

}  // namespace

Status write_ipv4_header(Bytes& out, Ipv4Header const& h, std::size_t datagram_length,
                         std::optional<std::uint8_t> next_protocol) {
    std::size_t const at = out.size();
    if (h.version > 15) return error_at(at, "IPv4 version " + std::to_string(h.version) + " does not fit in 4 bits");
    std::uint8_t ihl = 0;
    if (h.ihl) {
        if (*h.ihl > 15) return error_at(at, "IPv4 IHL " + std::to_string(*h.ihl) + " does not fit in 4 bits");
        ihl = *h.ihl;
    } else {
        if (h.options.size() % 4 != 0 || h.options.size() > 40)
            return error_at(at, "IPv4 options take " + std::to_string(h.options.size()) +
                                    " bytes; without an explicit IHL they must be a multiple of 4, at most 40");
        ihl = static_cast<std::uint8_t>(h.header_length() / 4);
    }
    std::uint16_t total = 0;
    if (h.total_length) {
        total = *h.total_length;
    } else {
        if (datagram_length > 0xFFFF)
            return error_at(at, "IPv4 datagram of " + std::to_string(datagram_length) +
                                    " bytes does not fit the 16-bit total length (give total_length, e.g. 0, explicitly)");
        total = static_cast<std::uint16_t>(datagram_length);
    }
    std::uint8_t protocol = 0;
    if (h.protocol) {
        protocol = *h.protocol;
    } else if (next_protocol) {
        protocol = *next_protocol;
    } else {
        return error_at(at, "IPv4 protocol must be given: no known layer follows the header");
    }

    append_u8(out, static_cast<std::uint8_t>(h.version << 4 | ihl));
    append_u8(out, h.tos);
    append_be16(out, total);
    append_be16(out, h.id);
    append_be16(out, h.flags_fragment);
    append_u8(out, h.ttl);
    append_u8(out, protocol);
    append_be16(out, h.checksum.value_or(0));
    append_bytes(out, h.src.bytes);
    append_bytes(out, h.dst.bytes);
    append_bytes(out, h.options);
    if (!h.checksum) {
        std::uint16_t const sum = internet_checksum(ByteView(out).subspan(at, h.header_length()));
        store_be16(out, at + 10, sum);
    }
    return Ok{};
}

Status write_ipv6_header(Bytes& out, Ipv6Header const& h, std::size_t datagram_length,
                         std::optional<std::uint8_t> next_protocol) {
    std::size_t const at = out.size();
    if (h.version > 15) return error_at(at, "IPv6 version " + std::to_string(h.version) + " does not fit in 4 bits");
    if (h.flow_label > Ipv6Header::flow_label_mask)
        return error_at(at, "IPv6 flow label " + std::to_string(h.flow_label) + " does not fit in 20 bits");
    std::uint16_t payload = 0;
    if (h.payload_length) {
        payload = *h.payload_length;
    } else {
        std::size_t const len = datagram_length - Ipv6Header::fixed_length;
        if (len > 0xFFFF)
            return error_at(at, "IPv6 payload of " + std::to_string(len) +
                                    " bytes does not fit the 16-bit payload length (give payload_length, e.g. 0, explicitly)");
        payload = static_cast<std::uint16_t>(len);
    }
    std::uint8_t next = 0;
    if (h.next_header) {
        next = *h.next_header;
    } else if (!h.extension_headers.empty()) {
        return error_at(at, "IPv6 next header must be given when there are extension headers");
    } else if (next_protocol) {
        next = *next_protocol;
    } else {
        return error_at(at, "IPv6 next header must be given: no known layer follows the header");
    }

    append_be32(out, std::uint32_t{h.version} << 28 | std::uint32_t{h.traffic_class} << 20 | h.flow_label);
    append_be16(out, payload);
    append_u8(out, next);
    append_u8(out, h.hop_limit);
    append_bytes(out, h.src.bytes);
    append_bytes(out, h.dst.bytes);
    append_bytes(out, h.extension_headers);
    return Ok{};
}

Result<Ipv4Header> read_ipv4_header(ByteView data, std::size_t base) {
    if (data.size() < Ipv4Header::min_length)
        return error_at(base, "truncated IPv4 header: " + std::to_string(data.size()) +
                                  " bytes, need at least 20");
    Ipv4Header h;
    h.version = data[0] >> 4;
    if (h.version != 4) return error_at(base, "IPv4 header has version " + std::to_string(h.version));
    h.ihl = data[0] & 0x0F;
    std::size_t const hlen = std::size_t{*h.ihl} * 4;
    if (hlen < Ipv4Header::min_length)
        return error_at(base, "IPv4 IHL " + std::to_string(*h.ihl) + " is below the minimum of 5");
    if (data.size() < hlen)
        return error_at(base, "truncated IPv4 header: IHL says " + std::to_string(hlen) + " bytes, " +
                                  std::to_string(data.size()) + " present");
    h.tos = data[1];
    h.total_length = load_be16(data, 2);
    h.id = load_be16(data, 4);
    h.flags_fragment = load_be16(data, 6);
    h.ttl = data[8];
    h.protocol = data[9];
    h.checksum = load_be16(data, 10);
    std::copy_n(data.begin() + 12, 4, h.src.bytes.begin());
    std::copy_n(data.begin() + 16, 4, h.dst.bytes.begin());
    h.options.assign(data.begin() + 20, data.begin() + static_cast<std::ptrdiff_t>(hlen));
    return h;
}

Result<Ipv6Header> read_ipv6_fixed_header(ByteView data, std::size_t base) {
    if (data.size() < Ipv6Header::fixed_length)
        return error_at(base, "truncated IPv6 header: " + std::to_string(data.size()) +
                                  " bytes, need 40");
    Ipv6Header h;
    std::uint32_t const first = load_be32(data, 0);
    h.version = static_cast<std::uint8_t>(first >> 28);
    if (h.version != 6) return error_at(base, "IPv6 header has version " + std::to_string(h.version));
    h.traffic_class = static_cast<std::uint8_t>(first >> 20);
    h.flow_label = first & Ipv6Header::flow_label_mask;
    h.payload_length = load_be16(data, 4);
    h.next_header = data[6];
    h.hop_limit = data[7];
    std::copy_n(data.begin() + 8, 16, h.src.bytes.begin());
    std::copy_n(data.begin() + 24, 16, h.dst.bytes.begin());
    return h;
}

Result<Ipv6ExtensionChain> walk_ipv6_extension_headers(std::uint8_t next_header, ByteView data,
                                                       std::size_t base) {
    Ipv6ExtensionChain chain;
    std::size_t pos = 0;
    std::uint8_t type = next_header;
    for (;;) {
        std::size_t len = 0;
        switch (type) {
            case ip_protocol::hop_by_hop:
            case ip_protocol::ipv6_routing:
            case ip_protocol::ipv6_dest_options:
            case ip_protocol::mobility:
            case ip_protocol::hip:
            case ip_protocol::shim6:
                if (data.size() - pos < 2)
                    return error_at(base + pos, "truncated IPv6 extension header " + std::to_string(type));
                len = (std::size_t{data[pos + 1]} + 1) * 8;
                break;
            case ip_protocol::ah:
                if (data.size() - pos < 2)
                    return error_at(base + pos, "truncated IPv6 authentication header");
                len = (std::size_t{data[pos + 1]} + 2) * 4;  // AH counts 4-byte units (RFC 4302)
                break;
            case ip_protocol::ipv6_fragment:
                len = 8;
                break;
            default:
                chain.upper_protocol = type;
                chain.length = pos;
                return chain;
        }
        if (data.size() - pos < len)
            return error_at(base + pos, "IPv6 extension header " + std::to_string(type) + " claims " +
                                            std::to_string(len) + " bytes, " +
                                            std::to_string(data.size() - pos) + " present");
        if (type == ip_protocol::ipv6_fragment && (load_be16(data, pos + 2) & 0xFFF8) != 0)
            chain.non_first_fragment = true;
        type = data[pos];
        pos += len;
    }
}

std::optional<std::uint8_t> Ipv6Header::upper_layer_protocol() const {
    if (!next_header) return std::nullopt;
    auto chain = walk_ipv6_extension_headers(*next_header, extension_headers);
    if (!chain) return std::nullopt;
    return chain->upper_protocol;
}

bool ipv4_header_checksum_ok(Ipv4Header const& h) {
    if (!h.checksum) return true;  // encode() would compute a correct one
    Ipv4Header copy = h;
    if (!copy.total_length) copy.total_length = 0;
    if (!copy.protocol) copy.protocol = 0;
    Bytes out;
    if (!write_ipv4_header(out, copy, 0, std::nullopt)) return false;
    return ipv4_header_checksum_ok(ByteView(out));
}

}  // namespace pktdrill::net
