// Packet lines: IP info, encapsulations, TCP flags, sequence ranges, options, UDP and ICMP.

#include <arpa/inet.h>

#include <cstdio>

#include "src/script/builder.hpp"
#include "src/script/icmp_names.hpp"

namespace pktdrill::script::detail {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::vector<std::uint8_t>> hex_bytes(std::string const& text) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
        int const hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
    }
    return out;
}

bool is_hex_literal(ast::number const& n) {
    return n.text.size() > 2 && n.text[0] == '0' && (n.text[1] == 'x' || n.text[1] == 'X');
}

}  // namespace

std::optional<Ports> Builder::ports(ast::port_pair const& p) {
    auto const src = unsigned_value<std::uint16_t>(p.src, "src port out of range");
    auto const dst = unsigned_value<std::uint16_t>(p.dst, "dst port out of range");
    if (!src || !dst) return std::nullopt;
    return Ports{*src, *dst};
}

IpInfo Builder::ip_info(ast::ip_info const& info, bool outbound) {
    IpInfo out;
    bool seen_tos = false, seen_flowlabel = false, seen_ttl = false;
    for (auto const& item : info.items) {
        auto duplicate = [&](bool& seen, char const* what) {
            if (seen) error(item, std::string("IP info gives ") + what + " twice");
            seen = true;
        };
        if (item.key == "tos") {
            duplicate(seen_tos, "the TOS byte");
            if (!is_hex_literal(*item.value)) {
                error(*item.value, "tos value must be written in hex (tos 0x" + item.value->text + ")");
                continue;
            }
            if (auto v = unsigned_value<std::uint8_t>(*item.value, "tos out of range for 8 bits")) {
                out.tos_check = TosCheck::tos;
                out.tos = *v;
            }
        } else if (item.key == "flowlabel") {
            duplicate(seen_flowlabel, "a flow label");
            if (!is_hex_literal(*item.value)) {
                error(*item.value, "flowlabel value must be written in hex (flowlabel 0x" + item.value->text + ")");
                continue;
            }
            if (auto v = integer(*item.value, 0, 0xfffff, "flowlabel out of range for 20 bits"))
                out.flow_label = static_cast<std::uint32_t>(*v);
        } else if (item.key == "ttl") {
            duplicate(seen_ttl, "a TTL");
            if (auto v = unsigned_value<std::uint8_t>(*item.value, "ttl out of range for 8 bits")) out.ttl = *v;
        } else {
            duplicate(seen_tos, "the TOS byte");
            if (item.key == "ect01") {
                if (!outbound) error(item, "[ect01] can only be used with outbound packets");
                out.tos_check = TosCheck::ect01;
            } else {
                out.tos_check = TosCheck::ecn;
                out.tos = static_cast<std::uint8_t>(item.key == "noecn"  ? Ecn::not_ect
                                                    : item.key == "ect0" ? Ecn::ect0
                                                    : item.key == "ect1" ? Ecn::ect1
                                                                         : Ecn::ce);
            }
        }
    }
    return out;
}

MplsEntry Builder::mpls(ast::mpls_entry const& m) {
    MplsEntry out;
    if (auto v = integer(m.label, 0, 0xfffff, "MPLS label out of range for 20 bits"))
        out.label = static_cast<std::uint32_t>(*v);
    if (auto v = integer(m.traffic_class, 0, 7, "MPLS traffic class out of range for 3 bits"))
        out.traffic_class = static_cast<std::uint8_t>(*v);
    if (auto v = unsigned_value<std::uint8_t>(m.ttl, "MPLS ttl out of range for 8 bits")) out.ttl = *v;
    out.bottom_of_stack = m.bottom_of_stack;
    return out;
}

GreHeader Builder::gre(ast::gre_header const& g) {
    GreHeader out;
    if (g.flags_value) {
        out.flags_as_list = false;
        if (auto v = unsigned_value<std::uint16_t>(*g.flags_value, "GRE flags out of range for 16 bits"))
            out.flags = *v;
    } else {
        for (auto const& f : g.flag_names) {
            if (f.text == "checksum") out.flags |= 0x8000;
            else if (f.text == "key") out.flags |= 0x2000;
            else if (f.text == "sequence") out.flags |= 0x1000;
        }
    }
    if (auto v = unsigned_value<std::uint16_t>(g.sum, "GRE checksum out of range for 16 bits")) out.sum = *v;
    if (auto v = unsigned_value<std::uint16_t>(g.offset, "GRE offset out of range for 16 bits")) out.offset = *v;
    if (auto v = unsigned_value<std::uint32_t>(g.key, "GRE key out of range for 32 bits")) out.key = *v;
    if (auto v = unsigned_value<std::uint32_t>(g.seq, "GRE sequence number out of range for 32 bits")) out.seq = *v;
    return out;
}

std::optional<TcpOption> Builder::tcp_option(ast::tcp_option const& o) {
    namespace opt = tcp_option;
    auto const& k = o.kind;
    if (k == "nop") return opt::Nop{};
    if (k == "eol") return opt::Eol{};
    if (k == "sackOK") return opt::SackPermitted{};
    if (k == "mss") {
        auto v = unsigned_value<std::uint16_t>(o.values.at(0), "mss value out of range");
        return v ? std::optional<TcpOption>(opt::Mss{*v}) : std::nullopt;
    }
    if (k == "wscale") {
        auto v = unsigned_value<std::uint8_t>(o.values.at(0), "window scale shift count out of range");
        return v ? std::optional<TcpOption>(opt::WindowScale{*v}) : std::nullopt;
    }
    if (k == "sack") {
        opt::Sack sack;
        bool ok = true;
        for (std::size_t i = 0; i + 1 < o.values.size(); i += 2) {
            auto l = unsigned_value<std::uint32_t>(o.values[i], "TCP SACK left sequence number out of range");
            auto r = unsigned_value<std::uint32_t>(o.values[i + 1], "TCP SACK right sequence number out of range");
            if (l && r) sack.blocks.push_back({*l, *r});
            else ok = false;
        }
        return ok ? std::optional<TcpOption>(sack) : std::nullopt;
    }
    if (k == "TS") {
        auto val = unsigned_value<std::uint32_t>(o.values.at(0), "ts val out of range");
        auto ecr = unsigned_value<std::uint32_t>(o.values.at(1), "ecr val out of range");
        if (!val || !ecr) return std::nullopt;
        return opt::Timestamp{*val, *ecr};
    }
    if (k == "FO" || k == "FOEXP") {
        opt::FastOpen fo;
        fo.experimental = k == "FOEXP";
        if (o.blob) {
            std::string const& text = o.blob->text;
            if (text.size() % 2) {
                error(*o.blob, "TCP fast open cookie has an odd number of digits");
                return std::nullopt;
            }
            auto bytes = hex_bytes(text);
            if (!bytes) {
                error(*o.blob, "TCP fast open cookie '" + text + "' is not a valid hex string");
                return std::nullopt;
            }
            std::size_t const max = fo.experimental ? 36 : 38;  // what fits in 40 option bytes
            if (bytes->size() > max) {
                error(*o.blob, "TCP fast open cookie of " + std::to_string(bytes->size()) +
                                   " bytes exceeds maximum cookie length of " + std::to_string(max) + " bytes");
                return std::nullopt;
            }
            fo.cookie = std::move(*bytes);
        }
        return fo;
    }
    if (k == "md5") {
        std::string const& text = o.blob->text;
        if (text.size() / 2 > 16) {
            error(*o.blob, "TCP MD5 digest longer than 16 bytes");
            return std::nullopt;
        }
        auto bytes = text.size() % 2 ? std::nullopt : hex_bytes(text);
        if (!bytes) {
            error(*o.blob, "TCP MD5 digest is not a valid hex string");
            return std::nullopt;
        }
        return opt::Md5{std::move(*bytes)};
    }
    if (k == "ECN") {
        opt::AccEcn acc;
        bool ok = true;
        for (std::size_t i = 0; i < o.labels.size() && i < o.values.size(); ++i) {
            std::string const& name = o.labels[i].text;
            for (std::size_t j = 0; j < i; ++j)
                if (o.labels[j].text == name) {
                    error(o.labels[i], "AccECN option gives field " + name + " twice");
                    ok = false;
                }
            auto v = integer(o.values[i], 0, 0xffffff, "AccECN field value out of range for 24 bits");
            if (!v) ok = false;
            else acc.fields.emplace_back(name, static_cast<std::uint32_t>(*v));
        }
        if (!o.labels.empty()) {
            if (o.labels[0].text == "ceb") {
                error(o.labels[0], "AccECN option must start with e0b (kind 172) or e1b (kind 174)");
                ok = false;
            }
            acc.order1 = o.labels[0].text == "e1b";
        }
        return ok ? std::optional<TcpOption>(acc) : std::nullopt;
    }
    error(o, "unknown TCP option '" + k + "'");
    return std::nullopt;
}

namespace {

// Letters of packetdrill's TCP flag syntax.
std::optional<std::uint16_t> flag_bit(char c) {
    switch (c) {
    case 'F': return tcp_flag::fin;
    case 'S': return tcp_flag::syn;
    case 'R': return tcp_flag::rst;
    case 'P': return tcp_flag::psh;
    case '.': return tcp_flag::ack;
    case 'U': return tcp_flag::urg;
    case 'E': return tcp_flag::ece;
    case 'W': return tcp_flag::cwr;
    case 'A': return tcp_flag::ae;
    default: return std::nullopt;
    }
}

}  // namespace

TcpSegment Builder::tcp(ast::tcp_segment const& s, Direction direction) {
    TcpSegment out;
    if (s.ports) out.ports = ports(*s.ports);

    std::string const& f = s.flags.text;
    if (f != "-") {
        bool ok = true;
        for (std::size_t i = 0; i < f.size(); ++i) {
            char const c = f[i];
            if (c >= '0' && c <= '9' && i > 0 && f[i - 1] == '.' && i + 1 == f.size()) {
                if (c > '7') {
                    error(s.flags, "AccECN ACE value " + std::string(1, c) + " out of range 0-7");
                    ok = false;
                } else if (out.flags.bits & (tcp_flag::ece | tcp_flag::cwr | tcp_flag::ae)) {
                    error(s.flags, "AccECN ACE value cannot be combined with the E, W or A flags");
                    ok = false;
                } else {
                    std::uint8_t const ace = static_cast<std::uint8_t>(c - '0');
                    out.flags.ace = ace;
                    if (ace & 1) out.flags.bits |= tcp_flag::ece;
                    if (ace & 2) out.flags.bits |= tcp_flag::cwr;
                    if (ace & 4) out.flags.bits |= tcp_flag::ae;
                }
                continue;
            }
            auto const bit = flag_bit(c);
            if (!bit) {
                error(s.flags, "invalid TCP flag '" + std::string(1, c) + "' in '" + f +
                                   "' (flags are F S R P . U E W A, '.' last, or '-' for none)");
                ok = false;
                break;
            }
            if (c == '.' && i + 1 < f.size() && !(i + 2 == f.size() && f[i + 1] >= '0' && f[i + 1] <= '9')) {
                error(s.flags, "'.' must be the last TCP flag ('" + f + "')");
                ok = false;
                break;
            }
            if (out.flags.bits & *bit) {
                error(s.flags, "TCP flag '" + std::string(1, c) + "' given twice in '" + f + "'");
                ok = false;
                break;
            }
            out.flags.bits |= *bit;
        }
        (void)ok;
    }

    auto const start = unsigned_value<std::uint32_t>(s.seq.start, "TCP start sequence number out of range");
    auto const end = unsigned_value<std::uint32_t>(s.seq.stop, "TCP end sequence number out of range");
    auto const len = unsigned_value<std::uint16_t>(s.seq.length, "TCP payload size out of range");
    if (start && end && len) {
        if (*end != static_cast<std::int64_t>(*start) + *len)
            error(s.seq, "inconsistent TCP sequence numbers and payload size");
        out.seq = *start;
        out.length = *len;
    }
    if (s.ack) out.ack = unsigned_value<std::uint32_t>(*s.ack, "TCP ack sequence number out of range");
    if (s.window) out.window = unsigned_value<std::uint16_t>(*s.window, "TCP window value out of range");
    if (s.urgent) out.urgent = unsigned_value<std::uint16_t>(*s.urgent, "urg_ptr value out of range");
    if (!s.window && direction == Direction::inbound) error(s, "window must be specified for inbound packets");

    if (s.options) {
        if (s.options->any) {
            if (direction != Direction::outbound)
                error(*s.options, "<...> for TCP options can only be used with outbound packets");
            out.options.reset();
        } else {
            std::size_t bytes = 0;
            bool all_valid = true;
            for (auto const& o : s.options->list) {
                if (auto opt = tcp_option(o)) {
                    bytes += wire_size(*opt);
                    out.options->push_back(std::move(*opt));
                } else {
                    all_valid = false;
                }
            }
            if (!all_valid) {
                // The sizes are unknown; an error about them would only repeat the one reported.
            } else if (bytes > 40) {
                error(*s.options, "TCP option list too long: " + std::to_string(bytes) +
                                      " bytes (at most 40 fit in a TCP header)");
            } else if (bytes % 4) {
                error(*s.options, "TCP options are not padded correctly to ensure TCP header is a multiple of "
                                  "4 bytes: " + std::to_string(bytes % 4) + " excess bytes");
            }
        }
    }
    return out;
}

UdpDatagram Builder::udp(ast::udp_datagram const& u) {
    UdpDatagram out;
    if (u.ports) out.ports = ports(*u.ports);
    if (auto v = unsigned_value<std::uint16_t>(u.length, "UDP payload size out of range")) out.length = *v;
    return out;
}

IcmpMessage Builder::icmp(ast::icmp_message const& m) {
    IcmpMessage out;
    out.ipv6 = config_.ip_version == IpVersion::ipv6;
    out.type_name = m.type.text;
    if (m.code) out.code_name = m.code->text;
    auto resolved = resolve_icmp(out.ipv6, out.type_name, out.code_name);
    // ICMP names depend on the family. When no ip_version was given (a --check of a script
    // meant for several), either family's names are accepted here; the run resolves them again
    // for its own family and fails as packetdrill does if they do not fit.
    if (!config_.ip_version_given && (!resolved.type || !resolved.code)) {
        auto const other = resolve_icmp(!out.ipv6, out.type_name, out.code_name);
        if (other.type && other.code) {
            resolved = other;
            out.ipv6 = !out.ipv6;
        }
    }
    if (!resolved.type) {
        error(m.type, "bad ICMP type " + out.type_name + (out.ipv6 ? " (for ICMPv6)" : " (for ICMPv4)"));
    } else if (!resolved.code) {
        error(*m.code, "bad ICMP code " + out.code_name + " for ICMP type " + out.type_name);
    } else {
        out.type = *resolved.type;
        out.code = *resolved.code;
    }
    // Whether an MTU fits is only known once type and code are: a bad code is the one error.
    bool const named = resolved.type && resolved.code;
    if (m.mtu) {
        if (out.ipv6) {
            if (auto v = unsigned_value<std::uint32_t>(*m.mtu, "ICMPv6 MTU out of 32-bit range")) out.mtu = *v;
            if (named && (*resolved.type != icmpv6_packet_too_big || out.code != 0))
                error(*m.mtu, "ICMPv6 MTU is only valid for packet_too_big");
        } else {
            if (auto v = unsigned_value<std::uint16_t>(*m.mtu, "ICMPv4 MTU out of 16-bit range")) out.mtu = *v;
            if (named && (*resolved.type != icmpv4_unreachable || out.code != icmpv4_frag_needed))
                error(*m.mtu, "ICMPv4 MTU is only valid for unreachable frag_needed");
        }
    }
    if (m.echo_id) {
        if (auto v = unsigned_value<std::uint16_t>(*m.echo_id, "invalid echo_id, must be between 0 and 65535"))
            out.echo_id = *v;
    }
    if (m.echoed) {
        IcmpEchoed e;
        if (m.echoed->protocol == "tcp") {
            auto const& r = *m.echoed->seq;
            auto const start = unsigned_value<std::uint32_t>(r.start, "TCP start sequence number out of range");
            auto const end = unsigned_value<std::uint32_t>(r.stop, "TCP end sequence number out of range");
            auto const len = unsigned_value<std::uint16_t>(r.length, "TCP payload size out of range");
            if (start && end && len) {
                if (*end != static_cast<std::int64_t>(*start) + *len)
                    error(r, "inconsistent TCP sequence numbers and payload size");
                e.seq = *start;
                e.length = *len;
            }
        } else {
            e.protocol = m.echoed->protocol == "udp" ? IcmpEchoed::Protocol::udp : IcmpEchoed::Protocol::raw;
            if (auto v = unsigned_value<std::uint16_t>(*m.echoed->length, "payload size out of range")) e.length = *v;
        }
        out.echoed = e;
    }
    return out;
}

Packet Builder::packet(ast::packet const& p) {
    Packet out;
    out.direction = p.direction == '<' ? Direction::inbound : Direction::outbound;
    bool const outbound = out.direction == Direction::outbound;
    for (auto const& encap : p.encapsulations) {
        if (auto const* ip = boost::get<ast::encap_ip>(&encap)) {
            OuterIp o;
            o.ipv6 = ip->version == "ipv6";
            if (ip->info) o.info = ip_info(*ip->info, outbound);
            o.src = ip->src.text;
            o.dst = ip->dst.text;
            out.encapsulations.emplace_back(std::move(o));
        } else if (auto const* g = boost::get<ast::encap_gre>(&encap)) {
            out.encapsulations.emplace_back(g->header ? gre(*g->header) : GreHeader{});
        } else if (auto const* m = boost::get<ast::encap_mpls>(&encap)) {
            MplsStack stack;
            for (auto const& e : m->entries) stack.entries.push_back(mpls(e));
            out.encapsulations.emplace_back(std::move(stack));
        }
    }
    if (p.info) out.ip = ip_info(*p.info, outbound);
    if (p.psp_spi) out.psp_spi = unsigned_value<std::uint32_t>(*p.psp_spi, "PSP spi out of range for 32 bits");
    if (auto const* t = boost::get<ast::tcp_segment>(&p.body)) {
        out.transport = tcp(*t, out.direction);
    } else if (auto const* u = boost::get<ast::udp_datagram>(&p.body)) {
        if (out.ip.tos_check == TosCheck::ecn) error(*p.info, "ECN can only be used with TCP packets");
        out.transport = udp(*u);
    } else if (auto const* m = boost::get<ast::icmp_message>(&p.body)) {
        out.transport = icmp(*m);
    }
    return out;
}

}  // namespace pktdrill::script::detail
