#include "src/lint/script_text.hpp"

#include <boost/variant/get.hpp>

#include "grammar/parse.hpp"
#include "grammar/parse_state.hpp"

namespace pktdrill::lint {

std::optional<ScriptText> load_with_text(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics,
                                         std::vector<script::OptionValue> const& settings) {
    auto loaded = script::load_script(file, diagnostics, settings);
    if (!loaded) return std::nullopt;
    ScriptText out;
    out.file = &file;
    out.loaded = std::move(*loaded);

    // The same --define table load_script lexed the events with: the final configuration's.
    grammar::Defines defines;
    for (auto const& [name, value] : out.loaded.config.defines) defines[name] = grammar::classify_define(value);
    grammar::Diagnostics again(file);  // the script loaded, so this parse reports nothing new
    auto const statements = grammar::parse_script(file, again, [&](auto const&) { return defines; });
    for (auto const& statement : statements) {
        if (auto const* e = boost::get<grammar::ast::event>(&statement)) out.events.push_back(*e);
        else if (auto const* o = boost::get<grammar::ast::option_line>(&statement)) out.options.push_back(*o);
    }
    // Every event that parsed was built (the script loaded without errors), so they pair up.
    if (out.events.size() != out.loaded.script.events.size()) out.events.clear();
    return out;
}

LineExtent line_of(std::string const& text, std::size_t offset) {
    LineExtent l;
    offset = std::min(offset, text.size());
    std::size_t const nl = offset == 0 ? std::string::npos : text.rfind('\n', offset - 1);
    l.begin = nl == std::string::npos ? 0 : nl + 1;
    l.indent_end = l.begin;
    while (l.indent_end < text.size() && (text[l.indent_end] == ' ' || text[l.indent_end] == '\t')) ++l.indent_end;
    std::size_t const end = text.find('\n', offset);
    l.next = end == std::string::npos ? text.size() : end + 1;
    return l;
}

std::size_t token_end(std::string const& text, std::size_t begin, std::size_t end) {
    end = std::min(end, text.size());
    std::size_t last = begin;  // after the last byte of a token
    std::size_t i = begin;
    auto closes = [&](char const* what) {
        std::size_t const n = std::char_traits<char>::length(what);
        std::size_t const at = text.find(what, i);
        i = at == std::string::npos || at + n > end ? end : at + n;
        last = i;
    };
    while (i < end) {
        char const c = text[i];
        if (c == '/' && i + 1 < end && text[i + 1] == '/') {
            std::size_t const nl = text.find('\n', i);
            i = nl == std::string::npos ? end : nl;
        } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
            std::size_t const close = text.find("*/", i + 2);
            i = close == std::string::npos ? end : close + 2;
        } else if (c == '"') {
            // A string runs to the next quote not escaped.
            std::size_t j = i + 1;
            while (j < end && text[j] != '"') j += text[j] == '\\' ? 2 : 1;
            i = std::min(j + 1, end);
            last = i;
        } else if (c == '`') {
            ++i;
            closes("`");
        } else if (c == '%' && i + 1 < end && text[i + 1] == '{') {
            i += 2;
            closes("}%");
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else {
            last = ++i;
        }
    }
    return last;
}

}  // namespace pktdrill::lint
