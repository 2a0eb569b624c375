#pragma once
// The one iterator type, skipper and context of the whole grammar. Every rule group is
// instantiated for exactly these, so a caller that differs gets a link error, not a silent copy.

#include <functional>

#include <boost/spirit/home/x3.hpp>
#include <boost/spirit/home/x3/support/utility/error_reporting.hpp>

#include "grammar/parse_state.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

using iterator_type = char const*;
using skipper_type = tokens::skipper_parser;
using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type =
    x3::context<x3::error_handler_tag, std::reference_wrapper<ParseState>, phrase_context_type>;

}  // namespace pktdrill::grammar::parser
