#pragma once
// Runs a script text under one ip version with the fixed addresses packetdrill's kernel
// selftests use (TCP Fast Open cookies and the literal outer headers of encapsulated packets
// depend on them), and checks its verdict: the common ground of the feature and flag tests.

#include <string>
#include <vector>

#include "child.hpp"

namespace pktdrill::test {

struct Family {
    char const* name;
    std::vector<std::string> args;
};

extern Family const ipv4;
extern Family const ipv6;
extern Family const mapped;

struct Outcome {
    int status = -1;
    std::string output;
};

// The script is written as f.pkt in `dir`, which is also the run's working directory.
Outcome run_in(TempDir const& dir, Family const& family, std::vector<std::string> const& extra, std::string const& text);
Outcome run(Family const& family, std::vector<std::string> const& extra, std::string const& text);

void passes(Family const& family, std::vector<std::string> const& extra, std::string const& text);
void fails_with(Family const& family, std::vector<std::string> const& extra, std::string const& text,
                std::string const& message, int status = 1);

// `text` with the first `from` replaced by `to` (which must be there).
std::string replaced(std::string text, std::string const& from, std::string const& to);

}  // namespace pktdrill::test
