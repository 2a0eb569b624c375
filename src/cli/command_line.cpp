#include "src/cli/command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

namespace pktdrill::cli {

int parse_command_line(int argc, char** argv, CommandLine& out) {
    CLI::App app{"pktdrill: run packetdrill scripts against the Linux kernel, each in a private network "
                 "namespace.",
                 "pktdrill"};
    app.set_version_flag("--version", "pktdrill 0.1");
    app.allow_windows_style_options(false);

    bool check = false, dump = false;
    app.add_flag("--check", check, "parse and check the scripts without running them (no root needed)");
    app.add_flag("--dump", dump, "print each script's normalized event list (implies --check)");

    for (auto const& spec : script::option_table()) {
        std::string names = "--" + std::string(spec.name);
        if (spec.short_name) names = "-" + std::string(1, spec.short_name) + "," + names;
        std::string const name(spec.name);
        if (spec.arg == script::OptionArg::none) {
            app.add_flag_function(
                names, [&out, name](std::int64_t count) {
                    for (std::int64_t i = 0; i < count; ++i) out.settings.push_back({name, std::nullopt});
                },
                std::string(spec.help));
        } else {
            app.add_option_function<std::vector<std::string>>(
                   names, [&out, name](std::vector<std::string> const& values) {
                       for (auto const& v : values) out.settings.push_back({name, v});
                   },
                   std::string(spec.help))
                ->type_name("VALUE")
                ->allow_extra_args(false)
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        }
    }
    app.add_option("scripts", out.scripts, "packetdrill scripts (.pkt)")->type_name("SCRIPT");

    try {
        app.parse(argc, argv);
    } catch (CLI::ParseError const& e) {
        int const status = app.exit(e);
        return status == 0 ? exit_ok : exit_invalid;
    }

    // Validate every setting once, so a bad flag is a usage error before any script is read.
    script::Config scratch;
    for (auto const& setting : out.settings) {
        std::string const error = script::apply_option(scratch, setting);
        if (!error.empty()) {
            std::cerr << "pktdrill: error: --" << setting.name << ": " << error << "\n";
            return exit_invalid;
        }
    }
    if (scratch.dry_run) check = true;
    out.mode = dump ? Mode::dump : check ? Mode::check : Mode::run;
    if (out.scripts.empty()) {
        std::cerr << "pktdrill: error: no script given (usage: pktdrill [options] script.pkt...)\n";
        return exit_invalid;
    }
    return -1;
}

}  // namespace pktdrill::cli
