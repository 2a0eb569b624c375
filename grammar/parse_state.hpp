#pragma once
// What every rule can reach through the X3 context (under x3::error_handler_tag): the source,
// the --define table, and a nesting counter that keeps deeply nested input off the stack's end.

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "grammar/ast.hpp"
#include "grammar/source.hpp"

namespace pktdrill::grammar {

// How packetdrill's lexer classifies a --define value when it substitutes it for a word.
enum class DefineKind { integer, string, command, word };

struct DefineValue {
    DefineKind kind = DefineKind::word;
    std::string text;  // integer: canonical decimal or 0x-hex; string/command: without delimiters
};

using Defines = std::map<std::string, DefineValue, std::less<>>;

// Classifies a NAME=VALUE right-hand side the way packetdrill's lexer does: "..." is a string,
// `...` a command, anything strtol(base 0) reads entirely an integer, the rest a word.
DefineValue classify_define(std::string const& value);

// A syntax error that is not an "expected X" (unterminated comments, strings, commands, code,
// too deep nesting, stray bytes): the message is complete as it stands.
// It carries a pointer into the source because the skipper, which can throw it, runs without
// the parse state.
struct syntax_error : std::runtime_error {
    syntax_error(char const* where_, std::string const& message, std::uint32_t length_ = 0)
        : std::runtime_error(message), where(where_), length(length_) {}
    char const* where;
    std::uint32_t length;
};

struct ParseState {
    SourceFile const& file;
    Defines const* defines = nullptr;
    int depth = 0;
    static constexpr int max_depth = 64;

    std::uint32_t offset(char const* p) const { return static_cast<std::uint32_t>(p - file.begin()); }

    DefineValue const* lookup_define(std::string_view name) const {
        if (!defines) return nullptr;
        auto it = defines->find(name);
        return it == defines->end() ? nullptr : &it->second;
    }

    // Called by x3::annotate_on_success for every annotated rule.
    template <typename Node>
    void tag(Node& node, char const* first, char const* last) const {
        if constexpr (std::is_base_of_v<ast::located, Node>) {
            node.begin = offset(first);
            node.end = offset(last);
        }
    }
};

}  // namespace pktdrill::grammar
