#pragma once

#include <boost/spirit/home/x3.hpp>

#include "grammar/actions.hpp"
#include "grammar/ast.hpp"
#include "grammar/ast_adapted.hpp"
#include "grammar/expression.hpp"
#include "grammar/packet.hpp"
#include "grammar/tcp_option.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;
using tokens::integer;
using tokens::kw;

namespace packet_detail {

inline auto key(char const* name) {
    return [name](auto& ctx) { x3::_val(ctx).key = name; };
}

inline auto version(char const* name) {
    return [name](auto& ctx) { x3::_val(ctx).version = name; };
}

inline auto protocol(char const* name) {
    return [name](auto& ctx) { x3::_val(ctx).protocol = name; };
}

// An ICMP code is any word but the keywords that may follow the type.
inline auto const icmp_code_word = [](auto& ctx) {
    auto const& text = x3::_attr(ctx).text;
    x3::_pass(ctx) = text != "mtu" && text != "id";
    if (x3::_pass(ctx)) x3::_val(ctx).code = x3::_attr(ctx);
};

}  // namespace packet_detail

using namespace packet_detail;

struct encapsulation_class;
struct encap_ip_class;
struct encap_gre_class;
struct encap_mpls_class;
struct ip_info_class;
struct ip_info_items_class;
struct ip_info_item_class;
struct psp_class;
struct packet_body_class;
struct tcp_segment_class;
struct udp_datagram_class;
struct icmp_message_class;
struct icmp_echoed_class;
struct port_pair_class;
struct seq_range_class;

packet_type const packet = "packet";
x3::rule<encapsulation_class, ast::encapsulation> const encapsulation = "encapsulation";
x3::rule<encap_ip_class, ast::encap_ip> const encap_ip = "outer IP header";
x3::rule<encap_gre_class, ast::encap_gre> const encap_gre = "GRE header";
x3::rule<encap_mpls_class, ast::encap_mpls> const encap_mpls = "MPLS header";
x3::rule<ip_info_class, ast::ip_info> const ip_info = "IP info";
x3::rule<ip_info_items_class, ast::ip_info> const ip_info_items =
    "IP info (ect0, ect1, ce, noecn, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N)";
x3::rule<ip_info_item_class, ast::ip_info_item> const ip_info_item =
    "IP info (ect0, ect1, ce, noecn, ect01, tos 0xNN, flowlabel 0xNNNNN or ttl N)";
x3::rule<psp_class, ast::number> const psp = "PSP encapsulation";
x3::rule<packet_body_class, ast::packet_body> const packet_body =
    "packet contents (TCP flags such as S, S., ., P., F., R, or udp or icmp)";
x3::rule<tcp_segment_class, ast::tcp_segment> const tcp_segment = "TCP segment";
x3::rule<udp_datagram_class, ast::udp_datagram> const udp_datagram = "UDP datagram";
x3::rule<icmp_message_class, ast::icmp_message> const icmp_message = "ICMP message";
x3::rule<icmp_echoed_class, ast::icmp_echoed> const icmp_echoed =
    "echoed packet (start:end(length), udp(N) or raw(N))";
x3::rule<port_pair_class, ast::port_pair> const port_pair = "ports (src>dst)";
x3::rule<seq_range_class, ast::seq_range> const seq_range = "sequence range (start:end(length))";

// A word whose name says what it stands for in "expected ...".
constexpr tokens::word_parser icmp_type{{}, false, "ICMP type (such as unreachable or echo_request)"};

gre_header_type const gre_header_rule = "GRE header (flags ..., sum N, off N, key N, seq N)";
mpls_entry_type const mpls_entry_rule = "MPLS label stack entry (label N, tc N, [S], ttl N)";
tcp_options_type const tcp_options_rule = "TCP options";

auto const packet_def = tokens::locate[x3::char_("<>")[set<&ast::packet::direction>]
    >> *encapsulation[push<&ast::packet::encapsulations>]
    >> -ip_info[set<&ast::packet::info>]
    >> -psp[set<&ast::packet::psp_spi>]
    > packet_body[set<&ast::packet::body>]];

auto const encapsulation_def = encap_ip[assign] | encap_gre[assign] | encap_mpls[assign];

auto const encap_ip_def = tokens::locate[(kw("ipv4")[version("ipv4")] > -ip_info[set<&ast::encap_ip::info>]
           > tokens::ipv4_address[set<&ast::encap_ip::src>] > x3::lit('>')
           > tokens::ipv4_address[set<&ast::encap_ip::dst>] > x3::lit(':'))
    | (kw("ipv6")[version("ipv6")] > -ip_info[set<&ast::encap_ip::info>]
           > tokens::ipv6_address[set<&ast::encap_ip::src>] > x3::lit('>')
           > tokens::ipv6_address[set<&ast::encap_ip::dst>] > x3::lit(':'))];

auto const encap_gre_def = tokens::locate[(kw("gre") | kw("GREv0")) > -x3::lit(',')
    > -gre_header_rule[set<&ast::encap_gre::header>] > x3::lit(':')];

auto const encap_mpls_def = tokens::locate[kw("mpls") > *mpls_entry_rule[push<&ast::encap_mpls::entries>] > x3::lit(':')];

// [ect0] and (ect0) are both accepted, as in packetdrill. Where IP info may stand, nothing else
// starts with a bracket, so what follows one must be IP info.
auto const ip_info_def = tokens::locate[(x3::lit('[') > ip_info_items[assign] > x3::lit(']'))
                       | (x3::lit('(') > ip_info_items[assign] > x3::lit(')'))];

auto const ip_info_items_def =
    ip_info_item[push<&ast::ip_info::items>] >> *(x3::lit(',') > ip_info_item[push<&ast::ip_info::items>]);

auto const ip_info_item_def = tokens::locate[(kw("tos")[key("tos")] > integer[set<&ast::ip_info_item::value>])
    | (kw("flowlabel")[key("flowlabel")] > integer[set<&ast::ip_info_item::value>])
    | (kw("ttl")[key("ttl")] > integer[set<&ast::ip_info_item::value>])
    | kw("ect01")[key("ect01")]
    | kw("ect0")[key("ect0")]
    | kw("ect1")[key("ect1")]
    | kw("noecn")[key("noecn")]
    | kw("ce")[key("ce")]];

// The node is the SPI number itself, located where the number is (errors about it point there).
auto const psp_def = kw("encap") > kw("psp") > kw("spi") > integer[assign];

auto const packet_body_def =
      tokens::unsupported("sctp", "SCTP packets are not supported by pktdrill (they come from nplab's packetdrill fork)")
    | tokens::unsupported("udplite", "UDPLite packets are not supported by pktdrill (they come from nplab's packetdrill fork)")
    | udp_datagram[assign] | icmp_message[assign] | tcp_segment[assign];

auto const tcp_segment_def = tokens::locate[-port_pair[set<&ast::tcp_segment::ports>]
    >> tokens::tcp_flags[set<&ast::tcp_segment::flags>]
    > seq_range[set<&ast::tcp_segment::seq>]
    > -(kw("ack") > integer[set<&ast::tcp_segment::ack>])
    > -(kw("win") > integer[set<&ast::tcp_segment::window>])
    > -(kw("urg") > integer[set<&ast::tcp_segment::urgent>])
    > -tcp_options_rule[set<&ast::tcp_segment::options>]];

auto const udp_datagram_def = tokens::locate[kw("udp") > -port_pair[set<&ast::udp_datagram::ports>]
    > x3::lit('(') > integer[set<&ast::udp_datagram::length>] > x3::lit(')')];

auto const icmp_message_def = tokens::locate[kw("icmp")
    > icmp_type[set<&ast::icmp_message::type>]
    > -tokens::word[icmp_code_word]
    > -(kw("mtu") > integer[set<&ast::icmp_message::mtu>])
    > -(kw("id") > integer[set<&ast::icmp_message::echo_id>])
    > -icmp_echoed[set<&ast::icmp_message::echoed>]];

auto const icmp_echoed_def = tokens::locate[x3::lit('[')
    >> ( (kw("udp")[protocol("udp")] > x3::lit('(') > integer[set<&ast::icmp_echoed::length>] > x3::lit(')'))
       | (kw("raw")[protocol("raw")] > x3::lit('(') > integer[set<&ast::icmp_echoed::length>] > x3::lit(')'))
       | (x3::eps[protocol("tcp")] >> seq_range[set<&ast::icmp_echoed::seq>]) )
    > x3::lit(']')];

// Plain sequences: their attributes propagate into the adapted structs.
auto const port_pair_def = tokens::locate[integer >> x3::lit('>') >> integer];

auto const seq_range_def = tokens::locate[integer > x3::lit(':') > integer > x3::lit('(') > integer > x3::lit(')')];

BOOST_SPIRIT_DEFINE(packet, encapsulation, encap_ip, encap_gre, encap_mpls, ip_info, ip_info_items,
                    ip_info_item, psp, packet_body, tcp_segment, udp_datagram, icmp_message,
                    icmp_echoed, port_pair, seq_range)

struct packet_class  {};
struct encap_ip_class  {};
struct encap_gre_class  {};
struct encap_mpls_class  {};
struct ip_info_class  {};
struct ip_info_item_class  {};
struct psp_class  {};
struct tcp_segment_class  {};
struct udp_datagram_class  {};
struct icmp_message_class  {};
struct icmp_echoed_class  {};
struct port_pair_class  {};
struct seq_range_class  {};
struct encapsulation_class {};
struct ip_info_items_class {};
struct packet_body_class {};

}  // namespace pktdrill::grammar::parser
