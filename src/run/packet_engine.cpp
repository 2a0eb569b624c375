#include "src/run/packet_engine.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "src/base/unique_fd.hpp"
#include "src/report/packet_text.hpp"
#include "src/run/interrupted.hpp"
#include "src/run/packet_build.hpp"
#include "src/run/packet_verify.hpp"
#include "src/script/render.hpp"

namespace pktdrill::run {

namespace {

Tuple tuple_of(net::Packet const& p) {
    Tuple t;
    for (auto const& l : p.layers) {
        if (auto const* v4 = std::get_if<net::Ipv4Header>(&l)) {
            t.src.ip = net::IpAddress::v4(v4->src.bytes);
            t.dst.ip = net::IpAddress::v4(v4->dst.bytes);
        } else if (auto const* v6 = std::get_if<net::Ipv6Header>(&l)) {
            t.src.ip = net::IpAddress::v6(v6->src.bytes);
            t.dst.ip = net::IpAddress::v6(v6->dst.bytes);
        }
    }
    if (auto const* tcp = p.find_last<net::TcpHeader>()) {
        t.src.port = tcp->src_port;
        t.dst.port = tcp->dst_port;
    } else if (auto const* udp = p.find_last<net::UdpHeader>()) {
        t.src.port = udp->src_port;
        t.dst.port = udp->dst_port;
    }
    return t;
}

void set_tuple(net::Packet& p, Tuple const& t) {
    // Only the innermost IP header carries the connection's addresses.
    for (auto it = p.layers.rbegin(); it != p.layers.rend(); ++it) {
        if (auto* v4 = std::get_if<net::Ipv4Header>(&*it)) {
            auto const s = t.src.ip.unmapped().bytes(), d = t.dst.ip.unmapped().bytes();
            if (s.size() == 4) std::copy(s.begin(), s.end(), v4->src.bytes.begin());
            if (d.size() == 4) std::copy(d.begin(), d.end(), v4->dst.bytes.begin());
            break;
        }
        if (auto* v6 = std::get_if<net::Ipv6Header>(&*it)) {
            auto const s = t.src.ip.bytes(), d = t.dst.ip.bytes();
            if (s.size() == 16) std::copy(s.begin(), s.end(), v6->src.bytes.begin());
            if (d.size() == 16) std::copy(d.begin(), d.end(), v6->dst.bytes.begin());
            break;
        }
    }
    if (auto* tcp = p.find_last<net::TcpHeader>()) {
        tcp->src_port = t.src.port;
        tcp->dst_port = t.dst.port;
    } else if (auto* udp = p.find_last<net::UdpHeader>()) {
        udp->src_port = t.src.port;
        udp->dst_port = t.dst.port;
    }
}

bool same_ips(Tuple const& a, Tuple const& b) { return a.src.ip == b.src.ip && a.dst.ip == b.dst.ip; }

bool is_icmp(net::Packet const& p) {
    return p.find_last<net::Icmpv4Header>() || p.find_last<net::Icmpv6Header>();
}

// Adds `offset` to every SACK block edge of the packet's TCP options.
void offset_sack_blocks(net::TcpHeader& h, std::uint32_t offset) {
    for (auto& o : h.options) {
        if (auto blocks = o.as_sack()) {
            for (auto& b : *blocks) {
                b.left += offset;
                b.right += offset;
            }
            o = net::TcpOption::sack(*blocks);
        }
    }
}

net::TcpOption* timestamp_option(net::TcpHeader& h) {
    for (auto& o : h.options)
        if (o.as_timestamp()) return &o;
    return nullptr;
}

// A packet with all derived fields filled in, as if it had come off the wire.
net::Packet normalized(net::Packet const& p) {
    auto bytes = net::encode(p);
    if (!bytes) throw Error("cannot build packet: " + bytes.error().describe());
    auto decoded = net::decode(*bytes);
    if (!decoded) throw Error("cannot build packet: " + decoded.error().describe());
    return std::move(*decoded);
}

std::string time_label(char const* what, Micros t) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s packet: %9.6f", what, static_cast<double>(t) / 1e6);
    return buf;
}

// Glues the segments the kernel sent as one TSO/GSO burst back into the packet the script
// expects (reference D.4 step 2): headers and flags from the last one, sequence number and CWR
// from the first, the payloads end to end.
net::Packet aggregate(std::vector<SniffedPacket> const& parts) {
    net::Packet out = parts.back().packet;
    out.payload.clear();
    for (auto const& p : parts) out.payload.insert(out.payload.end(), p.packet.payload.begin(), p.packet.payload.end());
    auto* last_tcp = out.find_last<net::TcpHeader>();
    auto const* first_tcp = parts.front().packet.find_last<net::TcpHeader>();
    if (last_tcp && first_tcp) {
        last_tcp->seq = first_tcp->seq;
        last_tcp->set(net::tcp_flag::cwr, first_tcp->cwr());
    }
    net::reset_derived_fields(out);
    return normalized(out);
}

}  // namespace

PacketEngine::PacketEngine(RunContext& ctx, net::TunDevice& tun, net::Sniffer& sniffer)
    : ctx_(ctx), tun_(tun), sniffer_(sniffer), sniffer_fd_(ctx.io, sniffer.fd()) {
    arm_sniffer();
}

PacketEngine::~PacketEngine() {
    // What the kernel sent last, after the script's last `>` line, still goes to the observers.
    try {
        collect();
    } catch (...) {
    }
    // The descriptors belong to the Sniffer and the TunDevice: stop watching them, never close them.
    boost::system::error_code ec;
    sniffer_fd_.cancel(ec);
    sniffer_fd_.release();
    // Let the cancelled waits complete now, while their handlers can still tell they were cancelled.
    ctx_.io.poll();
}

void PacketEngine::arm_sniffer() {
    sniffer_fd_.async_wait(boost::asio::posix::descriptor_base::wait_read, [this](boost::system::error_code ec) {
        if (ec) return;  // cancelled: `this` may be going away
        collect();
        arm_sniffer();
    });
}

void PacketEngine::collect() {
    while (auto c = sniffer_.try_receive()) {
        Micros const time = to_us(c->timestamp) - ctx_.live_start;
        for (auto* o : ctx_.observers) o->packet(ctx_, false, c->bytes, time);
        auto decoded = net::decode(c->bytes);
        if (!decoded) continue;  // not a packet of ours; nothing to compare it with
        queue_.push_back(SniffedPacket{std::move(*decoded), time});
    }
}

void PacketEngine::send(net::Packet const& packet) {
    auto bytes = net::encode(packet);
    if (!bytes) throw Error("cannot build packet: " + bytes.error().describe());
    tun_.write_packet(*bytes, static_cast<std::uint16_t>(ctx_.config.mss));
    Micros const time = ctx_.script_now();
    for (auto* o : ctx_.observers) o->packet(ctx_, true, *bytes, time);
}

Socket& PacketEngine::socket_for(script::Packet const& packet, bool inbound) {
    Socket* sut = ctx_.sockets.under_test();
    auto const* tcp = std::get_if<script::TcpSegment>(&packet.transport);
    if (tcp) {
        // An inbound packet for a listening socket (or for no socket at all) creates the child
        // socket the kernel will create, and makes it the socket under test.
        if (inbound && (!sut || sut->state == SocketState::passive_listening)) {
            Socket& s = ctx_.sockets.create();
            s.state = SocketState::passive_packet_received;
            s.domain = sut ? sut->domain : ctx_.addresses.socket_family;
            s.type = SOCK_STREAM;
            s.protocol = IPPROTO_TCP;
            s.script.remote.port = tcp->ports ? tcp->ports->src : 0;
            s.script.local.port = tcp->ports ? tcp->ports->dst : 0;
            s.script.remote_isn = tcp->seq;
            s.live.remote = {ctx_.addresses.remote_ip, next_remote_port_.value_or(0)};
            next_remote_port_.reset();
            if (s.live.remote.port == 0) s.live.remote.port = ephemeral_port();
            s.live.local = {ctx_.addresses.local_ip, ctx_.addresses.bind_port};
            s.live.remote_isn = tcp->seq;
            ctx_.sockets.set_under_test(&s);
            return s;
        }
        // An outbound SYN for a connecting socket.
        bool const syn_only = (tcp->flags.bits & script::tcp_flag::syn) && !(tcp->flags.bits & script::tcp_flag::ack);
        if (!inbound && syn_only && sut && sut->state == SocketState::active_connecting) {
            sut->state = SocketState::active_syn_sent;
            sut->script.remote.port = tcp->ports ? tcp->ports->dst : 0;
            sut->script.local.port = tcp->ports ? tcp->ports->src : 0;
            sut->script.local_isn = tcp->seq;
            return *sut;
        }
    }
    if (sut) {
        bool const icmp = std::holds_alternative<script::IcmpMessage>(packet.transport);
        bool const match = sut->protocol == IPPROTO_TCP    ? tcp || icmp
                           : sut->protocol == IPPROTO_UDP  ? std::holds_alternative<script::UdpDatagram>(packet.transport) || icmp
                           : sut->protocol == IPPROTO_ICMP || sut->protocol == IPPROTO_ICMPV6 ? icmp
                                                                                               : false;
        if (match) return *sut;
        bool const explicit_ports =
            (tcp && tcp->ports) ||
            (std::holds_alternative<script::UdpDatagram>(packet.transport) && std::get<script::UdpDatagram>(packet.transport).ports);
        if (explicit_ports) return *sut;
    }
    throw Error("no matching socket for script packet");
}

std::uint16_t PacketEngine::ephemeral_port() {
    // packetdrill asks the kernel for an unused port; in our own namespace any free one is fine,
    // and asking keeps the choice in the range the kernel itself would use.
    UniqueFd fd(::socket(ctx_.addresses.wire_ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0));
    if (!fd) return 40000;
    sockaddr_storage ss{};
    socklen_t len = ctx_.addresses.wire_ipv6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    ss.ss_family = ctx_.addresses.wire_ipv6 ? AF_INET6 : AF_INET;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return 40000;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 40000;
    std::uint16_t const port = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                                        : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
    reserved_ports_.push_back(std::move(fd));  // keep it bound, so the kernel hands it to no one else
    return port;
}

void PacketEngine::prepare() {
    next_remote_port_ = ephemeral_port();
}

void PacketEngine::inject(script::Event const& event, script::Packet const& packet) {
    Socket& s = socket_for(packet, true);
    auto const* script_tcp = std::get_if<script::TcpSegment>(&packet.transport);
    if (script_tcp) {
        auto const bits = script_tcp->flags.bits;
        if (s.state == SocketState::passive_synack_sent && (bits & script::tcp_flag::ack)) {
            s.state = SocketState::passive_synack_acked;
        } else if (s.state == SocketState::active_syn_sent && (bits & script::tcp_flag::syn) &&
                   (bits & script::tcp_flag::ack)) {
            s.state = SocketState::active_syn_acked;
            s.script.remote_isn = script_tcp->seq;
            s.live.remote_isn = script_tcp->seq;
        }
    }
    if (ctx_.config.is_anyip && !script_tcp) {
        // An anyip UDP/ICMP receive test injects before anything was sent, so nothing taught
        // the socket its live tuple yet.
        s.live.remote.ip = ctx_.addresses.remote_ip;
        s.live.local.ip = ctx_.addresses.local_ip;
        if (!s.live.remote.port) s.live.remote.port = ctx_.addresses.connect_port;
        if (!s.live.local.port) s.live.local.port = ctx_.addresses.bind_port;
    }

    net::Packet live = build_packet(packet, s.live.inbound(), ctx_.addresses.wire_ipv6,
                                    local_seq_script_to_live(s, false));
    if (auto* h = live.find_last<net::TcpHeader>()) {
        bool const syn = h->syn();
        h->seq += remote_seq_script_to_live(s, syn);
        std::uint32_t const ack_offset = local_seq_script_to_live(s, syn);
        if (h->ack_flag()) h->ack += ack_offset;
        offset_sack_blocks(*h, ack_offset);
        if (h->ack_flag()) {
            if (auto* ts_option = timestamp_option(*h)) {
                auto ts = *ts_option->as_timestamp();
                if (auto it = s.ts_val_map.find(ts.ecr); it != s.ts_val_map.end()) {
                    ts.ecr = it->second;  // the live TS val the kernel sent for that script value
                } else if (ctx_.config.tcp_ts_ecr_scaled && s.found_first_ts) {
                    ts.ecr = ts.ecr - s.first_script_ts_val + s.first_actual_ts_val;
                } else {
                    throw Error("unable to infer live TS ecr for script TS ecr " + std::to_string(ts.ecr) +
                                ";  no matching or preceding outbound TS val");
                }
                *ts_option = net::TcpOption::timestamp(ts.val, ts.ecr);
            }
        }
        s.last_injected = *h;
        s.last_injected_payload = static_cast<std::uint32_t>(live.payload.size());
    }
    if (ctx_.config.verbose) {
        ctx_.out << time_label("inbound injected", ctx_.script_now()) << " " << script::render(packet) << "\n";
    }
    (void)event;
    send(live);
}

std::optional<SniffedPacket> PacketEngine::next_for(Socket& expected, Micros deadline,
                                                    std::unique_lock<std::mutex>& lock) {
    for (;;) {
        collect();
        while (!queue_.empty()) {
            SniffedPacket p = std::move(queue_.front());
            queue_.pop_front();
            // The device keeps the packet (and the kernel counts it against the socket's small
            // queue budget) until it is read: like packetdrill, free one per packet examined.
            tun_.release_one();
            Socket* sut = ctx_.sockets.under_test();
            if (!sut) continue;
            Tuple const t = tuple_of(p.packet);
            bool const icmp = is_icmp(p.packet) || sut->protocol == IPPROTO_ICMP || sut->protocol == IPPROTO_ICMPV6;
            Tuple const out = sut->live.outbound();
            bool matched = t == out || (icmp && same_ips(t, out));
            if (!matched) {
                // The first packet of a connecting socket tells us its live port (and ISN).
                auto const* tcp = p.packet.find_last<net::TcpHeader>();
                bool const connecting_tcp = tcp && tcp->syn() && !tcp->ack_flag() && sut->protocol == IPPROTO_TCP &&
                                            sut->state == SocketState::active_syn_sent;
                bool const connecting_udp = p.packet.find_last<net::UdpHeader>() && sut->protocol == IPPROTO_UDP &&
                                            sut->state == SocketState::active_connecting;
                bool const connecting_icmp = is_icmp(p.packet) &&
                                             (sut->protocol == IPPROTO_ICMP || sut->protocol == IPPROTO_ICMPV6) &&
                                             sut->state == SocketState::active_connecting;
                if ((connecting_tcp || connecting_udp) && t.dst == sut->live.remote) matched = true;
                if (connecting_icmp && t.dst.ip == sut->live.remote.ip) matched = true;
                if (matched) {
                    sut->live.local = t.src;
                    if (tcp) sut->live.local_isn = tcp->seq;
                }
            }
            if (!matched) continue;  // another flow (ND, MLD, other sockets): not ours to check
            if (sut != &expected) throw Error("packet is not for expected socket");
            return p;
        }
        if (ctx_.interrupts.requested()) throw Interrupted{ctx_.interrupts.signal()};
        if (now_us() >= deadline) return std::nullopt;
        lock.unlock();
        ctx_.io.run_one_until(std::chrono::steady_clock::time_point(std::chrono::microseconds(deadline)));
        lock.lock();
    }
}

void PacketEngine::expect(std::unique_lock<std::mutex>& lock, script::Event const& event,
                          script::Packet const& packet, EventTiming const& timing) {
    Socket& s = socket_for(packet, false);
    auto const* script_tcp = std::get_if<script::TcpSegment>(&packet.transport);
    bool const synack = script_tcp && (script_tcp->flags.bits & script::tcp_flag::syn) &&
                        (script_tcp->flags.bits & script::tcp_flag::ack);
    if (s.state == SocketState::passive_packet_received && synack) s.script.local_isn = script_tcp->seq;

    ExpectedChecks const checks = checks_of(packet);
    std::size_t const expected_payload = script_tcp ? script_tcp->length
                                         : std::holds_alternative<script::UdpDatagram>(packet.transport)
                                             ? std::get<script::UdpDatagram>(packet.transport).length
                                             : 0;
    // packetdrill waits for each packet up to the scripted gap plus 2 seconds.
    Micros const gap = timing.previous ? std::max<Micros>(0, timing.start - *timing.previous) : 0;
    Micros const wait = timing.kind == script::TimeKind::any
                            ? static_cast<Micros>(ctx_.config.syscall_timeout_secs * 1e6)
                            : (gap / 1'000'000 + 2) * 1'000'000;
    Micros const deadline = now_us() + wait;

    auto fail = [&](std::string message, std::vector<std::string> details = {}) -> Error {
        return Error(std::move(message), event.where, std::move(details));
    };

    std::vector<SniffedPacket> parts;
    std::size_t sniffed_payload = 0;
    do {
        auto p = next_for(s, deadline, lock);
        if (!p) throw fail("Timed out waiting for packet");
        if (s.state == SocketState::passive_packet_received && synack) {
            s.state = SocketState::passive_synack_sent;
            if (auto const* t = p->packet.find_last<net::TcpHeader>()) s.live.local_isn = t->seq;
        }
        if (ctx_.config.verbose) {
            report::ActualStyle style;
            ctx_.out << time_label("outbound sniffed", p->time) << " " << report::join(report::describe_actual(p->packet, style))
                     << "\n";
        }
        if (auto* t = p->packet.find_last<net::TcpHeader>()) {
            s.last_outbound = *t;
            // To script space: our sequence numbers relative to our ISN, the peer's to its.
            bool const syn = t->syn();
            t->seq += local_seq_live_to_script(s, syn);
            std::uint32_t const ack_offset = remote_seq_live_to_script(s, syn);
            if (t->ack_flag()) t->ack += ack_offset;
            offset_sack_blocks(*t, ack_offset);
        }
        if (!parts.empty()) {
            // A follow-on segment must look like the one before it, and be as big unless it is last.
            if (tuple_of(parts.back().packet) != tuple_of(p->packet)) {
                parts.clear();
                sniffed_payload = 0;
            } else {
                ExpectedChecks loose = checks;
                loose.options = true;
                if (auto m = verify_headers(p->packet, parts.back().packet, loose, false)) throw fail(m->message);
                std::size_t const here = p->packet.payload.size();
                if (here < expected_payload - sniffed_payload && here != parts.back().packet.payload.size()) {
                    char buf[200];
                    std::snprintf(buf, sizeof buf,
                                  "fragment payload: expected %zu bytes vs actual %zu bytes; total payload: expected "
                                  "%zu bytes vs actual %zu bytes",
                                  parts.back().packet.payload.size(), here, expected_payload, here + sniffed_payload);
                    throw fail(buf);
                }
            }
        }
        sniffed_payload += p->packet.payload.size();
        parts.push_back(std::move(*p));
    } while (sniffed_payload < expected_payload && !ctx_.config.strict_segments);

    SniffedPacket actual = parts.size() == 1 ? std::move(parts.front())
                                             : SniffedPacket{aggregate(parts), parts.back().time};

    // The expected packet, in script space with every derived field filled in.
    net::Packet const expected = normalized(build_packet(packet, s.script.outbound(), ctx_.addresses.wire_ipv6));

    report::ActualStyle style;
    style.ace = checks.ace;
    style.ip_info = checks.tos != script::TosCheck::none;
    style.tos = checks.tos == script::TosCheck::tos;
    style.ttl = checks.ttl;
    style.icmp_ipv6 = ctx_.addresses.wire_ipv6;
    auto details = [&](std::optional<std::string> mark) {
        return report::compare(time_label("script", timing.start), report::describe(packet),
                               time_label("actual", actual.time), report::describe_actual(actual.packet, style),
                               mark);
    };
    auto mismatch = [&](std::string message, std::string const& field, bool non_fatal) {
        Error e = fail(std::move(message), details(report::field_key_for(field)));
        if (non_fatal && ctx_.config.non_fatal_packet && ctx_.warn) {
            ctx_.warn(e);
            return;
        }
        throw e;
    };

    if (sniffed_payload != expected_payload) {
        mismatch("live packet payload: expected " + std::to_string(expected_payload) + " bytes vs actual " +
                     std::to_string(sniffed_payload) + " bytes",
                 "payload", false);
        return;
    }
    if (auto const* v4 = actual.packet.find_last<net::Ipv4Header>(); v4 && !net::ipv4_header_checksum_ok(*v4)) {
        mismatch("bad outbound IP checksum", "ip", false);
        return;
    }

    // To script space: the script's addresses and ports, and TS val relative to the first one seen.
    set_tuple(actual.packet, s.script.outbound());
    if (auto* at = actual.packet.find_last<net::TcpHeader>()) {
        auto const* et = expected.find_last<net::TcpHeader>();
        net::TcpOption* ats = timestamp_option(*at);
        std::optional<net::TcpTimestamp> ets;
        if (et)
            for (auto const& o : et->options)
                if (auto v = o.as_timestamp()) ets = v;
        if (ats && ets) {
            auto live_ts = *ats->as_timestamp();
            s.ts_val_map[ets->val] = live_ts.val;
            if (!s.found_first_ts) {
                s.found_first_ts = true;
                s.first_script_ts_val = ets->val;
                s.first_actual_ts_val = live_ts.val;
            }
            *ats = net::TcpOption::timestamp(s.first_script_ts_val + (live_ts.val - s.first_actual_ts_val), live_ts.ecr);
        }
    }

    if (auto m = verify_headers(actual.packet, expected, checks, true)) return mismatch(m->message, m->field, true);
    if (auto const* e6 = expected.find_last<net::Ipv6Header>(); e6 && e6->flow_label) {
        auto const* a6 = actual.packet.find_last<net::Ipv6Header>();
        std::uint32_t const script_label = e6->flow_label, live_label = a6 ? a6->flow_label : 0;
        if (!live_label) return mismatch("flowlabel unmarked in the live packet", "ip", true);
        if (!s.flow_label_map) {
            s.flow_label_map = std::pair{script_label, live_label};
        } else if (script_label != s.flow_label_map->first) {
            if (live_label == s.flow_label_map->second)
                return mismatch("expected a different flowlabel but got the same", "ip", true);
            s.flow_label_map = std::pair{script_label, live_label};
        } else if (live_label != s.flow_label_map->second) {
            char buf[120];
            std::snprintf(buf, sizeof buf, "inconsistent flowlabels for this packet: expected: 0x%x vs actual: 0x%x",
                          s.flow_label_map->second, live_label);
            return mismatch(buf, "ip", true);
        }
    }
    if (auto m = verify_tcp_options(actual.packet, expected, checks, ctx_.config))
        return mismatch(m->message, m->field, true);
    if (auto m = verify_payload(actual.packet, expected)) return mismatch(m->message, m->field, true);
    if (auto m = verify_time(ctx_, timing, actual.time, "outbound packet")) return mismatch(*m, "time", true);
}

void PacketEngine::reset_connections() {
    for (auto const& sp : ctx_.sockets.all()) {
        Socket const& s = *sp;
        if (!s.is_tcp() || !s.live.local.port || !s.live.remote.port) continue;
        std::uint32_t seq = 0, ack = 0;
        std::uint16_t window = 0;
        if (s.last_injected && s.last_injected->ack_flag()) {
            // Right after what we last sent, acking what we last acked.
            seq = s.last_injected->seq + (s.last_injected->syn() ? 1 : 0) + (s.last_injected->fin() ? 1 : 0) +
                  s.last_injected_payload;
            ack = s.last_injected->ack;
            window = s.last_injected->window;
        } else if (s.last_outbound && s.last_outbound->ack_flag()) {
            seq = s.last_outbound->ack;
            ack = s.last_outbound->seq;
        } else {
            // The kernel probably sent only a SYN: ack it, any sequence number will do.
            ack = (s.last_outbound ? s.last_outbound->seq : 0) + 1;
        }
        net::Packet rst;
        Tuple const t = s.live.inbound();
        script::Packet model;
        model.direction = script::Direction::inbound;
        script::TcpSegment seg;
        seg.flags.bits = script::tcp_flag::rst | script::tcp_flag::ack;
        seg.window = window;
        model.transport = seg;
        rst = build_packet(model, t, ctx_.addresses.wire_ipv6);
        auto* h = rst.find_last<net::TcpHeader>();
        h->seq = seq;
        h->ack = ack;
        try {
            send(rst);
        } catch (Error const&) {
            // The run is over; a RST that cannot be sent only leaves state in a namespace that dies.
        }
    }
}

}  // namespace pktdrill::run
