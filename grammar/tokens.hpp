#pragma once
// The lexical layer of the grammar, as X3 primitive parsers.
//
// packetdrill has a flex lexer in front of its bison grammar; X3 is scannerless, so each token
// kind is a small parser here. They reproduce the lexer's rules that scripts depend on:
//  - a word is [A-Za-z0-9_]+ and a number is only a number when no word character follows it
//    (so the TFO cookie 3021b9d889017eeb is a word, as in packetdrill);
//  - every word that is not a keyword is replaced by its --define value, which then counts as an
//    integer, a string, a command or a word (classify_define), each token kind accepting its own;
//  - comments and white space (newlines included) separate tokens anywhere.
// They also produce the errors only a lexer can: unterminated comments, strings, commands and
// code blocks are reported at their opening delimiter.

#include <cstring>
#include <string>
#include <string_view>

#include <boost/spirit/home/x3.hpp>
#include <boost/spirit/home/x3/support/utility/error_reporting.hpp>

#include "grammar/ast.hpp"
#include "grammar/parse_state.hpp"

namespace pktdrill::grammar::tokens {

namespace x3 = boost::spirit::x3;

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_hex_digit(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_word_char(char c) { return is_letter(c) || is_digit(c) || c == '_'; }
constexpr bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

inline char const* scan_word(char const* p, char const* last) {
    while (p != last && is_word_char(*p)) ++p;
    return p;
}

// Words the grammar treats as keywords somewhere; packetdrill never substitutes these.
bool is_keyword(std::string_view word);

template <typename Context>
ParseState& state(Context const& ctx) {
    return x3::get<x3::error_handler_tag>(ctx).get();
}

// The end of a number starting at p, or nullptr when p does not start a number token.
// fraction: also accept [0-9]*.[0-9]+ (times).
char const* scan_number(char const* p, char const* last, bool fraction);

// ---------------------------------------------------------------------------------------------
// White space and comments. X3 calls a skipper until it fails, so this consumes one run of
// white space or one comment per call. A `//` comment may end at the end of the file (packetdrill
// requires a newline there; see docs/differences.md).
struct skipper_parser : x3::parser<skipper_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const&, RContext&, Attribute&) const {
        Iterator p = first;
        while (p != last && is_space(*p)) ++p;
        if (p != first) {
            first = p;
            return true;
        }
        if (last - p >= 2 && p[0] == '/' && p[1] == '/') {
            while (p != last && *p != '\n') ++p;
            first = p;
            return true;
        }
        if (last - p >= 2 && p[0] == '/' && p[1] == '*') {
            for (Iterator q = p + 2; last - q >= 2; ++q) {
                if (q[0] == '*' && q[1] == '/') {
                    first = q + 2;
                    return true;
                }
            }
            throw syntax_error(p, "unterminated /* comment", 2);
        }
        return false;
    }
};

inline skipper_parser const skipper{};

// Skips white space and comments outside of any rule (the driver between statements).
inline void skip(char const*& p, char const* last) {
    x3::unused_type u;
    while (skipper.parse(p, last, u, u, u)) {
    }
}

// ---------------------------------------------------------------------------------------------
// A keyword: exactly this word, not a prefix of a longer one (`sack` does not match `sackOK`).
struct keyword_parser : x3::parser<keyword_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    char const* text;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute&) const {
        x3::skip_over(first, last, ctx);
        std::size_t const n = std::strlen(text);
        if (static_cast<std::size_t>(last - first) < n || std::memcmp(first, text, n) != 0) return false;
        if (first + n != last && is_word_char(first[n])) return false;
        first += n;
        return true;
    }
};

constexpr keyword_parser kw(char const* text) { return keyword_parser{{}, text}; }

// ---------------------------------------------------------------------------------------------
// A word ([A-Za-z0-9_]+), with --define substitution. `identifier` additionally requires a
// letter or '_' first (system-call and errno names), so a time on the next line is never taken
// for one.
struct word_parser : x3::parser<word_parser> {
    using attribute_type = ast::word;
    static bool const has_attribute = true;
    bool identifier = false;
    char const* name = "word";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        Iterator const end = scan_word(first, last);
        if (end == first) return false;
        std::string_view const text(first, static_cast<std::size_t>(end - first));
        auto& st = state(ctx);
        ast::word out;
        if (DefineValue const* def = is_keyword(text) ? nullptr : st.lookup_define(text)) {
            if (def->kind != DefineKind::word) return false;
            out.text = def->text;
        } else {
            if (identifier && is_digit(text.front())) return false;
            out.text.assign(text);
        }
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// A number: [-]decimal, [-]0xhex, and with `fraction` also [-][0-9]*.[0-9]+ (times). A --define
// whose value reads as an integer counts as one.
struct number_parser : x3::parser<number_parser> {
    using attribute_type = ast::number;
    static bool const has_attribute = true;
    bool fraction = false;
    char const* name = "integer";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        auto& st = state(ctx);
        ast::number out;
        Iterator end = scan_word(first, last);
        std::string_view const text(first, static_cast<std::size_t>(end - first));
        DefineValue const* def = (end != first && !is_keyword(text)) ? st.lookup_define(text) : nullptr;
        if (def) {
            if (def->kind != DefineKind::integer) return false;
            out.text = def->text;
        } else {
            end = scan_number(first, last, fraction);
            if (!end) return false;
            out.text.assign(first, end);
        }
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// A TFO cookie or MD5 digest: a run of word characters (a word or an integer to the lexer).
struct blob_parser : x3::parser<blob_parser> {
    using attribute_type = ast::word;
    static bool const has_attribute = true;
    char const* name = "hex string";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        Iterator const end = scan_word(first, last);
        if (end == first) return false;
        std::string_view const text(first, static_cast<std::size_t>(end - first));
        auto& st = state(ctx);
        ast::word out;
        if (DefineValue const* def = is_keyword(text) ? nullptr : st.lookup_define(text)) {
            if (def->kind != DefineKind::word && def->kind != DefineKind::integer) return false;
            out.text = def->text;
        } else {
            if (is_keyword(text)) return false;  // `FO,nop`: nop is the next option, not a cookie
            out.text.assign(text);
        }
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// TCP flags: `-` (none), or letters, then an optional '.', then an optional AccECN ACE digit:
// `S`, `S.`, `.`, `P.`, `SEW`, `S.5`, `.2`.
struct flags_parser : x3::parser<flags_parser> {
    using attribute_type = ast::word;
    static bool const has_attribute = true;
    char const* name = "TCP flags";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        auto& st = state(ctx);
        Iterator p = first;
        std::string text;
        if (p != last && *p == '-' && (p + 1 == last || !is_word_char(p[1]))) {
            ++p;
            text = "-";
        } else {
            Iterator const word_end = scan_word(p, last);
            std::string_view const letters(p, static_cast<std::size_t>(word_end - p));
            DefineValue const* def =
                letters.empty() || is_keyword(letters) ? nullptr : st.lookup_define(letters);
            if (def && def->kind == DefineKind::word) {
                text = def->text;
                p = word_end;
            } else {
                while (p != last && is_letter(*p)) ++p;
                text.assign(first, p);
            }
            if (p != last && *p == '.' && !(p + 1 != last && p[1] == '.')) {
                ++p;
                text.push_back('.');
                if (p != last && is_digit(*p)) text.push_back(*p++);
            }
            if (text.empty()) return false;
            if (p != last && (is_word_char(*p) || *p == '.')) {
                // Something like `S.E` or `P.12`: take the whole run so the semantic check can
                // name it, rather than failing later on the sequence numbers.
                while (p != last && (is_word_char(*p) || *p == '.')) text.push_back(*p++);
            }
        }
        ast::word out;
        out.text = std::move(text);
        out.begin = st.offset(first);
        out.end = st.offset(p);
        first = p;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// "text" with C escapes (\n \t \r \f \v \\ \" \xhh), or a --define whose value was "quoted".
struct string_parser : x3::parser<string_parser> {
    using attribute_type = ast::string_literal;
    static bool const has_attribute = true;
    char const* name = "string";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        auto& st = state(ctx);
        ast::string_literal out;
        Iterator end;
        if (first != last && *first == '"') {
            end = scan_string(first, last, out.value);
        } else {
            Iterator const word_end = scan_word(first, last);
            std::string_view const text(first, static_cast<std::size_t>(word_end - first));
            DefineValue const* def =
                word_end == first || is_keyword(text) ? nullptr : st.lookup_define(text);
            if (!def || def->kind != DefineKind::string) return false;
            out.value = def->text;
            end = word_end;
        }
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }

    // Reads a quoted string starting at `open` (a '"'); returns the position after the closing quote.
    static char const* scan_string(char const* open, char const* last, std::string& value);
};

// `shell command`, or a --define whose value was `backquoted`. A backslash escapes the next
// character (kept as written, for the shell to interpret).
struct backquoted_parser : x3::parser<backquoted_parser> {
    using attribute_type = ast::backquoted;
    static bool const has_attribute = true;
    char const* name = "command";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        auto& st = state(ctx);
        ast::backquoted out;
        Iterator end;
        if (first != last && *first == '`') {
            Iterator p = first + 1;
            while (p != last && *p != '`') p += (*p == '\\' && p + 1 != last) ? 2 : 1;
            if (p == last) throw syntax_error(first, "unterminated command: missing closing '`'", 1);
            out.text.assign(first + 1, p);
            end = p + 1;
        } else {
            Iterator const word_end = scan_word(first, last);
            std::string_view const text(first, static_cast<std::size_t>(word_end - first));
            DefineValue const* def =
                word_end == first || is_keyword(text) ? nullptr : st.lookup_define(text);
            if (!def || def->kind != DefineKind::command) return false;
            out.text = def->text;
            end = word_end;
        }
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// %{ python code }%
struct code_parser : x3::parser<code_parser> {
    using attribute_type = ast::code_block;
    static bool const has_attribute = true;
    char const* name = "code block";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        if (last - first < 2 || first[0] != '%' || first[1] != '{') return false;
        auto& st = state(ctx);
        Iterator p = first + 2;
        while (last - p >= 2 && !(p[0] == '}' && p[1] == '%')) ++p;
        if (last - p < 2) throw syntax_error(first, "unterminated code block: missing closing '}%'", 2);
        Iterator b = first + 2, e = p;
        while (b != e && (*b == ' ' || *b == '\t')) ++b;
        while (e != b && (e[-1] == ' ' || e[-1] == '\t')) --e;
        ast::code_block out;
        out.text.assign(b, e);
        out.begin = st.offset(first);
        out.end = st.offset(p + 2);
        first = p + 2;
        x3::traits::move_to(out, attr);
        return true;
    }
};

// An IPv4 or IPv6 address literal (encapsulation headers). For IPv6 the address is the longest
// prefix of [0-9a-fA-F:.]+ that is an address, so `2001:db8::1:` leaves the ':' for the grammar.
struct address_parser : x3::parser<address_parser> {
    using attribute_type = ast::address;
    static bool const has_attribute = true;
    bool ipv6 = false;
    char const* name = "IP address";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        Iterator const end = scan_address(first, last, ipv6);
        if (!end) return false;
        auto& st = state(ctx);
        ast::address out;
        out.text.assign(first, end);
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }

    static char const* scan_address(char const* first, char const* last, bool ipv6);
};

// --name[=value]. The value runs to the next white space, except inside "..." or `...`; a value
// that is one quoted string loses its quotes (as packetdrill's STRING does).
struct option_line_parser : x3::parser<option_line_parser> {
    using attribute_type = ast::option_line;
    static bool const has_attribute = true;
    char const* name = "option";

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext&, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        if (last - first < 2 || first[0] != '-' || first[1] != '-') return false;
        auto& st = state(ctx);
        ast::option_line out;
        Iterator const end = scan(first, last, st, out);
        out.begin = st.offset(first);
        out.end = st.offset(end);
        first = end;
        x3::traits::move_to(out, attr);
        return true;
    }

    static char const* scan(char const* first, char const* last, ParseState const& st, ast::option_line& out);
};

// Guards recursion: brackets nested deeper than ParseState::max_depth are an error, not a crash.
// `|` chains count too: they recurse (a|b|c is a|(b|c)), and the model built from them is as deep
// as the chain is long, so a million operands would exhaust the stack of every later pass.
enum class Nesting { brackets, operands };

template <typename Subject>
struct nest_directive : x3::unary_parser<Subject, nest_directive<Subject>> {
    using base_type = x3::unary_parser<Subject, nest_directive<Subject>>;
    static bool const is_pass_through_unary = true;
    constexpr nest_directive(Subject const& subject, Nesting kind_) : base_type(subject), kind(kind_) {}
    Nesting kind;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext& rctx, Attribute& attr) const {
        auto& st = state(ctx);
        if (st.depth >= ParseState::max_depth) {
            Iterator p = first;
            x3::skip_over(p, last, ctx);
            std::string const limit = std::to_string(ParseState::max_depth);
            throw syntax_error(p, kind == Nesting::brackets
                                      ? "brackets nested too deeply (the limit is " + limit + " levels)"
                                      : "too many '|' in one expression (the limit is " + limit +
                                            ", counting enclosing brackets)",
                               1);
        }
        struct leave {
            int& depth;
            ~leave() { --depth; }
        } guard{++st.depth};
        return this->subject.parse(first, last, ctx, rctx, attr);
    }
};

// Records the byte range a rule's node was parsed from. X3's annotate_on_success cannot do this
// for rules built by semantic actions (it receives `unused` there), so each such rule wraps its
// definition: `auto const event_def = locate[time_spec >> ...];`. The rule's own attribute is the
// rcontext its definition is parsed with; for an expression, the node it holds.
template <typename Subject>
struct locate_directive : x3::unary_parser<Subject, locate_directive<Subject>> {
    using base_type = x3::unary_parser<Subject, locate_directive<Subject>>;
    static bool const is_pass_through_unary = true;
    constexpr locate_directive(Subject const& subject) : base_type(subject) {}

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext& rctx, Attribute& attr) const {
        x3::skip_over(first, last, ctx);
        Iterator const start = first;
        if (!this->subject.parse(first, last, ctx, rctx, attr)) return false;
        auto const& st = state(ctx);
        if constexpr (std::is_base_of_v<ast::located, RContext>) {
            rctx.begin = st.offset(start);
            rctx.end = st.offset(first);
        } else if constexpr (std::is_same_v<RContext, ast::expression>) {
            // An expression rule wrapping its node in delimiters (`{ ... }`): the node spans them.
            boost::apply_visitor(
                [&](auto& node) {
                    using Node = std::decay_t<decltype(node)>;
                    ast::located* l;
                    if constexpr (std::is_base_of_v<ast::located, Node>) l = &node;
                    else l = &node.get();
                    l->begin = st.offset(start);
                    l->end = st.offset(first);
                },
                rctx.get());
        }
        return true;
    }
};

struct locate_gen {
    template <typename Subject>
    constexpr locate_directive<typename x3::extension::as_parser<Subject>::value_type> operator[](Subject const& s) const {
        return {x3::as_parser(s)};
    }
};

inline constexpr locate_gen locate{};

struct nest_gen {
    Nesting kind;
    template <typename Subject>
    constexpr nest_directive<typename x3::extension::as_parser<Subject>::value_type> operator[](Subject const& s) const {
        return {x3::as_parser(s), kind};
    }
};

inline constexpr nest_gen nested{Nesting::brackets};
inline constexpr nest_gen chained{Nesting::operands};

// Ready-made token parsers.
inline constexpr word_parser word{{}, false, "word"};
inline constexpr word_parser identifier{{}, true, "name"};
inline constexpr number_parser integer{{}, false, "integer"};
inline constexpr number_parser time_number{{}, true, "time in seconds"};
inline constexpr blob_parser blob{};
inline constexpr flags_parser tcp_flags{};
inline constexpr string_parser string{};
inline constexpr backquoted_parser command{};
inline constexpr code_parser code{};
inline constexpr address_parser ipv4_address{{}, false, "IPv4 address"};
inline constexpr address_parser ipv6_address{{}, true, "IPv6 address"};
inline constexpr option_line_parser option_line{};

}  // namespace pktdrill::grammar::tokens

// What an expectation failure says it expected, for each token kind.
namespace boost::spirit::x3 {

#define PKTDRILL_TOKEN_INFO(Parser, expr)                                          \
    template <>                                                                    \
    struct get_info<pktdrill::grammar::tokens::Parser> {                           \
        using result_type = std::string;                                           \
        std::string operator()(pktdrill::grammar::tokens::Parser const& p) const { \
            return expr;                                                           \
        }                                                                          \
    };

PKTDRILL_TOKEN_INFO(keyword_parser, std::string("'") + p.text + "'")
PKTDRILL_TOKEN_INFO(word_parser, p.name)
PKTDRILL_TOKEN_INFO(number_parser, p.name)
PKTDRILL_TOKEN_INFO(blob_parser, p.name)
PKTDRILL_TOKEN_INFO(flags_parser, p.name)
PKTDRILL_TOKEN_INFO(string_parser, p.name)
PKTDRILL_TOKEN_INFO(backquoted_parser, p.name)
PKTDRILL_TOKEN_INFO(code_parser, p.name)
PKTDRILL_TOKEN_INFO(address_parser, p.name)
PKTDRILL_TOKEN_INFO(option_line_parser, p.name)

#undef PKTDRILL_TOKEN_INFO

}  // namespace boost::spirit::x3

namespace boost::spirit::x3 {

// A semantic action or a nesting guard expects what its subject expects.
template <typename Subject, typename Action>
struct get_info<action<Subject, Action>> {
    using result_type = std::string;
    std::string operator()(action<Subject, Action> const& p) const { return what(p.subject); }
};

template <typename Subject>
struct get_info<pktdrill::grammar::tokens::locate_directive<Subject>> {
    using result_type = std::string;
    std::string operator()(pktdrill::grammar::tokens::locate_directive<Subject> const& p) const {
        return what(p.subject);
    }
};

template <typename Subject>
struct get_info<pktdrill::grammar::tokens::nest_directive<Subject>> {
    using result_type = std::string;
    std::string operator()(pktdrill::grammar::tokens::nest_directive<Subject> const& p) const {
        return what(p.subject);
    }
};

}  // namespace boost::spirit::x3

namespace pktdrill::grammar::tokens {

// Forms of nplab's packetdrill fork that pktdrill does not support get an error naming them at
// their own location, not a generic syntax error further on.
struct unsupported_parser : x3::parser<unsupported_parser> {
    using attribute_type = x3::unused_type;
    static bool const has_attribute = false;
    char const* keyword;
    char const* message;

    template <typename Iterator, typename Context, typename RContext, typename Attribute>
    bool parse(Iterator& first, Iterator const& last, Context const& ctx, RContext& rctx, Attribute& attr) const {
        Iterator p = first;
        if (kw(keyword).parse(p, last, ctx, rctx, attr))
            throw syntax_error(p - std::strlen(keyword), message, static_cast<std::uint32_t>(std::strlen(keyword)));
        return false;
    }
};

constexpr unsupported_parser unsupported(char const* keyword, char const* message) {
    return unsupported_parser{{}, keyword, message};
}

}  // namespace pktdrill::grammar::tokens
