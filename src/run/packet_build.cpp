#include "src/run/packet_build.hpp"

#include <algorithm>

#include "src/base/error.hpp"

namespace pktdrill::run {

namespace {

namespace model = script;
namespace o = script::tcp_option;

net::Ipv4Address v4(net::IpAddress const& a) {
    net::Ipv4Address out;
    net::IpAddress const plain = a.unmapped();  // bytes() views its object: keep it alive
    auto const b = plain.bytes();
    if (b.size() == 4) std::copy(b.begin(), b.end(), out.bytes.begin());
    return out;
}

net::Ipv6Address v6(net::IpAddress const& a) {
    net::Ipv6Address out;
    auto const b = a.bytes();
    if (b.size() == 16) std::copy(b.begin(), b.end(), out.bytes.begin());
    else if (b.size() == 4) out = v6(a.v4_mapped());
    return out;
}

std::uint8_t tos_byte(model::IpInfo const& info) {
    switch (info.tos_check) {
    case model::TosCheck::tos: return info.tos;
    case model::TosCheck::ecn: return info.tos & 3;
    default: return 0;
    }
}

net::Layer ip_layer(bool ipv6, model::IpInfo const& info, net::IpAddress const& src, net::IpAddress const& dst) {
    std::uint8_t const ttl = info.ttl.value_or(default_inbound_ttl);
    if (ipv6) {
        net::Ipv6Header h;
        h.traffic_class = tos_byte(info);
        h.flow_label = info.flow_label.value_or(0);
        h.hop_limit = ttl;
        h.src = v6(src);
        h.dst = v6(dst);
        return h;
    }
    net::Ipv4Header h;
    h.tos = tos_byte(info);
    h.ttl = ttl;
    h.id = 0;  // packetdrill injects ID 0 without DF
    h.src = v4(src);
    h.dst = v4(dst);
    return h;
}

net::Layer outer_ip(model::OuterIp const& o) {
    auto const src = net::IpAddress::parse(o.src);
    auto const dst = net::IpAddress::parse(o.dst);
    return ip_layer(o.ipv6, o.info, src, dst);
}

net::GreHeader gre(model::GreHeader const& g) {
    net::GreHeader h;
    h.checksum_present = g.flags & net::GreHeader::flag_checksum;
    h.key_present = g.flags & net::GreHeader::flag_key;
    h.sequence_present = g.flags & net::GreHeader::flag_sequence;
    h.version = static_cast<std::uint8_t>(g.flags & net::GreHeader::version_mask);
    h.reserved0 = static_cast<std::uint16_t>(g.flags & net::GreHeader::reserved0_mask);
    if (h.checksum_present && g.sum != 0) h.checksum = g.sum;
    h.reserved1 = g.offset;
    h.key = g.key;
    h.sequence = g.seq;
    return h;
}

net::MplsStack mpls(model::MplsStack const& m) {
    net::MplsStack s;
    for (auto const& e : m.entries) s.entries.push_back({e.label, e.traffic_class, e.bottom_of_stack, e.ttl});
    return s;
}

// The datagram an ICMP error echoes: the original IP header and the first 8 bytes of its
// transport header, then the payload bytes the script asks for (packetdrill's layout).
net::Bytes echoed_datagram(model::IcmpEchoed const& e, Tuple const& original, bool ipv6, std::uint32_t seq_offset) {
    bool const tcp = e.protocol == model::IcmpEchoed::Protocol::tcp;
    net::Packet inner;
    model::IpInfo none;
    none.ttl = 0;
    inner.layers.push_back(ip_layer(ipv6, none, original.src.ip, original.dst.ip));
    std::size_t const transport_full = tcp ? 20 : 8;
    // The echoed IP header claims the whole original datagram, though only 8 transport bytes follow.
    std::uint16_t const claimed = static_cast<std::uint16_t>(transport_full + e.length);
    if (ipv6) {
        auto& h = std::get<net::Ipv6Header>(inner.layers[0]);
        h.payload_length = claimed;
        h.next_header = tcp ? net::ip_protocol::tcp : net::ip_protocol::udp;
    } else {
        auto& h = std::get<net::Ipv4Header>(inner.layers[0]);
        h.total_length = static_cast<std::uint16_t>(20 + claimed);
        h.protocol = tcp ? net::ip_protocol::tcp : net::ip_protocol::udp;
    }
    auto bytes = net::encode(inner).value();
    net::Bytes l4(8, 0);
    net::store_be16(l4, 0, original.src.port);
    net::store_be16(l4, 2, original.dst.port);
    if (tcp) net::store_be32(l4, 4, e.seq + seq_offset);
    else net::store_be16(l4, 4, static_cast<std::uint16_t>(8 + e.length));
    bytes.insert(bytes.end(), l4.begin(), l4.end());
    bytes.resize(bytes.size() + e.length, 0);
    return bytes;
}

}  // namespace

net::TcpOption to_wire(script::TcpOption const& option) {
    struct V {
        net::TcpOption operator()(o::Nop const&) const { return net::TcpOption::nop(); }
        net::TcpOption operator()(o::Eol const&) const { return net::TcpOption::eol(); }
        net::TcpOption operator()(o::Mss const& m) const { return net::TcpOption::mss(m.value); }
        net::TcpOption operator()(o::WindowScale const& w) const { return net::TcpOption::window_scale(w.shift); }
        net::TcpOption operator()(o::SackPermitted const&) const { return net::TcpOption::sack_permitted(); }
        net::TcpOption operator()(o::Sack const& s) const {
            std::vector<net::SackBlock> blocks;
            for (auto const& b : s.blocks) blocks.push_back({b.left, b.right});
            return net::TcpOption::sack(blocks);
        }
        net::TcpOption operator()(o::Timestamp const& t) const { return net::TcpOption::timestamp(t.val, t.ecr); }
        net::TcpOption operator()(o::FastOpen const& f) const {
            return f.experimental ? net::TcpOption::fast_open_exp(f.cookie) : net::TcpOption::fast_open(f.cookie);
        }
        net::TcpOption operator()(o::Md5 const& m) const { return net::TcpOption::md5(m.digest); }
        net::TcpOption operator()(o::AccEcn const& a) const {
            net::AccEcnCounters c;
            for (auto const& [name, value] : a.fields) {
                if (name == "e0b") c.e0b = value;
                else if (name == "ceb") c.ceb = value;
                else c.e1b = value;
            }
            // The codec writes counters in the kind's wire order; the script's order is that order.
            return net::TcpOption::accecn(a.order1 ? net::tcp_option_kind::accecn1 : net::tcp_option_kind::accecn0, c);
        }
    };
    return std::visit(V{}, option);
}

net::Packet build_packet(script::Packet const& p, Tuple const& tuple, bool ipv6, std::uint32_t echoed_seq_offset) {
    net::Packet out;
    for (auto const& encap : p.encapsulations) {
        if (auto const* ip = std::get_if<model::OuterIp>(&encap)) out.layers.push_back(outer_ip(*ip));
        else if (auto const* g = std::get_if<model::GreHeader>(&encap)) out.layers.push_back(gre(*g));
        else if (auto const* m = std::get_if<model::MplsStack>(&encap)) out.layers.push_back(mpls(*m));
    }
    out.layers.push_back(ip_layer(ipv6, p.ip, tuple.src.ip, tuple.dst.ip));

    if (auto const* t = std::get_if<model::TcpSegment>(&p.transport)) {
        net::TcpHeader h;
        // Explicit ports stay as the script wrote them; a zero one is the live one.
        h.src_port = t->ports && t->ports->src ? t->ports->src : tuple.src.port;
        h.dst_port = t->ports && t->ports->dst ? t->ports->dst : tuple.dst.port;
        h.seq = t->seq;
        h.ack = t->ack.value_or(0);
        h.flags = t->flags.bits;
        h.window = t->window.value_or(0);
        h.urgent_pointer = t->urgent.value_or(0);
        if (t->options)
            for (auto const& o : *t->options) h.options.push_back(to_wire(o));
        out.layers.push_back(std::move(h));
        out.payload.assign(t->length, 0);
    } else if (auto const* u = std::get_if<model::UdpDatagram>(&p.transport)) {
        net::UdpHeader h;
        h.src_port = u->ports && u->ports->src ? u->ports->src : tuple.src.port;
        h.dst_port = u->ports && u->ports->dst ? u->ports->dst : tuple.dst.port;
        out.layers.push_back(h);
        out.payload.assign(u->length, 0);
    } else if (auto const* m = std::get_if<model::IcmpMessage>(&p.transport)) {
        // The echoed datagram went the other way: from the kernel's end to the peer.
        Tuple const original{tuple.dst, tuple.src};
        if (ipv6) {
            net::Icmpv6Header h;
            h.type = m->type;
            h.code = m->code;
            if (m->mtu) h.set_mtu(*m->mtu);
            if (m->echo_id) h.set_echo(*m->echo_id, 0);
            out.layers.push_back(h);
        } else {
            net::Icmpv4Header h;
            h.type = m->type;
            h.code = m->code;
            if (m->mtu) h.set_next_hop_mtu(static_cast<std::uint16_t>(*m->mtu));
            if (m->echo_id) h.set_echo(*m->echo_id, 0);
            out.layers.push_back(h);
        }
        model::IcmpEchoed const echoed = m->echoed.value_or(model::IcmpEchoed{});
        if (echoed.protocol == model::IcmpEchoed::Protocol::raw) {
            // [raw(N)]: an ICMP message of N bytes in all, zero-filled.
            out.payload.assign(echoed.length > 8 ? echoed.length - 8 : 0, 0);
        } else {
            out.payload = echoed_datagram(echoed, original, ipv6, echoed_seq_offset);
        }
    }
    return out;
}

PacketShape shape_of(net::Packet const& p) {
    PacketShape s;
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
        auto const& l = p.layers[i];
        if (std::holds_alternative<net::Ipv4Header>(l) || std::holds_alternative<net::Ipv6Header>(l)) s.ip = i;
        else if (std::holds_alternative<net::TcpHeader>(l) || std::holds_alternative<net::UdpHeader>(l) ||
                 std::holds_alternative<net::Icmpv4Header>(l) || std::holds_alternative<net::Icmpv6Header>(l))
            s.transport = i;
    }
    return s;
}

}  // namespace pktdrill::run
