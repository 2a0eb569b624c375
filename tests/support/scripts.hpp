#pragma once
// Loading scripts from text in tests, and finding the shared packetdrill corpus.

#include <filesystem>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "grammar/ast.hpp"
#include "grammar/parse_state.hpp"
#include "src/script/build.hpp"

namespace pktdrill::test {

// One reported error, as a test asserts it: where and what (`fatal error` lines have line 0).
struct Problem {
    int line = 0;
    int column = 0;
    std::string message;
    friend bool operator==(Problem const&, Problem const&) = default;
};
std::ostream& operator<<(std::ostream& out, Problem const& p);

// packetdrill-style arguments (`--ip_version=ipv6`, `-D`, `NAME=VALUE`, `-DNAME=VALUE`, `--flag`)
// as the command line would hand them to load_script.
std::vector<script::OptionValue> settings_from_args(std::vector<std::string> const& args);

struct Loaded {
    std::optional<script::LoadedScript> loaded;
    std::vector<Problem> errors;  // errors and fatal errors, in the order reported
    std::string printed;          // every diagnostic as pktdrill prints it
};

// load_script on `text`, as a file named test.pkt.
Loaded load_text(std::string const& text, std::vector<std::string> const& args = {});

// The script, or an exception carrying the printed diagnostics (so a failing test shows them).
script::Script load_ok(std::string const& text, std::vector<std::string> const& args = {});

// The errors of a script that must not load.
std::vector<Problem> load_errors(std::string const& text, std::vector<std::string> const& args = {});

// The parser alone (no semantic pass): the statements it returned and the errors it reported.
// `defines` is the --define table in force after the option lines.
struct Parsed {
    std::vector<grammar::ast::statement> statements;
    std::vector<Problem> errors;
    std::string printed;
};
Parsed parse_text(std::string const& text, grammar::Defines const& defines = {});

// ../shared, when it is present with its corpus.
std::optional<std::filesystem::path> shared_dir();

// One run of reference-verdicts.tsv: a script (relative to corpus/packetdrill), the ip version it
// was run with, the reference's verdict and its first error line.
struct ReferenceRun {
    std::string script;
    std::string ip_version;
    std::string verdict;
    std::string error;
};
std::vector<ReferenceRun> reference_runs(std::filesystem::path const& shared);

// reference-args.tsv: the arguments of each ip version, split at white space.
std::map<std::string, std::vector<std::string>> reference_args(std::filesystem::path const& shared);

// Every .pkt below `dir`, sorted.
std::vector<std::filesystem::path> scripts_below(std::filesystem::path const& dir);

std::string read_file(std::filesystem::path const& path);

}  // namespace pktdrill::test
