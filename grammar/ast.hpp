#pragma once
// The parse tree of a packetdrill script, as written: numbers keep their text (range checks and
// their messages belong to the semantic pass in src/script), struct-like braces stay generic lists
// (src/script recognises msghdr, pollfd, ... by their fields, as packetdrill's grammar does by
// their keywords). Every node records the byte range it was parsed from.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

namespace pktdrill::grammar::ast {

namespace x3 = boost::spirit::x3;

// Byte offsets into the source; filled in by the parse state's tag() on every annotated rule.
struct located {
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
};

// ---------------------------------------------------------------------------------------------
// Tokens

struct number : located {
    std::string text;  // "-1", "0x1f", "0.100", ".1": as written, or as a --define gave it
};

struct word : located {
    std::string text;
};

struct string_literal : located {
    std::string value;  // escapes resolved
};

struct backquoted : located {
    std::string text;  // between the backquotes, as written
};

struct code_block : located {
    std::string text;  // between %{ and }%, spaces and tabs at both ends removed
};

// ---------------------------------------------------------------------------------------------
// Expressions (system-call arguments and results)

struct ellipsis : located {};

struct string_expr : located {
    std::vector<string_literal> parts;  // adjacent strings concatenate
    bool trailing_ellipsis = false;     // "abc"...
};

struct call;
struct list_expr;
struct binary_expr;
struct gre_header;
struct mpls_stack;

struct expression : x3::variant<ellipsis, number, word, string_expr, x3::forward_ast<call>,
                                x3::forward_ast<list_expr>, x3::forward_ast<binary_expr>,
                                x3::forward_ast<gre_header>, x3::forward_ast<mpls_stack>> {
    using base_type::base_type;
    using base_type::operator=;
};

// name(args): inet_addr("1.2.3.4"), inet6_addr("::1"), htons(8080), msg_name(...), msg_iov(1)
struct call : located {
    word name;
    std::vector<expression> args;
};

struct list_expr : located {
    char bracket = '[';  // '[' array, '{' braces
    std::vector<expression> items;
};

struct binary_expr : located {
    char op = '|';  // '|' bitwise or, '=' field or NLA assignment
    expression lhs;
    expression rhs;
};

// (label 1, tc 0, [S], ttl 64)
struct mpls_entry : located {
    number label;
    number traffic_class;
    bool bottom_of_stack = false;
    number ttl;
};

struct mpls_stack : located {
    std::vector<mpls_entry> entries;
};

// flags [checksum present, key present] sum 0 off 0 key=1 seq 2   (or: flags 0xb000 ...)
struct gre_header : located {
    std::vector<word> flag_names;       // none | checksum | key | sequence#
    boost::optional<number> flags_value;
    number sum;
    number offset;
    number key;
    number seq;
};

// ---------------------------------------------------------------------------------------------
// Packets

// One element of "[ect0, flowlabel 0x1]": the keyword and, for tos/flowlabel/ttl, its value.
struct ip_info_item : located {
    std::string key;
    boost::optional<number> value;
};

struct ip_info : located {
    std::vector<ip_info_item> items;
};

struct address : located {
    std::string text;
};

// ipv4 [info] 192.168.0.1 > 192.0.2.1:
struct encap_ip : located {
    std::string version;  // "ipv4" | "ipv6"
    boost::optional<ip_info> info;
    address src;
    address dst;
};

// gre:   or   gre flags [...] sum 0 off 0 key 1 seq 2:
struct encap_gre : located {
    boost::optional<gre_header> header;
};

// mpls (label 1, tc 0, [S], ttl 64):
struct encap_mpls : located {
    std::vector<mpls_entry> entries;
};

struct encapsulation : x3::variant<encap_ip, encap_gre, encap_mpls> {
    using base_type::base_type;
    using base_type::operator=;
};

struct port_pair : located {
    number src;
    number dst;
};

// start:end(length)
struct seq_range : located {
    number start;
    number stop;
    number length;
};

// One TCP option as written. `kind` is the keyword (nop, eol, mss, wscale, sackOK, sack, TS, FO,
// FOEXP, md5, ECN); `values` holds its numbers in order (TS: val, ecr; sack: left, right, ...;
// ECN: one per field); `labels` the AccECN field names; `blob` the FO/FOEXP cookie or md5 digest.
struct tcp_option : located {
    std::string kind;
    std::vector<number> values;
    std::vector<word> labels;
    boost::optional<word> blob;
};

struct tcp_options : located {
    bool any = false;  // <...>
    std::vector<tcp_option> list;
};

struct tcp_segment : located {
    boost::optional<port_pair> ports;
    word flags;  // "S.", ".", "-", "P.", "S.5" ...
    seq_range seq;
    boost::optional<number> ack;
    boost::optional<number> window;
    boost::optional<number> urgent;
    boost::optional<tcp_options> options;
};

struct udp_datagram : located {
    boost::optional<port_pair> ports;
    number length;
};

// [1:1461(1460)]  [udp(100)]  [raw(10)]
struct icmp_echoed : located {
    std::string protocol;  // "tcp" | "udp" | "raw"
    boost::optional<seq_range> seq;
    boost::optional<number> length;
};

struct icmp_message : located {
    word type;
    boost::optional<word> code;
    boost::optional<number> mtu;
    boost::optional<number> echo_id;
    boost::optional<icmp_echoed> echoed;
};

struct packet_body : x3::variant<tcp_segment, udp_datagram, icmp_message> {
    using base_type::base_type;
    using base_type::operator=;
};

struct packet : located {
    char direction = '<';
    std::vector<encapsulation> encapsulations;
    boost::optional<ip_info> info;
    boost::optional<number> psp_spi;  // encap psp spi N
    packet_body body;
};

// ---------------------------------------------------------------------------------------------
// System calls

struct note : located {
    std::string text;  // the words between the parentheses
};

struct syscall : located {
    word name;
    std::vector<expression> args;
    expression result;
    boost::optional<word> errno_name;
    boost::optional<note> errno_note;
    boost::optional<note> trailing_note;
};

// ---------------------------------------------------------------------------------------------
// Statements

struct time_point : located {
    bool relative = false;
    number value;
};

struct time_spec : located {
    bool any = false;  // '*'
    time_point start;
    boost::optional<time_point> range_end;  // a~b
};

struct action : x3::variant<packet, syscall, backquoted, code_block> {
    using base_type::base_type;
    using base_type::operator=;
};

struct event : located {
    time_spec time;
    boost::optional<time_point> blocking_end;  // start...end
    action what;
};

// --name  or  --name=value. The value is kept as written (quotes removed from a whole-value
// string); its meaning belongs to the option table.
struct option_line : located {
    std::string name;
    boost::optional<std::string> value;
    std::uint32_t value_begin = 0;
};

struct statement : x3::variant<option_line, backquoted, event> {
    using base_type::base_type;
    using base_type::operator=;
};

}  // namespace pktdrill::grammar::ast
