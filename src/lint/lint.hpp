#pragma once
// `pktdrill lint`: warnings about scripts that load but will not test what they seem to, each
// with its location, why it matters and, where the right text can be worked out, a fix-it.
//
// The checks read the script the way a run would: one connection model per socket under test
// (what the kernel can have sent by each line, what the peer sent), the timing rules of
// reference E, and the tables the run resolves calls and symbols with. Each check has a name
// (`-Wack-missing`); all are on by default but `open-socket`, which most good packetdrill tests
// would trip (packetdrill resets the connections itself at the end).

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/script/config.hpp"

namespace pktdrill::lint {

struct CheckInfo {
    std::string_view name;
    bool on_by_default;
    std::string_view summary;
};

// Every check, in the order of `pktdrill lint --list-checks`.
std::span<CheckInfo const> checks();

struct LintOptions {
    std::vector<script::OptionValue> settings;          // packetdrill's flags (-D, --ip_version ...)
    std::map<std::string, bool, std::less<>> switches;  // -Wname / -Wno-name
    bool everything = false;                            // -Weverything
    // The kernel's timer tick, the finest tolerance timers can hold; this machine's when empty.
    std::optional<std::int64_t> tick_usecs;

    bool enabled(std::string_view check) const;
};

struct Finding {
    std::string check;               // its name, as -W takes it
    grammar::Diagnostic diagnostic;  // a warning; its fix-it, if any, applies to the script's text
};

struct LintResult {
    bool loaded = false;  // false: the script has errors (reported), nothing was checked
    std::vector<Finding> findings;
};

// Lints one script. Errors that keep it from loading go to `diagnostics`.
LintResult lint_script(grammar::SourceFile const& file, grammar::Diagnostics& diagnostics,
                       LintOptions const& options);

// In the clang style: `file:line:col: warning: message [-Wcheck]`, the line, the caret, and the
// fix-it under it (a whole line to add is shown after "fix-it: add after line N:").
void print_finding(std::ostream& out, grammar::SourceFile const& file, Finding const& finding);

// The text with the fix-its applied. Where two would touch the same bytes, the first one wins.
std::string apply_fixes(std::string const& text, std::vector<grammar::FixIt> fixes);

// One tick of the kernel's timers (CLOCK_MONOTONIC_COARSE's resolution, 1/HZ): retransmission,
// delayed-ACK and probe timers fire on ticks, so a tolerance below it fails timer-driven packets
// at random.
std::int64_t kernel_tick_usecs();

}  // namespace pktdrill::lint
