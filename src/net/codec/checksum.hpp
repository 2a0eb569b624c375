#pragma once
// The internet checksum (RFC 1071) and the IPv4/IPv6 pseudo headers that TCP, UDP and ICMPv6
// checksums start from (RFC 9293 3.1, RFC 768, RFC 8200 8.1).

#include <cstddef>
#include <cstdint>

#include "src/net/codec/address.hpp"
#include "src/net/codec/bytes.hpp"

namespace pktdrill::net {

// A running one's-complement sum that can be fed in pieces of any length: a piece that ends on
// an odd byte leaves the next piece's first byte as the low half of the same 16-bit word, which
// is what summing the concatenation would do.
class ChecksumAccumulator {
public:
    void add(ByteView data) noexcept;
    void add_be16(std::uint16_t v) noexcept;
    void add_be32(std::uint32_t v) noexcept;

    // The 16-bit one's-complement sum so far (0xFFFF over data that holds a correct checksum).
    std::uint16_t folded_sum() const noexcept;
    // The value to store in a checksum field: the complement of folded_sum().
    std::uint16_t checksum() const noexcept { return static_cast<std::uint16_t>(~folded_sum()); }

private:
    std::uint64_t sum_ = 0;  // 64 bits: no carry handling needed before 2^48 bytes
    bool odd_ = false;
};

// The checksum of `data` alone (what an IPv4 header or an ICMPv4 message stores).
std::uint16_t internet_checksum(ByteView data) noexcept;

// Accumulators primed with a pseudo header; add the upper-layer header and data, then checksum().
// `length` is the upper-layer length (header plus data).
ChecksumAccumulator ipv4_pseudo_header(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                       std::uint32_t length) noexcept;
ChecksumAccumulator ipv6_pseudo_header(Ipv6Address const& src, Ipv6Address const& dst,
                                       std::uint8_t next_header, std::uint32_t length) noexcept;

// True when `header` starts with an IPv4 header (its IHL says how long) whose checksum is
// correct. False when the bytes are too short for the IHL they claim or the IHL is below 5.
bool ipv4_header_checksum_ok(ByteView header) noexcept;

}  // namespace pktdrill::net
