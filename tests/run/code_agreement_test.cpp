// The native `%{ }%` evaluator agrees with python3 wherever it answers: same pass or fail, same
// printed output, same AssertionError message (and, for whole scripts, the same failing snippet
// and line). Proved on every snippet of packetdrill's own corpus (read from ../shared, never
// copied here) and on thousands of generated expressions. Where the evaluator says NeedsPython
// the run goes to python3, so those cases need no agreement.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "src/run/code_eval.hpp"
#include "src/run/code_python.hpp"
#include "src/run/code_snapshot.hpp"
#include "src/run/interrupt.hpp"

namespace fs = std::filesystem;
namespace code = pktdrill::run::code;
using namespace pktdrill::run;
using namespace std::chrono_literals;

namespace {

bool have_python3() {
    char const* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && fs::exists(fs::path(dir) / "python3")) return true;
    }
    return false;
}

std::string unhex(std::string const& s) {
    if (s == "-") return {};
    std::string out;
    for (std::size_t i = 0; i + 1 < s.size(); i += 2) out += static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16));
    return out;
}

// ---- Both evaluators on single snippets -------------------------------------------------------

using Names = std::vector<std::pair<std::string, code::Value>>;

struct Verdict {
    enum Kind { ok, assertion, error, needs_python } kind = ok;
    std::string out;
    std::string message;  // "AssertionError: ..." for assertions; the exception's type for errors
};

Verdict native(std::string const& text, Names const& names) {
    Verdict v;
    auto parsed = code::parse(text);
    if (std::holds_alternative<code::NeedsPython>(parsed)) return {Verdict::needs_python, {}, {}};
    code::Namespace ns;
    for (auto const& [name, value] : names) ns.set(name, value);
    auto const outcome = code::execute(std::get<code::Program>(parsed), ns, v.out);
    if (auto const* failed = std::get_if<code::AssertionFailed>(&outcome)) {
        v.kind = Verdict::assertion;
        v.message = failed->message;
    } else if (std::holds_alternative<code::NeedsPython>(outcome)) {
        v.kind = Verdict::needs_python;
    }
    return v;
}

std::string python_literal(code::Value const& value) { return code::repr(value); }

// Runs each case in python3, each in a fresh module namespace holding `names`, all in one process.
std::vector<Verdict> python(std::vector<std::string> const& cases, Names const& names) {
    std::string program =
        "import contextlib\n"
        "import io\n"
        "import sys\n"
        "\n"
        "def run(source, names):\n"
        "    out = io.StringIO()\n"
        "    scope = dict(names)\n"
        "    try:\n"
        "        with contextlib.redirect_stdout(out):\n"
        "            exec(compile(source + '\\n\\n', '<snippet>', 'exec'), scope)\n"
        "        kind, detail = 'ok', ''\n"
        "    except AssertionError as e:\n"
        "        kind, detail = 'assertion', str(e)\n"
        "    except BaseException as e:\n"
        "        kind, detail = 'error', type(e).__name__\n"
        "    sys.stdout.write('%s %s %s\\n' % (kind, out.getvalue().encode().hex() or '-',\n"
        "                                      detail.encode().hex() or '-'))\n"
        "\n"
        "NAMES = {\n";
    for (auto const& [name, value] : names) program += "    '" + name + "': " + python_literal(value) + ",\n";
    program += "}\n";
    for (auto const& c : cases) program += "run(" + python_string_literal(c) + ", NAMES)\n";

    boost::asio::io_context io;
    Interrupts interrupts(io);
    auto const run = run_python(io, interrupts, "python3", program, 300s, nullptr);
    INFO(run.err);
    REQUIRE(run.outcome.succeeded());
    std::vector<Verdict> verdicts;
    std::istringstream lines(run.out);
    std::string kind, out, detail;
    while (lines >> kind >> out >> detail) {
        Verdict v;
        v.out = unhex(out);
        if (kind == "ok") {
            v.kind = Verdict::ok;
        } else if (kind == "assertion") {
            v.kind = Verdict::assertion;
            std::string const message = unhex(detail);
            v.message = message.empty() ? "AssertionError" : "AssertionError: " + message;
        } else {
            v.kind = Verdict::error;
            v.message = unhex(detail);
        }
        verdicts.push_back(std::move(v));
    }
    REQUIRE(verdicts.size() == cases.size());
    return verdicts;
}

// Runs each generated program (python_program's text) in python3 as its file would run, each in
// a fresh module, all in one process (a python3 per program costs a quarter of a second here).
// For a failure it reports the line of the generated file that failed (the innermost frame in
// it) and the exception's last traceback line.
struct ProgramVerdict {
    bool passed = true;
    std::string out;
    int program_line = 0;
    std::string last_line;  // "AssertionError: 10", or the exception's type and message
};

std::vector<ProgramVerdict> python_programs(std::vector<std::string> const& programs) {
    std::string harness =
        "import contextlib\n"
        "import io\n"
        "import sys\n"
        "\n"
        "def run(source):\n"
        "    out = io.StringIO()\n"
        "    line = 0\n"
        "    try:\n"
        "        with contextlib.redirect_stdout(out):\n"
        "            exec(compile(source, '<generated>', 'exec'), {'__name__': '__main__'})\n"
        "        kind, detail = 'ok', ''\n"
        "    except BaseException as e:\n"
        "        kind = 'failed'\n"
        "        message = str(e)\n"
        "        detail = type(e).__name__ + (': ' + message if message else '')\n"
        "        tb = e.__traceback__\n"
        "        while tb is not None:\n"
        "            if tb.tb_frame.f_code.co_filename == '<generated>':\n"
        "                line = tb.tb_lineno\n"
        "            tb = tb.tb_next\n"
        "    sys.stdout.write('%s %s %s %d\\n' % (kind, out.getvalue().encode().hex() or '-',\n"
        "                                       detail.encode().hex() or '-', line))\n"
        "\n";
    for (auto const& p : programs) harness += "run(" + python_string_literal(p) + ")\n";
    boost::asio::io_context io;
    Interrupts interrupts(io);
    auto const run = run_python(io, interrupts, "python3", harness, 300s, nullptr);
    INFO(run.err);
    REQUIRE(run.outcome.succeeded());
    std::vector<ProgramVerdict> verdicts;
    std::istringstream lines(run.out);
    std::string kind, out, detail;
    int line = 0;
    while (lines >> kind >> out >> detail >> line) verdicts.push_back({kind == "ok", unhex(out), line, unhex(detail)});
    REQUIRE(verdicts.size() == programs.size());
    return verdicts;
}

struct Tally {
    std::size_t total = 0;
    std::size_t native = 0;  // answered natively (and so checked against python3)
};

// Checks that wherever the native evaluator answers, python3 answers the same.
Tally compare(std::vector<std::string> const& cases, Names const& names) {
    auto const from_python = python(cases, names);
    Tally tally;
    for (std::size_t i = 0; i < cases.size(); ++i) {
        ++tally.total;
        Verdict const n = native(cases[i], names);
        if (n.kind == Verdict::needs_python) continue;
        ++tally.native;
        Verdict const& p = from_python[i];
        INFO("snippet: " << cases[i]);
        INFO("native: " << n.kind << " [" << n.out << "] " << n.message);
        INFO("python3: " << p.kind << " [" << p.out << "] " << p.message);
        CHECK(n.kind == p.kind);
        CHECK(n.out == p.out);
        CHECK(n.message == p.message);
    }
    return tally;
}

// ---- Generated expressions --------------------------------------------------------------------

class Generator {
public:
    explicit Generator(unsigned seed) : rng_(seed) {}

    std::string snippet() {
        switch (pick(6)) {
        case 0: return "print(" + expr(3, true) + ")";
        case 1: return "print(" + expr(2, true) + ", " + expr(2, true) + ")";
        case 2: return "assert " + expr(3, false) + ", " + expr(2, true);
        case 3: return "x = " + expr(2, false) + "\nx += " + expr(2, false) + "\nprint(x)";
        case 4: return "y = " + expr(2, true) + "; print(y, y == " + expr(2, true) + ")";
        default: return "print(" + format() + ")";
        }
    }

private:
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    template <std::size_t N>
    std::string one_of(char const* const (&options)[N]) {
        return options[pick(static_cast<int>(N))];
    }

    std::string number() {
        static char const* const atoms[] = {
            "0", "1", "2", "3", "7", "10", "255", "1000", "9007199254740993", "18446744073709551615",
            "170141183460469231731687303715884105727", "0x7fffffff", "0o17", "0b101", "00",
            "0.5", "2.5", "0.1", "3.0", "1e16", "1e-05", "1e308", "0.0", "5e-324", "123.456",
            "True", "False", "tcpi_snd_cwnd", "tcpi_state", "big", "TCP_CLOSING", "half",
        };
        return one_of(atoms);
    }
    std::string anything() {
        static char const* const atoms[] = {"None", "'a'", "'b'", "''", "'it\\'s'", "\"q\"", "(1, 2)", "(1,)", "()", "('a', 2.5)"};
        return pick(3) == 0 ? one_of(atoms) : number();
    }
    std::string small() {
        static char const* const atoms[] = {"0", "1", "2", "3", "5", "-1", "64", "126", "127", "0.5", "True"};
        return one_of(atoms);
    }

    // `any`: strings, None and tuples may appear (never under *, ** or shifts, where Python
    // would build huge strings).
    std::string expr(int depth, bool any) {
        if (depth == 0 || pick(4) == 0) return any ? anything() : number();
        switch (pick(10)) {
        case 0: {
            static char const* const ops[] = {" + ", " - ", " / ", " // ", " % ", " & ", " | ", " ^ "};
            return "(" + expr(depth - 1, any) + one_of(ops) + expr(depth - 1, any) + ")";
        }
        case 1: return "(" + expr(depth - 1, false) + " * " + expr(depth - 1, false) + ")";
        case 2: return "(" + expr(depth - 1, false) + " ** " + small() + ")";
        case 3: return "(" + expr(depth - 1, false) + (pick(2) ? " << " : " >> ") + small() + ")";
        case 4: {
            static char const* const ops[] = {" == ", " != ", " < ", " <= ", " > ", " >= "};
            std::string e = expr(depth - 1, any) + one_of(ops) + expr(depth - 1, any);
            if (pick(2)) e += one_of(ops) + expr(depth - 1, any);
            return "(" + e + ")";
        }
        case 5: return "(" + expr(depth - 1, any) + (pick(2) ? " and " : " or ") + expr(depth - 1, any) + ")";
        case 6: return "(not " + expr(depth - 1, any) + ")";
        case 7: {
            static char const* const ops[] = {"-", "+", "~"};
            return "(" + std::string(one_of(ops)) + expr(depth - 1, any) + ")";
        }
        case 8: return any ? format() : expr(depth - 1, any);
        default: return "(" + expr(depth - 1, any) + ")";
        }
    }

    std::string format() {
        std::string text;
        std::string args;
        int const n = 1 + pick(3);
        for (int i = 0; i < n; ++i) {
            text += "x";
            text += '%';
            static char const* const flags[] = {"", "", "-", "0", "+", " ", "#", "-#", "0+"};
            text += one_of(flags);
            if (pick(2)) text += std::to_string(pick(12));
            if (pick(3) == 0) text += "." + std::to_string(pick(5));
            static char const* const conversions[] = {"d", "i", "u", "x", "X", "o", "s", "r", "%", "f"};
            std::string const c = one_of(conversions);
            text += c;
            if (c != "%") args += (args.empty() ? "" : ", ") + (c == "s" || c == "r" ? anything() : number());
        }
        if (pick(8) == 0) args += (args.empty() ? "" : ", ") + number();  // one too many
        return "('" + text + "' % (" + args + (pick(2) ? ",)" : ")") + ")";
    }

    std::mt19937 rng_;
};

Names generator_names() {
    return {
        {"tcpi_snd_cwnd", code::Value{code::Int{10}}},
        {"tcpi_state", code::Value{code::Int{1}}},
        {"TCP_CLOSING", code::Value{code::Int{11}}},
        {"big", code::Value{static_cast<code::Int>(~0ULL)}},
        {"half", code::Value{0.5}},
    };
}

// ---- The corpus ---------------------------------------------------------------------------------

struct CorpusScript {
    std::string path;  // relative to the corpus
    std::vector<CodeSnippet> snippets;
};

// The `%{ }%` blocks of a script as packetdrill's lexer finds them (outside `//` and `/* */`
// comments), their text stripped of spaces and tabs at both ends, and the line each starts on.
std::vector<CodeSnippet> snippets_of(std::string const& text) {
    std::vector<CodeSnippet> out;
    int line = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text.compare(i, 2, "//") == 0) {
            while (i < text.size() && text[i] != '\n') ++i;
            ++line;
            continue;
        }
        if (text.compare(i, 2, "/*") == 0) {
            std::size_t const end = text.find("*/", i + 2);
            std::size_t const stop = end == std::string::npos ? text.size() : end + 2;
            line += static_cast<int>(std::count(text.begin() + static_cast<long>(i), text.begin() + static_cast<long>(stop), '\n'));
            i = stop - 1;
            continue;
        }
        if (text.compare(i, 2, "%{") == 0) {
            std::size_t const end = text.find("}%", i + 2);
            if (end == std::string::npos) break;
            std::size_t b = i + 2, e = end;
            while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
            while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
            out.push_back(CodeSnippet{text.substr(b, e - b), line, {}});
            line += static_cast<int>(std::count(text.begin() + static_cast<long>(i), text.begin() + static_cast<long>(end), '\n'));
            i = end + 1;
            continue;
        }
        if (text[i] == '\n') ++line;
    }
    return out;
}

std::vector<CorpusScript> corpus_scripts(fs::path const& corpus) {
    std::vector<fs::path> files;
    for (auto const& entry : fs::recursive_directory_iterator(corpus)) {
        if (entry.is_regular_file() && entry.path().extension() == ".pkt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<CorpusScript> out;
    for (auto const& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        auto snippets = snippets_of(s.str());
        if (!snippets.empty()) out.push_back({fs::relative(f, corpus).string(), std::move(snippets)});
    }
    return out;
}

// Two synthetic connections: one as a script's assertions expect (a fresh connection with cwnd
// 10, BBR's TCP_CC_INFO), one with small varied values (cubic: no TCP_CC_INFO), so that the
// assertions go both ways.
CodeSnapshot synthetic_snapshot(bool typical) {
    std::vector<std::byte> zeros(512);
    CodeSnapshot s;
    s.tcp_info = decode_tcp_info(zeros);
    std::map<std::string, std::uint64_t> const typical_values{
        {"tcpi_state", 1},          {"tcpi_options", 7},        {"tcpi_snd_cwnd", 10},
        {"tcpi_snd_ssthresh", 0x7fffffff}, {"tcpi_delivered", 1}, {"tcpi_rtt", 10000},
        {"tcpi_advmss", 1100},      {"tcpi_snd_mss", 1100},     {"tcpi_rcv_mss", 1000},
        {"tcpi_last_data_recv", 1000}, {"tcpi_reordering", 3}, {"tcpi_ca_state", 0},
        {"tcpi_max_pacing_rate", ~0ULL},
    };
    std::uint64_t k = 0;
    for (auto& v : s.tcp_info) {
        if (typical) {
            auto const it = typical_values.find(std::string(v.name));
            v.value = it == typical_values.end() ? 0 : it->second;
        } else {
            v.value = (17 * k++ + 3) % 61;
        }
    }
    if (typical) {
        std::uint32_t const bbr[5] = {12500, 0, 10000, 739, 512};
        s.cc_info = decode_cc_info(std::as_bytes(std::span(bbr)));
    }
    std::vector<std::uint32_t> mem(9);
    for (std::size_t i = 0; i < mem.size(); ++i) mem[i] = static_cast<std::uint32_t>(typical ? 4096 * (i + 1) : i);
    s.meminfo = decode_meminfo(std::as_bytes(std::span(mem)));
    return s;
}

void add_names(Names& names, std::vector<CodeVariable> const& variables) {
    for (auto const& v : variables) names.push_back({std::string(v.name), code::Value{static_cast<code::Int>(v.value)}});
}

Names snapshot_names(CodeSnapshot const& s, std::string const& file, int line) {
    Names names;
    add_names(names, code_constants());
    add_names(names, s.tcp_info);
    add_names(names, s.cc_info);
    add_names(names, s.meminfo);
    names.push_back({"_file", code::Value{file}});
    names.push_back({"_line", code::Value{code::Int{line}}});
    return names;
}

// A whole script's snippets natively, as CodeRunner runs them: one namespace, each snippet's
// snapshot bound before it.
struct ScriptVerdict {
    bool native = true;  // false: the evaluator sent it to Python
    bool passed = true;
    std::string out;
    std::size_t failed_snippet = 0;
    int failed_line = 0;  // within the snippet's text
    std::string message;
};

ScriptVerdict native_script(std::string const& file, std::vector<CodeSnippet> const& snippets) {
    ScriptVerdict v;
    std::vector<code::Program> programs;
    for (auto const& s : snippets) {
        auto parsed = code::parse(s.text);
        if (std::holds_alternative<code::NeedsPython>(parsed)) return {false, true, {}, 0, 0, {}};
        programs.push_back(std::get<code::Program>(std::move(parsed)));
    }
    code::Namespace ns;
    for (std::size_t i = 0; i < snippets.size(); ++i) {
        for (auto const& [name, value] : snapshot_names(snippets[i].snapshot, file, snippets[i].line)) ns.set(name, value);
        auto const outcome = code::execute(programs[i], ns, v.out);
        if (std::holds_alternative<code::NeedsPython>(outcome)) return {false, true, {}, 0, 0, {}};
        if (auto const* failed = std::get_if<code::AssertionFailed>(&outcome)) {
            v.passed = false;
            v.failed_snippet = i;
            auto const& text = snippets[i].text;
            v.failed_line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(failed->offset), '\n'));
            v.message = failed->message;
            return v;
        }
    }
    return v;
}

}  // namespace

TEST_CASE("code: native and python3 agree on generated expressions", "[code][agreement]") {
    if (!have_python3()) {
        WARN("skipped: python3 is not on the PATH");
        return;
    }
    Generator generate(20240611);  // fixed: the same cases every run
    std::vector<std::string> cases;
    for (int i = 0; i < 4000; ++i) cases.push_back(generate.snippet());
    auto const tally = compare(cases, generator_names());
    WARN("generated snippets answered natively and checked against python3: " << tally.native << " of "
                                                                                << tally.total);
    // Most of them are something the evaluator takes, or this proves little.
    CHECK(tally.native * 5 > tally.total * 2);
}

TEST_CASE("code: native and python3 agree on every snippet of packetdrill's corpus", "[code][agreement][corpus]") {
    fs::path const corpus = fs::path(PKTDRILL_SHARED_DIR) / "corpus" / "packetdrill";
    if (!fs::is_directory(corpus)) {
        WARN("skipped: " << corpus.string() << " is not present");
        return;
    }
    if (!have_python3()) {
        WARN("skipped: python3 is not on the PATH");
        return;
    }
    auto scripts = corpus_scripts(corpus);
    std::size_t snippet_count = 0;
    std::size_t parsed = 0;
    for (auto const& s : scripts) {
        snippet_count += s.snippets.size();
        for (auto const& snippet : s.snippets) parsed += std::holds_alternative<code::Program>(code::parse(snippet.text));
    }
    REQUIRE(snippet_count > 0);

    // Each snippet on its own, in a fresh namespace, against both synthetic connections.
    for (bool typical : {true, false}) {
        std::vector<std::string> cases;
        for (auto const& s : scripts) {
            for (auto const& snippet : s.snippets) cases.push_back(snippet.text);
        }
        compare(cases, snapshot_names(synthetic_snapshot(typical), "test.pkt", 1));
    }

    // Each script's snippets together, through the file packetdrill would generate, as a run
    // evaluates them: what a later snippet sees depends on what an earlier one assigned.
    std::size_t native_scripts = 0;
    std::size_t native_snippets = 0;
    struct Checked {
        CorpusScript const* script;
        bool typical;
        std::vector<CodeSnippet> snippets;
        PythonProgram program;
        ScriptVerdict native;
    };
    std::vector<Checked> checked;
    for (bool typical : {true, false}) {
        for (auto const& s : scripts) {
            std::vector<CodeSnippet> snippets = s.snippets;
            for (auto& snippet : snippets) snippet.snapshot = synthetic_snapshot(typical);
            ScriptVerdict n = native_script(s.path, snippets);
            if (!n.native) continue;
            if (typical) {
                ++native_scripts;
                native_snippets += snippets.size();
            }
            auto program = python_program(s.path, snippets);
            checked.push_back({&s, typical, std::move(snippets), std::move(program), std::move(n)});
        }
    }
    std::vector<std::string> programs;
    for (auto const& c : checked) programs.push_back(c.program.text);
    auto const verdicts = python_programs(programs);
    std::size_t failures = 0;
    for (std::size_t i = 0; i < checked.size(); ++i) {
        auto const& c = checked[i];
        auto const& p = verdicts[i];
        INFO(c.script->path << (c.typical ? " (typical connection)" : " (varied values)"));
        CHECK(p.out == c.native.out);
        CHECK(p.passed == c.native.passed);
        if (p.passed || c.native.passed) continue;
        ++failures;
        // The product's own mapping from a traceback line back to the snippet.
        auto const failure =
            read_python_failure(c.program, c.snippets, c.script->path, "<generated>",
                                "  File \"<generated>\", line " + std::to_string(p.program_line) + "\n");
        CHECK(failure.snippet == std::optional<std::size_t>{c.native.failed_snippet});
        CHECK(failure.snippet_line == std::optional<int>{c.native.failed_line});
        CHECK(p.last_line == c.native.message);
    }
    CHECK(failures > 0);  // both ways were exercised

    // A few of them as packetdrill runs them: the generated file in its own python3, a failure
    // reported through the excepthook.
    boost::asio::io_context io;
    Interrupts interrupts(io);
    std::size_t passing = 0, failing = 0;
    for (auto const& c : checked) {
        if (c.native.passed ? passing++ >= 2 : failing++ >= 3) continue;
        auto const run = run_python(io, interrupts, "python3", c.program.text, 60s, nullptr);
        INFO(c.script->path << (c.typical ? " (typical connection)" : " (varied values)"));
        INFO(run.err);
        CHECK(run.out == c.native.out);
        CHECK(run.outcome.succeeded() == c.native.passed);
        if (c.native.passed) continue;
        std::string const first_line = c.script->path + ":" +
                                       std::to_string(c.snippets[c.native.failed_snippet].line) +
                                       ": error in Python code\n";
        CHECK_THAT(run.err, Catch::StartsWith(first_line));
        auto const failure = read_python_failure(c.program, c.snippets, c.script->path, run.program_path, run.err);
        CHECK(failure.snippet == std::optional<std::size_t>{c.native.failed_snippet});
        CHECK(failure.snippet_line == std::optional<int>{c.native.failed_line});
        REQUIRE(!failure.details.empty());
        CHECK(failure.details.back() == c.native.message);
    }
    WARN("corpus: " << parsed << " of " << snippet_count << " %{ }% snippets parse natively; " << native_scripts
                    << " of " << scripts.size() << " scripts (" << native_snippets
                    << " snippets) run entirely without Python");
}
