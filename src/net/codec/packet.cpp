#include "src/net/codec/packet.hpp"

#include <string>

#include "src/net/codec/checksum.hpp"

namespace pktdrill::net {

namespace {

template <class... F>
struct Overloaded : F... {
    using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

std::optional<std::uint8_t> ip_protocol_of(Layer const* next) {
    if (!next) return std::nullopt;
    return std::visit(Overloaded{
                          [](Ipv4Header const&) { return ip_protocol::ipip; },
                          [](Ipv6Header const&) { return ip_protocol::ipv6; },
                          [](GreHeader const&) { return ip_protocol::gre; },
                          [](MplsStack const&) { return ip_protocol::mpls_in_ip; },
                          [](TcpHeader const&) { return ip_protocol::tcp; },
                          [](UdpHeader const&) { return ip_protocol::udp; },
                          [](Icmpv4Header const&) { return ip_protocol::icmp; },
                          [](Icmpv6Header const&) { return ip_protocol::icmpv6; },
                      },
                      *next);
}

std::optional<std::uint16_t> ethertype_of(Layer const* next) {
    if (!next) return std::nullopt;
    if (std::holds_alternative<Ipv4Header>(*next)) return ethertype::ipv4;
    if (std::holds_alternative<Ipv6Header>(*next)) return ethertype::ipv6;
    if (std::holds_alternative<MplsStack>(*next)) return ethertype::mpls_unicast;
    return std::nullopt;
}

// The checksum field of a layer: where it is in the header, and its caller-given value.
struct ChecksumField {
    ChecksumKind kind;
    std::size_t offset;
    std::optional<std::uint16_t> given;
};

std::optional<ChecksumField> checksum_field(Layer const& layer) {
    return std::visit(Overloaded{
                          [](Ipv4Header const& h) -> std::optional<ChecksumField> {
                              return ChecksumField{ChecksumKind::ipv4_header, 10, h.checksum};
                          },
                          [](Ipv6Header const&) -> std::optional<ChecksumField> { return std::nullopt; },
                          [](GreHeader const& h) -> std::optional<ChecksumField> {
                              if (!h.checksum_present) return std::nullopt;
                              return ChecksumField{ChecksumKind::gre, gre_checksum_offset, h.checksum};
                          },
                          [](MplsStack const&) -> std::optional<ChecksumField> { return std::nullopt; },
                          [](TcpHeader const& h) -> std::optional<ChecksumField> {
                              return ChecksumField{ChecksumKind::tcp, tcp_checksum_offset, h.checksum};
                          },
                          [](UdpHeader const& h) -> std::optional<ChecksumField> {
                              return ChecksumField{ChecksumKind::udp, udp_checksum_offset, h.checksum};
                          },
                          [](Icmpv4Header const& h) -> std::optional<ChecksumField> {
                              return ChecksumField{ChecksumKind::icmpv4, icmp_checksum_offset, h.checksum};
                          },
                          [](Icmpv6Header const& h) -> std::optional<ChecksumField> {
                              return ChecksumField{ChecksumKind::icmpv6, icmp_checksum_offset, h.checksum};
                          },
                      },
                      layer);
}

// Index of the nearest IP layer before layer `i`: the one whose pseudo header layer `i` uses.
std::optional<std::size_t> enclosing_ip(Packet const& p, std::size_t i) {
    for (std::size_t j = i; j-- > 0;)
        if (std::holds_alternative<Ipv4Header>(p.layers[j]) || std::holds_alternative<Ipv6Header>(p.layers[j]))
            return j;
    return std::nullopt;
}

std::uint8_t pseudo_header_protocol(ChecksumKind kind) {
    switch (kind) {
        case ChecksumKind::tcp: return ip_protocol::tcp;
        case ChecksumKind::udp: return ip_protocol::udp;
        default: return ip_protocol::icmpv6;
    }
}

// The correct checksum of layer `i`, computed over `wire` as it stands (inner layers final),
// with the layer's own checksum field counted as zero.
Result<std::uint16_t> compute_checksum(Packet const& p, PacketLayout const& lay, ByteView wire, std::size_t i,
                                       ChecksumField const& field) {
    LayerExtent const ext = lay.layers[i];
    std::size_t const end = field.kind == ChecksumKind::ipv4_header ? ext.offset + ext.length : lay.trailer_offset;
    ChecksumAccumulator acc;
    if (field.kind == ChecksumKind::tcp || field.kind == ChecksumKind::udp || field.kind == ChecksumKind::icmpv6) {
        std::uint32_t const length = static_cast<std::uint32_t>(end - ext.offset);
        std::uint8_t const proto = pseudo_header_protocol(field.kind);
        auto const ip = enclosing_ip(p, i);
        if (auto const* v4 = ip ? std::get_if<Ipv4Header>(&p.layers[*ip]) : nullptr)
            acc = ipv4_pseudo_header(v4->src, v4->dst, proto, length);
        else if (auto const* v6 = ip ? std::get_if<Ipv6Header>(&p.layers[*ip]) : nullptr)
            acc = ipv6_pseudo_header(v6->src, v6->dst, proto, length);
        else
            return CodecError{ext.offset, std::string(layer_name(p.layers[i])) +
                                              " checksum needs an enclosing IP layer for its pseudo header; "
                                              "give the checksum explicitly"};
    }
    acc.add(wire.subspan(ext.offset, field.offset));
    acc.add_be16(0);
    std::size_t const after = ext.offset + field.offset + 2;
    acc.add(wire.subspan(after, end - after));
    std::uint16_t sum = acc.checksum();
    // RFC 768: a computed 0 is sent as all ones, since 0 means "no checksum".
    if (field.kind == ChecksumKind::udp && sum == 0) sum = 0xFFFF;
    return sum;
}

Status write_layer(Bytes& out, Layer const& layer, Layer const* next, std::size_t datagram_length) {
    return std::visit(Overloaded{
                          [&](Ipv4Header const& h) {
                              return write_ipv4_header(out, h, datagram_length, ip_protocol_of(next));
                          },
                          [&](Ipv6Header const& h) {
                              return write_ipv6_header(out, h, datagram_length, ip_protocol_of(next));
                          },
                          [&](GreHeader const& h) { return write_gre_header(out, h, ethertype_of(next)); },
                          [&](MplsStack const& h) { return write_mpls_stack(out, h); },
                          [&](TcpHeader const& h) { return write_tcp_header(out, h); },
                          [&](UdpHeader const& h) { return write_udp_header(out, h, datagram_length); },
                          [&](Icmpv4Header const& h) { return write_icmpv4_header(out, h); },
                          [&](Icmpv6Header const& h) { return write_icmpv6_header(out, h); },
                      },
                      layer);
}

}  // namespace

std::string_view layer_name(Layer const& layer) noexcept {
    static constexpr std::string_view names[] = {"IPv4", "IPv6", "GRE", "MPLS", "TCP", "UDP", "ICMPv4", "ICMPv6"};
    static_assert(std::size(names) == std::variant_size_v<Layer>);
    return names[layer.index()];
}

std::size_t header_length(Layer const& layer) noexcept {
    return std::visit([](auto const& h) { return h.header_length(); }, layer);
}

PacketLayout layout(Packet const& packet) {
    PacketLayout lay;
    lay.layers.reserve(packet.layers.size());
    std::size_t pos = 0;
    for (auto const& l : packet.layers) {
        std::size_t const len = header_length(l);
        lay.layers.push_back({pos, len});
        pos += len;
    }
    lay.payload_offset = pos;
    lay.trailer_offset = pos + packet.payload.size();
    lay.size = lay.trailer_offset + packet.trailer.size();
    return lay;
}

Status encode(Packet const& packet, Bytes& out) {
    out.clear();
    PacketLayout const lay = layout(packet);
    out.reserve(lay.size);
    for (std::size_t i = 0; i < packet.layers.size(); ++i) {
        Layer const* next = i + 1 < packet.layers.size() ? &packet.layers[i + 1] : nullptr;
        if (auto st = write_layer(out, packet.layers[i], next, lay.trailer_offset - lay.layers[i].offset); !st)
            return st;
    }
    append_bytes(out, packet.payload);
    append_bytes(out, packet.trailer);

    for (std::size_t i = packet.layers.size(); i-- > 0;) {
        auto const field = checksum_field(packet.layers[i]);
        // The IPv4 header writer computed its own checksum already.
        if (!field || field->given || field->kind == ChecksumKind::ipv4_header) continue;
        auto sum = compute_checksum(packet, lay, out, i, *field);
        if (!sum) return sum.error();
        store_be16(out, lay.layers[i].offset + field->offset, *sum);
    }
    return Ok{};
}

Result<Bytes> encode(Packet const& packet) {
    Bytes out;
    if (auto st = encode(packet, out); !st) return st.error();
    return out;
}

Result<std::vector<ChecksumCheck>> verify_checksums(Packet const& packet) {
    auto wire = encode(packet);
    if (!wire) return wire.error();
    PacketLayout const lay = layout(packet);
    std::vector<ChecksumCheck> checks;
    for (std::size_t i = 0; i < packet.layers.size(); ++i) {
        auto const field = checksum_field(packet.layers[i]);
        if (!field) continue;
        auto sum = compute_checksum(packet, lay, *wire, i, *field);
        if (!sum) return sum.error();
        ChecksumCheck c;
        c.layer = i;
        c.kind = field->kind;
        c.on_wire = load_be16(*wire, lay.layers[i].offset + field->offset);
        c.computed = *sum;
        auto const ip = enclosing_ip(packet, i);
        bool const udp_none = field->kind == ChecksumKind::udp && c.on_wire == 0 && ip &&
                              std::holds_alternative<Ipv4Header>(packet.layers[*ip]);
        c.ok = c.on_wire == c.computed || udp_none;
        checks.push_back(c);
    }
    return checks;
}

bool checksums_ok(Packet const& packet) {
    auto checks = verify_checksums(packet);
    if (!checks) return false;
    for (auto const& c : *checks)
        if (!c.ok) return false;
    return true;
}

void reset_checksums(Packet& packet) {
    for (auto& l : packet.layers)
        std::visit(Overloaded{
                       [](Ipv6Header&) {},
                       [](MplsStack&) {},
                       [](auto& h) { h.checksum.reset(); },
                   },
                   l);
}

void reset_derived_fields(Packet& packet) {
    reset_checksums(packet);
    for (std::size_t i = 0; i < packet.layers.size(); ++i) {
        // A protocol field is derived from the next layer; with none, or with a next layer that
        // would derive another value, the field is the only record of the protocol and stays.
        Layer const* next = i + 1 < packet.layers.size() ? &packet.layers[i + 1] : nullptr;
        std::visit(Overloaded{
                       [&](Ipv4Header& h) {
                           h.ihl.reset();
                           h.total_length.reset();
                           if (next) h.protocol.reset();
                       },
                       [&](Ipv6Header& h) {
                           h.payload_length.reset();
                           if (next && h.extension_headers.empty()) h.next_header.reset();
                       },
                       [&](GreHeader& h) {
                           if (ethertype_of(next) && !(h.protocol == ethertype::mpls_multicast &&
                                                       std::holds_alternative<MplsStack>(*next)))
                               h.protocol.reset();
                       },
                       [](TcpHeader& h) { h.data_offset.reset(); },
                       [](UdpHeader& h) { h.length.reset(); },
                       [](auto&) {},
                   },
                   packet.layers[i]);
    }
}

// ---------------------------------------------------------------------------------------------
// Decoding

namespace {

enum class Next { ipv4, ipv6, ip_by_version, gre, mpls, tcp, udp, icmpv4, icmpv6, raw };

Next next_for_ip_protocol(std::uint8_t proto) {
    switch (proto) {
        case ip_protocol::ipip: return Next::ipv4;
        case ip_protocol::ipv6: return Next::ipv6;
        case ip_protocol::gre: return Next::gre;
        case ip_protocol::mpls_in_ip: return Next::mpls;
        case ip_protocol::tcp: return Next::tcp;
        case ip_protocol::udp: return Next::udp;
        case ip_protocol::icmp: return Next::icmpv4;
        case ip_protocol::icmpv6: return Next::icmpv6;
        default: return Next::raw;
    }
}

Next next_for_ethertype(std::uint16_t type) {
    switch (type) {
        case ethertype::ipv4: return Next::ipv4;
        case ethertype::ipv6: return Next::ipv6;
        case ethertype::mpls_unicast:
        case ethertype::mpls_multicast: return Next::mpls;
        default: return Next::raw;
    }
}

// Whether the header about to be read claims more bytes than `rest` holds. Only consulted with
// allow_truncated, where such a header ends the stack instead of failing the decode.
bool header_cut_short(Next next, ByteView rest) {
    switch (next) {
        case Next::ipv4: return rest.size() < 20 || rest.size() < std::size_t{rest[0] & 0x0Fu} * 4;
        case Next::ipv6: return rest.size() < 40;
        case Next::tcp: return rest.size() < 20 || rest.size() < std::size_t{rest[12]} / 16 * 4;
        case Next::udp:
        case Next::icmpv4:
        case Next::icmpv6: return rest.size() < 8;
        case Next::gre: {
            if (rest.size() < 4) return true;
            std::uint16_t const w = load_be16(rest, 0);
            std::size_t need = 4;
            for (std::uint16_t f : {GreHeader::flag_checksum, GreHeader::flag_key, GreHeader::flag_sequence})
                if (w & f) need += 4;
            return rest.size() < need;
        }
        case Next::mpls:
            for (std::size_t pos = 0; pos + 4 <= rest.size(); pos += 4)
                if (rest[pos + 2] & 1) return false;
            return true;
        default: return false;
    }
}

class Decoder {
public:
    Decoder(ByteView wire, DecodeOptions const& options) : wire_(wire), options_(options), end_(wire.size()) {}

    Result<Packet> run() {
        if (wire_.empty()) return CodecError{0, "empty packet: no IP header"};
        Next next = Next::ip_by_version;
        if ((wire_[0] >> 4) != 4 && (wire_[0] >> 4) != 6)
            return CodecError{0, "not an IP packet: version " + std::to_string(wire_[0] >> 4)};
        while (next != Next::raw) {
            ByteView const rest = wire_.subspan(pos_, end_ - pos_);
            if (next == Next::ip_by_version) {
                // After an MPLS stack nothing names the inner protocol; the version nibble does.
                if (rest.empty()) break;
                std::uint8_t const v = rest[0] >> 4;
                next = v == 4 ? Next::ipv4 : v == 6 ? Next::ipv6 : Next::raw;
                continue;
            }
            if (options_.allow_truncated && header_cut_short(next, rest)) break;
            auto step = decode_one(next, rest);
            if (!step) return step.error();
            next = *step;
        }
        packet_.payload.assign(wire_.begin() + static_cast<std::ptrdiff_t>(pos_),
                               wire_.begin() + static_cast<std::ptrdiff_t>(end_));
        return std::move(packet_);
    }

private:
    Result<Next> decode_one(Next next, ByteView rest) {
        switch (next) {
            case Next::ipv4: return ipv4(rest);
            case Next::ipv6: return ipv6(rest);
            case Next::gre: {
                auto h = read_gre_header(rest, pos_);
                if (!h) return h.error();
                Next const inner = next_for_ethertype(*h->protocol);
                return push(std::move(h).value(), inner);
            }
            case Next::mpls: {
                auto h = read_mpls_stack(rest, pos_);
                if (!h) return h.error();
                return push(std::move(h).value(), Next::ip_by_version);
            }
            case Next::tcp: {
                auto h = read_tcp_header(rest, pos_);
                if (!h) return h.error();
                return push(std::move(h).value(), Next::raw);
            }
            case Next::udp: {
                auto h = read_udp_header(rest, pos_);
                if (!h) return h.error();
                return push(std::move(h).value(), Next::raw);
            }
            case Next::icmpv4: {
                auto h = read_icmpv4_header(rest, pos_);
                if (!h) return h.error();
                return push(std::move(h).value(), Next::raw);
            }
            case Next::icmpv6: {
                auto h = read_icmpv6_header(rest, pos_);
                if (!h) return h.error();
                return push(std::move(h).value(), Next::raw);
            }
            default: return Next::raw;
        }
    }

    template <class H>
    Next push(H h, Next next) {
        pos_ += h.header_length();
        packet_.layers.emplace_back(std::move(h));
        return next;
    }

    // Sets end_ to the end of the datagram whose header starts at pos_, from its length field.
    // `declared` counts from pos_; `min` is the header length it must at least cover.
    Result<Ok> bound_datagram(char const* what, std::size_t field_at, std::size_t declared, std::size_t min,
                              bool zero_means_rest) {
        std::size_t const have = end_ - pos_;
        bool const outermost = packet_.layers.empty();
        if (zero_means_rest) return Ok{};
        if (declared < min)
            return CodecError{pos_ + field_at, std::string(what) + " says " + std::to_string(declared) +
                                                   " bytes, less than its " + std::to_string(min) +
                                                   "-byte header"};
        if (declared > have) {
            if (options_.allow_truncated) return Ok{};
            return CodecError{pos_ + field_at, std::string("truncated packet: ") + what + " says " +
                                                   std::to_string(declared) + " bytes, " + std::to_string(have) +
                                                   " present"};
        }
        if (declared < have) {
            if (!outermost)
                return CodecError{pos_ + field_at, std::string(what) + " says " + std::to_string(declared) +
                                                       " bytes, but its carrier holds " + std::to_string(have)};
            packet_.trailer.assign(wire_.begin() + static_cast<std::ptrdiff_t>(pos_ + declared), wire_.end());
            end_ = pos_ + declared;
        }
        return Ok{};
    }

    Result<Next> ipv4(ByteView rest) {
        auto h = read_ipv4_header(rest, pos_);
        if (!h) return h.error();
        std::uint16_t const total = *h->total_length;
        if (auto st = bound_datagram("IPv4 total length", 2, total, h->header_length(), total == 0); !st)
            return st.error();
        Next const next = h->fragment_offset() != 0 ? Next::raw : next_for_ip_protocol(*h->protocol);
        return push(std::move(h).value(), next);
    }

    Result<Next> ipv6(ByteView rest) {
        auto h = read_ipv6_fixed_header(rest, pos_);
        if (!h) return h.error();
        std::uint16_t const plen = *h->payload_length;
        bool const jumbo = plen == 0 && rest.size() > Ipv6Header::fixed_length;
        bool const cut = !jumbo && Ipv6Header::fixed_length + plen > rest.size();
        if (auto st = bound_datagram("IPv6 payload length", 4, Ipv6Header::fixed_length + plen,
                                     Ipv6Header::fixed_length, jumbo);
            !st)
            return st.error();
        std::size_t const ext_at = pos_ + Ipv6Header::fixed_length;
        ByteView const after = wire_.subspan(ext_at, end_ - ext_at);
        auto chain = walk_ipv6_extension_headers(*h->next_header, after, ext_at);
        if (!chain) {
            if (cut) return Next::raw;  // allowed truncation cut the chain: leave it all raw
            return chain.error();
        }
        h->extension_headers.assign(after.begin(), after.begin() + static_cast<std::ptrdiff_t>(chain->length));
        Next const next = chain->non_first_fragment ? Next::raw : next_for_ip_protocol(chain->upper_protocol);
        return push(std::move(h).value(), next);
    }

    ByteView wire_;
    DecodeOptions options_;
    std::size_t pos_ = 0;
    std::size_t end_;
    Packet packet_;
};

}  // namespace

Result<Packet> decode(ByteView wire, DecodeOptions const& options) { return Decoder(wire, options).run(); }

InnerIpFields inner_ip_fields(Packet const& p) noexcept {
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it) {
        if (auto const* v4 = std::get_if<Ipv4Header>(&*it)) return {v4->tos, v4->ttl};
        if (auto const* v6 = std::get_if<Ipv6Header>(&*it)) return {v6->traffic_class, v6->hop_limit};
    }
    return {};
}

}  // namespace pktdrill::net
