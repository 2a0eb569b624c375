#pragma once
// The parser's entry point: one statement per X3 call, so that after a syntax error the parser
// resumes at the next line that can start a statement and independent errors are all reported.

#include <functional>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/diagnostics.hpp"
#include "grammar/parse_state.hpp"
#include "grammar/source.hpp"

namespace pktdrill::grammar {

// Called once, when the option lines at the top of the script have been read and before anything
// else is parsed; returns the --define table that applies from there on (the command line's
// defines and the script's own, as the caller decides).
using OptionsDone = std::function<Defines(std::vector<ast::option_line> const&)>;

// Parses a whole script. Errors go to `diagnostics`; the statements that parsed are returned
// either way, in order.
std::vector<ast::statement> parse_script(SourceFile const& file, Diagnostics& diagnostics,
                                         OptionsDone const& options_done = {});

}  // namespace pktdrill::grammar
