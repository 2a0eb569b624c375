#pragma once
// Where something stands in a script: every error the user sees points here.

#include <string>

namespace pktdrill {

struct SourceLocation {
    int line = 0;    // 1-based; 0 means "the script as a whole"
    int column = 0;  // 1-based byte offset in the line; 0 means "the whole line"

    friend bool operator==(SourceLocation const&, SourceLocation const&) = default;
};

}  // namespace pktdrill
