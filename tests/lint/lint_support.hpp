#pragma once
// Linting script text in tests: which checks fired on which lines, and the text with the fix-its
// applied.

#include <sstream>
#include <string>
#include <vector>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/lint/lint.hpp"
#include "tests/support/scripts.hpp"

namespace pktdrill::test {

struct Linted {
    bool loaded = false;
    std::vector<lint::Finding> findings;
    std::string text;
    std::string printed;  // every finding as pktdrill lint prints it

    // "check@line" for each finding, in order.
    std::vector<std::string> fired() const {
        std::vector<std::string> out;
        for (auto const& f : findings) out.push_back(f.check + "@" + std::to_string(f.diagnostic.where.line));
        return out;
    }
    std::string fixed() const {
        std::vector<grammar::FixIt> fixes;
        for (auto const& f : findings)
            if (f.diagnostic.fix) fixes.push_back(*f.diagnostic.fix);
        return lint::apply_fixes(text, fixes);
    }
};

// Lints `text` as test.pkt, with a 4 ms kernel tick (HZ=250, this project's VM) unless the options
// say otherwise, so that the verdicts do not depend on the machine.
inline Linted lint_text(std::string const& text, std::vector<std::string> const& args = {},
                        lint::LintOptions options = {}) {
    Linted out;
    out.text = text;
    grammar::SourceFile const file("test.pkt", text);
    grammar::Diagnostics diagnostics(file);
    options.settings = settings_from_args(args);
    if (!options.tick_usecs) options.tick_usecs = 4000;
    auto result = lint::lint_script(file, diagnostics, options);
    out.loaded = result.loaded;
    out.findings = std::move(result.findings);
    std::ostringstream printed;
    diagnostics.print(printed);
    for (auto const& f : out.findings) lint::print_finding(printed, file, f);
    out.printed = printed.str();
    return out;
}

}  // namespace pktdrill::test
