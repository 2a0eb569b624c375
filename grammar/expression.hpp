#pragma once
// Rule group: expressions (system-call arguments and results), and the GRE and MPLS forms that
// packets and expressions share.

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct expression_class;
struct gre_header_class;
struct mpls_entry_class;

using expression_type = x3::rule<expression_class, ast::expression>;
using gre_header_type = x3::rule<gre_header_class, ast::gre_header>;
using mpls_entry_type = x3::rule<mpls_entry_class, ast::mpls_entry>;

BOOST_SPIRIT_DECLARE(expression_type, gre_header_type, mpls_entry_type)

// Other groups use these rules through objects of their own of the same type: X3 dispatches on
// the rule's ID, so they call the one instantiation in expression.cpp.

}  // namespace pktdrill::grammar::parser
