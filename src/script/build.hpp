#pragma once
// Loading a script: parse it, apply its option lines and the command line's, and turn the parse
// tree into the typed model with the semantic checks packetdrill makes (each with its own message
// and location). Nothing here touches the network or needs root.

#include <optional>
#include <vector>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/script/config.hpp"
#include "src/script/model.hpp"

namespace pktdrill::script {

struct LoadedScript {
    Script script;
    Config config;  // the script's option lines, then the command line's settings
};

// Parses and checks `file`. Problems are reported to `diagnostics`; the result is empty when there
// was any error. `command_line` settings must already be valid (the command line checks them).
std::optional<LoadedScript> load_script(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics,
                                        std::vector<OptionValue> const& command_line);

}  // namespace pktdrill::script
