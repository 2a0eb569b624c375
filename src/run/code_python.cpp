#include "src/run/code_python.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>

#include "src/base/error.hpp"
#include "src/base/unique_fd.hpp"

namespace pktdrill::run {
namespace {

// Our own excepthook with packetdrill's output: the script line of the failing snippet (the
// generated file's line numbers mean nothing to the user), then Python's traceback.
constexpr std::string_view preamble =
    "import sys\n"
    "import traceback\n"
    "\n"
    "\n"
    "def excepthook(kind, value, tb):\n"
    "    sys.stderr.write('%s:%d: error in Python code\\n' % (_file, _line))\n"
    "    traceback.print_exception(kind, value, tb)\n"
    "\n"
    "\n"
    "sys.excepthook = excepthook\n"
    "\n";

int count_lines(std::string_view text) {
    int n = 1;
    for (char c : text) n += c == '\n';
    return n;
}

void emit_variables(std::string& out, std::vector<CodeVariable> const& variables) {
    for (auto const& v : variables) {
        out += v.name;
        out += " = ";
        out += std::to_string(v.value);
        out += '\n';
    }
}

// Single quotes make a shell word of anything.
std::string shell_quote(std::string const& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

// Removes the temporary files however run_python ends.
struct TemporaryFiles {
    std::vector<std::string> paths;
    TemporaryFiles() = default;
    TemporaryFiles(TemporaryFiles const&) = delete;
    TemporaryFiles& operator=(TemporaryFiles const&) = delete;
    ~TemporaryFiles() {
        for (auto const& p : paths) ::unlink(p.c_str());
    }
};

void write_all(int fd, std::string_view data, std::string const& path) {
    while (!data.empty()) {
        ssize_t const n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_system_error("cannot write " + path, errno);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Creates a file only we can have made (O_EXCL): the shell's redirection then writes into it and
// not through a link someone else planted in the shared temporary directory.
void create_exclusive(std::string const& path) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) throw_system_error("cannot create " + path, errno);
}

std::string read_whole(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> split_lines(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) lines.push_back(line);
    return lines;
}

}  // namespace

std::string python_string_literal(std::string_view text) {
    std::string out = "'";
    for (char c : text) {
        auto const u = static_cast<unsigned char>(c);
        if (c == '\'' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "'";
}

PythonProgram python_program(std::string const& script_path, std::vector<CodeSnippet> const& snippets) {
    PythonProgram program;
    std::string& out = program.text;
    out += preamble;
    out += '\n';
    for (auto const& s : snippets) {
        emit_variables(out, code_constants());
        emit_variables(out, s.snapshot.tcp_info);
        out += '\n';
        emit_variables(out, s.snapshot.cc_info);
        out += '\n';
        emit_variables(out, s.snapshot.meminfo);
        out += '\n';
        out += "_file = " + python_string_literal(script_path) + "\n";
        out += "_line = " + std::to_string(s.line) + "\n";
        program.text_lines.push_back(count_lines(out));
        out += s.text;
        out += "\n\n";
    }
    return program;
}

PythonRun run_python(boost::asio::io_context& io, Interrupts& interrupts, std::string const& command,
                     std::string const& program, std::chrono::milliseconds limit, std::ostream* verbose) {
    std::error_code ec;
    std::string directory = std::filesystem::temp_directory_path(ec).string();
    if (ec || directory.empty()) directory = "/tmp";
    std::string path = directory + "/code_XXXXXX";
    TemporaryFiles files;
    {
        UniqueFd fd(::mkstemp(path.data()));
        if (!fd) throw_system_error("error making temp output file for code: mkstemp", errno);
        files.paths.push_back(path);
        write_all(fd.get(), program, path);
    }
    std::string const out_path = path + ".out";
    std::string const err_path = path + ".err";
    create_exclusive(out_path);
    files.paths.push_back(out_path);
    create_exclusive(err_path);
    files.paths.push_back(err_path);

    PythonRun run;
    run.program_path = path;
    run.command_line = command + " " + path;
    if (verbose) {
        *verbose << program << "running: '" << run.command_line << "'\n";
        verbose->flush();
    }
    std::string const shell = "exec </dev/null >" + shell_quote(out_path) + " 2>" + shell_quote(err_path) + "; " +
                              command + " " + shell_quote(path);
    run.outcome = run_command(io, interrupts, shell, limit);
    run.out = read_whole(out_path);
    run.err = read_whole(err_path);
    return run;
}

std::string describe_python_end(std::string const& command, CommandOutcome const& outcome,
                                std::chrono::milliseconds limit) {
    std::string const who = "'" + command + "'";
    switch (outcome.end) {
    case CommandOutcome::End::exited: return who + " returned non-zero status " + std::to_string(outcome.status);
    case CommandOutcome::End::killed_by_signal:
        return who + " got signal " + std::to_string(outcome.status) + " (" + ::strsignal(outcome.status) + ")";
    case CommandOutcome::End::interrupted:
        return who + " was interrupted by signal " + std::to_string(outcome.status) + " (" +
               ::strsignal(outcome.status) + ")";
    case CommandOutcome::End::timed_out: {
        auto const seconds = std::chrono::duration<double>(limit).count();
        std::ostringstream s;
        s << who << " did not finish within " << seconds << " s";
        return s.str();
    }
    }
    return who + " failed";
}

PythonFailure read_python_failure(PythonProgram const& program, std::vector<CodeSnippet> const& snippets,
                                  std::string const& script_path, std::string const& program_path,
                                  std::string const& err) {
    PythonFailure failure;
    std::string const marker_start = script_path + ":";
    std::string const marker_end = ": error in Python code";
    std::string const frame = "File \"" + program_path + "\", line ";
    std::optional<int> marker_line;
    std::optional<int> program_line;
    for (auto const& line : split_lines(err)) {
        // packetdrill's "<script>:<line>: error in Python code", from our excepthook.
        if (line.size() > marker_start.size() + marker_end.size() && line.starts_with(marker_start) &&
            line.ends_with(marker_end)) {
            std::string const number =
                line.substr(marker_start.size(), line.size() - marker_start.size() - marker_end.size());
            if (!number.empty() && number.find_first_not_of("0123456789") == std::string::npos) {
                marker_line = std::stoi(number);
                continue;
            }
        }
        // The innermost frame in the generated file is the failing line (a SyntaxError names
        // the line the same way, without an excepthook: it happens before the file runs).
        if (auto const at = line.find(frame); at != std::string::npos) {
            std::size_t const digits = at + frame.size();
            std::size_t end = digits;
            while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
            if (end > digits) program_line = std::stoi(line.substr(digits, end - digits));
        }
        failure.details.push_back(line);
    }
    if (program_line) {
        for (std::size_t i = 0; i < snippets.size() && i < program.text_lines.size(); ++i) {
            int const first = program.text_lines[i];
            if (*program_line >= first && *program_line < first + count_lines(snippets[i].text)) {
                failure.snippet = i;
                failure.snippet_line = *program_line - first;
            }
        }
    }
    if (!failure.snippet && marker_line) {
        for (std::size_t i = 0; i < snippets.size(); ++i) {
            if (snippets[i].line == *marker_line) failure.snippet = i;
        }
    }
    return failure;
}

}  // namespace pktdrill::run
