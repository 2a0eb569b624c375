// `pktdrill lint [-Wcheck | -Wno-check | -Weverything] [--fix] [packetdrill flags] SCRIPT...`:
// static warnings with fix-its (src/lint/lint.hpp). Exit status 0 without warnings, 1 with
// warnings (with --fix: warnings the fixed scripts still have), 2 when a script does not load.

#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "grammar/diagnostics.hpp"
#include "src/base/error.hpp"
#include "src/cli/authoring.hpp"
#include "src/lint/lint.hpp"

namespace pktdrill::cli {

namespace {

struct LintRequest {
    std::vector<std::string> scripts;
    lint::LintOptions options;
    bool fix = false;
};

int lint_scripts(LintRequest const& request) {
    int status = exit_ok;
    for (auto const& path : request.scripts) {
        std::optional<grammar::SourceFile> file;
        try {
            file.emplace(grammar::SourceFile::read(path));
        } catch (Error const& e) {
            std::cerr << "pktdrill: error: " << e.what() << "\n";
            status = exit_invalid;
            continue;
        }
        grammar::Diagnostics diagnostics(*file);
        auto const result = lint::lint_script(*file, diagnostics, request.options);
        diagnostics.print(std::cerr);
        if (!result.loaded) {
            status = exit_invalid;
            continue;
        }
        for (auto const& f : result.findings) lint::print_finding(std::cerr, *file, f);
        std::size_t remaining = result.findings.size();
        if (request.fix) {
            std::vector<grammar::FixIt> fixes;
            for (auto const& f : result.findings)
                if (f.diagnostic.fix) fixes.push_back(*f.diagnostic.fix);
            if (!fixes.empty()) {
                std::string const fixed = lint::apply_fixes(file->text(), fixes);
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out << fixed;
                out.close();
                if (!out) {
                    std::cerr << "pktdrill: error: cannot write " << path << "\n";
                    status = exit_invalid;
                    continue;
                }
                // What is left is what the fixed script says, fix-its can uncover others.
                grammar::SourceFile const again(path, fixed);
                grammar::Diagnostics quiet(again);
                remaining = lint::lint_script(again, quiet, request.options).findings.size();
                std::cerr << path << ": applied " << fixes.size() << " fix-it" << (fixes.size() == 1 ? "" : "s") << "; "
                          << remaining << " warning" << (remaining == 1 ? "" : "s") << " left\n";
            }
        }
        if (remaining && status == exit_ok) status = exit_failed;
    }
    return status;
}

}  // namespace

int parse_lint_command(int argc, char** argv, CommandLine& out) {
    std::string description =
        "pktdrill lint: warn about script lines that load but will not test what they seem to, with the reason "
        "and, where it can be worked out, a fix-it. Exit status 0 without warnings, 1 with warnings, 2 when a "
        "script does not load.\n\nChecks (-Wname enables, -Wno-name disables, -Weverything enables all):";
    for (auto const& c : lint::checks())
        description += "\n  " + std::string(c.name) + (c.on_by_default ? "" : " (off by default)") + ": " +
                       std::string(c.summary);
    CLI::App app{description, "pktdrill lint"};
    app.allow_windows_style_options(false);
    LintRequest request;
    std::vector<std::string> switches;
    std::optional<std::int64_t> tick;
    add_packetdrill_options(app, out.settings);
    app.add_flag("--fix", request.fix, "apply the fix-its to the scripts, in place");
    app.add_option("-W", switches, "NAME, no-NAME or everything: enable or disable checks")
        ->type_name("CHECK")
        ->allow_extra_args(false);
    app.add_option("--timer_tick_usecs", tick,
                   "the kernel timer tick to check tolerances against (default: this machine's, " +
                       std::to_string(lint::kernel_tick_usecs()) + ")");
    app.add_option("scripts", request.scripts, "packetdrill scripts (.pkt)")->type_name("SCRIPT")->required();
    if (auto const status = parse_or_exit(app, argc, argv)) return *status;
    if (!validate_settings(out.settings)) return exit_invalid;
    for (auto const& s : switches) {
        bool const on = s.rfind("no-", 0) != 0;
        std::string const name = on ? s : s.substr(3);
        if (name == "everything") {
            request.options.everything = on;
            continue;
        }
        bool const known = std::any_of(lint::checks().begin(), lint::checks().end(),
                                       [&](lint::CheckInfo const& c) { return c.name == name; });
        if (!known) {
            std::cerr << "pktdrill lint: error: unknown check '" << name << "' (pktdrill lint --help lists them)\n";
            return exit_invalid;
        }
        request.options.switches[name] = on;
    }
    request.options.settings = out.settings;
    request.options.tick_usecs = tick;
    out.command = [request] { return lint_scripts(request); };
    return -1;
}

}  // namespace pktdrill::cli
