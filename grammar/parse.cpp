#include "grammar/parse.hpp"

#include <string>

#include "grammar/config.hpp"
#include "grammar/statement.hpp"

namespace pktdrill::grammar {

namespace {

namespace x3 = boost::spirit::x3;
using It = parser::iterator_type;

parser::statement_type const statement = "statement";

bool starts_option(It p, It end) { return end - p >= 2 && p[0] == '-' && p[1] == '-'; }

// Can a statement start here? Times, option lines and untimed commands can; continuation lines
// of a multi-line statement (`events=POLLIN}], 1, 0) = 1`) cannot.
bool starts_statement(It p, It end) {
    if (p == end) return false;
    char const c = *p;
    return tokens::is_digit(c) || c == '+' || c == '.' || c == '*' || c == '`' || starts_option(p, end);
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

// The start of the next line after `from` at which a statement can start.
It resync(It from, It end) {
    It p = from;
    for (;;) {
        while (p != end && *p != '\n') ++p;
        if (p == end) return end;
        ++p;
        It q = p;
        while (q != end && (*q == ' ' || *q == '\t' || *q == '\r')) ++q;
        if (starts_statement(q, end)) return q;
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
                                  "line (--name=value) or a `command`");
            }
        } catch (x3::expectation_failure<It> const& e) {
            It const at = anchor(e.where(), start, begin, end);
            failed_at = at;
            diagnostics.error(static_cast<std::size_t>(at - begin), "expected " + describe(e.which()));
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
