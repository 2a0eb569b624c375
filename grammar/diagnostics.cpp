#include "grammar/diagnostics.hpp"

#include <algorithm>
#include <ostream>

namespace pktdrill::grammar {

char const* severity_name(Severity s) {
    switch (s) {
    case Severity::note: return "note";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
    case Severity::fatal: return "fatal error";
    }
    return "error";
}

Diagnostic& Diagnostics::report(Severity severity, std::size_t offset, std::string message,
                                std::size_t length) {
    Diagnostic d;
    d.severity = severity;
    d.where = file_->location(offset);
    d.range_length = length;
    d.message = std::move(message);
    if (severity == Severity::error || severity == Severity::fatal) ++errors_;
    if (severity == Severity::warning) ++warnings_;
    list_.push_back(std::move(d));
    return list_.back();
}

Diagnostic& Diagnostics::error_at(SourceLocation where, std::string message) {
    Diagnostic d;
    d.where = where;
    d.message = std::move(message);
    ++errors_;
    list_.push_back(std::move(d));
    return list_.back();
}

void Diagnostics::stop_at_limit() {
    Diagnostic d;
    d.severity = Severity::fatal;
    d.message = "too many errors emitted, stopping now [-ferror-limit=]";
    list_.push_back(std::move(d));
}

void Diagnostics::print(std::ostream& out) const {
    for (auto const& d : list_) print_diagnostic(out, *file_, d);
}

namespace {

bool printable(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

}  // namespace

void print_diagnostic(std::ostream& out, SourceFile const& file, Diagnostic const& d) {
    if (d.where.line > 0) {
        out << file.path() << ':' << d.where.line << ':' << d.where.column << ": ";
    } else if (!file.path().empty() && d.severity != Severity::fatal) {
        out << file.path() << ": ";
    }
    out << severity_name(d.severity) << ": " << d.message << '\n';
    if (d.where.line > 0) {
        std::string_view const text = file.line(d.where.line);
        std::string shown;
        shown.reserve(text.size());
        for (unsigned char c : text) shown.push_back(printable(c) ? static_cast<char>(c) : '?');
        out << shown << '\n';
        std::string marker;
        auto const col = static_cast<std::size_t>(std::max(d.where.column, 1) - 1);
        for (std::size_t i = 0; i < col; ++i) marker.push_back(i < text.size() && text[i] == '\t' ? '\t' : ' ');
        marker.push_back('^');
        std::size_t const underline = d.range_length > 1 ? d.range_length - 1 : 0;
        for (std::size_t i = 0; i < underline && col + 1 + i < text.size(); ++i) marker.push_back('~');
        out << marker << '\n';
        if (d.fix) {
            std::string fix(col, ' ');
            for (std::size_t i = 0; i < col && i < text.size(); ++i)
                if (text[i] == '\t') fix[i] = '\t';
            out << fix << d.fix->text << '\n';
        }
    }
    for (auto const& line : d.trailer) out << line << '\n';
}

}  // namespace pktdrill::grammar
