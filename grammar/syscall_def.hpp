#pragma once

#include <boost/spirit/home/x3.hpp>

#include "grammar/actions.hpp"
#include "grammar/ast.hpp"
#include "grammar/expression.hpp"
#include "grammar/syscall.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;
using tokens::integer;

namespace syscall_detail {

// errno names are E followed by capitals and digits (or a --define standing for one); anything
// else after the result is the next statement's business.
inline auto const errno_word = [](auto& ctx) {
    auto const& text = x3::_attr(ctx).text;
    bool ok = text.size() >= 2 && text[0] == 'E';
    for (char c : text) ok = ok && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
    x3::_pass(ctx) = ok;
    if (ok) x3::_val(ctx).errno_name = x3::_attr(ctx);
};

inline auto const note_text = [](auto& ctx) {
    auto const& st = tokens::state(ctx);
    auto const range = x3::_attr(ctx);
    std::string text(range.begin(), range.end());
    while (!text.empty() && tokens::is_space(text.back())) text.pop_back();
    x3::_val(ctx).text = std::move(text);
    x3::_val(ctx).begin = st.offset(range.begin());
    x3::_val(ctx).end = st.offset(range.end());
};

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

}  // namespace syscall_detail

using namespace syscall_detail;

struct syscall_arguments_class;
struct result_class;
struct result_term_class;
struct note_class;

syscall_type const syscall = "system call";
x3::rule<syscall_arguments_class, std::vector<ast::expression>> const syscall_arguments = "argument";
x3::rule<result_class, ast::expression> const result = "result (an integer)";
x3::rule<result_term_class, ast::expression> const result_term = "result (an integer)";
x3::rule<note_class, ast::note> const note = "note";

expression_type const expression_rule = "expression";

auto const syscall_def = tokens::locate[tokens::identifier[set<&ast::syscall::name>]
    > x3::lit('(') > -syscall_arguments[set<&ast::syscall::args>] > x3::lit(')')
    > x3::lit('=') > result[set<&ast::syscall::result>]
    > -(tokens::identifier[errno_word] > -note[set<&ast::syscall::errno_note>])
    > -note[set<&ast::syscall::trailing_note>]];

// After a comma an expression must follow (the error then names it, not the ')').
auto const syscall_arguments_def = expression_rule >> *(x3::lit(',') > expression_rule);

// Results are integers or symbols, or'ed (grouped to the right, as in expressions): never calls,
// so `= 0 (note)` keeps its note.
auto const result_def = result_term[assign] >> -(x3::lit('|') > tokens::chained[result][make_binary<'|'>]);
auto const result_term_def = integer[assign] | tokens::identifier[assign];

// The words are ignored, so any text will do; but a note ends on its line, so a missing ')' is
// reported there rather than after swallowing the statements that follow.
auto const note_def = x3::lit('(') > x3::raw[x3::lexeme[*(x3::char_ - ')' - '\n')]][note_text] > x3::lit(')');

BOOST_SPIRIT_DEFINE(syscall, syscall_arguments, result, result_term, note)

struct syscall_class  {};
struct syscall_arguments_class {};
struct result_class  {};
struct result_term_class  {};
struct note_class {};

}  // namespace pktdrill::grammar::parser
