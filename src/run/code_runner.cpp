#include "src/run/code_runner.hpp"

#include <cstring>
#include <iostream>
#include <ostream>
#include <variant>

#include "src/base/error.hpp"
#include "src/run/code_eval.hpp"
#include "src/run/interrupted.hpp"

namespace pktdrill::run {
namespace {

// Where the snippet's text starts in the file: after the event's `%{` and the spaces the parser
// stripped. Nothing when the file does not hold the text there (then errors point at the event).
std::optional<std::size_t> find_text(grammar::SourceFile const& file, SourceLocation event, std::string const& text) {
    std::string const& t = file.text();
    std::size_t const open = t.find("%{", file.offset_of(event));
    if (open == std::string::npos) return std::nullopt;
    std::size_t begin = open + 2;
    while (begin < t.size() && (t[begin] == ' ' || t[begin] == '\t')) ++begin;
    if (t.compare(begin, text.size(), text) != 0) return std::nullopt;
    return begin;
}

bool printable_ascii(std::string const& s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
    }
    return true;
}

void bind(code::Namespace& names, std::vector<CodeVariable> const& variables) {
    for (auto const& v : variables) names.set(std::string(v.name), code::Value{static_cast<code::Int>(v.value)});
}

}  // namespace

CodeRunner::CodeRunner(RunContext& ctx) : CodeRunner(ctx, std::cout, std::cerr) {}

CodeRunner::CodeRunner(RunContext& ctx, std::ostream& print_out, std::ostream& python_err)
    : ctx_(ctx), print_out_(print_out), python_err_(python_err) {}

void CodeRunner::collect(script::Event const& event, script::Code const& code) {
    Socket const* s = ctx_.sockets.under_test();
    if (!s) throw Error("runtime error in code: no socket to use for code", event.where);
    // packetdrill would read whatever the fd number holds by now; we refuse a socket whose fd the
    // script closed (or, for a passive child, has not accepted yet).
    FdEntry const* fd = s->live_fd >= 0 ? ctx_.fds.find_live(s->live_fd) : nullptr;
    if (!fd || fd->socket != s)
        throw Error("runtime error in code: can't find getsockopt to get TCP info", event.where,
                    {"the socket under test has no open file descriptor (not accepted yet, or closed)"});
    auto snapshot = take_snapshot(s->live_fd);
    if (auto const* failure = std::get_if<SnapshotFailure>(&snapshot))
        throw Error("runtime error in code: " + failure->message, event.where,
                    {std::string("getsockopt: ") + std::strerror(failure->error)});
    snippets_.push_back(CodeSnippet{code.text, event.where.line, std::move(std::get<CodeSnapshot>(snapshot))});
    places_.push_back(Place{event.where, find_text(ctx_.file, event.where, code.text)});
}

void CodeRunner::finish() {
    if (snippets_.empty()) return;
    if (native_allowed()) {
        if (run_native()) return;
    } else {
        note("--code_command is '" + ctx_.config.code_command + "': %{ }% code runs in it");
    }
    run_in_python();
}

bool CodeRunner::native_allowed() const {
    // Another interpreter may not be Python 3 as we evaluate it (python2's `/`, `python3 -O`
    // skipping asserts, a wrapper that logs): the user asked for it, so it runs the code.
    return ctx_.config.code_command == "python3";
}

bool CodeRunner::run_native() {
    std::vector<code::Program> programs;
    bool all = true;
    // Python compiles the whole file before running any of it, so one snippet it must take
    // sends them all there.
    for (std::size_t i = 0; i < snippets_.size(); ++i) {
        auto parsed = code::parse(snippets_[i].text);
        if (auto const* needs = std::get_if<code::NeedsPython>(&parsed)) {
            auto const at = where(i, needs->offset);
            note(ctx_.file.path() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                 ": %{ }% code needs python3: the native evaluator does not take " + needs->reason);
            all = false;
        } else {
            programs.push_back(std::move(std::get<code::Program>(parsed)));
        }
    }
    if (!all) return false;

    code::Namespace names;
    // Held back until the end: if a later snippet needs Python after all, Python prints it all.
    std::string printed;
    for (std::size_t i = 0; i < snippets_.size(); ++i) {
        auto const& s = snippets_[i];
        bind(names, code_constants());
        bind(names, s.snapshot.tcp_info);
        bind(names, s.snapshot.cc_info);
        bind(names, s.snapshot.meminfo);
        if (printable_ascii(ctx_.file.path())) names.set("_file", code::Value{ctx_.file.path()});
        names.set("_line", code::Value{code::Int{s.line}});
        auto const outcome = code::execute(programs[i], names, printed);
        if (auto const* needs = std::get_if<code::NeedsPython>(&outcome)) {
            auto const at = where(i, needs->offset);
            note(ctx_.file.path() + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                 ": %{ }% code needs python3: the native evaluator does not take " + needs->reason);
            return false;
        }
        if (auto const* failed = std::get_if<code::AssertionFailed>(&outcome)) {
            path_ = Path::native;
            print_out_ << printed;
            print_out_.flush();
            throw Error(failed->message, where(i, failed->offset), failed->values);
        }
    }
    path_ = Path::native;
    print_out_ << printed;
    print_out_.flush();
    note("%{ }% code: " + std::to_string(snippets_.size()) + " snippet(s) evaluated natively");
    return true;
}

void CodeRunner::run_in_python() {
    path_ = Path::python;
    std::string const& command = ctx_.config.code_command;
    PythonProgram const program = python_program(ctx_.file.path(), snippets_);
    PythonRun const run = run_python(ctx_.io, ctx_.interrupts, command, program.text, python_time_limit,
                                     ctx_.config.verbose ? &ctx_.out : nullptr);
    print_out_ << run.out;
    print_out_.flush();
    if (run.outcome.end == CommandOutcome::End::interrupted) throw Interrupted{run.outcome.status};
    if (run.outcome.succeeded()) {
        python_err_ << run.err;
        python_err_.flush();
        return;
    }
    PythonFailure failure = read_python_failure(program, snippets_, ctx_.file.path(), run.program_path, run.err);
    std::string const ending = "error executing code: " + describe_python_end(command, run.outcome, python_time_limit);
    if (!failure.snippet) throw Error(ending, SourceLocation{}, std::move(failure.details));
    failure.details.push_back(ending);
    throw Error("error in Python code", where_line(*failure.snippet, failure.snippet_line.value_or(0)),
                std::move(failure.details));
}

SourceLocation CodeRunner::where(std::size_t snippet, std::size_t text_offset) const {
    auto const& place = places_[snippet];
    if (!place.text_offset) return place.event;
    return ctx_.file.location(*place.text_offset + text_offset);
}

SourceLocation CodeRunner::where_line(std::size_t snippet, int text_line) const {
    std::string const& text = snippets_[snippet].text;
    std::size_t offset = 0;
    for (int k = 0; k < text_line; ++k) {
        std::size_t const newline = text.find('\n', offset);
        if (newline == std::string::npos) break;
        offset = newline + 1;
    }
    // At the statement, not at the line's indentation.
    while (offset < text.size() && (text[offset] == ' ' || text[offset] == '\t')) ++offset;
    return where(snippet, offset);
}

void CodeRunner::note(std::string const& text) const {
    if (!ctx_.config.verbose) return;
    ctx_.out << text << '\n';
    ctx_.out.flush();
}

}  // namespace pktdrill::run
