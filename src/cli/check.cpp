// --check and --dump: parse and check scripts, without root, network or side effects.

#include <iostream>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/cli/modes.hpp"
#include "src/script/build.hpp"
#include "src/script/render.hpp"

namespace pktdrill::cli {

namespace {

// Loads one script, printing its diagnostics; empty when it is invalid.
std::optional<script::LoadedScript> load(std::string const& path, CommandLine const& command_line) {
    grammar::SourceFile file = [&] {
        try {
            return grammar::SourceFile::read(path);
        } catch (Error const& e) {
            std::cerr << "pktdrill: error: " << e.what() << "\n";
            throw;
        }
    }();
    grammar::Diagnostics diagnostics(file);
    auto loaded = script::load_script(file, diagnostics, command_line.settings);
    diagnostics.print(std::cerr);
    return loaded;
}

}  // namespace

int check_scripts(CommandLine const& command_line) {
    int status = exit_ok;
    for (auto const& path : command_line.scripts) {
        try {
            if (!load(path, command_line)) status = exit_invalid;
        } catch (Error const&) {
            status = exit_invalid;
        }
    }
    return status;
}

int dump_scripts(CommandLine const& command_line) {
    int status = exit_ok;
    for (auto const& path : command_line.scripts) {
        try {
            if (auto loaded = load(path, command_line)) std::cout << script::dump(loaded->script);
            else status = exit_invalid;
        } catch (Error const&) {
            status = exit_invalid;
        }
    }
    return status;
}

}  // namespace pktdrill::cli
