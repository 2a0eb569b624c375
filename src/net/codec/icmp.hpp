#pragma once
// ICMPv4 (RFC 792, RFC 1191) and ICMPv6 (RFC 4443) headers: type, code, checksum and the 4-byte
// "rest of header". The body (for errors, the echoed datagram) is the packet's payload, kept
// raw; decode it with decode(..., {.allow_truncated = true}) from packet.hpp.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

namespace icmpv4_type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t dest_unreachable = 3;
inline constexpr std::uint8_t source_quench = 4;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t time_exceeded = 11;
inline constexpr std::uint8_t parameter_problem = 12;
inline constexpr std::uint8_t timestamp = 13;
inline constexpr std::uint8_t timestamp_reply = 14;
inline constexpr std::uint8_t information_request = 15;
inline constexpr std::uint8_t information_reply = 16;
inline constexpr std::uint8_t address_mask_request = 17;
inline constexpr std::uint8_t address_mask_reply = 18;
}  // namespace icmpv4_type

// Codes of icmpv4_type::dest_unreachable.
namespace icmpv4_unreachable {
inline constexpr std::uint8_t net = 0;
inline constexpr std::uint8_t host = 1;
inline constexpr std::uint8_t protocol = 2;
inline constexpr std::uint8_t port = 3;
inline constexpr std::uint8_t frag_needed = 4;
inline constexpr std::uint8_t source_route_failed = 5;
}  // namespace icmpv4_unreachable

namespace icmpv6_type {
inline constexpr std::uint8_t dest_unreachable = 1;
inline constexpr std::uint8_t packet_too_big = 2;
inline constexpr std::uint8_t time_exceeded = 3;
inline constexpr std::uint8_t parameter_problem = 4;
inline constexpr std::uint8_t echo_request = 128;
inline constexpr std::uint8_t echo_reply = 129;
}  // namespace icmpv6_type

struct Icmpv4Header {
    static constexpr std::size_t length_on_wire = 8;

    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::optional<std::uint16_t> checksum{};  // derived: over the header and the body
    std::array<std::uint8_t, 4> rest{};

    // Echo request/reply.
    std::uint16_t echo_id() const noexcept { return load_be16(rest, 0); }
    std::uint16_t echo_sequence() const noexcept { return load_be16(rest, 2); }
    void set_echo(std::uint16_t id, std::uint16_t sequence) noexcept {
        store_be16(rest, 0, id);
        store_be16(rest, 2, sequence);
    }
    // Destination unreachable / fragmentation needed (RFC 1191): the low 16 bits.
    std::uint16_t next_hop_mtu() const noexcept { return load_be16(rest, 2); }
    void set_next_hop_mtu(std::uint16_t mtu) noexcept { store_be16(rest, 2, mtu); }

    std::size_t header_length() const noexcept { return length_on_wire; }

    friend bool operator==(Icmpv4Header const&, Icmpv4Header const&) = default;
};

struct Icmpv6Header {
    static constexpr std::size_t length_on_wire = 8;

    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::optional<std::uint16_t> checksum{};  // derived: with the pseudo header of the enclosing IPv6
    std::array<std::uint8_t, 4> rest{};

    std::uint16_t echo_id() const noexcept { return load_be16(rest, 0); }
    std::uint16_t echo_sequence() const noexcept { return load_be16(rest, 2); }
    void set_echo(std::uint16_t id, std::uint16_t sequence) noexcept {
        store_be16(rest, 0, id);
        store_be16(rest, 2, sequence);
    }
    // Packet too big: the whole 32 bits.
    std::uint32_t mtu() const noexcept { return load_be32(rest, 0); }
    void set_mtu(std::uint32_t mtu) noexcept { store_be32(rest, 0, mtu); }

    std::size_t header_length() const noexcept { return length_on_wire; }

    friend bool operator==(Icmpv6Header const&, Icmpv6Header const&) = default;
};

inline constexpr std::size_t icmp_checksum_offset = 2;

// The checksum is written as given, 0 when unset (the packet encoder patches it).
Status write_icmpv4_header(Bytes& out, Icmpv4Header const& h);
Status write_icmpv6_header(Bytes& out, Icmpv6Header const& h);
Result<Icmpv4Header> read_icmpv4_header(ByteView data, std::size_t base_offset = 0);
Result<Icmpv6Header> read_icmpv6_header(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
