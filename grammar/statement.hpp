#pragma once
// Rule group: the top-level statements of a script — option lines, untimed commands (init and
// cleanup) and timed events with their time specifications and actions.

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct statement_class;
using statement_type = x3::rule<statement_class, ast::statement>;

BOOST_SPIRIT_DECLARE(statement_type)

}  // namespace pktdrill::grammar::parser
