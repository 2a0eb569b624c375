// Every system-call line of the shared packetdrill corpus converts to a call: its arguments have
// forms, types, counts and symbols the executor takes (no kernel call is made). Skipped, saying
// so, when the corpus is not there.

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/unique_fd.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/run_context.hpp"
#include "src/run/syscall_call.hpp"
#include "src/script/build.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace pktdrill::run::syscall;
namespace fs = std::filesystem;

namespace {

fs::path corpus() { return fs::path(PKTDRILL_SHARED_DIR) / "corpus" / "packetdrill"; }

// The -D defines of reference-args.tsv's ipv4 line (the scripts need them to parse).
std::vector<script::OptionValue> ipv4_defines() {
    std::vector<script::OptionValue> out;
    std::ifstream in(corpus() / "reference-args.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("ipv4\t", 0) != 0) continue;
        std::istringstream words(line.substr(5));
        std::string w;
        while (words >> w)
            if (w == "-D" && words >> w) out.push_back({"define", w});
    }
    return out;
}

}  // namespace

TEST_CASE("every system-call line of the packetdrill corpus converts to a call") {
    if (!fs::exists(corpus())) {
        WARN("no corpus at " << corpus() << ": skipped");
        return;
    }
    auto const defines = ipv4_defines();
    int scripts = 0, calls = 0;
    std::vector<std::string> failures;
    for (auto const& entry : fs::recursive_directory_iterator(corpus())) {
        if (entry.path().extension() != ".pkt") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        grammar::SourceFile file(entry.path().string(), text.str());
        grammar::Diagnostics diagnostics(file);
        auto loaded = script::load_script(file, diagnostics, defines);
        if (!loaded) continue;  // the language's tests cover what does not load
        ++scripts;
        boost::asio::io_context io;
        Interrupts interrupts(io);
        std::ostringstream out;
        RunContext ctx(file, loaded->script, loaded->config, io, interrupts, out);
        ctx.addresses = resolve_addresses(loaded->config);
        // Every script fd stands for an open TCP socket, so that fd lookups succeed.
        UniqueFd placeholder(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        for (int fd = 0; fd < 64; ++fd) {
            Socket& s = ctx.sockets.create();
            s.domain = AF_INET;
            s.type = SOCK_STREAM;
            s.protocol = IPPROTO_TCP;
            ctx.fds.add(fd, placeholder.get(), FdKind::socket, &s);
        }
        auto kept = std::make_shared<KeptBuffers>();
        for (auto const& event : loaded->script.events) {
            auto const* call = std::get_if<script::Syscall>(&event.action);
            if (!call) continue;
            ++calls;
            Prepare const prepare = find_call(call->name);
            if (!prepare) {
                failures.push_back(file.path() + ":" + std::to_string(event.where.line) + ": unknown call " + call->name);
                continue;
            }
            try {
                check_symbols(call->args);
                CallContext c{ctx, *call, Args(call->args, event.where),
                              Expected{call->result, call->errno_name, event.where}, kept};
                auto prepared = prepare(c);
                CHECK(prepared);
            } catch (CallError const& e) {
                failures.push_back(file.path() + ":" + std::to_string(e.where.line ? e.where.line : event.where.line) +
                                   ": " + call->name + ": " + e.message);
            }
        }
    }
    INFO(scripts << " scripts, " << calls << " calls");
    for (auto const& f : failures) UNSCOPED_INFO(f);
    CHECK(scripts > 100);
    CHECK(failures.empty());
}
