// parse_bench: how fast scripts load (parse + semantic checks), reported as numbers.
//
//   parse_bench [--shared DIR] [--pktdrill BINARY] [--seconds S]
//
// 1. packetdrill's corpus, in memory: parse only, and full load (parse and build the model);
//    scripts/s and MB/s.
// 2. A large synthetic script (100,000 events of every common kind): MB/s and events/s.
// 3. `pktdrill --check` over the whole corpus in one process with the reference's -D defines, as
//    a user runs it (best of 5 wall times, against the 0.3 s target).

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/diagnostics.hpp"
#include "grammar/parse.hpp"
#include "grammar/source.hpp"
#include "src/script/build.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using pktdrill::grammar::Diagnostics;
using pktdrill::grammar::SourceFile;

struct Script {
    std::string path;
    std::string text;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string read(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The ipv4 arguments of reference-args.tsv, split at white space ({} when the file is absent).
std::vector<std::string> reference_args(fs::path const& shared) {
    std::ifstream in(shared / "corpus" / "packetdrill" / "reference-args.tsv");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("ipv4\t", 0) != 0) continue;
        std::istringstream words(line.substr(5));
        return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    }
    return {};
}

std::vector<pktdrill::script::OptionValue> settings(std::vector<std::string> const& args) {
    std::vector<pktdrill::script::OptionValue> out;
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "-D") out.push_back({"define", args[++i]});
    return out;
}

// Runs `body` over the scripts until `budget` seconds have passed (at least once); returns the
// rounds and the time they took.
template <typename Body>
std::pair<int, double> repeat(std::vector<Script> const& scripts, double budget, Body body) {
    int rounds = 0;
    auto const start = Clock::now();
    do {
        for (auto const& s : scripts) body(s);
        ++rounds;
    } while (seconds_since(start) < budget);
    return {rounds, seconds_since(start)};
}

void report(char const* what, std::size_t scripts, std::size_t bytes, int rounds, double secs, char const* unit) {
    double const per_round = secs / rounds;
    std::printf("  %-34s %10.0f %s/s  %8.2f MB/s  (%.3f ms per pass, %d passes)\n", what,
                static_cast<double>(scripts) / per_round, unit, static_cast<double>(bytes) / per_round / 1e6,
                per_round * 1e3, rounds);
}

std::string synthetic_script(int events) {
    std::string s =
        "--tolerance_usecs=10000\n`echo init`\n"
        "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
        "+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n";
    char const* lines[] = {
        "+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n",
        "+0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>\n",
        "+.01 < . 1:1(0) ack 1 win 257\n",
        "+0 write(4, ..., 1000) = 1000\n",
        "+0 > P. 1:1001(1000) ack 1 <nop,nop,TS val 100 ecr 200>\n",
        "+0 < . 1:1(0) ack 1001 win 257 <nop,nop,sack 1:1001>\n",
        "+0 poll([{fd=4, events=POLLIN|POLLOUT, revents=POLLOUT}], 1, 0) = 1\n",
        "+0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 100}], msg_flags=0}, 0) = -1 EAGAIN (Resource "
        "temporarily unavailable)\n",
        "+0 `sysctl -q net.ipv4.tcp_ecn=1`  // a command\n",
        "+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n",
    };
    for (int i = 0; i < events; ++i) s += lines[i % std::size(lines)];
    return s + "`echo cleanup`\n";
}

// Wall time of one `binary args...` run, its output thrown away; -1 when it could not run or
// did not exit 0.
double time_process(std::vector<std::string> const& argv) {
    std::vector<char*> args;
    for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    auto const start = Clock::now();
    int const rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    double const secs = seconds_since(start);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? secs : -1;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path shared = PKTDRILL_SHARED_DIR;
    std::string binary = PKTDRILL_BINARY;
    double budget = 2.0;
    for (int i = 1; i < argc; ++i) {
        std::string const a = argv[i];
        if (a == "--shared" && i + 1 < argc) shared = argv[++i];
        else if (a == "--pktdrill" && i + 1 < argc) binary = argv[++i];
        else if (a == "--seconds" && i + 1 < argc) budget = std::atof(argv[++i]);
        else {
            std::fprintf(stderr, "usage: parse_bench [--shared DIR] [--pktdrill BINARY] [--seconds S]\n");
            return 2;
        }
    }

    fs::path const corpus_dir = shared / "corpus" / "packetdrill";
    std::vector<Script> corpus;
    std::size_t corpus_bytes = 0;
    if (fs::is_directory(corpus_dir)) {
        for (auto const& e : fs::recursive_directory_iterator(corpus_dir))
            if (e.is_regular_file() && e.path().extension() == ".pkt") corpus.push_back({e.path().string(), read(e.path())});
        std::sort(corpus.begin(), corpus.end(), [](auto const& a, auto const& b) { return a.path < b.path; });
        for (auto const& s : corpus) corpus_bytes += s.text.size();
    }
    auto const args = reference_args(shared);
    auto const defines = settings(args);

    if (corpus.empty()) {
        std::printf("corpus: skipped, %s is absent\n", corpus_dir.c_str());
    } else {
        std::printf("corpus: %zu scripts, %.1f KB (%s)\n", corpus.size(), corpus_bytes / 1e3, corpus_dir.c_str());
        int failures = 0;
        auto const [parse_rounds, parse_secs] = repeat(corpus, budget, [&](Script const& s) {
            SourceFile const file(s.path, s.text);
            Diagnostics d(file);
            auto const statements = pktdrill::grammar::parse_script(file, d);
            failures += d.error_count() != 0;
        });
        report("parse only", corpus.size(), corpus_bytes, parse_rounds, parse_secs, "scripts");
        failures = 0;
        auto const [load_rounds, load_secs] = repeat(corpus, budget, [&](Script const& s) {
            SourceFile const file(s.path, s.text);
            Diagnostics d(file);
            failures += !pktdrill::script::load_script(file, d, defines);
        });
        report("load (parse + model)", corpus.size(), corpus_bytes, load_rounds, load_secs, "scripts");
        if (failures) std::printf("  (%d scripts per pass did not load)\n", failures / load_rounds);
    }

    int const events = 100'000;
    std::vector<Script> const big{{"synthetic.pkt", synthetic_script(events)}};
    std::printf("synthetic: %d events, %.1f MB\n", events + 2, big[0].text.size() / 1e6);
    bool ok = true;
    auto const [big_rounds, big_secs] = repeat(big, budget, [&](Script const& s) {
        SourceFile const file(s.path, s.text);
        Diagnostics d(file);
        ok = ok && pktdrill::script::load_script(file, d, {});
    });
    report("load (parse + model)", events + 2, big[0].text.size(), big_rounds, big_secs, "events");
    if (!ok) std::printf("  (the synthetic script did not load)\n");

    if (!corpus.empty()) {
        // The reference's defines, without its --ip_version: one run checks scripts of every family.
        std::vector<std::string> command{binary, "--check"};
        for (auto const& d : defines) command.insert(command.end(), {"-D", *d.value});
        for (auto const& s : corpus) command.push_back(s.path);
        std::vector<double> times;
        for (int i = 0; i < 5; ++i) times.push_back(time_process(command));
        double const best = *std::min_element(times.begin(), times.end());
        if (best < 0) {  // some run failed
            std::printf("pktdrill --check over the corpus: could not run %s (or it failed)\n", binary.c_str());
            return 1;
        }
        std::printf("pktdrill --check over the corpus, one process: %.3f s (best of 5; target < 0.3 s: %s)\n", best,
                    best < 0.3 ? "met" : "MISSED");
    }
    return 0;
}
