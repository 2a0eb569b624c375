#pragma once
// Diagnostics in the clang style:
//
//   file.pkt:7:19: error: expected integer
//   0.1 < S 0:0(0) win
//                     ^
//
// Every layer reports through this: parse errors, semantic checks, lint warnings (with fix-its)
// and run-time failures that point at a script line.

#include <cstddef>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "grammar/source.hpp"
#include "src/base/source_location.hpp"

namespace pktdrill::grammar {

enum class Severity { note, warning, error, fatal };

// A replacement of the bytes [begin, end) of the source by `text`.
struct FixIt {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string text;
};

struct Diagnostic {
    Severity severity = Severity::error;
    SourceLocation where;            // line 0: about the file as a whole
    std::size_t range_length = 0;    // bytes underlined with '~' after the caret
    std::string message;
    std::optional<FixIt> fix;
    std::vector<std::string> trailer;  // extra lines printed verbatim after the caret line
};

class Diagnostics {
public:
    explicit Diagnostics(SourceFile const& file, int error_limit = 20)
        : file_(&file), error_limit_(error_limit) {}

    SourceFile const& file() const noexcept { return *file_; }

    // Reports at a byte offset of the source; `length` bytes are underlined.
    Diagnostic& report(Severity severity, std::size_t offset, std::string message, std::size_t length = 0);
    Diagnostic& error(std::size_t offset, std::string message, std::size_t length = 0) {
        return report(Severity::error, offset, std::move(message), length);
    }
    Diagnostic& error_at(SourceLocation where, std::string message);
    Diagnostic& warning(std::size_t offset, std::string message, std::size_t length = 0) {
        return report(Severity::warning, offset, std::move(message), length);
    }
    Diagnostic& note(std::size_t offset, std::string message, std::size_t length = 0) {
        return report(Severity::note, offset, std::move(message), length);
    }

    int error_count() const noexcept { return errors_; }
    int warning_count() const noexcept { return warnings_; }
    bool error_limit_reached() const noexcept { return error_limit_ > 0 && errors_ >= error_limit_; }
    // Adds the clang-style "too many errors" line once the limit is reached.
    void stop_at_limit();

    std::vector<Diagnostic> const& all() const noexcept { return list_; }
    void print(std::ostream& out) const;

private:
    SourceFile const* file_;
    int error_limit_;
    int errors_ = 0;
    int warnings_ = 0;
    std::vector<Diagnostic> list_;
};

// Renders one diagnostic: the `file:line:col: severity: message` line, the source line and the
// caret line (and a fix-it line when there is one). Control characters in the source line are
// shown as '?' so the caret stays aligned; tabs are copied so it stays aligned under any tab width.
void print_diagnostic(std::ostream& out, SourceFile const& file, Diagnostic const& d);

char const* severity_name(Severity s);

}  // namespace pktdrill::grammar
