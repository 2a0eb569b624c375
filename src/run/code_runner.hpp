#pragma once
// `%{ }%` code, as the run loop sees it (reference A.5, D.6).
//
// At each code event, after waiting for the event's time, the run loop calls collect(): it
// snapshots the socket under test (TCP_INFO, TCP_CC_INFO, SO_MEMINFO) and keeps the snippet. At
// the end of the script, after the cleanup command, it calls finish(): every snippet runs once, in
// order, each seeing the names its own snapshot set (and whatever earlier snippets assigned), as
// in packetdrill's one generated Python file.
//
// finish() evaluates natively (code_eval.hpp) when every snippet is something the native
// evaluator takes and --code_command is the default python3; otherwise the whole script's code
// runs in --code_command, as packetdrill runs it. With --verbose it says which snippet needed
// Python and why. Both paths print print()'s output to `print_out` and fail with an Error at the
// failing statement's line:
//   native: "AssertionError: <message>" (Python's last traceback line), the values its test read
//           as details;
//   Python: "error in Python code", the traceback and "error executing code: 'python3' returned
//           non-zero status 1" as details.
//
// The run loop holds ctx.mutex around both calls. finish() runs the interpreter through
// run_command, which serves ctx.io meanwhile (handlers must not need the mutex), and throws
// Interrupted when a signal ends it.

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "src/base/source_location.hpp"
#include "src/run/code_python.hpp"
#include "src/run/run_context.hpp"
#include "src/script/model.hpp"

namespace pktdrill::run {

class CodeRunner {
public:
    // `print_out` receives print()'s output, `python_err` what the interpreter writes to its
    // standard error when it succeeds (warnings).
    explicit CodeRunner(RunContext& ctx);
    CodeRunner(RunContext& ctx, std::ostream& print_out, std::ostream& python_err);

    // Snapshots the socket under test now. Throws Error with packetdrill's "runtime error in
    // code: ..." when there is no socket under test or a getsockopt fails.
    void collect(script::Event const& event, script::Code const& code);

    // Evaluates every snippet, in order. Throws Error naming the failing statement's line.
    void finish();

    enum class Path { none, native, python };
    // How finish() evaluated the code (none: there was none).
    Path path() const noexcept { return path_; }
    std::size_t snippet_count() const noexcept { return snippets_.size(); }

private:
    struct Place {
        SourceLocation event;                    // the event's start
        std::optional<std::size_t> text_offset;  // where the snippet's text starts in the file
    };

    bool native_allowed() const;
    bool run_native();
    void run_in_python();
    SourceLocation where(std::size_t snippet, std::size_t text_offset) const;
    SourceLocation where_line(std::size_t snippet, int text_line) const;
    void note(std::string const& text) const;

    RunContext& ctx_;
    std::ostream& print_out_;
    std::ostream& python_err_;
    std::vector<CodeSnippet> snippets_;
    std::vector<Place> places_;
    Path path_ = Path::none;
};

}  // namespace pktdrill::run
