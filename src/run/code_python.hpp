#pragma once
// The Python path of `%{ }%` code, as packetdrill takes it (reference A.5, D.6): every snippet,
// each preceded by the snapshot taken at its event, goes into one generated file that
// --code_command (default python3) runs once, after the script.
//
// The generated file has packetdrill's layout, so that a snippet sees the same names and a
// traceback reads the same:
//   a preamble installing an excepthook that prints "<script>:<line>: error in Python code"
//   before the traceback; then per snippet: the constants and tcpi_* assignments, a blank line,
//   the TCP_CC_INFO assignments, a blank line, the SK_MEMINFO_* assignments, a blank line,
//   `_file = '<script path>'`, `_line = <event line>`, the snippet's text and two blank lines.
//
// Unlike packetdrill's system(), the interpreter runs through run_command: in its own PID
// namespace (nothing it starts outlives it), interruptible by Ctrl-C, with a time limit, with
// standard input from /dev/null (an input() cannot wait forever) and its standard output and
// error captured, so that the output keeps its place among pktdrill's and the traceback becomes
// the error's details.

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "src/run/code_snapshot.hpp"
#include "src/run/command.hpp"

namespace pktdrill::run {

class Interrupts;

struct CodeSnippet {
    std::string text;  // between %{ and }%, spaces and tabs at both ends removed
    int line = 0;      // the event's line (packetdrill's _line)
    CodeSnapshot snapshot;
};

struct PythonProgram {
    std::string text;
    // Per snippet, the 1-based line of the generated file where its text starts.
    std::vector<int> text_lines;
};

PythonProgram python_program(std::string const& script_path, std::vector<CodeSnippet> const& snippets);

// A Python string literal holding `text` (packetdrill writes the path between quotes as it is,
// which breaks on a quote or a backslash in it).
std::string python_string_literal(std::string_view text);

// How long the interpreter may run: the snippets are a few assertions, so this only bounds a
// snippet that loops or sleeps.
inline constexpr std::chrono::seconds python_time_limit{60};

struct PythonRun {
    CommandOutcome outcome;
    std::string out;           // its standard output
    std::string err;           // its standard error
    std::string program_path;  // the generated file (deleted by the time this returns)
    std::string command_line;  // as --verbose shows it: the command and the file
};

// Writes `program` to a temporary file, runs `command <file>` and deletes the file. With
// `verbose`, prints the program and the command line first, as packetdrill -v does. Throws Error
// when the temporary files cannot be written or the command cannot be started.
PythonRun run_python(boost::asio::io_context& io, Interrupts& interrupts, std::string const& command,
                     std::string const& program, std::chrono::milliseconds limit, std::ostream* verbose);

// packetdrill's words for how the interpreter ended ("'python3' returned non-zero status 1").
std::string describe_python_end(std::string const& command, CommandOutcome const& outcome,
                                std::chrono::milliseconds limit);

// Where a failed run's error is, read from its standard error: the snippet (an index) and, when
// the traceback names a line of the generated file, the line within the snippet's text (0-based).
// `details` is the standard error without packetdrill's "error in Python code" line, which the
// error's own first line replaces.
struct PythonFailure {
    std::optional<std::size_t> snippet;
    std::optional<int> snippet_line;
    std::vector<std::string> details;
};
PythonFailure read_python_failure(PythonProgram const& program, std::vector<CodeSnippet> const& snippets,
                                  std::string const& script_path, std::string const& program_path,
                                  std::string const& err);

}  // namespace pktdrill::run
