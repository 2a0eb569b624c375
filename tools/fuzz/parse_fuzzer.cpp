// libFuzzer target for the script loader: any bytes, as a script, must load or be rejected with
// diagnostics; never crash, hang, leak or exhaust the stack. A script that loads must also
// survive --dump: its dump loads back to an equal model (the property tests/script checks on the
// corpus), so the fuzzer hunts renderer bugs too.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/diagnostics.hpp"
#include "grammar/parse_state.hpp"
#include "grammar/tokens.hpp"
#include "grammar/source.hpp"
#include "src/script/build.hpp"
#include "src/script/render.hpp"

namespace {

using pktdrill::grammar::Diagnostics;
using pktdrill::grammar::SourceFile;
using pktdrill::script::load_script;
using pktdrill::script::OptionValue;

// The -D arguments packetdrill's runner passes for ipv4 (reference-args.tsv), so that seeds from
// the corpus load and the fuzzer starts from scripts that reach the semantic pass.
std::vector<OptionValue> const& command_line() {
    static std::vector<OptionValue> const settings = {
        {"define", "TFO_COOKIE=3021b9d889017eeb"},
        {"define", "CODE=host_unreachable"},
        {"define", "CMSG_LEVEL_IP=SOL_IP"},
        {"define", "CMSG_TYPE_RECVERR=IP_RECVERR"},
    };
    return settings;
}

// Defines whose substitution a dump cannot write back, the cases the round-trip property
// excludes (packetdrill's lexer substitutes values as they are, and so does pktdrill):
//  - a value that names another define (A=B, B=1): substitution is not recursive, so A loads as
//    the word B, and the dump, where B is written out, loads as 1;
//  - a "word" value that is no word (X=a-b): it loads as the symbol a-b, which no script can spell;
//  - a `command` value with a backquote inside: the dump's `...` would end there.
bool inexpressible_defines(pktdrill::script::Config const& config) {
    for (auto const& [name, value] : config.defines) {
        for (auto const& [other, unused] : config.defines)
            if (value == other) return true;
        auto const kind = pktdrill::grammar::classify_define(value);
        if (kind.kind == pktdrill::grammar::DefineKind::word)
            for (char c : kind.text)
                if (!pktdrill::grammar::tokens::is_word_char(c)) return true;
        if (kind.kind == pktdrill::grammar::DefineKind::command && kind.text.find('`') != std::string::npos) return true;
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    SourceFile const file("fuzz.pkt", std::string(reinterpret_cast<char const*>(data), size));
    Diagnostics diagnostics(file);
    auto const loaded = load_script(file, diagnostics, command_line());
    // Printing the diagnostics (caret lines under arbitrary bytes) must not crash either.
    std::ostringstream sink;
    diagnostics.print(sink);
    if (!loaded || inexpressible_defines(loaded->config)) return 0;

    std::string const dumped = pktdrill::script::dump(loaded->script);
    SourceFile const again("fuzz.dump.pkt", dumped);
    Diagnostics again_diagnostics(again);
    auto const reloaded = load_script(again, again_diagnostics, command_line());
    if (!reloaded || !(reloaded->script == loaded->script)) {
        again_diagnostics.print(sink);
        std::fprintf(stderr, "--dump does not load back to the same model.\n--- dump:\n%s--- reload:\n%s",
                     dumped.c_str(), sink.str().c_str());
        std::abort();
    }
    return 0;
}
