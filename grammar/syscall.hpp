#pragma once
// Rule group: system-call lines, `bind(3, ..., ...) = 0`,
// `connect(4, ..., ...) = -1 EINPROGRESS (Operation now in progress)`.

#include <boost/spirit/home/x3.hpp>

#include "grammar/ast.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;

struct syscall_class;
using syscall_type = x3::rule<syscall_class, ast::syscall>;

BOOST_SPIRIT_DECLARE(syscall_type)

}  // namespace pktdrill::grammar::parser
