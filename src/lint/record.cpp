#include "src/lint/record.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "src/script/icmp_names.hpp"
#include "src/script/render.hpp"

namespace pktdrill::lint {

namespace {

using run::Micros;
using script::TimeKind;

// The options as the script writes them; nullopt (`<...>`) when one has no script spelling.
std::optional<std::vector<script::TcpOption>> script_options(net::TcpOptions const& options) {
    namespace o = script::tcp_option;
    std::vector<script::TcpOption> out;
    for (auto const& w : options) {
        if (w.is_nop()) {
            out.emplace_back(o::Nop{});
        } else if (w.is_eol()) {
            for (std::size_t i = 0; i <= w.data.size(); ++i) out.emplace_back(o::Eol{});
        } else if (auto v = w.as_mss()) {
            out.emplace_back(o::Mss{*v});
        } else if (auto v = w.as_window_scale()) {
            out.emplace_back(o::WindowScale{*v});
        } else if (w.is_sack_permitted()) {
            out.emplace_back(o::SackPermitted{});
        } else if (auto v = w.as_sack()) {
            o::Sack sack;
            for (auto const& b : *v) sack.blocks.push_back({b.left, b.right});
            out.emplace_back(std::move(sack));
        } else if (auto v = w.as_timestamp()) {
            out.emplace_back(o::Timestamp{v->val, v->ecr});
        } else if (auto v = w.as_fast_open()) {
            out.emplace_back(o::FastOpen{false, {v->begin(), v->end()}});
        } else if (auto v = w.as_fast_open_exp()) {
            out.emplace_back(o::FastOpen{true, {v->begin(), v->end()}});
        } else if (auto v = w.as_md5()) {
            out.emplace_back(o::Md5{{v->begin(), v->end()}});
        } else if (auto v = w.as_accecn()) {
            o::AccEcn a;
            a.order1 = w.kind == net::tcp_option_kind::accecn1;
            auto add = [&](char const* name, std::optional<std::uint32_t> c) {
                if (c) a.fields.emplace_back(name, *c);
            };
            if (a.order1) {
                add("e1b", v->e1b);
                add("ceb", v->ceb);
                add("e0b", v->e0b);
            } else {
                add("e0b", v->e0b);
                add("ceb", v->ceb);
                add("e1b", v->e1b);
            }
            out.emplace_back(std::move(a));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

// Time written for a packet line: its spec, the script time it stands for, and its text.
struct WrittenTime {
    TimeKind kind = TimeKind::relative;
    Micros expected = 0;
    std::string text;
};

// How finely times are rounded: milliseconds, unless the tolerance is too tight for that.
Micros granularity(Micros tolerance) {
    for (Micros g : {1000, 100, 10})
        if (g * 2 <= tolerance) return g;
    return 1;
}

Micros round_to(Micros v, Micros g) { return (v + g / 2) / g * g; }

// An event written `+0` that sends nothing on the socket under test: commands (the `sleep` that
// holds a state), code, and the calls that only look or set up.
bool cannot_send(script::Event const& e) {
    if (e.time.kind != TimeKind::relative || e.time.start != 0) return false;
    if (std::holds_alternative<script::Command>(e.action) || std::holds_alternative<script::Code>(e.action)) return true;
    auto const* call = std::get_if<script::Syscall>(&e.action);
    if (!call || call->end) return false;
    static char const* const quiet[] = {"socket", "bind",    "listen",       "accept",    "getsockopt",
                                        "fcntl",  "ioctl",   "poll",         "epoll_create", "epoll_ctl",
                                        "epoll_wait", "open", "pipe",        "cap_set"};
    for (char const* name : quiet)
        if (call->name == name) return true;
    return false;
}

}  // namespace

script::Packet script_packet_of(run::RecordedPacket const& recorded, script::Packet const* original, bool ipv6) {
    net::Packet const& p = recorded.packet;
    script::Packet out;
    out.direction = script::Direction::outbound;
    if (original) {
        // IP info only where the line checked it.
        auto const [tos, ttl] = net::inner_ip_fields(p);
        out.ip.tos_check = original->ip.tos_check;
        if (tos && original->ip.tos_check == script::TosCheck::tos) out.ip.tos = *tos;
        if (tos && original->ip.tos_check == script::TosCheck::ecn) out.ip.tos = *tos & 3;
        if (original->ip.ttl && ttl) out.ip.ttl = *ttl;
    }
    if (auto const* t = p.find_last<net::TcpHeader>()) {
        auto const* o = original ? std::get_if<script::TcpSegment>(&original->transport) : nullptr;
        script::TcpSegment seg;
        if (o && o->ports) seg.ports = script::Ports{t->src_port, t->dst_port};
        seg.flags.bits = static_cast<std::uint16_t>(t->flags & 0x1FF);
        if (o && o->flags.ace) seg.flags.ace = t->ace();
        seg.seq = t->seq;
        seg.length = static_cast<std::uint16_t>(p.payload.size());
        if (t->ack_flag() || t->ack) seg.ack = t->ack;
        if (o && o->window) seg.window = t->window;
        if (t->urg() || t->urgent_pointer) seg.urgent = t->urgent_pointer;
        seg.options = o && !o->options ? std::nullopt : script_options(t->options);
        out.transport = std::move(seg);
    } else if (auto const* u = p.find_last<net::UdpHeader>()) {
        auto const* o = original ? std::get_if<script::UdpDatagram>(&original->transport) : nullptr;
        script::UdpDatagram d;
        if (o && o->ports) d.ports = script::Ports{u->src_port, u->dst_port};
        d.length = static_cast<std::uint16_t>(p.payload.size());
        out.transport = d;
    } else {
        script::IcmpMessage m;
        m.ipv6 = ipv6;
        if (auto const* i4 = p.find_last<net::Icmpv4Header>()) {
            m.type = i4->type;
            m.code = i4->code;
        } else if (auto const* i6 = p.find_last<net::Icmpv6Header>()) {
            m.type = i6->type;
            m.code = i6->code;
        }
        m.type_name = script::icmp_type_name(ipv6, m.type);
        m.code_name = script::icmp_code_name(ipv6, m.type, m.code);
        out.transport = m;
    }
    return out;
}

std::string recorded_script(ScriptText const& st, run::Recording const& recording, RecordSummary& summary) {
    std::string const& src = st.file->text();
    auto const& events = st.loaded.script.events;
    auto const& config = st.loaded.config;
    bool const ipv6 = config.ip_version == script::IpVersion::ipv6;
    Micros const g = granularity(config.tolerance_usecs);
    bool const have_ranges = st.events.size() == events.size();

    auto tolerance = [&](Micros expected, Micros previous) {
        auto const dynamic = static_cast<Micros>(config.tolerance_percent / 100.0 * static_cast<double>(expected - previous));
        return std::max<Micros>(config.tolerance_usecs, dynamic);
    };

    // The run of the recorded script, replayed: where it stands after each line.
    Micros prev_done = 0;                 // when the line before is over (the next one is reached)
    Micros prev_start = 0;                // when the line before was due (the tolerance grows from there)
    std::optional<Micros> prev_absolute;  // its time, if absolute: the next absolute one may not be earlier

    auto new_time = [&](Micros reach, Micros sent) {
        WrittenTime w;
        if (sent >= reach - config.tolerance_usecs / 2) {
            Micros const x = round_to(std::max<Micros>(0, sent - reach), g);
            w.kind = TimeKind::relative;
            w.expected = reach + x;
            // Not `"+" + ...`: g++ 12 then warns falsely (-Wrestrict, GCC bug 105329).
            w.text = std::string(1, '+').append(script::format_time_value(x));
        } else {
            Micros a = round_to(sent, g);
            if (prev_absolute && a < *prev_absolute) a = *prev_absolute;
            w.kind = TimeKind::absolute;
            w.expected = a;
            w.text = script::format_time_value(a);
        }
        return w;
    };
    // Whether a time spec, reached at `reach`, accepts a packet sent at `sent`; and when it was due.
    auto holds = [&](script::TimeSpec const& t, Micros reach, Micros sent, Micros& expected) {
        Micros lo = t.start, hi = t.start;
        switch (t.kind) {
        case TimeKind::any: expected = std::max(reach, sent); return true;
        case TimeKind::absolute: break;
        case TimeKind::absolute_range: hi = t.end; break;
        case TimeKind::relative: lo = hi = reach + t.start; break;
        case TimeKind::relative_range:
            lo = reach + t.start;
            hi = reach + t.end;
            break;
        }
        expected = lo;
        Micros const tol = tolerance(lo, prev_start);
        return sent >= lo - tol && sent <= hi + tol;
    };

    struct Edit {
        std::size_t begin;
        std::size_t end;
        std::string text;
    };
    std::vector<Edit> edits;
    std::map<std::size_t, std::string> inserted_after;  // by event index
    std::optional<std::size_t> last_event;

    // A packet that came while a `+0` event that cannot have caused it ran, shortly after it
    // started, answers the line before (the kernel's delayed ACK of a FIN comes up to a timer
    // tick after it, when the next line, a `sleep`, already runs): its line goes before that
    // event. The recorded script's run then starts the event when the packet came, a shift
    // within half the tolerance.
    std::vector<run::RecordStep const*> order;
    auto const& steps = recording.steps;
    for (std::size_t j = 0; j < steps.size(); ++j) {
        auto const& s = steps[j];
        std::size_t m = j + 1;
        if (s.event && cannot_send(events[*s.event]) && order.size() > 0)
            while (m < steps.size() && !steps[m].event && steps[m].packet &&
                   steps[m].packet->time - s.started <= config.tolerance_usecs / 2)
                order.push_back(&steps[m++]);
        order.push_back(&s);
        j = m - 1;
    }

    for (auto const* step_pointer : order) {
        auto const& step = *step_pointer;
        if (step.event) {
            std::size_t const i = *step.event;
            last_event = i;
            auto const* packet = std::get_if<script::Packet>(&events[i].action);
            if (!packet || packet->direction != script::Direction::outbound) {
                prev_done = step.done;
                prev_start = step.scheduled;
                prev_absolute = events[i].time.kind == TimeKind::absolute ? std::optional(events[i].time.start) : std::nullopt;
                continue;
            }
            if (!have_ranges) continue;
            auto const& ast = st.events[i];
            std::size_t const ast_end = token_end(src, ast.begin, ast.end);
            std::string const original(src.data() + ast.begin, ast_end - ast.begin);
            if (!step.packet) {
                // Nothing came: the recorded script goes on without the line.
                edits.push_back({ast.begin, ast_end, "// pktdrill record: the kernel sent no such packet: " + original});
                ++summary.not_sent;
                continue;
            }
            Micros const reach = prev_done, sent = step.packet->time;
            Micros expected = 0;
            bool const time_holds = holds(events[i].time, reach, sent, expected);
            if (step.packet->matched && time_holds) {
                ++summary.kept;
            } else {
                std::string time_text;
                if (time_holds) {
                    std::size_t const time_end = token_end(src, ast.time.begin, ast.time.end);
                    time_text.assign(src.data() + ast.time.begin, time_end - ast.time.begin);
                } else {
                    WrittenTime const w = new_time(reach, sent);
                    time_text = w.text;
                    expected = w.expected;
                }
                std::string packet_text;
                if (step.packet->matched) {
                    // The fields hold: keep them as the author wrote them.
                    auto const& body = boost::get<grammar::ast::packet>(ast.what);
                    packet_text.assign(src.data() + body.begin, ast_end - body.begin);
                } else {
                    packet_text = script::render(script_packet_of(*step.packet, packet, ipv6));
                }
                edits.push_back({ast.begin, ast_end, time_text + " " + packet_text});
                ++summary.rewritten;
            }
            prev_done = std::max(reach, sent);
            prev_start = expected;
            prev_absolute = events[i].time.kind == TimeKind::absolute && time_holds ? std::optional(expected) : std::nullopt;
            continue;
        }
        if (!step.packet || !last_event || !have_ranges) continue;
        Micros const reach = prev_done, sent = step.packet->time;
        WrittenTime const w = new_time(reach, sent);
        auto const& at = st.events[*last_event];
        LineExtent const line = line_of(src, at.begin);
        std::string const indent = src.substr(line.begin, line.indent_end - line.begin);
        inserted_after[*last_event] +=
            indent + w.text + " " + script::render(script_packet_of(*step.packet, nullptr, ipv6)) + "\n";
        ++summary.inserted;
        prev_done = std::max(reach, sent);
        prev_start = w.expected;
        prev_absolute = w.kind == TimeKind::absolute ? std::optional(w.expected) : std::nullopt;
    }
    for (auto const& [i, text] : inserted_after) {
        auto const& at = st.events[i];
        std::size_t const end = token_end(src, at.begin, at.end);
        LineExtent const line = line_of(src, end > at.begin ? end - 1 : end);
        bool const needs_newline = line.next == src.size() && !src.empty() && src.back() != '\n';
        edits.push_back({line.next, line.next, (needs_newline ? "\n" : "") + text});
    }
    std::stable_sort(edits.begin(), edits.end(), [](Edit const& a, Edit const& b) { return a.begin < b.begin; });
    std::string out;
    std::size_t at = 0;
    for (auto const& e : edits) {
        if (e.begin < at) continue;  // overlapping edits cannot happen; never corrupt the text if they did
        out.append(src, at, e.begin - at);
        out += e.text;
        at = e.end;
    }
    out.append(src, at, std::string::npos);
    return out;
}

}  // namespace pktdrill::lint
