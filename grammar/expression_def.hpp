#pragma once

#include <boost/spirit/home/x3.hpp>

#include "grammar/actions.hpp"
#include "grammar/ast.hpp"
#include "grammar/ast_adapted.hpp"
#include "grammar/expression.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;
using tokens::integer;
using tokens::kw;
using tokens::nested;

namespace expression_detail {

template <char Op>
inline auto const make_binary = [](auto& ctx) {
    ast::binary_expr node;
    node.op = Op;
    node.lhs = std::move(x3::_val(ctx));
    node.rhs = std::move(x3::_attr(ctx));
    node.begin = where(node.lhs).begin;
    node.end = where(node.rhs).end;
    x3::_val(ctx) = std::move(node);
};

inline auto const make_ellipsis = [](auto& ctx) {
    ast::ellipsis node;
    auto const& st = tokens::state(ctx);
    node.begin = st.offset(x3::_where(ctx).begin());
    node.end = st.offset(x3::_where(ctx).end());
    x3::_val(ctx) = node;
};

inline auto const set_bracket = [](char b) { return [b](auto& ctx) { x3::_val(ctx).bracket = b; }; };

}  // namespace expression_detail

using namespace expression_detail;

struct or_expression_class;
struct primary_class;
struct call_class;
struct arguments_class;
struct array_class;
struct braces_class;
struct brace_list_class;
struct strings_class;
struct gre_flags_class;
struct gre_flag_class;
struct gre_flag_list_class;
struct mpls_stack_class;

expression_type const expression = "expression";
x3::rule<or_expression_class, ast::expression> const or_expression = "expression";
x3::rule<primary_class, ast::expression> const primary = "expression";
x3::rule<call_class, ast::call> const call = "function call";
x3::rule<arguments_class, std::vector<ast::expression>> const arguments = "expression list";
x3::rule<array_class, ast::list_expr> const array = "array";
x3::rule<braces_class, ast::expression> const braces = "braced list";
x3::rule<brace_list_class, ast::list_expr> const brace_list = "braced list";
x3::rule<strings_class, ast::string_expr> const strings = "string";
gre_header_type const gre_header = "GRE header (flags ..., sum N, off N, key N, seq N)";
x3::rule<gre_flags_class, ast::gre_header> const gre_flags = "GRE flags ([...] or an integer)";
x3::rule<gre_flag_class, ast::word> const gre_flag =
    "GRE flag (none, checksum present, key present, sequence# present)";
// Named like one flag: X3 reports an unnamed list by its mangled type name.
x3::rule<gre_flag_list_class, std::vector<ast::word>> const gre_flag_list =
    "GRE flag (none, checksum present, key present, sequence# present)";
mpls_entry_type const mpls_entry = "MPLS label stack entry (label N, tc N, [S], ttl N)";
x3::rule<mpls_stack_class, ast::mpls_stack> const mpls_stack = "MPLS label stack";

// `a = b` (struct fields, NLA attributes) binds loosest and does not chain (`a = b = c` means
// nothing in any struct). `a | b | c` groups to the right, as a | (b | c): the same value, and
// the recursion lets the nesting guard bound how deep the tree grows.
auto const expression_def = or_expression[assign] >> -(x3::lit('=') > or_expression[make_binary<'='>]);

auto const or_expression_def =
    primary[assign] >> -(x3::lit('|') > tokens::chained[or_expression][make_binary<'|'>]);

auto const primary_def = x3::raw[x3::lit("...")][make_ellipsis]
                       | strings[assign]
                       | integer[assign]
                       | call[assign]
                       | tokens::word[assign]
                       | array[assign]
                       | braces[assign];

auto const call_def = tokens::locate[tokens::identifier[set<&ast::call::name>]
                   >> x3::lit('(') > nested[-arguments[set<&ast::call::args>]] > x3::lit(')')];

// Not `expression % ','`: after a comma an expression must follow, and saying so beats
// "expected ')'" at the comma.
auto const arguments_def = expression >> *(x3::lit(',') > expression);

auto const array_def = tokens::locate[x3::lit('[')[set_bracket('[')]
                    > nested[-arguments[set<&ast::list_expr::items>]] > x3::lit(']')];

auto const braces_def = tokens::locate[x3::lit('{')
    > nested[gre_header[assign] | mpls_stack[assign] | brace_list[assign]] > x3::lit('}')];

auto const brace_list_def = tokens::locate[x3::eps[set_bracket('{')] >> -arguments[set<&ast::list_expr::items>]];

auto const strings_def = tokens::locate[+tokens::string[push<&ast::string_expr::parts>]
                      >> -x3::lit("...")[constant<&ast::string_expr::trailing_ellipsis>(true)]];

// flags [checksum present, key present] sum 0 off 0 key=1 seq 2, commas optional between fields.
auto const gre_header_def = tokens::locate[kw("flags") >> gre_flags[assign]
    > -x3::lit(',') > kw("sum") > integer[set<&ast::gre_header::sum>]
    > -x3::lit(',') > kw("off") > integer[set<&ast::gre_header::offset>]
    > -x3::lit(',') > kw("key") > -x3::lit('=') > integer[set<&ast::gre_header::key>]
    > -x3::lit(',') > kw("seq") > integer[set<&ast::gre_header::seq>]];

auto const gre_flags_def = (x3::lit('[') > gre_flag_list[set<&ast::gre_header::flag_names>] > x3::lit(']'))
                         | integer[set<&ast::gre_header::flags_value>];

auto const gre_flag_list_def = gre_flag >> *(x3::lit(',') > gre_flag);

auto const gre_flag_def = x3::raw[kw("none")
                                  | (kw("checksum") > kw("present"))
                                  | (kw("key") > kw("present"))
                                  | (kw("sequence") > x3::lit('#') > kw("present"))]
                          [([](auto& ctx) {
                              auto const& st = tokens::state(ctx);
                              auto const range = x3::_attr(ctx);
                              std::string text(range.begin(), range.end());
                              x3::_val(ctx).text = text.substr(0, text.find_first_of(" \t\r\n#"));
                              x3::_val(ctx).begin = st.offset(range.begin());
                              x3::_val(ctx).end = st.offset(range.end());
                          })];

auto const mpls_entry_def = tokens::locate[x3::lit('(') >> kw("label") > integer > x3::lit(',')
    > kw("tc") > integer > x3::lit(',')
    > x3::matches[x3::lit('[') > kw("S") > x3::lit(']') > x3::lit(',')]
    > kw("ttl") > integer > x3::lit(')')];

auto const mpls_stack_def = tokens::locate[+mpls_entry[push<&ast::mpls_stack::entries>]];

BOOST_SPIRIT_DEFINE(expression, or_expression, primary, call, arguments, array, braces, brace_list,
                    strings, gre_header, gre_flags, gre_flag, gre_flag_list, mpls_entry, mpls_stack)

struct expression_class  {};
struct or_expression_class  {};
struct primary_class  {};
struct call_class  {};
struct array_class  {};
struct brace_list_class  {};
struct braces_class  {};
struct strings_class  {};
struct gre_header_class  {};
struct mpls_entry_class  {};
struct mpls_stack_class  {};

}  // namespace pktdrill::grammar::parser
