#include "grammar/parse.hpp"

#include <cstdio>
#include <string>
#include <string_view>

#include "grammar/config.hpp"
#include "grammar/statement.hpp"

namespace pktdrill::grammar {

namespace {

namespace x3 = boost::spirit::x3;
using It = parser::iterator_type;

parser::statement_type const statement = "statement";

bool starts_option(It p, It end) { return end - p >= 2 && p[0] == '-' && p[1] == '-'; }

// Skips a time as the grammar reads one: [+]digits[.digits] or [+].digits. Returns p when there
// is none.
It skip_time(It p, It end) {
    It q = p;
    if (q != end && *q == '+') ++q;
    It const digits = q;
    while (q != end && tokens::is_digit(*q)) ++q;
    if (q != end && *q == '.' && q + 1 != end && tokens::is_digit(q[1])) {
        for (++q; q != end && tokens::is_digit(*q);) ++q;
    }
    return q == digits ? p : q;
}

// Can a statement start here? Option lines and untimed commands can, and so can a time followed
// by what starts an action (`0 close(`, `+.1 <`, `*  >`, `0.1~0.2 >`, `0...1 read(`).
// Continuation lines of a multi-line statement (`1, 0) = 1`, `1:1(0) ack 1`) cannot: resuming
// there after an error would only report the rest of the broken statement again.
bool starts_statement(It p, It end) {
    if (p == end) return false;
    if (*p == '`' || starts_option(p, end)) return true;
    It q = p;
    if (*q == '*') {
        ++q;
    } else {
        q = skip_time(p, end);
        if (q == p) return false;
        if (q != end && *q == '~') {
            It const r = skip_time(q + 1, end);
            if (r == q + 1) return false;
            q = r;
        }
        if (end - q >= 3 && q[0] == '.' && q[1] == '.' && q[2] == '.') {
            It const r = skip_time(q + 3, end);
            if (r == q + 3) return false;
            q = r;
        }
    }
    It const after_time = q;
    while (q != end && tokens::is_space(*q)) ++q;
    if (q == end) return false;
    char const c = *q;
    bool const separated = q != after_time;
    return c == '<' || c == '>' || c == '`' || c == '%' || (separated && (tokens::is_letter(c) || c == '_'));
}

// Skips white space and comments; an unterminated comment ends the scan at the end of the file.
It skip_blanks(It p, It end) {
    try {
        tokens::skip(p, end);
    } catch (syntax_error const&) {
        return end;
    }
    return p;
}

// Where resync looks for the ends of comments, strings, commands and code blocks, so that a line
// inside one is not taken for the start of a statement.
class SpanSkipper {
public:
    explicit SpanSkipper(It end) : end_(end) {}

    // The end of the span that starts at p, or nullptr when none starts there or it is not
    // closed. Once a kind of span is found unclosed its later openings count as plain text: that
    // is good enough to find a line to resume at, and keeps resync linear on any input.
    It end_of_span(It p) {
        if (end_ - p >= 2 && p[0] == '/' && p[1] == '*') return find(p + 2, "*/", false, 0);
        if (end_ - p >= 2 && p[0] == '%' && p[1] == '{') return find(p + 2, "}%", false, 1);
        if (*p == '"') return find(p + 1, "\"", true, 2);
        if (*p == '`') return find(p + 1, "`", true, 3);
        return nullptr;
    }

private:
    It find(It from, std::string_view close, bool escapes, int kind) {
        if (unclosed_[kind]) return nullptr;
        for (It q = from; q != end_; ++q) {
            if (escapes && *q == '\\') {
                if (++q == end_) break;
                continue;
            }
            if (static_cast<std::size_t>(end_ - q) >= close.size() && std::string_view(q, close.size()) == close)
                return q + close.size();
        }
        unclosed_[kind] = true;
        return nullptr;
    }

    It end_;
    bool unclosed_[4] = {};
};

// The start of the next line after `from` at which a statement can start. An unterminated /*
// comment on the way is returned, so that the driver reports it (unless it is where the parse
// failed, and so already reported).
It resync(It from, It end) {
    SpanSkipper spans(end);
    It p = from;
    for (;;) {
        while (p != end && *p != '\n') {
            if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
                while (p != end && *p != '\n') ++p;
                break;
            }
            if (It const span_end = spans.end_of_span(p)) {
                p = span_end;
                continue;
            }
            if (end - p >= 2 && p[0] == '/' && p[1] == '*') return p == from ? end : p;
            ++p;
        }
        if (p == end) return end;
        ++p;
        It q = p;
        while (q != end && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
        if (starts_statement(q, end)) return q;
        p = q;
    }
}

// Where to put the caret for "expected X" (the parser may report the position before or after
// the white space that follows the last good token): at the next token when it is on the same
// line, or just past the last token when the expected thing is missing at the end of a line.
It anchor(It where, It statement_start, It begin, It end) {
    It const next = skip_blanks(where, end);
    It prev = where;
    while (prev > statement_start && tokens::is_space(prev[-1])) --prev;
    if (prev <= statement_start) return next;
    if (next == end) return prev;
    for (It p = prev; p < next; ++p)
        if (*p == '\n') return prev;
    (void)begin;
    return next;
}

// X3 names what it expected after the rule or literal it failed on; anything else would print a
// mangled type name, which no user should see.
std::string describe(std::string const& which) {
    if (which.find("boost") != std::string::npos || which.find("spirit") != std::string::npos)
        return "a valid continuation of this statement";
    return which;
}

// The caret line shows control bytes as '?', so an error at one says which byte it is.
std::string found(It at, It end) {
    if (at == end) return {};
    auto const c = static_cast<unsigned char>(*at);
    if (c == 0) return ", found a NUL byte";
    if ((c < 0x20 && !tokens::is_space(static_cast<char>(c))) || c == 0x7f) {
        char buf[48];
        std::snprintf(buf, sizeof buf, ", found control byte 0x%02x", c);
        return buf;
    }
    return {};
}

}  // namespace

std::vector<ast::statement> parse_script(SourceFile const& file, Diagnostics& diagnostics,
                                         OptionsDone const& options_done) {
    std::vector<ast::statement> out;
    Defines defines;
    ParseState state{file, &defines};
    auto const rule = x3::with<x3::error_handler_tag>(std::ref(state))[statement];

    It const begin = file.begin();
    It const end = file.end();
    It it = begin;
    bool options_finished = false;
    std::vector<ast::option_line> options;

    auto finish_options = [&] {
        if (options_finished) return;
        options_finished = true;
        if (options_done) defines = options_done(options);
    };

    while (true) {
        try {
            tokens::skip(it, end);
        } catch (syntax_error const& e) {
            diagnostics.error(static_cast<std::size_t>(e.where - begin), e.what(), e.length);
            break;
        }
        if (it == end) break;
        if (!starts_option(it, end)) finish_options();

        It const start = it;
        It failed_at = start;
        ast::statement s;
        try {
            if (x3::phrase_parse(it, end, rule, tokens::skipper, s, x3::skip_flag::dont_post_skip)) {
                if (auto const* opt = boost::get<ast::option_line>(&s); opt && !options_finished)
                    options.push_back(*opt);
                out.push_back(std::move(s));
                continue;
            }
            if (*start == '#') {
                It p = start + 1;
                It const w = tokens::scan_word(p, end);
                std::string const directive(p, w);
                diagnostics.error(static_cast<std::size_t>(start - begin),
                                  "'#" + directive + "' is not supported by pktdrill (preprocessor "
                                  "directives come from nplab's packetdrill fork)",
                                  static_cast<std::size_t>(w - start));
            } else {
                diagnostics.error(static_cast<std::size_t>(start - begin),
                                  "expected a statement: a time (such as 0, 0.100 or +.1), an option "
                                  "line (--name=value) or a `command`" + found(start, end));
            }
        } catch (x3::expectation_failure<It> const& e) {
            It const at = anchor(e.where(), start, begin, end);
            failed_at = at;
            diagnostics.error(static_cast<std::size_t>(at - begin), "expected " + describe(e.which()) + found(at, end));
        } catch (syntax_error const& e) {
            failed_at = e.where;
            diagnostics.error(static_cast<std::size_t>(e.where - begin), e.what(), e.length);
        }
        if (diagnostics.error_limit_reached()) {
            diagnostics.stop_at_limit();
            break;
        }
        it = resync(failed_at > start ? failed_at : start, end);
    }
    finish_options();
    return out;
}

}  // namespace pktdrill::grammar
