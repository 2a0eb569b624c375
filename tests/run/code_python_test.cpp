// The Python path of `%{ }%` code: the generated file has packetdrill's layout, a real python3
// runs it, and its failures are read back to the snippet and line that failed.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "src/run/code_python.hpp"
#include "src/run/interrupt.hpp"

using namespace pktdrill::run;
using namespace std::chrono_literals;

namespace {

bool have_python3() {
    char const* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / "python3")) return true;
    }
    return false;
}

#define REQUIRE_PYTHON3()                                  \
    do {                                                   \
        if (!have_python3()) {                             \
            WARN("skipped: python3 is not on the PATH");   \
            return;                                        \
        }                                                  \
    } while (false)

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

CodeSnapshot small_snapshot(std::uint64_t cwnd) {
    CodeSnapshot s;
    s.tcp_info = {{"tcpi_state", 1}, {"tcpi_snd_cwnd", cwnd}};
    s.meminfo = {{"SK_MEMINFO_RCVBUF", 131072}};
    return s;
}

struct Python {
    boost::asio::io_context io;
    Interrupts interrupts{io};

    PythonRun run(std::string const& program, std::string const& command = "python3",
                  std::chrono::milliseconds limit = python_time_limit) {
        return run_python(io, interrupts, command, program, limit, nullptr);
    }
};

}  // namespace

TEST_CASE("code: the generated file has packetdrill's layout: preamble, then per snippet its snapshot, _file, _line, text",
          "[code][python]") {
    std::vector<CodeSnippet> snippets{{"assert tcpi_snd_cwnd == 10", 9, small_snapshot(10)},
                                      {"x = 1\nprint(x)", 12, small_snapshot(11)}};
    auto const program = python_program("dir/code.pkt", snippets);
    auto const lines = lines_of(program.text);
    REQUIRE(lines.size() > 10);
    CHECK(lines[0] == "import sys");
    CHECK(lines[1] == "import traceback");
    CHECK_THAT(program.text, Catch::Contains("sys.excepthook = excepthook\n"));
    CHECK_THAT(program.text, Catch::Contains("'%s:%d: error in Python code\\n' % (_file, _line)"));

    REQUIRE(program.text_lines.size() == 2);
    int const first = program.text_lines[0];
    CHECK(lines[first - 1] == "assert tcpi_snd_cwnd == 10");
    CHECK(lines[first - 2] == "_line = 9");
    CHECK(lines[first - 3] == "_file = 'dir/code.pkt'");
    CHECK(lines[first - 4].empty());  // after the SK_MEMINFO_* block
    CHECK(lines[first - 5] == "SK_MEMINFO_RCVBUF = 131072");
    CHECK(lines[first - 6].empty());  // the (empty) TCP_CC_INFO block
    CHECK(lines[first - 7].empty());
    CHECK(lines[first - 8] == "tcpi_snd_cwnd = 10");
    CHECK(lines[first - 9] == "tcpi_state = 1");
    CHECK_THAT(program.text, Catch::Contains("TCP_ESTABLISHED = 1\n"));

    int const second = program.text_lines[1];
    CHECK(lines[second - 1] == "x = 1");
    CHECK(lines[second] == "print(x)");
    CHECK(lines[second - 2] == "_line = 12");
    CHECK_THAT(program.text, Catch::EndsWith("print(x)\n\n"));
}

TEST_CASE("code: the script path is written as a Python string literal", "[code][python]") {
    CHECK(python_string_literal("a.pkt") == "'a.pkt'");
    CHECK(python_string_literal("it's\\x.pkt") == "'it\\'s\\\\x.pkt'");
    CHECK(python_string_literal("a\nb") == "'a\\x0ab'");
}

TEST_CASE("code: packetdrill's words for how the interpreter ended", "[code][python]") {
    using End = CommandOutcome::End;
    CHECK(describe_python_end("python3", {End::exited, 1}, 60s) == "'python3' returned non-zero status 1");
    CHECK(describe_python_end("python3", {End::killed_by_signal, 9}, 60s) == "'python3' got signal 9 (Killed)");
    CHECK(describe_python_end("python3", {End::timed_out, 0}, 60s) == "'python3' did not finish within 60 s");
}

TEST_CASE("code: a failing assertion is read back to its snippet and line, with the traceback as details",
          "[code][python]") {
    REQUIRE_PYTHON3();
    std::vector<CodeSnippet> snippets{{"x = 1", 5, small_snapshot(10)},
                                      {"print(x)\nassert x == 2, 'x=%d' % x", 9, small_snapshot(10)}};
    auto const program = python_program("code.pkt", snippets);
    Python python;
    auto const run = python.run(program.text);
    CHECK(run.outcome == CommandOutcome{CommandOutcome::End::exited, 1});
    CHECK(run.out == "1\n");
    INFO(run.err);
    CHECK_THAT(run.err, Catch::StartsWith("code.pkt:9: error in Python code\n"));
    auto const failure = read_python_failure(program, snippets, "code.pkt", run.program_path, run.err);
    CHECK(failure.snippet == std::optional<std::size_t>{1});
    CHECK(failure.snippet_line == std::optional<int>{1});
    REQUIRE(!failure.details.empty());
    CHECK(failure.details.front() == "Traceback (most recent call last):");
    CHECK(failure.details.back() == "AssertionError: x=1");
    // The temporary files are gone.
    CHECK(!std::filesystem::exists(run.program_path));
    CHECK(!std::filesystem::exists(run.program_path + ".out"));
    CHECK(!std::filesystem::exists(run.program_path + ".err"));
}

TEST_CASE("code: a syntax error, raised before the excepthook exists, is still traced to its snippet",
          "[code][python]") {
    REQUIRE_PYTHON3();
    std::vector<CodeSnippet> snippets{{"x = 1", 5, small_snapshot(10)}, {"assert x ==", 7, small_snapshot(10)}};
    auto const program = python_program("code.pkt", snippets);
    Python python;
    auto const run = python.run(program.text);
    CHECK(run.outcome == CommandOutcome{CommandOutcome::End::exited, 1});
    auto const failure = read_python_failure(program, snippets, "code.pkt", run.program_path, run.err);
    INFO(run.err);
    CHECK(failure.snippet == std::optional<std::size_t>{1});
    CHECK(failure.snippet_line == std::optional<int>{0});
    CHECK_THAT(failure.details.back(), Catch::StartsWith("SyntaxError"));
}

TEST_CASE("code: the interpreter cannot hang the run: a time limit, and no terminal to read", "[code][python]") {
    REQUIRE_PYTHON3();
    Python python;
    auto const start = std::chrono::steady_clock::now();
    // The file name is appended to the command: '#' makes it a comment of the shell.
    auto const slow = python.run("print(1)\n", "sleep 30 #", 300ms);
    CHECK(slow.outcome.end == CommandOutcome::End::timed_out);
    CHECK(std::chrono::steady_clock::now() - start < 10s);

    auto const reads = python.run("input()\n");
    CHECK(reads.outcome == CommandOutcome{CommandOutcome::End::exited, 1});
    CHECK_THAT(reads.err, Catch::Contains("EOFError"));
}

TEST_CASE("code: the interpreter of --code_command is what runs the file", "[code][python]") {
    REQUIRE_PYTHON3();
    Python python;
    auto const run = python.run("print('from the file')\n", "echo wrapped; python3");
    CHECK(run.outcome.succeeded());
    CHECK(run.out == "wrapped\nfrom the file\n");
    CHECK(run.command_line == "echo wrapped; python3 " + run.program_path);
}
