#pragma once
// The GRE header (RFC 2784, with the key and sequence number of RFC 2890).

#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t ipv6 = 0x86DD;
inline constexpr std::uint16_t mpls_unicast = 0x8847;
inline constexpr std::uint16_t mpls_multicast = 0x8848;
}  // namespace ethertype

struct GreHeader {
    static constexpr std::size_t min_length = 4;
    // Bits of the first 16-bit word.
    static constexpr std::uint16_t flag_checksum = 0x8000;
    static constexpr std::uint16_t flag_key = 0x2000;
    static constexpr std::uint16_t flag_sequence = 0x1000;
    static constexpr std::uint16_t version_mask = 0x0007;
    // Everything else in the first word: RFC 1701's routing/strict-route/recursion bits and
    // flags, which RFC 2784 reserves. Kept so odd headers survive a round trip.
    static constexpr std::uint16_t reserved0_mask = 0x4FF8;

    bool checksum_present = false;
    bool key_present = false;
    bool sequence_present = false;
    std::uint16_t reserved0 = 0;  // the reserved0_mask bits, in their wire positions
    std::uint8_t version = 0;     // 3 bits
    std::optional<std::uint16_t> protocol{};  // an EtherType; derived from the next layer
    // When checksum_present: derived, over the GRE header and everything after it.
    std::optional<std::uint16_t> checksum{};
    std::uint16_t reserved1 = 0;  // follows the checksum (packetdrill's "off")
    std::uint32_t key = 0;        // when key_present
    std::uint32_t sequence = 0;   // when sequence_present

    std::size_t header_length() const noexcept {
        return min_length + (checksum_present ? 4 : 0) + (key_present ? 4 : 0) + (sequence_present ? 4 : 0);
    }

    friend bool operator==(GreHeader const&, GreHeader const&) = default;
};

// The checksum field is 4 bytes in, when present.
inline constexpr std::size_t gre_checksum_offset = 4;

// `next_protocol` (an EtherType) fills an unset protocol. The checksum is written as given, 0
// when unset (the packet encoder patches it). Fails for a version or reserved0 out of range.
Status write_gre_header(Bytes& out, GreHeader const& h, std::optional<std::uint16_t> next_protocol);
Result<GreHeader> read_gre_header(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
