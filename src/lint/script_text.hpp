#pragma once
// A loaded script together with where its events stand in the text: lint points its warnings and
// fix-its at exact tokens, and record rewrites the `>` lines and inserts new ones between the
// others, leaving every other byte as it was.

#include <optional>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/script/build.hpp"

namespace pktdrill::lint {

struct ScriptText {
    grammar::SourceFile const* file = nullptr;
    script::LoadedScript loaded;
    std::vector<grammar::ast::event> events;          // parallel to loaded.script.events
    std::vector<grammar::ast::option_line> options;   // as written, in order
};

// Loads the script (errors go to `diagnostics`; nothing is returned when there is one), then
// parses it once more for the source ranges the model does not keep.
std::optional<ScriptText> load_with_text(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics,
                                         std::vector<script::OptionValue> const& settings);

// Offsets of the line holding `offset`: its first byte, the first byte that is not a blank, and
// the byte after its line end (the next line's first byte, or the end of the text).
struct LineExtent {
    std::size_t begin = 0;
    std::size_t indent_end = 0;
    std::size_t next = 0;
};
LineExtent line_of(std::string const& text, std::size_t offset);

// Where the text of the node [begin, end) really ends. The parser's end of a node that ends in
// an optional part lies after the white space and comments that were skipped looking for it
// (up to the next line's first token); this is the end of its last token.
std::size_t token_end(std::string const& text, std::size_t begin, std::size_t end);

}  // namespace pktdrill::lint
