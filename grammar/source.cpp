#include "grammar/source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "src/base/error.hpp"

namespace pktdrill::grammar {

SourceFile::SourceFile(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
    line_starts_.push_back(0);
    for (std::size_t i = 0; i < text_.size(); ++i)
        if (text_[i] == '\n') line_starts_.push_back(i + 1);
}

SourceFile SourceFile::read(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open script: " + std::strerror(errno));
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) throw Error(path + ": cannot read script: " + std::strerror(errno));
    return SourceFile(path, std::move(text));
}

SourceLocation SourceFile::location(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    auto const line = static_cast<int>(it - line_starts_.begin());
    return {line, static_cast<int>(offset - line_starts_[line - 1]) + 1};
}

std::size_t SourceFile::offset_of(SourceLocation where) const {
    if (where.line < 1 || where.line > line_count()) return text_.size();
    return line_starts_[where.line - 1] + static_cast<std::size_t>(std::max(where.column, 1) - 1);
}

std::string_view SourceFile::line(int number) const {
    if (number < 1 || number > line_count()) return {};
    std::size_t const start = line_starts_[number - 1];
    std::size_t stop = number < line_count() ? line_starts_[number] - 1 : text_.size();
    if (stop > start && text_[stop - 1] == '\r') --stop;
    return std::string_view(text_).substr(start, stop - start);
}

}  // namespace pktdrill::grammar
