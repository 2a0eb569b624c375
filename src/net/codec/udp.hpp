#pragma once
// The UDP header (RFC 768).

#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

struct UdpHeader {
    static constexpr std::size_t length_on_wire = 8;

    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    // Derived: header plus data. decode() keeps it as on the wire without requiring it to match
    // the IP length; the IP length decides where the datagram ends.
    std::optional<std::uint16_t> length{};
    // Derived, with the pseudo header of the enclosing IP; a computed 0 is sent as 0xFFFF.
    std::optional<std::uint16_t> checksum{};

    std::size_t header_length() const noexcept { return length_on_wire; }

    friend bool operator==(UdpHeader const&, UdpHeader const&) = default;
};

inline constexpr std::size_t udp_checksum_offset = 6;

// `datagram_length` (header plus data) fills an unset length; it must fit in 16 bits then.
// The checksum is written as given, 0 when unset (the packet encoder patches it).
Status write_udp_header(Bytes& out, UdpHeader const& h, std::size_t datagram_length);
Result<UdpHeader> read_udp_header(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
