#pragma once
// A whole packet as it goes into or comes out of a TUN device: the stack of headers from the
// outermost IP header inwards, then the payload. Encapsulations are layers like any other
// (IPv4 → GRE → IPv6 → TCP, IPv4 → MPLS → IPv4 → UDP, IPv6 → IPv4 → ...).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "src/net/codec/bytes.hpp"
#include "src/net/codec/gre.hpp"
#include "src/net/codec/icmp.hpp"
#include "src/net/codec/ip.hpp"
#include "src/net/codec/mpls.hpp"
#include "src/net/codec/result.hpp"
#include "src/net/codec/tcp.hpp"
#include "src/net/codec/udp.hpp"

namespace pktdrill::net {

using Layer = std::variant<Ipv4Header, Ipv6Header, GreHeader, MplsStack, TcpHeader, UdpHeader, Icmpv4Header,
                           Icmpv6Header>;

// "IPv4", "IPv6", "GRE", "MPLS", "TCP", "UDP", "ICMPv4", "ICMPv6": for messages.
std::string_view layer_name(Layer const& layer) noexcept;

// Bytes the layer's header takes on the wire.
std::size_t header_length(Layer const& layer) noexcept;

struct Packet {
    std::vector<Layer> layers{};
    // What follows the last layer: TCP or UDP data, an ICMP body (the echoed datagram), or
    // whatever decode() did not follow (a non-first fragment, an unknown protocol).
    Bytes payload{};
    // Bytes after the end of the outermost IP datagram as its length field gives it (link-layer
    // padding). Part of no length or checksum; kept so that decode → encode is byte-exact.
    Bytes trailer{};

    // The outermost / innermost layer of type H, or nullptr.
    template <class H>
    H* find_first() noexcept {
        for (auto& l : layers)
            if (auto* h = std::get_if<H>(&l)) return h;
        return nullptr;
    }
    template <class H>
    H const* find_first() const noexcept {
        return const_cast<Packet*>(this)->find_first<H>();
    }
    template <class H>
    H* find_last() noexcept {
        for (auto it = layers.rbegin(); it != layers.rend(); ++it)
            if (auto* h = std::get_if<H>(&*it)) return h;
        return nullptr;
    }
    template <class H>
    H const* find_last() const noexcept {
        return const_cast<Packet*>(this)->find_last<H>();
    }

    friend bool operator==(Packet const&, Packet const&) = default;
};

// The TOS (IPv6: traffic class) and TTL (hop limit) of the innermost IP header: what a
// script's IP info is about. Both empty without an IP header.
struct InnerIpFields {
    std::optional<std::uint8_t> tos, ttl;
};
InnerIpFields inner_ip_fields(Packet const& p) noexcept;

// Where each part of the encoded packet lies. For a decoded packet these are the offsets in the
// bytes it was decoded from; e.g. a TCP header's options start at its offset +
// TcpHeader::options_offset.
struct LayerExtent {
    std::size_t offset = 0;
    std::size_t length = 0;  // of the header alone
    friend bool operator==(LayerExtent const&, LayerExtent const&) = default;
};

struct PacketLayout {
    std::vector<LayerExtent> layers{};  // parallel to Packet::layers
    std::size_t payload_offset = 0;
    std::size_t trailer_offset = 0;  // also the end of the outermost datagram
    std::size_t size = 0;            // bytes in all
};

PacketLayout layout(Packet const& packet);

// Produces the wire bytes. Derived fields left unset (see ip.hpp) are filled in: IP total and
// payload lengths, IPv4 IHL, TCP data offset, UDP length, protocol / next header / GRE protocol
// from the next layer, and the checksums (IPv4 header; TCP, UDP and ICMPv6 with the pseudo header
// of the nearest enclosing IP layer; ICMPv4; GRE when present), innermost first so that outer
// checksums cover final inner bytes. TCP options are never padded. Fails, without throwing, when
// a value does not fit its field or a derived field cannot be derived.
Result<Bytes> encode(Packet const& packet);
// The same into a caller's buffer, whose capacity is reused (it is cleared first).
Status encode(Packet const& packet, Bytes& out);

struct DecodeOptions {
    // For the datagram echoed in an ICMP error, which is cut short: IP lengths may exceed the
    // bytes present, and a header that does not fit ends the layer stack, the bytes left
    // becoming the payload. Malformed headers that do fit are still errors.
    bool allow_truncated = false;
};

// Parses bytes that start with an IPv4 or IPv6 header. Follows IP-in-IP (4, 41), GRE (47),
// MPLS-in-IP (137), GRE's EtherTypes 0x0800/0x86DD/0x8847/0x8848, and after an MPLS stack the
// version nibble; stops at TCP, UDP, ICMPv4, ICMPv6 or anything else. No size is assumed: IP
// lengths up to 65535 (or 0, taken as "to the end" for jumbo / BIG TCP packets) are fine.
// Errors carry the offset of the faulty field.
Result<Packet> decode(ByteView wire, DecodeOptions const& options = {});

enum class ChecksumKind : std::uint8_t { ipv4_header, tcp, udp, icmpv4, icmpv6, gre };

struct ChecksumCheck {
    std::size_t layer = 0;  // index in Packet::layers
    ChecksumKind kind{};
    std::uint16_t on_wire = 0;   // the checksum field (what encode() writes for it)
    std::uint16_t computed = 0;  // the correct value for the bytes encode() produces
    // on_wire == computed, or a UDP-over-IPv4 checksum of 0 (RFC 768: none was computed).
    bool ok = false;
    friend bool operator==(ChecksumCheck const&, ChecksumCheck const&) = default;
};

// One entry per checksum the packet carries, outermost first. A decoded packet keeps its wire
// checksums, so this checks what was received; a TCP/UDP checksum left partial by checksum
// offload shows up as a mismatch. Fails only when the packet cannot be encoded.
Result<std::vector<ChecksumCheck>> verify_checksums(Packet const& packet);
// True when every entry of verify_checksums() is ok (false when it fails).
bool checksums_ok(Packet const& packet);

// After editing a decoded packet: unset every derived field (lengths, IHL, data offset,
// checksums, and the protocol fields that a following layer lets encode() derive) so encode()
// computes them again. A protocol field with no layer after it (the payload stays raw), an IPv6
// next_header in front of extension headers, and GRE's 0x8848 (MPLS multicast) are kept, since
// they cannot be derived back.
void reset_derived_fields(Packet& packet);
// Only the checksums.
void reset_checksums(Packet& packet);

}  // namespace pktdrill::net
