#include "src/run/packet_verify.hpp"

#include <cstdio>
#include <cstdlib>

#include "src/report/packet_text.hpp"

namespace pktdrill::run {

namespace {

std::optional<Mismatch> check(char const* name, std::uint32_t expected, std::uint32_t actual) {
    if (expected == actual) return std::nullopt;
    char buf[160];
    std::snprintf(buf, sizeof buf, "live packet field %s: expected: %u (0x%x) vs actual: %u (0x%x)", name, expected,
                  expected, actual, actual);
    return Mismatch{buf, name};
}

std::size_t options_length(net::TcpHeader const& h) { return net::tcp_options_length(h.options); }

// With `<...>` the script's packet has no options; the kernel's are allowed for in the lengths.
std::size_t allowance(net::Packet const& actual, ExpectedChecks const& checks) {
    if (checks.options) return 0;
    auto const* t = actual.find_last<net::TcpHeader>();
    return t ? options_length(*t) : 0;
}

std::optional<Mismatch> verify_tos(ExpectedChecks const& checks, std::uint8_t actual, std::uint8_t expected) {
    std::uint8_t const ecn = actual & 3;
    switch (checks.tos) {
    case script::TosCheck::ect01:
        if (ecn != 1 && ecn != 2) {
            char buf[80];
            std::snprintf(buf, sizeof buf, "live packet field ip_ecn: expected: 0x1 or 0x2 vs actual: 0x%x", ecn);
            return Mismatch{buf, "ip_ecn"};
        }
        return std::nullopt;
    case script::TosCheck::ecn: return check("ip_ecn", expected & 3, ecn);
    case script::TosCheck::tos: return check("tos", expected, actual);
    case script::TosCheck::none: return std::nullopt;
    }
    return std::nullopt;
}

std::size_t wire_length(net::Packet const& p, std::size_t layer) {
    auto const lay = net::layout(p);
    return lay.size - lay.layers[layer].offset;
}

std::string layer_kind(net::Layer const& l) { return std::string(net::layer_name(l)); }

}  // namespace

ExpectedChecks checks_of(script::Packet const& p) {
    ExpectedChecks c;
    c.tos = p.ip.tos_check;
    c.ttl = p.ip.ttl.has_value();
    if (auto const* t = std::get_if<script::TcpSegment>(&p.transport)) {
        c.window = t->window.has_value();
        c.options = t->options.has_value();
        c.ace = t->flags.ace.has_value();
    }
    return c;
}

std::optional<Mismatch> verify_headers(net::Packet const& actual, net::Packet const& expected,
                                       ExpectedChecks const& checks, bool strict) {
    if (actual.layers.size() != expected.layers.size()) {
        char buf[120];
        std::snprintf(buf, sizeof buf, "%s packet header layers: expected: %zu headers vs actual: %zu headers",
                      strict ? "live" : "aggregate candidate", expected.layers.size(), actual.layers.size());
        return Mismatch{buf, "layers"};
    }
    std::size_t const extra = allowance(actual, checks);
    std::size_t const innermost_ip = [&] {
        std::size_t ip = 0;
        for (std::size_t i = 0; i < expected.layers.size(); ++i)
            if (std::holds_alternative<net::Ipv4Header>(expected.layers[i]) ||
                std::holds_alternative<net::Ipv6Header>(expected.layers[i]))
                ip = i;
        return ip;
    }();
    for (std::size_t i = 0; i < expected.layers.size(); ++i) {
        auto const& e = expected.layers[i];
        auto const& a = actual.layers[i];
        if (e.index() != a.index()) {
            return Mismatch{"live packet header layer " + std::to_string(i) + ": expected: " + layer_kind(e) +
                                " header vs actual: " + layer_kind(a) + " header",
                            "layers"};
        }
        // IP info (ECN, TOS, TTL) is about the innermost IP header: the script's brackets apply to it.
        ExpectedChecks const ip_checks = i == innermost_ip ? checks : ExpectedChecks{};
        if (auto const* ev4 = std::get_if<net::Ipv4Header>(&e)) {
            auto const* av4 = &std::get<net::Ipv4Header>(a);
            if (auto m = check("ipv4_version", ev4->version, av4->version)) return m;
            if (auto m = check("ipv4_protocol", ev4->protocol.value_or(0), av4->protocol.value_or(0))) return m;
            if (auto m = check("ipv4_header_length", static_cast<std::uint32_t>(ev4->header_length() / 4),
                               static_cast<std::uint32_t>(av4->ihl.value_or(static_cast<std::uint8_t>(av4->header_length() / 4)))))
                return m;
            if (strict) {
                auto const expected_len = static_cast<std::uint32_t>(wire_length(expected, i) + extra);
                auto const actual_len = av4->total_length.value_or(static_cast<std::uint16_t>(wire_length(actual, i)));
                if (auto m = check("ipv4_total_length", expected_len, actual_len)) return m;
            }
            if (auto m = verify_tos(ip_checks, av4->tos, ev4->tos)) return m;
            if (ip_checks.ttl)
                if (auto m = check("ttl", ev4->ttl, av4->ttl)) return m;
        } else if (auto const* ev6 = std::get_if<net::Ipv6Header>(&e)) {
            auto const* av6 = &std::get<net::Ipv6Header>(a);
            if (auto m = check("ipv6_version", ev6->version, av6->version)) return m;
            if (strict) {
                auto const expected_len = static_cast<std::uint32_t>(wire_length(expected, i) - 40 + extra);
                auto const actual_len =
                    av6->payload_length.value_or(static_cast<std::uint16_t>(wire_length(actual, i) - 40));
                if (auto m = check("ipv6_payload_len", expected_len, actual_len)) return m;
            }
            if (auto m = check("ipv6_next_header", ev6->next_header.value_or(0), av6->next_header.value_or(0))) return m;
            if (auto m = verify_tos(ip_checks, av6->traffic_class, ev6->traffic_class)) return m;
            if (ip_checks.ttl)
                if (auto m = check("ttl", ev6->hop_limit, av6->hop_limit)) return m;
        } else if (auto const* eg = std::get_if<net::GreHeader>(&e)) {
            auto const& ag = std::get<net::GreHeader>(a);
            if (auto m = check("gre_len", static_cast<std::uint32_t>(eg->header_length()),
                               static_cast<std::uint32_t>(ag.header_length())))
                return m;
            if (eg->checksum_present != ag.checksum_present || eg->key_present != ag.key_present ||
                eg->sequence_present != ag.sequence_present || eg->version != ag.version || eg->reserved0 != ag.reserved0)
                return Mismatch{"mismatch in GRE flags", "gre"};
            if (eg->protocol.value_or(0) != ag.protocol.value_or(0)) return Mismatch{"mismatch in GRE proto", "gre"};
            if (eg->checksum_present) {
                if (eg->checksum && eg->checksum != ag.checksum) return Mismatch{"mismatch in GRE sum", "gre"};
                if (eg->reserved1 != ag.reserved1) return Mismatch{"mismatch in GRE off", "gre"};
            }
            if (eg->key_present && eg->key != ag.key) return Mismatch{"mismatch in GRE key", "gre"};
            if (eg->sequence_present && eg->sequence != ag.sequence) return Mismatch{"mismatch in GRE seq", "gre"};
        } else if (auto const* em = std::get_if<net::MplsStack>(&e)) {
            auto const& am = std::get<net::MplsStack>(a);
            if (em->entries.size() != am.entries.size())
                return Mismatch{"mismatch in MPLS label stack depth", "mpls"};
            for (std::size_t k = 0; k < em->entries.size(); ++k)
                if (!(em->entries[k] == am.entries[k]))
                    return Mismatch{"mismatch in MPLS label " + std::to_string(k), "mpls"};
        } else if (auto const* et = std::get_if<net::TcpHeader>(&e)) {
            auto const& at = std::get<net::TcpHeader>(a);
            namespace f = net::tcp_flag;
            auto bit = [](net::TcpHeader const& h, std::uint16_t flag) -> std::uint32_t { return h.has(flag) ? 1 : 0; };
            auto const expected_doff = static_cast<std::uint32_t>((et->header_length() + extra) / 4);
            auto const actual_doff = static_cast<std::uint32_t>(at.data_offset.value_or(static_cast<std::uint8_t>(at.header_length() / 4)));
            if (auto m = check("tcp_data_offset", expected_doff, actual_doff)) return m;
            if (strict)
                if (auto m = check("tcp_fin", bit(*et, f::fin), bit(at, f::fin))) return m;
            if (auto m = check("tcp_syn", bit(*et, f::syn), bit(at, f::syn))) return m;
            if (auto m = check("tcp_rst", bit(*et, f::rst), bit(at, f::rst))) return m;
            if (strict)
                if (auto m = check("tcp_psh", bit(*et, f::psh), bit(at, f::psh))) return m;
            if (auto m = check("tcp_ack", bit(*et, f::ack), bit(at, f::ack))) return m;
            if (auto m = check("tcp_urg", bit(*et, f::urg), bit(at, f::urg))) return m;
            if (checks.ace) {
                if (auto m = check("tcp_ace", et->ace(), at.ace())) return m;
            } else {
                if (auto m = check("tcp_ece", bit(*et, f::ece), bit(at, f::ece))) return m;
                if (strict)
                    if (auto m = check("tcp_cwr", bit(*et, f::cwr), bit(at, f::cwr))) return m;
                if (auto m = check("tcp_ae", bit(*et, f::ae), bit(at, f::ae))) return m;
            }
            if (auto m = check("tcp_reserved_bits", et->reserved_bits(), at.reserved_bits())) return m;
            if (strict) {
                if (auto m = check("tcp_seq", et->seq, at.seq)) return m;
            } else {
                // `expected` is the previous segment here: this one must follow it.
                if (auto m = check("tcp_seq", static_cast<std::uint32_t>(et->seq + expected.payload.size()), at.seq))
                    return m;
            }
            if (auto m = check("tcp_ack_seq", et->ack, at.ack)) return m;
            if (checks.window)
                if (auto m = check("tcp_window", et->window, at.window)) return m;
            if (auto m = check("tcp_urg_ptr", et->urgent_pointer, at.urgent_pointer)) return m;
        } else if (auto const* eu = std::get_if<net::UdpHeader>(&e)) {
            auto const& au = std::get<net::UdpHeader>(a);
            if (strict) {
                auto const expected_len = static_cast<std::uint32_t>(eu->length.value_or(static_cast<std::uint16_t>(8 + expected.payload.size())));
                auto const actual_len = static_cast<std::uint32_t>(au.length.value_or(static_cast<std::uint16_t>(8 + actual.payload.size())));
                if (auto m = check("udp_len", expected_len, actual_len)) return m;
            }
        } else if (auto const* ei4 = std::get_if<net::Icmpv4Header>(&e)) {
            auto const& ai4 = std::get<net::Icmpv4Header>(a);
            if (auto m = check("icmp_type", ei4->type, ai4.type)) return m;
            if (auto m = check("icmp_code", ei4->code, ai4.code)) return m;
        } else if (auto const* ei6 = std::get_if<net::Icmpv6Header>(&e)) {
            auto const& ai6 = std::get<net::Icmpv6Header>(a);
            if (auto m = check("icmp_type", ei6->type, ai6.type)) return m;
            if (auto m = check("icmp_code", ei6->code, ai6.code)) return m;
        }
    }
    return std::nullopt;
}

std::optional<Mismatch> verify_tcp_options(net::Packet const& actual, net::Packet const& expected,
                                           ExpectedChecks const& checks, script::Config const& config) {
    if (!checks.options) return std::nullopt;
    auto const* at = actual.find_last<net::TcpHeader>();
    auto const* et = expected.find_last<net::TcpHeader>();
    if (!at || !et) return std::nullopt;
    auto const& ao = at->options;
    auto const& eo = et->options;
    for (std::size_t i = 0; i < std::max(ao.size(), eo.size()); ++i) {
        if (i >= ao.size() || i >= eo.size() || ao[i].kind != eo[i].kind)
            return Mismatch{"bad outbound TCP options", "options"};
        auto const& a = ao[i];
        auto const& e = eo[i];
        if (a.is_nop() || a.is_eol()) continue;
        if (a.kind == net::tcp_option_kind::timestamp) {
            auto const ets = e.as_timestamp();
            auto const ats = a.as_timestamp();
            if (config.tcp_ts_tick_usecs && ets && ats) {
                auto const delta = static_cast<std::int32_t>(ats->val - ets->val);
                if (static_cast<std::int64_t>(std::abs(delta)) * config.tcp_ts_tick_usecs > config.tolerance_usecs)
                    return Mismatch{"bad outbound TCP timestamp value, tolerance " + std::to_string(config.tolerance_usecs),
                                    "options"};
            }
            continue;
        }
        if (a.data != e.data) {
            return Mismatch{"bad value in outbound TCP option (kind=" + std::to_string(e.kind) +
                                "): expected: " + report::describe_option(e) + " actual: " + report::describe_option(a),
                            "options"};
        }
    }
    return std::nullopt;
}

std::optional<Mismatch> verify_payload(net::Packet const& actual, net::Packet const& expected) {
    if (actual.find_last<net::Icmpv4Header>() || actual.find_last<net::Icmpv6Header>()) return std::nullopt;
    if (actual.payload != expected.payload) return Mismatch{"incorrect outbound data payload", "payload"};
    return std::nullopt;
}

}  // namespace pktdrill::run
