#pragma once

#include <boost/spirit/home/x3.hpp>

#include "grammar/actions.hpp"
#include "grammar/ast.hpp"
#include "grammar/tcp_option.hpp"
#include "grammar/tokens.hpp"

namespace pktdrill::grammar::parser {

namespace x3 = boost::spirit::x3;
using tokens::integer;
using tokens::kw;

namespace tcp_option_detail {

inline auto kind(char const* name) {
    return [name](auto& ctx) { x3::_val(ctx).kind = name; };
}

// AccECN field names: the option's kind follows from which one comes first.
inline auto const accecn_label = [](auto& ctx) {
    auto const& text = x3::_attr(ctx).text;
    x3::_pass(ctx) = text == "e0b" || text == "ceb" || text == "e1b";
    if (x3::_pass(ctx)) x3::_val(ctx).labels.push_back(x3::_attr(ctx));
};

}  // namespace tcp_option_detail

using namespace tcp_option_detail;

struct option_list_class;
struct tcp_option_class;
struct sack_blocks_class;

tcp_options_type const tcp_options = "TCP options";
x3::rule<option_list_class, ast::tcp_options> const option_list =
    "TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5 or ECN) or '...'";
x3::rule<tcp_option_class, ast::tcp_option> const tcp_option =
    "TCP option (nop, eol, mss, wscale, sackOK, sack, TS, FO, FOEXP, md5 or ECN)";
x3::rule<sack_blocks_class, std::vector<ast::number>> const sack_blocks = "SACK block (left:right)";

auto const tcp_options_def = tokens::locate[x3::lit('<') > option_list[assign] > x3::lit('>')];

auto const option_list_def = x3::lit("...")[constant<&ast::tcp_options::any>(true)]
                          | (tcp_option[push<&ast::tcp_options::list>]
                             >> *(x3::lit(',') > tcp_option[push<&ast::tcp_options::list>]));

auto const tcp_option_def = tokens::locate[kw("nop")[kind("nop")]
    | kw("eol")[kind("eol")]
    | (kw("mss")[kind("mss")] > integer[push<&ast::tcp_option::values>])
    | (kw("wscale")[kind("wscale")] > integer[push<&ast::tcp_option::values>])
    | kw("sackOK")[kind("sackOK")]
    | (kw("sack")[kind("sack")] > sack_blocks[set<&ast::tcp_option::values>])
    | (kw("TS")[kind("TS")] > kw("val") > integer[push<&ast::tcp_option::values>]
                            > kw("ecr") > integer[push<&ast::tcp_option::values>])
    | (kw("FOEXP")[kind("FOEXP")] > -tokens::blob[set<&ast::tcp_option::blob>])
    | (kw("FO")[kind("FO")] > -tokens::blob[set<&ast::tcp_option::blob>])
    | (kw("md5")[kind("md5")] > tokens::blob[set<&ast::tcp_option::blob>])
    | (kw("ECN")[kind("ECN")] > *(tokens::word[accecn_label] > integer[push<&ast::tcp_option::values>]))];

auto const sack_blocks_def = +(integer >> x3::lit(':') > integer);

BOOST_SPIRIT_DEFINE(tcp_options, option_list, tcp_option, sack_blocks)

struct tcp_options_class  {};
struct tcp_option_class  {};

}  // namespace pktdrill::grammar::parser
