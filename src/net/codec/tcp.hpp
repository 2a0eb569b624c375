#pragma once
// The TCP header (RFC 9293, with the AE bit of RFC 9768 / AccECN in the former NS position).

#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/result.hpp"
#include "src/net/codec/tcp_options.hpp"

namespace pktdrill::net {

// Bits of the 12-bit field between the data offset and the window.
namespace tcp_flag {
inline constexpr std::uint16_t fin = 0x001;
inline constexpr std::uint16_t syn = 0x002;
inline constexpr std::uint16_t rst = 0x004;
inline constexpr std::uint16_t psh = 0x008;
inline constexpr std::uint16_t ack = 0x010;
inline constexpr std::uint16_t urg = 0x020;
inline constexpr std::uint16_t ece = 0x040;
inline constexpr std::uint16_t cwr = 0x080;
inline constexpr std::uint16_t ae = 0x100;  // formerly NS (RFC 3540, historic)
inline constexpr std::uint16_t reserved_mask = 0xE00;
inline constexpr std::uint16_t all = 0xFFF;
}  // namespace tcp_flag

struct TcpHeader {
    static constexpr std::size_t min_length = 20;
    // Options start right after the fixed part.
    static constexpr std::size_t options_offset = min_length;

    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    // In 32-bit words; derived from the options, which must then fill whole words (at most 40
    // bytes). Give it explicitly to write a header whose offset disagrees with its options.
    std::optional<std::uint8_t> data_offset{};
    std::uint16_t flags = 0;  // tcp_flag bits, the 3 reserved bits included
    std::uint16_t window = 0;
    std::optional<std::uint16_t> checksum{};  // derived, with the pseudo header of the enclosing IP
    std::uint16_t urgent_pointer = 0;
    TcpOptions options{};

    bool has(std::uint16_t flag) const noexcept { return (flags & flag) == flag; }
    void set(std::uint16_t flag, bool on = true) noexcept {
        flags = static_cast<std::uint16_t>(on ? flags | flag : flags & ~flag);
    }
    bool fin() const noexcept { return has(tcp_flag::fin); }
    bool syn() const noexcept { return has(tcp_flag::syn); }
    bool rst() const noexcept { return has(tcp_flag::rst); }
    bool psh() const noexcept { return has(tcp_flag::psh); }
    bool ack_flag() const noexcept { return has(tcp_flag::ack); }  // `ack` is the number
    bool urg() const noexcept { return has(tcp_flag::urg); }
    bool ece() const noexcept { return has(tcp_flag::ece); }
    bool cwr() const noexcept { return has(tcp_flag::cwr); }
    bool ae() const noexcept { return has(tcp_flag::ae); }

    // The 3 reserved bits, as a number 0..7.
    std::uint8_t reserved_bits() const noexcept { return static_cast<std::uint8_t>(flags >> 9 & 7); }
    void set_reserved_bits(std::uint8_t bits) noexcept {
        flags = static_cast<std::uint16_t>((flags & ~tcp_flag::reserved_mask) | (bits & 7) << 9);
    }
    // AccECN's ACE counter: AE, CWR, ECE read as a 3-bit number, AE the most significant.
    std::uint8_t ace() const noexcept { return static_cast<std::uint8_t>(flags >> 6 & 7); }
    void set_ace(std::uint8_t ace) noexcept {
        flags = static_cast<std::uint16_t>((flags & ~0x1C0) | (ace & 7) << 6);
    }

    // Bytes this header takes on the wire (what encode() writes, whatever data_offset says).
    std::size_t header_length() const noexcept { return min_length + tcp_options_length(options); }

    friend bool operator==(TcpHeader const&, TcpHeader const&) = default;
};

// Byte offset of the checksum inside the header.
inline constexpr std::size_t tcp_checksum_offset = 16;

// Appends the header with its checksum as given (0 when unset: the packet encoder patches it,
// since it needs the pseudo header). Fails when flags exceed 12 bits, data_offset exceeds 4 bits,
// the options cannot be written, or data_offset must be derived from options that are not a
// whole number of words or longer than 40 bytes.
Status write_tcp_header(Bytes& out, TcpHeader const& h);

// Parses the header and its options at the start of `data`. The data offset must be at least 5
// and fit in `data`.
Result<TcpHeader> read_tcp_header(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
