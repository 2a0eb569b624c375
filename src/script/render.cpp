#include "src/script/render.hpp"

#include <cinttypes>
#include <cstdio>
#include <sstream>

namespace pktdrill::script {

namespace {

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

std::string hex_bytes(std::vector<std::uint8_t> const& bytes) {
    std::string out;
    char buf[3];
    for (auto b : bytes) {
        std::snprintf(buf, sizeof buf, "%02x", b);
        out += buf;
    }
    return out;
}

std::string quote(std::string const& bytes) {
    std::string out = "\"";
    for (unsigned char c : bytes) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\f': out += "\\f"; break;
        case '\v': out += "\\v"; break;
        default:
            if (c < 0x20 || c >= 0x7f) {
                char buf[5];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                out += buf;
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    return out + "\"";
}

// An option value reads back as written only if it is one run of printable, non-blank bytes;
// anything else (empty, blanks, line breaks) goes in quotes, with escapes.
bool needs_quotes(std::string const& value) {
    if (value.empty()) return true;
    for (unsigned char c : value)
        if (c <= ' ' || c == 0x7f) return true;
    return false;
}

std::string list(std::vector<Expr> const& items) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + render(items[i]);
    return out;
}

std::string render_gre(GreHeader const& g) {
    std::string out = "flags ";
    if (g.flags_as_list) {
        std::string names;
        if (g.flags & 0x8000) names += "checksum present";
        if (g.flags & 0x2000) names += std::string(names.empty() ? "" : ", ") + "key present";
        if (g.flags & 0x1000) names += std::string(names.empty() ? "" : ", ") + "sequence# present";
        out += "[" + (names.empty() ? std::string("none") : names) + "]";
    } else {
        out += hex(g.flags);
    }
    return out + " sum " + std::to_string(g.sum) + " off " + std::to_string(g.offset) + " key " +
           std::to_string(g.key) + " seq " + std::to_string(g.seq);
}

std::string render_mpls(MplsStack const& m) {
    std::string out;
    for (std::size_t i = 0; i < m.entries.size(); ++i) {
        auto const& e = m.entries[i];
        out += std::string(i ? " " : "") + "(label " + std::to_string(e.label) + ", tc " +
               std::to_string(e.traffic_class) + ", " + (e.bottom_of_stack ? "[S], " : "") + "ttl " +
               std::to_string(e.ttl) + ")";
    }
    return out;
}

struct ExprRenderer {
    std::string operator()(Ellipsis const&) const { return "..."; }
    std::string operator()(Integer const& i) const {
        if (!i.hex) return std::to_string(i.value);
        return i.value < 0 && i.value > INT64_MIN ? "-" + hex(static_cast<std::uint64_t>(-i.value))
                                                  : hex(static_cast<std::uint64_t>(i.value));
    }
    std::string operator()(Symbol const& s) const { return s.name; }
    std::string operator()(String const& s) const { return quote(s.bytes) + (s.trailing_ellipsis ? "..." : ""); }
    std::string operator()(List const& l) const { return "[" + list(l.items) + "]"; }
    std::string operator()(Braced const& b) const { return "{" + list(b.items) + "}"; }
    std::string operator()(Binary const& b) const {
        return render(*b.lhs) + (b.op == '|' ? "|" : "=") + render(*b.rhs);
    }
    std::string operator()(Sockaddr const& s) const {
        return "{sa_family=" + s.family + ", sin_port=htons(" + std::to_string(s.port) +
               "), sin_addr=inet_addr(" + quote(s.address) + ")}";
    }
    std::string operator()(Iovec const& v) const { return "{" + render(*v.base) + ", " + render(*v.length) + "}"; }
    std::string operator()(Msghdr const& m) const {
        std::string out = "{msg_name(...)=..., msg_iov(" + render(*m.iov_count) + ")=" + render(*m.iov) +
                          ", msg_flags=" + render(*m.flags);
        if (m.control) out += ", msg_control=" + render(**m.control);
        return out + "}";
    }
    std::string operator()(Cmsg const& c) const {
        return "{cmsg_level=" + render(*c.level) + ", cmsg_type=" + render(*c.type) +
               ", cmsg_data=" + render(*c.data) + "}";
    }
    std::string operator()(Pollfd const& p) const {
        return "{fd=" + render(*p.fd) + ", events=" + render(*p.events) + ", revents=" + render(*p.revents) + "}";
    }
    std::string operator()(EpollEvent const& e) const {
        return "{events=" + render(*e.events) + ", " + e.data_field + "=" + render(*e.data) + "}";
    }
    std::string operator()(Linger const& l) const {
        return "{onoff=" + render(*l.onoff) + ", linger=" + render(*l.linger) + "}";
    }
    std::string operator()(ScmTimestamping const& t) const {
        return "{scm_sec=" + std::to_string(t.sec) + ", scm_nsec=" + std::to_string(t.nsec) + "}";
    }
    std::string operator()(SockExtendedErr const& e) const {
        return "{ee_errno=" + render(*e.ee_errno) + ", ee_origin=" + render(*e.origin) + ", ee_type=" +
               render(*e.type) + ", ee_code=" + render(*e.code) + ", ee_info=" + render(*e.info) +
               ", ee_data=" + render(*e.data) + "}";
    }
    std::string operator()(In6Addr const& a) const { return "inet6_addr(" + quote(a.text) + ")"; }
    std::string operator()(MplsStack const& m) const { return "{" + render_mpls(m) + "}"; }
    std::string operator()(GreHeader const& g) const { return "{" + render_gre(g) + "}"; }
};

std::string render_flags(TcpFlags const& f) {
    std::string out;
    auto const b = f.bits;
    if (b & tcp_flag::fin) out += 'F';
    if (b & tcp_flag::syn) out += 'S';
    if (b & tcp_flag::rst) out += 'R';
    if (b & tcp_flag::psh) out += 'P';
    if (b & tcp_flag::urg) out += 'U';
    if (!f.ace) {
        if (b & tcp_flag::ece) out += 'E';
        if (b & tcp_flag::cwr) out += 'W';
        if (b & tcp_flag::ae) out += 'A';
    }
    if (b & tcp_flag::ack) out += '.';
    if (f.ace) out += (b & tcp_flag::ack ? "" : ".") + std::to_string(*f.ace);
    return out.empty() ? "-" : out;
}

}  // namespace

std::string format_seconds(Micros us) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(us) / 1e6);
    return buf;
}

std::string format_time_value(Micros us) {
    std::string out = std::to_string(us / 1'000'000);
    Micros frac = us % 1'000'000;
    if (frac == 0) return out;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06" PRId64, frac);
    std::string digits = buf;
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    return out + "." + digits;
}

std::string render(TimeSpec const& t) {
    switch (t.kind) {
    case TimeKind::absolute: return format_time_value(t.start);
    case TimeKind::relative: return "+" + format_time_value(t.start);
    case TimeKind::any: return "*";
    case TimeKind::absolute_range: return format_time_value(t.start) + "~" + format_time_value(t.end);
    case TimeKind::relative_range: return "+" + format_time_value(t.start) + "~+" + format_time_value(t.end);
    }
    return {};
}

std::string render(Expr const& e) { return std::visit(ExprRenderer{}, e.value); }

std::string render(TcpOption const& option) {
    namespace o = tcp_option;
    struct R {
        std::string operator()(o::Nop const&) const { return "nop"; }
        std::string operator()(o::Eol const&) const { return "eol"; }
        std::string operator()(o::Mss const& m) const { return "mss " + std::to_string(m.value); }
        std::string operator()(o::WindowScale const& w) const { return "wscale " + std::to_string(w.shift); }
        std::string operator()(o::SackPermitted const&) const { return "sackOK"; }
        std::string operator()(o::Sack const& s) const {
            std::string out = "sack";
            for (auto const& b : s.blocks) out += " " + std::to_string(b.left) + ":" + std::to_string(b.right);
            return out;
        }
        std::string operator()(o::Timestamp const& t) const {
            return "TS val " + std::to_string(t.val) + " ecr " + std::to_string(t.ecr);
        }
        std::string operator()(o::FastOpen const& f) const {
            std::string out = f.experimental ? "FOEXP" : "FO";
            if (!f.cookie.empty()) out += " " + hex_bytes(f.cookie);
            return out;
        }
        std::string operator()(o::Md5 const& m) const { return "md5 " + hex_bytes(m.digest); }
        std::string operator()(o::AccEcn const& a) const {
            std::string out = "ECN";
            for (auto const& [name, value] : a.fields) out += " " + name + " " + std::to_string(value);
            return out;
        }
    };
    return std::visit(R{}, option);
}

std::string render_options(std::optional<std::vector<TcpOption>> const& options) {
    if (!options) return "<...>";
    if (options->empty()) return {};
    std::string out = "<";
    for (std::size_t i = 0; i < options->size(); ++i) out += (i ? "," : "") + render((*options)[i]);
    return out + ">";
}

std::string render(IpInfo const& info) {
    std::vector<std::string> items;
    switch (info.tos_check) {
    case TosCheck::none: break;
    case TosCheck::ect01: items.push_back("ect01"); break;
    case TosCheck::tos: items.push_back("tos " + hex(info.tos)); break;
    case TosCheck::ecn:
        items.push_back(info.tos == static_cast<std::uint8_t>(Ecn::not_ect) ? "noecn"
                        : info.tos == static_cast<std::uint8_t>(Ecn::ect0)  ? "ect0"
                        : info.tos == static_cast<std::uint8_t>(Ecn::ect1)  ? "ect1"
                                                                            : "ce");
        break;
    }
    if (info.flow_label) items.push_back("flowlabel " + hex(*info.flow_label));
    if (info.ttl) items.push_back("ttl " + std::to_string(*info.ttl));
    if (items.empty()) return {};
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    return out + "]";
}

std::string render(std::vector<Encapsulation> const& encapsulations) {
    std::string out;
    for (auto const& encap : encapsulations) {
        if (!out.empty()) out += ' ';
        if (auto const* ip = std::get_if<OuterIp>(&encap)) {
            out += ip->ipv6 ? "ipv6" : "ipv4";
            if (auto i = render(ip->info); !i.empty()) out += " " + i;
            out += " " + ip->src + " > " + ip->dst + ":";
        } else if (auto const* g = std::get_if<GreHeader>(&encap)) {
            out += "gre " + render_gre(*g) + ":";
        } else if (auto const* m = std::get_if<MplsStack>(&encap)) {
            out += "mpls " + render_mpls(*m) + ":";
        }
    }
    return out;
}

std::string render(Packet const& p) {
    std::string out = p.direction == Direction::inbound ? "<" : ">";
    if (auto e = render(p.encapsulations); !e.empty()) out += " " + e;
    if (auto i = render(p.ip); !i.empty()) out += " " + i;
    if (p.psp_spi) out += " encap psp spi " + std::to_string(*p.psp_spi);
    if (auto const* t = std::get_if<TcpSegment>(&p.transport)) {
        if (t->ports) out += " " + std::to_string(t->ports->src) + ">" + std::to_string(t->ports->dst);
        out += " " + render_flags(t->flags) + " " + std::to_string(t->seq) + ":" +
               std::to_string(static_cast<std::uint64_t>(t->seq) + t->length) + "(" + std::to_string(t->length) + ")";
        if (t->ack) out += " ack " + std::to_string(*t->ack);
        if (t->window) out += " win " + std::to_string(*t->window);
        if (t->urgent) out += " urg " + std::to_string(*t->urgent);
        if (auto o = render_options(t->options); !o.empty()) out += " " + o;
    } else if (auto const* u = std::get_if<UdpDatagram>(&p.transport)) {
        out += " udp";
        if (u->ports) out += " " + std::to_string(u->ports->src) + ">" + std::to_string(u->ports->dst);
        out += " (" + std::to_string(u->length) + ")";
    } else if (auto const* m = std::get_if<IcmpMessage>(&p.transport)) {
        out += " icmp " + m->type_name;
        if (!m->code_name.empty()) out += " " + m->code_name;
        if (m->mtu) out += " mtu " + std::to_string(*m->mtu);
        if (m->echo_id) out += " id " + std::to_string(*m->echo_id);
        if (m->echoed) {
            switch (m->echoed->protocol) {
            case IcmpEchoed::Protocol::tcp:
                out += " [" + std::to_string(m->echoed->seq) + ":" +
                       std::to_string(static_cast<std::uint64_t>(m->echoed->seq) + m->echoed->length) + "(" +
                       std::to_string(m->echoed->length) + ")]";
                break;
            case IcmpEchoed::Protocol::udp: out += " [udp(" + std::to_string(m->echoed->length) + ")]"; break;
            case IcmpEchoed::Protocol::raw: out += " [raw(" + std::to_string(m->echoed->length) + ")]"; break;
            }
        }
    }
    return out;
}

std::string render(Syscall const& s) {
    std::string out = s.name + "(" + list(s.args) + ") = " + render(s.result);
    if (s.errno_name) {
        out += " " + *s.errno_name;
        if (s.errno_note) out += " (" + *s.errno_note + ")";
    }
    if (s.note) out += " (" + *s.note + ")";
    return out;
}

std::string render(Action const& a) {
    if (auto const* p = std::get_if<Packet>(&a)) return render(*p);
    if (auto const* s = std::get_if<Syscall>(&a)) return render(*s);
    if (auto const* c = std::get_if<Command>(&a)) return "`" + c->text + "`";
    return "%{ " + std::get<Code>(a).text + " }%";
}

std::string render(Event const& e) {
    std::string out = render(e.time);
    if (auto const* s = std::get_if<Syscall>(&e.action); s && s->end) out += "..." + format_time_value(*s->end);
    return out + " " + render(e.action);
}

std::vector<Micros> nominal_times(Script const& s) {
    std::vector<Micros> out;
    Micros previous = 0;
    for (auto const& e : s.events) {
        Micros t = previous;
        switch (e.time.kind) {
        case TimeKind::absolute:
        case TimeKind::absolute_range: t = e.time.start; break;
        case TimeKind::relative:
        case TimeKind::relative_range: t = previous + e.time.start; break;
        case TimeKind::any: break;
        }
        out.push_back(t);
        previous = t;
    }
    return out;
}

std::string dump(Script const& s) {
    std::ostringstream out;
    // A path with a line break in it would end the comment line early.
    std::string path = s.path;
    for (char& c : path)
        if (c == '\n' || c == '\r') c = '?';
    out << "// pktdrill --dump of " << path << ": nominal time, kind, source line, event\n";
    for (auto const& o : s.options) {
        out << "--" << o.name;
        if (o.value) out << "=" << (needs_quotes(*o.value) ? quote(*o.value) : *o.value);
        out << "\n";
    }
    if (s.init_command) out << "`" << s.init_command->text << "`\n";
    auto const times = nominal_times(s);
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        auto const& e = s.events[i];
        char prefix[64];
        std::snprintf(prefix, sizeof prefix, "/* %s %-8s L%-4d */ ", format_seconds(times[i]).c_str(),
                      event_kind(e), e.where.line);
        out << prefix << render(e) << "\n";
    }
    if (s.cleanup_command) out << "`" << s.cleanup_command->text << "`\n";
    return out.str();
}

}  // namespace pktdrill::script
