#include "src/cli/command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "src/cli/subcommands.hpp"

namespace pktdrill::cli {

void add_packetdrill_options(CLI::App& app, std::vector<script::OptionValue>& settings) {
    for (auto const& spec : script::option_table()) {
        std::string names = "--" + std::string(spec.name);
        if (spec.short_name) names = "-" + std::string(1, spec.short_name) + "," + names;
        std::string const name(spec.name);
        if (spec.arg == script::OptionArg::none) {
            app.add_flag_function(
                names, [&settings, name](std::int64_t count) {
                    for (std::int64_t i = 0; i < count; ++i) settings.push_back({name, std::nullopt});
                },
                std::string(spec.help));
        } else {
            app.add_option_function<std::vector<std::string>>(
                   names, [&settings, name](std::vector<std::string> const& values) {
                       for (auto const& v : values) settings.push_back({name, v});
                   },
                   std::string(spec.help))
                ->type_name("VALUE")
                ->allow_extra_args(false)
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        }
    }
}

bool validate_settings(std::vector<script::OptionValue> const& settings) {
    script::Config scratch;
    for (auto const& setting : settings) {
        std::string const error = script::apply_option(scratch, setting);
        if (!error.empty()) {
            std::cerr << "pktdrill: error: --" << setting.name << ": " << error << "\n";
            return false;
        }
    }
    return true;
}

std::optional<int> parse_or_exit(CLI::App& app, int argc, char const* const* argv) {
    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) {
        int const status = app.exit(e);
        return status == 0 ? exit_ok : exit_invalid;
    }
    return std::nullopt;
}

int parse_command_line(int argc, char** argv, CommandLine& out) {
    if (argc > 1)
        for (auto const& sub : subcommands())
            if (sub.name == argv[1]) return sub.parse(argc - 1, argv + 1, out);

    std::string description = "pktdrill: run packetdrill scripts against the Linux kernel, each in a private network "
                              "namespace.";
    if (!subcommands().empty()) {
        description += "\n\nSubcommands (pktdrill SUBCOMMAND --help for theirs):";
        for (auto const& sub : subcommands())
            description += "\n  " + std::string(sub.name) + "  " + std::string(sub.summary);
    }
    CLI::App app{description, "pktdrill"};
    app.set_version_flag("--version", "pktdrill 0.1");
    app.allow_windows_style_options(false);

    bool check = false, dump = false;
    app.add_flag("--check", check, "parse and check the scripts without running them (no root needed)");
    app.add_flag("--dump", dump, "print each script's normalized event list (implies --check)");
    add_packetdrill_options(app, out.settings);
    app.add_option("scripts", out.scripts, "packetdrill scripts (.pkt)")->type_name("SCRIPT");

    if (auto const status = parse_or_exit(app, argc, argv)) return *status;

    // Validate every setting once, so a bad flag is a usage error before any script is read.
    if (!validate_settings(out.settings)) return exit_invalid;
    script::Config scratch;
    for (auto const& setting : out.settings) script::apply_option(scratch, setting);
    if (scratch.dry_run) check = true;
    out.mode = dump ? Mode::dump : check ? Mode::check : Mode::run;
    if (out.scripts.empty()) {
        std::cerr << "pktdrill: error: no script given (usage: pktdrill [options] script.pkt...)\n";
        return exit_invalid;
    }
    return -1;
}

}  // namespace pktdrill::cli
