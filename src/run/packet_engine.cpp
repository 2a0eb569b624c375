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
            // bytes() views the address it is called on: the unmapped copies must outlive the views.
            auto const src = t.src.ip.unmapped(), dst = t.dst.ip.unmapped();
            auto const s = src.bytes(), d = dst.bytes();
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

// The payload a `>` line expects: its TCP or UDP length, or for an ICMP error the datagram it
// echoes (IP header, transport header, data), which packetdrill counts as the ICMP payload.
std::size_t script_payload(script::Packet const& packet, Socket const& s, bool wire_ipv6) {
    if (auto const* t = std::get_if<script::TcpSegment>(&packet.transport)) return t->length;
    if (auto const* u = std::get_if<script::UdpDatagram>(&packet.transport)) return u->length;
    return build_packet(packet, s.script.outbound(), wire_ipv6).payload.size();
}

}  // namespace

PacketEngine::PacketEngine(RunContext& ctx, net::TunDevice& tun, net::Sniffer& sniffer, Recording* recording)
    : ctx_(ctx), tun_(tun), sniffer_(sniffer), sniffer_fd_(ctx.io, sniffer.fd()),
      policy_(recording ? OutboundPolicy::record
              : ctx.config.strict ? OutboundPolicy::strict
                                  : OutboundPolicy::packetdrill),
      recording_(recording) {
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
            if (!matched) {
                // --strict: no `>` line can take a packet of a socket no longer under test.
                if (policy_ == OutboundPolicy::strict)
                    if (Socket const* other = other_socket_packet(p.packet)) unexpected(*other, p, false);
                continue;  // another flow (ND, MLD, other sockets): not ours to check
            }
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
    if (policy_ == OutboundPolicy::record) return expect_recorded(lock, event, packet, timing);
    Socket& s = socket_for(packet, false);
    auto const* script_tcp = std::get_if<script::TcpSegment>(&packet.transport);
    bool const synack = script_tcp && (script_tcp->flags.bits & script::tcp_flag::syn) &&
                        (script_tcp->flags.bits & script::tcp_flag::ack);
    if (s.state == SocketState::passive_packet_received && synack) s.script.local_isn = script_tcp->seq;

    ExpectedChecks const checks = checks_of(packet);
    std::size_t const expected_payload = script_payload(packet, s, ctx_.addresses.wire_ipv6);
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

// ---------------------------------------------------------------------------------------------
// Beyond packetdrill: --strict and record

namespace {

bool is_outbound_line(script::Event const& e) {
    auto const* p = std::get_if<script::Packet>(&e.action);
    return p && p->direction == script::Direction::outbound;
}

// A sniffed packet of `s` (live values) in script space, as a `>` line compares it (TS val aside).
void to_script_space(Socket const& s, net::Packet& p) {
    if (auto* t = p.find_last<net::TcpHeader>()) {
        bool const syn = t->syn();
        t->seq += local_seq_live_to_script(s, syn);
        std::uint32_t const ack_offset = remote_seq_live_to_script(s, syn);
        if (t->ack_flag()) t->ack += ack_offset;
        offset_sack_blocks(*t, ack_offset);
    }
    set_tuple(p, s.script.outbound());
}

std::optional<std::uint32_t> script_ts_val(script::Packet const& packet) {
    auto const* tcp = std::get_if<script::TcpSegment>(&packet.transport);
    if (!tcp || !tcp->options) return std::nullopt;
    for (auto const& o : *tcp->options)
        if (auto const* ts = std::get_if<script::tcp_option::Timestamp>(&o)) return ts->val;
    return std::nullopt;
}


}  // namespace

void PacketEngine::event_reached(std::size_t index, EventTiming const& timing) {
    if (policy_ == OutboundPolicy::packetdrill) return;
    Micros const now = ctx_.script_now();
    // An event that waits for its time is marked again when it starts (event_started).
    marks_.push_back({now, index});
    if (recording_) {
        RecordStep step;
        step.event = index;
        step.scheduled = timing.start;
        step.reached = step.started = step.done = now;
        recording_->steps.push_back(std::move(step));
    }
}

void PacketEngine::event_started(std::size_t index) {
    if (policy_ == OutboundPolicy::packetdrill) return;
    Micros const now = ctx_.script_now();
    if (!marks_.empty() && marks_.back().event == index) marks_.back().reached = now;
    if (recording_ && !recording_->steps.empty() && recording_->steps.back().event == index)
        recording_->steps.back().started = now;
}

void PacketEngine::event_done(std::size_t index) {
    if (!recording_) return;
    for (auto it = recording_->steps.rbegin(); it != recording_->steps.rend(); ++it) {
        if (it->event == index) {
            it->done = ctx_.script_now();
            break;
        }
    }
}

Socket* PacketEngine::sut_packet(net::Packet const& p, bool* teaches) const {
    if (teaches) *teaches = false;
    Socket* sut = ctx_.sockets.under_test();
    if (!sut) return nullptr;
    Tuple const t = tuple_of(p);
    bool const icmp = is_icmp(p) || sut->protocol == IPPROTO_ICMP || sut->protocol == IPPROTO_ICMPV6;
    Tuple const out = sut->live.outbound();
    if (t == out || (icmp && same_ips(t, out))) return sut;
    // A connecting socket's first packet tells its live port (the rule next_for applies once the
    // `>` line of the SYN was reached; here the packet may come before any `>` line).
    bool const connecting =
        sut->state == SocketState::active_connecting || sut->state == SocketState::active_syn_sent;
    if (!connecting) return nullptr;
    auto const* tcp = p.find_last<net::TcpHeader>();
    bool learn = false;
    if (tcp && tcp->syn() && !tcp->ack_flag() && sut->protocol == IPPROTO_TCP && t.dst == sut->live.remote) learn = true;
    if (p.find_last<net::UdpHeader>() && sut->protocol == IPPROTO_UDP && t.dst == sut->live.remote) learn = true;
    if (is_icmp(p) && (sut->protocol == IPPROTO_ICMP || sut->protocol == IPPROTO_ICMPV6) &&
        t.dst.ip == sut->live.remote.ip)
        learn = true;
    if (!learn) return nullptr;
    if (teaches) *teaches = true;
    return sut;
}

Socket* PacketEngine::other_socket_packet(net::Packet const& p) const {
    Socket const* sut = ctx_.sockets.under_test();
    Tuple const t = tuple_of(p);
    for (auto const& sp : ctx_.sockets.all()) {
        Socket* s = sp.get();
        if (s == sut || !s->live.local.port || !s->live.remote.port) continue;
        if (t == s->live.outbound()) return s;
    }
    return nullptr;
}

bool PacketEngine::expected_soon(std::size_t next, Micros next_start, Micros sent) const {
    using script::TimeKind;
    auto const& events = ctx_.script.events;
    Micros const tol = ctx_.config.tolerance_usecs;
    Micros t = next_start;  // when the event at hand is due, the events before it on schedule
    for (std::size_t i = next; i < events.size(); ++i) {
        auto const& e = events[i];
        if (i > next) {
            switch (e.time.kind) {
            case TimeKind::absolute:
            case TimeKind::absolute_range: t = e.time.start; break;
            case TimeKind::relative:
            case TimeKind::relative_range: t += e.time.start; break;
            case TimeKind::any: break;
            }
        }
        if (i == next || !is_outbound_line(e)) continue;
        // The first `>` line: would it take the packet, timing-wise?
        switch (e.time.kind) {
        case TimeKind::any: return true;
        case TimeKind::absolute_range: return sent >= e.time.start - tol && sent <= e.time.end + tol;
        case TimeKind::relative_range: return sent >= t - tol && sent <= t - e.time.start + e.time.end + tol;
        default: return sent >= t - tol && sent <= t + tol;
        }
    }
    return false;
}

PacketEngine::Mark const* PacketEngine::mark_before(Micros time) const {
    Mark const* found = nullptr;
    for (auto const& m : marks_) {
        if (m.reached > time) break;
        found = &m;
    }
    return found;
}

void PacketEngine::unexpected(Socket const& s, SniffedPacket const& p, bool teaches) const {
    // Shown in script space, as a `>` line for it would be written.
    Socket view = s;
    net::Packet shown = p.packet;
    if (teaches) {
        view.live.local = tuple_of(shown).src;
        if (auto const* t = shown.find_last<net::TcpHeader>()) view.live.local_isn = t->seq;
    }
    to_script_space(view, shown);
    report::ActualStyle style;
    style.icmp_ipv6 = ctx_.addresses.wire_ipv6;
    std::string const text = report::join(report::describe_actual(shown, style));
    Mark const* after = mark_before(p.time);
    std::string message = "unexpected outbound packet (--strict): no `>` line expects `> " + text + "`";
    if (after)
        message += ", which the kernel sent " + script::format_seconds(p.time - after->reached) + " s after this line";
    else
        message += ", which the kernel sent before the first event";
    throw Error(std::move(message), after ? ctx_.script.events[after->event].where : SourceLocation{},
                {time_label("actual", p.time) + " " + text});
}

template <typename Stop>
void PacketEngine::serve_until(std::unique_lock<std::mutex>& lock, Micros deadline, Stop stop) {
    for (;;) {
        collect();
        if (stop()) return;
        if (ctx_.interrupts.requested()) throw Interrupted{ctx_.interrupts.signal()};
        if (now_us() >= deadline) return;
        lock.unlock();
        ctx_.io.run_one_until(std::chrono::steady_clock::time_point(std::chrono::microseconds(deadline)));
        lock.lock();
    }
}

std::size_t PacketEngine::settle(std::unique_lock<std::mutex>& lock, std::size_t next, Micros next_start) {
    (void)lock;
    if (policy_ == OutboundPolicy::packetdrill) return 0;
    collect();
    if (policy_ == OutboundPolicy::strict) {
        // The packets stay queued for the `>` lines: only a verdict is taken here.
        for (auto const& p : queue_) {
            bool teaches = false;
            if (Socket const* s = sut_packet(p.packet, &teaches)) {
                if (expected_soon(next, next_start, p.time)) break;  // it, and all after it, await `>` lines
                unexpected(*s, p, teaches);
            }
            if (Socket const* other = other_socket_packet(p.packet)) unexpected(*other, p, false);
        }
        return 0;
    }
    absorb();
    std::size_t written = 0;
    // In order: once one awaits a `>` line coming up, so do all after it.
    while (!pending_.empty() && !expected_soon(next, next_start, pending_.front().packet.time)) {
        write_unmentioned();
        ++written;
    }
    return written;
}

void PacketEngine::absorb() {
    collect();
    while (!queue_.empty()) {
        SniffedPacket p = std::move(queue_.front());
        queue_.pop_front();
        tun_.release_one();
        bool teaches = false;
        Socket* s = sut_packet(p.packet, &teaches);
        if (!s) continue;  // other flows and sockets: record writes the socket under test's
        auto const* tcp = p.packet.find_last<net::TcpHeader>();
        // What the `>` line of the SYN or the SYN-ACK would have taught (expect, next_for).
        if (teaches) {
            s->live.local = tuple_of(p.packet).src;
            if (tcp) {
                s->live.local_isn = tcp->seq;
                s->state = SocketState::active_syn_sent;
            }
        }
        if (tcp && tcp->syn() && tcp->ack_flag() && s->state == SocketState::passive_packet_received) {
            s->live.local_isn = tcp->seq;
            s->state = SocketState::passive_synack_sent;
        }
        if (tcp) s->last_outbound = *tcp;
        pending_.push_back({std::move(p), s});
    }
}

RecordedPacket PacketEngine::to_recorded(Socket& s, SniffedPacket p, std::optional<std::uint32_t> script_val) {
    to_script_space(s, p.packet);
    if (auto* t = p.packet.find_last<net::TcpHeader>()) {
        if (auto* ts_option = timestamp_option(*t)) {
            auto const live = *ts_option->as_timestamp();
            if (script_val) s.ts_val_map[*script_val] = live.val;
            if (!s.found_first_ts) {
                // Without a `>` line to say otherwise, the kernel's first value stands for itself.
                s.found_first_ts = true;
                s.first_script_ts_val = script_val.value_or(live.val);
                s.first_actual_ts_val = live.val;
            }
            std::uint32_t const mapped = s.first_script_ts_val + (live.val - s.first_actual_ts_val);
            // Inbound lines may echo what was recorded.
            if (!script_val) s.ts_val_map.emplace(mapped, live.val);
            *ts_option = net::TcpOption::timestamp(mapped, live.ecr);
        }
    }
    return RecordedPacket{std::move(p.packet), p.time, false};
}

void PacketEngine::write_unmentioned() {
    Pending f = std::move(pending_.front());
    pending_.pop_front();
    RecordStep step;
    step.scheduled = step.reached = step.started = step.done = f.packet.time;
    last_unmentioned_time_ = f.packet.time;
    step.packet = to_recorded(*f.socket, std::move(f.packet), std::nullopt);
    recording_->steps.push_back(std::move(step));
}

bool PacketEngine::await_handshake(std::unique_lock<std::mutex>& lock, script::Packet const& inbound) {
    if (policy_ != OutboundPolicy::record) return false;
    auto const* tcp = std::get_if<script::TcpSegment>(&inbound.transport);
    Socket const* sut = ctx_.sockets.under_test();
    if (!tcp || !sut || !sut->is_tcp()) return false;
    bool const syn_only = (tcp->flags.bits & script::tcp_flag::syn) && !(tcp->flags.bits & script::tcp_flag::ack);
    auto missing = [&] {
        Socket const* s = ctx_.sockets.under_test();
        if (s->state == SocketState::passive_packet_received) return !syn_only;  // the SYN-ACK's ISN
        if (s->state == SocketState::active_connecting || s->state == SocketState::active_syn_sent)
            return s->live.local.port == 0;  // the SYN's port
        return false;
    };
    if (!missing()) return false;
    std::size_t const before = pending_.size();
    serve_until(lock, now_us() + 2'000'000, [&] {
        absorb();
        return !missing();
    });
    return pending_.size() != before;
}

void PacketEngine::expect_recorded(std::unique_lock<std::mutex>& lock, script::Event const& event,
                                   script::Packet const& packet, EventTiming const& timing) {
    (void)event;
    Socket& s = socket_for(packet, false);
    auto const* script_tcp = std::get_if<script::TcpSegment>(&packet.transport);
    bool const synack = script_tcp && (script_tcp->flags.bits & script::tcp_flag::syn) &&
                        (script_tcp->flags.bits & script::tcp_flag::ack);
    if (s.state == SocketState::passive_packet_received && synack) s.script.local_isn = script_tcp->seq;

    // As long as expect() would wait; a line the kernel sends nothing for is recorded as such.
    Micros const gap = timing.previous ? std::max<Micros>(0, timing.start - *timing.previous) : 0;
    Micros const wait = timing.kind == script::TimeKind::any
                            ? static_cast<Micros>(ctx_.config.syscall_timeout_secs * 1e6)
                            : (gap / 1'000'000 + 2) * 1'000'000;
    serve_until(lock, now_us() + wait, [&] {
        absorb();
        return !pending_.empty();
    });
    if (pending_.empty()) return;

    Pending first = std::move(pending_.front());
    pending_.pop_front();
    // Segments of one burst that are already here are glued together, as expect() would.
    std::size_t const expected_payload = script_payload(packet, s, ctx_.addresses.wire_ipv6);
    ExpectedChecks const checks = checks_of(packet);
    ExpectedChecks loose = checks;
    loose.options = true;
    std::vector<SniffedPacket> parts{std::move(first.packet)};
    std::size_t payload = parts.back().packet.payload.size();
    while (payload < expected_payload && !ctx_.config.strict_segments && !pending_.empty() &&
           pending_.front().socket == first.socket &&
           tuple_of(pending_.front().packet.packet) == tuple_of(parts.back().packet) &&
           !verify_headers(pending_.front().packet.packet, parts.back().packet, loose, false)) {
        payload += pending_.front().packet.packet.payload.size();
        parts.push_back(std::move(pending_.front().packet));
        pending_.pop_front();
    }
    SniffedPacket actual = parts.size() == 1 ? std::move(parts.front())
                                             : SniffedPacket{aggregate(parts), parts.back().time};
    RecordedPacket recorded = to_recorded(*first.socket, std::move(actual), script_ts_val(packet));
    // Would the line take it as written? The checks expect() makes, the time aside.
    try {
        net::Packet const expected = normalized(build_packet(packet, s.script.outbound(), ctx_.addresses.wire_ipv6));
        recorded.matched = recorded.packet.payload.size() == expected_payload &&
                           !verify_headers(recorded.packet, expected, checks, true) &&
                           !verify_tcp_options(recorded.packet, expected, checks, ctx_.config) &&
                           !verify_payload(recorded.packet, expected);
    } catch (Error const&) {
        recorded.matched = false;
    }
    recording_->steps.back().packet = std::move(recorded);
}

void PacketEngine::end_of_events(std::unique_lock<std::mutex>& lock) {
    if (policy_ == OutboundPolicy::packetdrill) return;
    serve_until(lock, now_us() + end_grace_us, [] { return false; });
    if (policy_ == OutboundPolicy::strict) {
        for (auto const& p : queue_) {
            bool teaches = false;
            if (Socket const* s = sut_packet(p.packet, &teaches)) unexpected(*s, p, teaches);
            if (Socket const* other = other_socket_packet(p.packet)) unexpected(*other, p, false);
        }
        return;
    }
    absorb();
    while (!pending_.empty()) write_unmentioned();
}

}  // namespace pktdrill::run
