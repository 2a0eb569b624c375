#pragma once
// The command line, parsed with CLI11 from the same option table a script's option lines use,
// so every packetdrill flag is spelled as packetdrill spells it (`--tolerance_usecs=4000`, `-D
// NAME=VALUE`, `-v`).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "src/script/config.hpp"

namespace CLI {
class App;
}

namespace pktdrill::cli {

enum class Mode {
    run,    // run the scripts against the kernel
    check,  // --check / --dry_run: parse and check only
    dump,   // --dump: print the normalized event list
};

struct CommandLine {
    Mode mode = Mode::run;
    std::vector<std::string> scripts;
    std::vector<script::OptionValue> settings;  // in the order given
    // Set by a subcommand (`pktdrill run ...`): what to do instead of the modes above.
    std::function<int()> command;
};

// Adds packetdrill's flags (the option table) to a CLI11 app; what is given lands in `settings`.
void add_packetdrill_options(CLI::App& app, std::vector<script::OptionValue>& settings);
// Checks settings as the command line gave them; prints the problem and returns false if one is bad.
bool validate_settings(std::vector<script::OptionValue> const& settings);

// Parses argv into `app`. Empty when parsing succeeded; otherwise the exit status once CLI11 has
// printed what was asked for (--help: exit_ok) or what was wrong (exit_invalid).
std::optional<int> parse_or_exit(CLI::App& app, int argc, char const* const* argv);

// Exit statuses, as packetdrill's users rely on them (0 and 1), plus our own.
inline constexpr int exit_ok = 0;
inline constexpr int exit_failed = 1;        // a script ran and failed
inline constexpr int exit_invalid = 2;       // usage error or invalid script
inline constexpr int exit_interrupted = 130; // SIGINT/SIGTERM ended the run (128 + SIGINT, as shells report)

// Parses argv. On --help/--version it prints and returns the exit status to use; on a usage
// error it prints the problem and returns exit_invalid; otherwise it returns -1 and fills `out`.
int parse_command_line(int argc, char** argv, CommandLine& out);

}  // namespace pktdrill::cli
