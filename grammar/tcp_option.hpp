#pragma once
// Rule group: the TCP option list of a packet line, `<mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>`
// or `<...>`.

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct tcp_options_class;
using tcp_options_type = x3::rule<tcp_options_class, ast::tcp_options>;

BOOST_SPIRIT_DECLARE(tcp_options_type)

}  // namespace pktdrill::grammar::parser
