#pragma once
// IPv4 (RFC 791) and IPv6 (RFC 8200) headers.
//
// Convention shared by every header of the codec: a field that encode() can derive from the rest
// of the packet (a length, a checksum, the next protocol) is a std::optional. Left empty, encode()
// fills it in; set, it is written as given, so tests and fuzzers can build wrong packets on
// purpose. decode() always sets these fields to what was on the wire, which makes
// decode → encode byte-exact; call reset_derived_fields() (packet.hpp) after editing a decoded
// packet to have them recomputed.
//
// Every member has a default initializer (`{}` included), so designated initializers such as
// `UdpHeader{.src_port = 1, .dst_port = 2}` compile without -Wmissing-field-initializers noise.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "src/net/codec/address.hpp"
#include "src/net/codec/bytes.hpp"
#include "src/net/codec/checksum.hpp"
#include "src/net/codec/result.hpp"

namespace pktdrill::net {

// IANA protocol numbers the codec knows how to follow.
namespace ip_protocol {
inline constexpr std::uint8_t hop_by_hop = 0;
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t ipip = 4;  // IPv4 in IP
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
inline constexpr std::uint8_t ipv6 = 41;  // IPv6 in IP
inline constexpr std::uint8_t ipv6_routing = 43;
inline constexpr std::uint8_t ipv6_fragment = 44;
inline constexpr std::uint8_t gre = 47;
inline constexpr std::uint8_t esp = 50;
inline constexpr std::uint8_t ah = 51;
inline constexpr std::uint8_t icmpv6 = 58;
inline constexpr std::uint8_t ipv6_no_next = 59;
inline constexpr std::uint8_t ipv6_dest_options = 60;
inline constexpr std::uint8_t mobility = 135;
inline constexpr std::uint8_t mpls_in_ip = 137;  // RFC 4023
inline constexpr std::uint8_t hip = 139;
inline constexpr std::uint8_t shim6 = 140;
}  // namespace ip_protocol

// The 2-bit ECN codepoint in the low bits of the IPv4 TOS / IPv6 traffic class (RFC 3168).
enum class Ecn : std::uint8_t { not_ect = 0, ect1 = 1, ect0 = 2, ce = 3 };

inline Ecn ecn_of(std::uint8_t tos) noexcept { return static_cast<Ecn>(tos & 0x03); }
inline std::uint8_t with_ecn(std::uint8_t tos, Ecn e) noexcept {
    return static_cast<std::uint8_t>((tos & 0xFC) | static_cast<std::uint8_t>(e));
}

struct Ipv4Header {
    static constexpr std::size_t min_length = 20;
    static constexpr std::uint16_t flag_reserved = 0x8000;  // in flags_fragment
    static constexpr std::uint16_t flag_dont_fragment = 0x4000;
    static constexpr std::uint16_t flag_more_fragments = 0x2000;
    static constexpr std::uint16_t fragment_offset_mask = 0x1FFF;

    std::uint8_t version = 4;  // only for building bad packets; decode() only yields 4
    std::optional<std::uint8_t> ihl{};  // in 32-bit words; derived from options
    std::uint8_t tos = 0;  // DSCP (high 6 bits) and ECN (low 2 bits)
    // Derived from the rest of the packet. 0 on the wire is also accepted by decode() as "up to
    // the end of the buffer" (Linux BIG TCP super-segments beyond 64 KiB).
    std::optional<std::uint16_t> total_length{};
    std::uint16_t id = 0;
    std::uint16_t flags_fragment = 0;  // 3 flag bits, 13-bit offset in 8-byte units
    std::uint8_t ttl = 64;
    std::optional<std::uint8_t> protocol{};  // derived from the next layer
    std::optional<std::uint16_t> checksum{};  // derived
    Ipv4Address src{};
    Ipv4Address dst{};
    Bytes options{};  // raw, including any padding; a multiple of 4 unless ihl is given

    Ecn ecn() const noexcept { return ecn_of(tos); }
    void set_ecn(Ecn e) noexcept { tos = with_ecn(tos, e); }
    std::uint8_t dscp() const noexcept { return tos >> 2; }
    void set_dscp(std::uint8_t d) noexcept {
        tos = static_cast<std::uint8_t>((d << 2) | (tos & 0x03));
    }

    bool dont_fragment() const noexcept { return flags_fragment & flag_dont_fragment; }
    void set_dont_fragment(bool on) noexcept { set_flag(flag_dont_fragment, on); }
    bool more_fragments() const noexcept { return flags_fragment & flag_more_fragments; }
    void set_more_fragments(bool on) noexcept { set_flag(flag_more_fragments, on); }
    // In 8-byte units, as on the wire.
    std::uint16_t fragment_offset() const noexcept { return flags_fragment & fragment_offset_mask; }
    void set_fragment_offset(std::uint16_t units) noexcept {
        flags_fragment = static_cast<std::uint16_t>((flags_fragment & ~fragment_offset_mask) |
                                                     (units & fragment_offset_mask));
    }

    // Bytes this header takes on the wire (what encode() writes, whatever ihl says).
    std::size_t header_length() const noexcept { return min_length + options.size(); }

    friend bool operator==(Ipv4Header const&, Ipv4Header const&) = default;

private:
    void set_flag(std::uint16_t f, bool on) noexcept {
        flags_fragment = static_cast<std::uint16_t>(on ? flags_fragment | f : flags_fragment & ~f);
    }
};

struct Ipv6Header {
    static constexpr std::size_t fixed_length = 40;
    static constexpr std::uint32_t flow_label_mask = 0xFFFFF;

    std::uint8_t version = 6;  // only for building bad packets; decode() only yields 6
    std::uint8_t traffic_class = 0;  // DSCP (high 6 bits) and ECN (low 2 bits)
    std::uint32_t flow_label = 0;  // 20 bits
    // Derived. 0 on the wire with data following is accepted by decode() as "up to the end of
    // the buffer" (jumbograms, BIG TCP).
    std::optional<std::uint16_t> payload_length{};
    // The fixed header's next-header field. Derived from the next layer when there are no
    // extension headers; must be given when there are.
    std::optional<std::uint8_t> next_header{};
    std::uint8_t hop_limit = 64;
    Ipv6Address src{};
    Ipv6Address dst{};
    // The extension-header chain, raw (each header's own next-header byte included). Not
    // interpreted beyond finding where the upper layer starts.
    Bytes extension_headers{};

    Ecn ecn() const noexcept { return ecn_of(traffic_class); }
    void set_ecn(Ecn e) noexcept { traffic_class = with_ecn(traffic_class, e); }
    std::uint8_t dscp() const noexcept { return traffic_class >> 2; }
    void set_dscp(std::uint8_t d) noexcept {
        traffic_class = static_cast<std::uint8_t>((d << 2) | (traffic_class & 0x03));
    }

    // The protocol after the extension-header chain (next_header itself when there is none).
    // nullopt when next_header is unset or the chain is malformed.
    std::optional<std::uint8_t> upper_layer_protocol() const;

    std::size_t header_length() const noexcept { return fixed_length + extension_headers.size(); }

    friend bool operator==(Ipv6Header const&, Ipv6Header const&) = default;
};

// (ipv4_header_checksum_ok(ByteView) for raw bytes is in checksum.hpp.)
// True when `h` encodes (with its checksum as given, or computed when unset) to a header whose
// checksum is correct. Derived fields other than the checksum must be set.
bool ipv4_header_checksum_ok(Ipv4Header const& h);

// Where the upper layer starts after an IPv6 extension-header chain. Extension headers are
// walked only for the kinds with the generic (type, length) layout, plus AH and Fragment.
struct Ipv6ExtensionChain {
    std::uint8_t upper_protocol = 0;  // the first protocol that is not an extension header
    std::size_t length = 0;           // bytes of extension headers
    // A Fragment header with a non-zero offset: what follows is not the start of the upper
    // layer, so it must stay raw.
    bool non_first_fragment = false;
};

// Walks the chain at the start of `data`. `base_offset` is only used in error messages.
Result<Ipv6ExtensionChain> walk_ipv6_extension_headers(std::uint8_t next_header, ByteView data,
                                                       std::size_t base_offset = 0);

// Append the header to `out`. Derived fields left unset take the values passed here, which the
// packet encoder computes from the layers around the header: `datagram_length` is the header
// plus everything after it, `next_protocol` the protocol number of the next layer (nullopt when
// none follows). The IPv4 header checksum, covering only the header, is computed right here.
// Fails when a value does not fit its wire field or a derived field cannot be derived.
Status write_ipv4_header(Bytes& out, Ipv4Header const& h, std::size_t datagram_length,
                         std::optional<std::uint8_t> next_protocol);
Status write_ipv6_header(Bytes& out, Ipv6Header const& h, std::size_t datagram_length,
                         std::optional<std::uint8_t> next_protocol);

// Parse the header at the start of `data`. They check what the header alone can tell (version,
// IHL, that the header fits in `data`); the packet decoder checks the lengths against the rest
// and walks IPv6 extension headers. `base_offset` is where `data` starts in the packet, for
// error messages.
Result<Ipv4Header> read_ipv4_header(ByteView data, std::size_t base_offset = 0);
Result<Ipv6Header> read_ipv6_fixed_header(ByteView data, std::size_t base_offset = 0);

}  // namespace pktdrill::net
