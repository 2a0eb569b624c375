#pragma once
// A script held in memory with its line index, so that byte offsets (what the parser records)
// become the line:column pairs every diagnostic prints.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/source_location.hpp"

namespace pktdrill::grammar {

class SourceFile {
public:
    SourceFile(std::string path, std::string text);

    // Reads a file; throws pktdrill::Error naming the path when it cannot be read.
    static SourceFile read(std::string const& path);

    std::string const& path() const noexcept { return path_; }
    std::string const& text() const noexcept { return text_; }
    char const* begin() const noexcept { return text_.data(); }
    char const* end() const noexcept { return text_.data() + text_.size(); }

    SourceLocation location(std::size_t offset) const;
    std::size_t offset_of(SourceLocation where) const;
    // The text of a 1-based line, without its line end (`\n` or `\r\n`).
    std::string_view line(int number) const;
    int line_count() const noexcept { return static_cast<int>(line_starts_.size()); }

private:
    std::string path_;
    std::string text_;
    std::vector<std::size_t> line_starts_;
};

}  // namespace pktdrill::grammar
