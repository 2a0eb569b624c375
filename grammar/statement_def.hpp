#pragma once

#include <boost/spirit/home/x3.hpp>

#include "grammar/actions.hpp"
#include "grammar/ast.hpp"
#include "grammar/packet.hpp"
#include "grammar/statement.hpp"
#include "grammar/syscall.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct event_class;
struct time_spec_class;
struct time_point_class;
struct end_time_class;
struct action_class;

statement_type const statement = "statement";
x3::rule<event_class, ast::event> const event = "event";
x3::rule<time_spec_class, ast::time_spec> const time_spec = "time";
x3::rule<time_point_class, ast::time_point> const time_point = "time (such as 0.1 or +0.1)";
x3::rule<end_time_class, ast::time_point> const end_time = "end time of the blocking call";
x3::rule<action_class, ast::action> const action =
    "packet ('<' or '>'), system call, `command` or %{ code }%";

packet_type const packet_rule = "packet";
syscall_type const syscall_rule = "system call";

auto const statement_def = tokens::option_line[assign] | tokens::command[assign] | event[assign];

auto const event_def = tokens::locate[time_spec[set<&ast::event::time>]
    >> -(x3::lit("...") > end_time[set<&ast::event::blocking_end>])
    > action[set<&ast::event::what>]];

auto const time_spec_def = tokens::locate[x3::lit('*')[constant<&ast::time_spec::any>(true)]
    | (time_point[set<&ast::time_spec::start>] >> -(x3::lit('~') > time_point[set<&ast::time_spec::range_end>]))];

auto const time_point_def = tokens::locate[(x3::lit('+')[constant<&ast::time_point::relative>(true)] > tokens::time_number[set<&ast::time_point::value>])
                          | tokens::time_number[set<&ast::time_point::value>]];

auto const end_time_def = tokens::locate[tokens::time_number[set<&ast::time_point::value>]];

auto const action_def = packet_rule[assign] | tokens::command[assign] | tokens::code[assign] | syscall_rule[assign];

BOOST_SPIRIT_DEFINE(statement, event, time_spec, time_point, end_time, action)

struct statement_class  {};
struct event_class  {};
struct time_spec_class  {};
struct time_point_class  {};
struct end_time_class  {};
struct action_class  {};

}  // namespace pktdrill::grammar::parser
