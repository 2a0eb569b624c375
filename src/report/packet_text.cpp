#include "src/report/packet_text.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "src/script/icmp_names.hpp"
#include "src/script/render.hpp"

namespace pktdrill::report {

namespace {

std::string flags_text(std::uint16_t bits, std::optional<std::uint8_t> ace) {
    namespace f = script::tcp_flag;
    std::string out;
    if (bits & f::fin) out += 'F';
    if (bits & f::syn) out += 'S';
    if (bits & f::rst) out += 'R';
    if (bits & f::psh) out += 'P';
    if (bits & f::urg) out += 'U';
    if (!ace) {
        if (bits & f::ece) out += 'E';
        if (bits & f::cwr) out += 'W';
        if (bits & f::ae) out += 'A';
    }
    if (bits & f::ack) out += '.';
    if (ace) {
        // Appended piece by piece: `"." + std::string` trips g++ 12's false -Wrestrict (GCC bug 105329).
        if (!(bits & f::ack)) out += '.';
        out += std::to_string(*ace);
    }
    return out.empty() ? "-" : out;
}

std::string range(std::uint32_t seq, std::size_t length) {
    return std::to_string(seq) + ":" + std::to_string(static_cast<std::uint32_t>(seq + length)) + "(" +
           std::to_string(length) + ")";
}

std::string hex(net::ByteView bytes) {
    std::string out;
    char buf[3];
    for (auto b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        out += buf;
    }
    return out;
}

bool is_ip(net::Layer const& l) {
    return std::holds_alternative<net::Ipv4Header>(l) || std::holds_alternative<net::Ipv6Header>(l);
}

// The layers around the innermost IP header, in script syntax, so that a failing encapsulated
// packet shows them as its `>` line writes them.
std::string describe_encapsulation(net::Packet const& p) {
    auto const inner = std::find_if(p.layers.rbegin(), p.layers.rend(), is_ip);
    if (inner == p.layers.rend()) return {};
    std::vector<script::Encapsulation> outer;
    for (auto it = p.layers.begin(); it != inner.base() - 1; ++it) {
        if (auto const* v4 = std::get_if<net::Ipv4Header>(&*it)) {
            outer.push_back(script::OuterIp{false, {}, v4->src.to_string(), v4->dst.to_string()});
        } else if (auto const* v6 = std::get_if<net::Ipv6Header>(&*it)) {
            outer.push_back(script::OuterIp{true, {}, v6->src.to_string(), v6->dst.to_string()});
        } else if (auto const* g = std::get_if<net::GreHeader>(&*it)) {
            script::GreHeader s;
            s.flags = static_cast<std::uint16_t>((g->checksum_present ? net::GreHeader::flag_checksum : 0) |
                                                 (g->key_present ? net::GreHeader::flag_key : 0) |
                                                 (g->sequence_present ? net::GreHeader::flag_sequence : 0) |
                                                 g->reserved0 | g->version);
            s.flags_as_list = g->reserved0 == 0 && g->version == 0;
            s.sum = g->checksum.value_or(0);
            s.offset = g->reserved1;
            s.key = g->key;
            s.seq = g->sequence;
            outer.push_back(s);
        } else if (auto const* m = std::get_if<net::MplsStack>(&*it)) {
            script::MplsStack s;
            for (auto const& e : m->entries) s.entries.push_back({e.label, e.traffic_class, e.bottom_of_stack, e.ttl});
            outer.push_back(s);
        }
    }
    return script::render(outer);
}

}  // namespace

PacketText describe(script::Packet const& p) {
    PacketText out;
    if (auto e = script::render(p.encapsulations); !e.empty()) out.push_back({"encap", e});
    if (auto ip = script::render(p.ip); !ip.empty()) out.push_back({"ip", ip});
    if (auto const* t = std::get_if<script::TcpSegment>(&p.transport)) {
        if (t->ports) out.push_back({"ports", std::to_string(t->ports->src) + ">" + std::to_string(t->ports->dst)});
        out.push_back({"flags", flags_text(t->flags.bits, t->flags.ace)});
        out.push_back({"seq", range(t->seq, t->length)});
        if (t->ack) out.push_back({"ack", "ack " + std::to_string(*t->ack)});
        if (t->window) out.push_back({"win", "win " + std::to_string(*t->window)});
        if (t->urgent) out.push_back({"urg", "urg " + std::to_string(*t->urgent)});
        if (auto o = script::render_options(t->options); !o.empty()) out.push_back({"options", o});
    } else if (auto const* u = std::get_if<script::UdpDatagram>(&p.transport)) {
        out.push_back({"udp", "udp (" + std::to_string(u->length) + ")"});
    } else if (auto const* m = std::get_if<script::IcmpMessage>(&p.transport)) {
        std::string text = "icmp " + m->type_name;
        if (!m->code_name.empty()) text += " " + m->code_name;
        out.push_back({"icmp", text});
    }
    return out;
}

std::string describe_option(net::TcpOption const& o) {
    namespace k = net::tcp_option_kind;
    if (o.is_nop()) return "nop";
    if (o.is_eol()) return "eol";
    if (auto v = o.as_mss()) return "mss " + std::to_string(*v);
    if (auto v = o.as_window_scale()) return "wscale " + std::to_string(*v);
    if (o.is_sack_permitted()) return "sackOK";
    if (auto v = o.as_sack()) {
        std::string out = "sack";
        for (auto const& b : *v) {
            out += ' ';
            out += std::to_string(b.left);
            out += ':';
            out += std::to_string(b.right);
        }
        return out;
    }
    if (auto v = o.as_timestamp()) return "TS val " + std::to_string(v->val) + " ecr " + std::to_string(v->ecr);
    if (auto v = o.as_fast_open()) return v->empty() ? "FO" : "FO " + hex(*v);
    if (auto v = o.as_fast_open_exp()) return v->empty() ? "FOEXP" : "FOEXP " + hex(*v);
    if (auto v = o.as_md5()) return "md5 " + hex(*v);
    if (auto v = o.as_accecn()) {
        std::string out = "ECN";
        auto add = [&](char const* name, std::optional<std::uint32_t> c) {
            if (c) out += std::string(" ") + name + " " + std::to_string(*c);
        };
        if (o.kind == k::accecn0) {
            add("e0b", v->e0b);
            add("ceb", v->ceb);
            add("e1b", v->e1b);
        } else {
            add("e1b", v->e1b);
            add("ceb", v->ceb);
            add("e0b", v->e0b);
        }
        return out;
    }
    std::string out = "kind " + std::to_string(o.kind);
    if (!o.data.empty()) out += " " + hex(o.data);
    return out;
}

PacketText describe_actual(net::Packet const& p, ActualStyle const& style) {
    PacketText out;
    if (auto e = describe_encapsulation(p); !e.empty()) out.push_back({"encap", e});
    auto const [tos, ttl] = net::inner_ip_fields(p);
    std::vector<std::string> info;
    if (style.ip_info && tos) {
        if (style.tos) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "0x%x", *tos);
            info.push_back(std::string("tos ") + buf);
        } else {
            static char const* const names[] = {"noecn", "ect1", "ect0", "ce"};
            info.push_back(names[*tos & 3]);
        }
    }
    if (style.ttl && ttl) info.push_back("ttl " + std::to_string(*ttl));
    if (!info.empty()) {
        std::string text = "[";
        for (std::size_t i = 0; i < info.size(); ++i) text += (i ? ", " : "") + info[i];
        out.push_back({"ip", text + "]"});
    }
    if (auto const* t = p.find_last<net::TcpHeader>()) {
        std::optional<std::uint8_t> ace;
        if (style.ace) ace = t->ace();
        std::uint16_t bits = t->flags & 0x1FF;
        out.push_back({"flags", flags_text(bits, ace)});
        out.push_back({"seq", range(t->seq, p.payload.size())});
        if (t->ack_flag()) out.push_back({"ack", "ack " + std::to_string(t->ack)});
        out.push_back({"win", "win " + std::to_string(t->window)});
        if (t->urg() || t->urgent_pointer) out.push_back({"urg", "urg " + std::to_string(t->urgent_pointer)});
        if (!t->options.empty()) {
            std::string text = "<";
            for (std::size_t i = 0; i < t->options.size(); ++i) {
                if (i) text += ',';
                text += describe_option(t->options[i]);
            }
            out.push_back({"options", text + ">"});
        }
    } else if (p.find_last<net::UdpHeader>()) {
        out.push_back({"udp", "udp (" + std::to_string(p.payload.size()) + ")"});
    } else if (auto const* i4 = p.find_last<net::Icmpv4Header>()) {
        out.push_back({"icmp", "icmp " + script::icmp_type_name(false, i4->type) + " " +
                                   script::icmp_code_name(false, i4->type, i4->code)});
    } else if (auto const* i6 = p.find_last<net::Icmpv6Header>()) {
        out.push_back({"icmp", "icmp " + script::icmp_type_name(true, i6->type) + " " +
                                   script::icmp_code_name(true, i6->type, i6->code)});
    }
    return out;
}

std::string join(PacketText const& text) {
    std::string out;
    for (auto const& f : text) out += (out.empty() ? "" : " ") + f.text;
    return out;
}

std::vector<std::string> compare(std::string const& script_label, PacketText const& expected,
                                 std::string const& actual_label, PacketText const& actual,
                                 std::optional<std::string> const& mark) {
    // The union of keys, in the order the fields appear.
    std::vector<std::string> keys;
    auto add_keys = [&](PacketText const& t) {
        std::size_t pos = 0;
        for (auto const& f : t) {
            auto it = std::find(keys.begin(), keys.end(), f.key);
            if (it == keys.end()) {
                keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(std::min(pos, keys.size())), f.key);
                ++pos;
            } else {
                pos = static_cast<std::size_t>(it - keys.begin()) + 1;
            }
        }
    };
    add_keys(expected);
    add_keys(actual);
    auto text_of = [](PacketText const& t, std::string const& key) -> std::string {
        for (auto const& f : t)
            if (f.key == key) return f.text;
        return {};
    };
    std::size_t const label_width = std::max(script_label.size(), actual_label.size());
    std::string s = script_label + std::string(label_width - script_label.size(), ' ');
    std::string a = actual_label + std::string(label_width - actual_label.size(), ' ');
    std::string m(label_width, ' ');
    bool marked = false;
    for (auto const& key : keys) {
        std::string const st = text_of(expected, key), at = text_of(actual, key);
        if (st.empty() && at.empty()) continue;
        std::size_t const w = std::max(st.size(), at.size());
        s += " " + st + std::string(w - st.size(), ' ');
        a += " " + at + std::string(w - at.size(), ' ');
        if (mark && key == *mark) {
            m += " ^" + std::string(w > 1 ? w - 1 : 0, '~');
            marked = true;
        } else {
            m += std::string(w + 1, ' ');
        }
    }
    auto trim = [](std::string& x) {
        while (!x.empty() && x.back() == ' ') x.pop_back();
    };
    trim(s);
    trim(a);
    trim(m);
    std::vector<std::string> out{s, a};
    if (marked) out.push_back(m);
    return out;
}

std::optional<std::string> field_key_for(std::string const& check_name) {
    static std::map<std::string, std::string> const keys = {
        {"tcp_seq", "seq"},         {"tcp_ack_seq", "ack"},      {"tcp_window", "win"},
        {"tcp_urg_ptr", "urg"},     {"tcp_fin", "flags"},        {"tcp_syn", "flags"},
        {"tcp_rst", "flags"},       {"tcp_psh", "flags"},        {"tcp_ack", "flags"},
        {"tcp_urg", "flags"},       {"tcp_ece", "flags"},        {"tcp_cwr", "flags"},
        {"tcp_ae", "flags"},        {"tcp_ace", "flags"},        {"tcp_reserved_bits", "flags"},
        {"tcp_data_offset", "options"}, {"options", "options"},  {"ipv4_total_length", "seq"},
        {"ipv6_payload_len", "seq"}, {"payload", "seq"},         {"ip_ecn", "ip"},
        {"tos", "ip"},              {"ttl", "ip"},               {"udp_len", "udp"},
        {"icmp_type", "icmp"},      {"icmp_code", "icmp"},       {"gre", "encap"},
        {"gre_len", "encap"},       {"mpls", "encap"},
    };
    if (auto it = keys.find(check_name); it != keys.end()) return it->second;
    return std::nullopt;
}

}  // namespace pktdrill::report
