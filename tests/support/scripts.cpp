#include "tests/support/scripts.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "grammar/diagnostics.hpp"
#include "grammar/parse.hpp"
#include "grammar/source.hpp"

namespace pktdrill::test {

std::ostream& operator<<(std::ostream& out, Problem const& p) {
    return out << "{" << p.line << ", " << p.column << ", \"" << p.message << "\"}";
}

std::vector<script::OptionValue> settings_from_args(std::vector<std::string> const& args) {
    std::vector<script::OptionValue> out;
    auto add = [&](std::string const& name, std::optional<std::string> value) {
        out.push_back({name, std::move(value)});
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string const& a = args[i];
        if (a == "-D" && i + 1 < args.size()) {
            add("define", args[++i]);
        } else if (a.rfind("-D", 0) == 0 && a.size() > 2) {
            add("define", a.substr(2));
        } else if (a == "-v") {
            add("verbose", std::nullopt);
        } else if (a.rfind("--", 0) == 0) {
            auto const eq = a.find('=');
            if (eq == std::string::npos) add(a.substr(2), std::nullopt);
            else add(a.substr(2, eq - 2), a.substr(eq + 1));
        } else {
            throw std::invalid_argument("settings_from_args: cannot read '" + a + "'");
        }
    }
    return out;
}

namespace {

std::vector<Problem> errors_of(grammar::Diagnostics const& d) {
    std::vector<Problem> out;
    for (auto const& x : d.all())
        if (x.severity == grammar::Severity::error || x.severity == grammar::Severity::fatal)
            out.push_back({x.where.line, x.where.column, x.message});
    return out;
}

std::string printed(grammar::Diagnostics const& d) {
    std::ostringstream out;
    d.print(out);
    return out.str();
}

}  // namespace

Loaded load_text(std::string const& text, std::vector<std::string> const& args) {
    grammar::SourceFile const file("test.pkt", text);
    grammar::Diagnostics diagnostics(file);
    Loaded out;
    out.loaded = script::load_script(file, diagnostics, settings_from_args(args));
    out.errors = errors_of(diagnostics);
    out.printed = printed(diagnostics);
    return out;
}

script::Script load_ok(std::string const& text, std::vector<std::string> const& args) {
    Loaded l = load_text(text, args);
    if (!l.loaded) throw std::runtime_error("script did not load:\n" + l.printed);
    return std::move(l.loaded->script);
}

std::vector<Problem> load_errors(std::string const& text, std::vector<std::string> const& args) {
    Loaded l = load_text(text, args);
    if (l.loaded) throw std::runtime_error("script loaded, but errors were expected");
    return l.errors;
}

Parsed parse_text(std::string const& text, grammar::Defines const& defines) {
    grammar::SourceFile const file("test.pkt", text);
    grammar::Diagnostics diagnostics(file);
    Parsed out;
    out.statements = grammar::parse_script(file, diagnostics,
                                           [&](std::vector<grammar::ast::option_line> const&) { return defines; });
    out.errors = errors_of(diagnostics);
    out.printed = printed(diagnostics);
    return out;
}

std::optional<std::filesystem::path> shared_dir() {
    std::filesystem::path const dir = PKTDRILL_SHARED_DIR;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir / "corpus" / "packetdrill", ec)) return std::nullopt;
    return std::filesystem::canonical(dir, ec);
}

namespace {

std::vector<std::vector<std::string>> tsv_rows(std::filesystem::path const& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::vector<std::vector<std::string>> rows;
    std::string line;
    bool header_seen = false;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        if (!header_seen) {  // the column names
            header_seen = true;
            continue;
        }
        std::vector<std::string> fields;
        std::size_t start = 0;
        for (;;) {
            auto const tab = line.find('\t', start);
            fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        rows.push_back(std::move(fields));
    }
    return rows;
}

}  // namespace

std::vector<ReferenceRun> reference_runs(std::filesystem::path const& shared) {
    std::vector<ReferenceRun> out;
    for (auto& f : tsv_rows(shared / "corpus" / "packetdrill" / "reference-verdicts.tsv")) {
        f.resize(4);
        out.push_back({f[0], f[1], f[2], f[3]});
    }
    return out;
}

std::map<std::string, std::vector<std::string>> reference_args(std::filesystem::path const& shared) {
    std::map<std::string, std::vector<std::string>> out;
    for (auto const& f : tsv_rows(shared / "corpus" / "packetdrill" / "reference-args.tsv")) {
        if (f.size() < 2) continue;
        std::istringstream words(f[1]);
        std::vector<std::string> args{std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
        out[f[0]] = std::move(args);
    }
    return out;
}

std::vector<std::filesystem::path> scripts_below(std::filesystem::path const& dir) {
    std::vector<std::filesystem::path> out;
    for (auto const& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file() && e.path().extension() == ".pkt") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_file(std::filesystem::path const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace pktdrill::test
