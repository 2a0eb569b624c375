#pragma once
// Rule group: packet lines, `< S 0:0(0) win 32792 <mss 1000,nop,wscale 7>`, `> udp (1000)`,
// `< icmp unreachable frag_needed mtu 1200 [1:1461(1460)]`, with IP info and encapsulations.

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct packet_class;
using packet_type = x3::rule<packet_class, ast::packet>;

BOOST_SPIRIT_DECLARE(packet_type)

}  // namespace pktdrill::grammar::parser
