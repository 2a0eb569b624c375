#include "src/cli/suite_outcome.hpp"

#include <csignal>
#include <cstring>
#include <optional>
#include <regex>
#include <sstream>
#include <vector>

namespace pktdrill::cli {

namespace {

using report::Verdict;

// A block longer than this is a packet dump of many lines; the log keeps it all.
constexpr std::size_t detail_lines = 12;

std::vector<std::string> split_lines(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

struct Diagnostic {
    std::size_t line_index;
    std::string location;  // with the discovered path
    std::string message;
};

// pktdrill's clang-style line about the script: "FILE:LINE:COL: error: MESSAGE" (FILE as the run
// was given it). Not anchored on FILE alone: a script's init command may print lines of its own.
std::optional<Diagnostic> diagnostic_at(std::vector<std::string> const& lines, std::size_t i, PlannedRun const& run) {
    static std::regex const form(R"(^(\d+)(:\d+)?: error: (.*)$)");
    std::string const& line = lines[i];
    std::string const prefix = run.file_name + ":";
    if (line.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
    std::smatch m;
    std::string const rest = line.substr(prefix.size());
    if (!std::regex_match(rest, m, form)) return std::nullopt;
    return Diagnostic{i, run.script + ":" + m[1].str() + m[2].str(), m[3].str()};
}

bool starts_diagnostic(std::string const& line, PlannedRun const& run) {
    static std::regex const form(R"(^\d+(:\d+)?: (error|warning|note): )");
    std::string const prefix = run.file_name + ":";
    return line.compare(0, prefix.size(), prefix) == 0 && std::regex_search(line.substr(prefix.size()), form);
}

std::string signal_text(int signal) {
    char const* name = ::sigabbrev_np(signal);
    return name ? std::string("SIG") + name : "signal " + std::to_string(signal);
}

}  // namespace

AttemptOutcome judge_attempt(PlannedRun const& run, AttemptEnd const& end, std::string const& log,
                             double timeout_secs) {
    AttemptOutcome out;
    if (end.not_started) {
        out.verdict = Verdict::error;
        out.message = "could not start pktdrill: " + end.start_error;
        return out;
    }
    out.exit_status = end.exited ? end.status : 128 + end.status;

    auto const lines = split_lines(log);
    std::vector<Diagnostic> errors;
    for (std::size_t i = 0; i < lines.size(); ++i)
        if (auto d = diagnostic_at(lines, i, run)) errors.push_back(std::move(*d));
    if (!errors.empty()) {
        auto const& first = errors.front();
        out.location = first.location;
        out.message = first.message;
        out.detail = first.location + ": error: " + first.message;
        for (std::size_t i = first.line_index + 1;
             i < lines.size() && i <= first.line_index + detail_lines && !lines[i].empty() &&
             !starts_diagnostic(lines[i], run);
             ++i)
            out.detail += "\n" + lines[i];
    } else {
        // An error without a script line ("pktdrill: error: ..."), or the last thing it said.
        for (auto const& line : lines)
            if (line.find("error: ") != std::string::npos) {
                out.message = line;
                break;
            }
        if (out.message.empty())
            for (auto it = lines.rbegin(); it != lines.rend(); ++it)
                if (!it->empty()) {
                    out.message = *it;
                    break;
                }
    }

    if (end.exited && end.status == 0) {
        out.verdict = Verdict::pass;
        out.location.clear();
        out.message.clear();
        out.detail.clear();
        return out;
    }
    if (end.timed_out) {
        out.verdict = Verdict::timeout;
        std::ostringstream text;
        text << "timed out after " << timeout_secs << " s (--timeout)";
        out.location.clear();
        out.message = text.str();
        out.detail = text.str();
        return out;
    }
    if (end.interrupted) {
        out.verdict = Verdict::interrupted;
        out.location.clear();
        out.message = "interrupted";
        out.detail.clear();
        return out;
    }
    if (end.exited && end.status == 1) {
        out.verdict = Verdict::fail;
        out.timing_only = !errors.empty();
        for (auto const& e : errors)
            if (e.message.find("timing error: expected") == std::string::npos) out.timing_only = false;
        if (out.message.empty()) out.message = "pktdrill exited 1";
        return out;
    }
    out.verdict = Verdict::error;
    if (!end.exited) {
        out.message = "pktdrill was ended by " + signal_text(end.status) +
                      (out.message.empty() ? std::string() : "; last words: " + out.message);
        out.location.clear();
    } else if (end.status > 128) {
        out.message = "pktdrill was interrupted by " + signal_text(end.status - 128);
        out.location.clear();
    } else if (out.message.empty()) {
        out.message = "pktdrill exited " + std::to_string(end.status);
    }
    return out;
}

}  // namespace pktdrill::cli
