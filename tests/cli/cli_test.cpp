// The pktdrill binary's command line: exit statuses of --check and --dump (and packetdrill's
// --dry_run), packetdrill's flag spellings accepted and validated, and the command line winning
// over a script's option lines. Nothing here runs a script, so nothing needs root.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

namespace {

namespace fs = std::filesystem;
using pktdrill::test::ProcessResult;

// A folder of scripts for one test, removed afterwards.
class Scripts {
public:
    Scripts() : dir_(fs::temp_directory_path() / ("pktdrill-cli-test-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Scripts() { fs::remove_all(dir_); }
    Scripts(Scripts const&) = delete;
    Scripts& operator=(Scripts const&) = delete;

    // Writes `text` to `name`; returns its path.
    std::string add(std::string const& name, std::string const& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
        return (dir_ / name).string();
    }
    std::string const dir() const { return dir_.string(); }

private:
    fs::path dir_;
};

ProcessResult run_pktdrill(std::vector<std::string> args, std::string const& directory = {}) {
    args.insert(args.begin(), PKTDRILL_BINARY);
    return pktdrill::test::run_process(args, directory);
}

std::string const good = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) win 1000 <mss 1460>\n";
std::string const bad = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n0.1 < S 0:0(0) win\n";
std::string const bad_error = "bad.pkt:2:19: error: expected integer\n0.1 < S 0:0(0) win\n                  ^\n";

}  // namespace

// ---------------------------------------------------------------------------------------------
// --check, --dry_run, --dump

TEST_CASE("pktdrill --check of a good script exits 0 and prints nothing", "[cli]") {
    Scripts s;
    s.add("good.pkt", good);
    auto const r = run_pktdrill({"--check", "good.pkt"}, s.dir());
    CHECK(r.exit_status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
}

TEST_CASE("pktdrill --check of a bad script exits 2 with a clang-style error on stderr", "[cli]") {
    Scripts s;
    s.add("bad.pkt", bad);
    auto const r = run_pktdrill({"--check", "bad.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == bad_error);
}

TEST_CASE("pktdrill --check of several scripts reports each bad one and exits 2 if any is bad", "[cli]") {
    Scripts s;
    s.add("good.pkt", good);
    s.add("bad.pkt", bad);
    s.add("worse.pkt", "0.1 close(3) = 0\n");
    auto const r = run_pktdrill({"--check", "good.pkt", "bad.pkt", "worse.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.err == bad_error + "worse.pkt:1:1: error: first event should be at time 0\n0.1 close(3) = 0\n^\n");
    CHECK(run_pktdrill({"--check", "good.pkt", "good.pkt"}, s.dir()).exit_status == 0);
}

TEST_CASE("pktdrill --check of a missing file exits 2 and says why", "[cli]") {
    Scripts s;
    auto const r = run_pktdrill({"--check", "missing.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.err == "pktdrill: error: missing.pkt: cannot open script: No such file or directory\n");
}

TEST_CASE("packetdrill's --dry_run is --check", "[cli]") {
    Scripts s;
    s.add("good.pkt", good);
    s.add("bad.pkt", bad);
    CHECK(run_pktdrill({"--dry_run", "good.pkt"}, s.dir()).exit_status == 0);
    auto const r = run_pktdrill({"--dry_run", "bad.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.err == bad_error);
}

TEST_CASE("pktdrill --dump of a good script exits 0 and prints its events", "[cli]") {
    Scripts s;
    s.add("good.pkt", good);
    auto const r = run_pktdrill({"--dump", "good.pkt"}, s.dir());
    CHECK(r.exit_status == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "// pktdrill --dump of good.pkt: nominal time, kind, source line, event\n"
          "/* 0.000000 syscall  L1    */ 0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
          "/* 0.000000 inbound  L2    */ +0 < S 0:0(0) win 1000 <mss 1460>\n");
}

TEST_CASE("pktdrill --dump of a bad script exits 2 and prints only the error", "[cli]") {
    Scripts s;
    s.add("bad.pkt", bad);
    auto const r = run_pktdrill({"--dump", "bad.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.out.empty());
    CHECK(r.err == bad_error);
}

TEST_CASE("pktdrill --dump output is itself a script that --check accepts", "[cli]") {
    Scripts s;
    s.add("good.pkt", "--tolerance_usecs=10000\n`true`\n" + good + "+.1 > S. 0:0(0) ack 1 <...>\n`true`\n");
    auto const dumped = run_pktdrill({"--dump", "good.pkt"}, s.dir());
    REQUIRE(dumped.exit_status == 0);
    s.add("dumped.pkt", dumped.out);
    auto const r = run_pktdrill({"--check", "dumped.pkt"}, s.dir());
    CHECK(r.exit_status == 0);
    CHECK(r.err.empty());
}

// ---------------------------------------------------------------------------------------------
// packetdrill's flags

TEST_CASE("packetdrill's flag spellings are accepted", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    auto const r = run_pktdrill({"--check", "--tolerance_usecs=4000", "--ip_version=ipv6", "-D", "NAME=VALUE", "-DX=1",
                             "--define=Y=2", "-v", "--non_fatal=packet", "--tolerance_percent=12.5",
                             "--strict_segments", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                             "--remote_ip=fd3d:fa7b:d17d::1", "--gateway_ip=fd3d:0a0b:17d6:8888::1",
                             "--send_omit_free", "--bind_port=8080", "--tcp_ts_tick_usecs=1000", "good.pkt"},
                            s.dir());
    INFO(r.err);
    CHECK(r.exit_status == 0);
}

TEST_CASE("flags also take their value as the next argument", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    CHECK(run_pktdrill({"--check", "--tolerance_usecs", "4000", "--ip_version", "ipv4", "good.pkt"}, s.dir()).exit_status == 0);
}

TEST_CASE("the reference runner's arguments for every ip version are accepted", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    for (std::vector<std::string> args :
         {std::vector<std::string>{"--ip_version=ipv4", "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1",
                                   "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1", "-D", "TFO_COOKIE=3021b9d889017eeb"},
          {"--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1", "--gateway_ip=fd3d:0a0b:17d6:8888::1",
           "--remote_ip=fd3d:fa7b:d17d::1", "-D", "TFO_COOKIE=c1d1e9742a47a9bc"},
          {"--ip_version=ipv4-mapped-ipv6", "--local_ip=192.168.0.1", "--remote_ip=192.0.2.1"}}) {
        args.insert(args.begin(), {"--check", "--send_omit_free"});
        args.push_back("good.pkt");
        auto const r = run_pktdrill(args, s.dir());
        INFO(r.err);
        CHECK(r.exit_status == 0);
    }
}

TEST_CASE("bad flag values are rejected with exit 2 and a message naming the flag", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (auto const& c : std::vector<Case>{
             {{"--tolerance_usecs=abc"}, "pktdrill: error: --tolerance_usecs: tolerance_usecs must be an integer, not 'abc'\n"},
             {{"--ip_version=ipv5"}, "pktdrill: error: --ip_version: ip_version must be ipv4, ipv4-mapped-ipv6 or ipv6, not 'ipv5'\n"},
             {{"--non_fatal=frobnicate"}, "pktdrill: error: --non_fatal: non_fatal takes packet and syscall, not 'frobnicate'\n"},
             {{"-D", "NOVALUE"}, "pktdrill: error: --define: define takes NAME=VALUE, not 'NOVALUE'\n"},
             {{"--mtu=10"}, "pktdrill: error: --mtu: mtu must be between 68 and 65535, not '10'\n"},
             {{"--local_ip=300.1.1.1"}, "pktdrill: error: --local_ip: local_ip must be an IPv4 or IPv6 address, not '300.1.1.1'\n"},
         }) {
        auto args = c.args;
        args.insert(args.begin(), "--check");
        args.push_back("good.pkt");
        auto const r = run_pktdrill(args, s.dir());
        INFO(c.args.at(0));
        CHECK(r.exit_status == 2);
        CHECK(r.err == c.message);
    }
}

TEST_CASE("an unknown flag is a usage error", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    auto const r = run_pktdrill({"--check", "--frobnicate", "good.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.err.find("frobnicate") != std::string::npos);
}

TEST_CASE("remote mode flags pass --check but a run refuses them with exit 2 before anything runs", "[cli][flags]") {
    Scripts s;
    s.add("good.pkt", good);
    for (std::vector<std::string> flags : {std::vector<std::string>{"--wire_client"}, {"--wire_server"},
                                           {"--wire_server_ip=192.0.2.9"}, {"--wire_server_at=peer"}}) {
        INFO(flags[0]);
        auto args = flags;
        args.insert(args.begin(), "--check");
        args.push_back("good.pkt");
        CHECK(run_pktdrill(args, s.dir()).exit_status == 0);
        args.erase(args.begin());
        auto const r = run_pktdrill(args, s.dir());
        CHECK(r.exit_status == 2);
        CHECK(r.out.empty());
        CHECK_THAT(r.err, Catch::StartsWith("good.pkt: error: remote mode (--wire_client, --wire_server, "));
    }
}

TEST_CASE("no script is a usage error", "[cli][flags]") {
    auto const r = run_pktdrill({"--check"});
    CHECK(r.exit_status == 2);
    CHECK(r.err == "pktdrill: error: no script given (usage: pktdrill [options] script.pkt...)\n");
}

TEST_CASE("pktdrill --help lists packetdrill's flags and exits 0", "[cli][flags]") {
    auto const r = run_pktdrill({"--help"});
    CHECK(r.exit_status == 0);
    for (char const* flag : {"--check", "--dump", "--tolerance_usecs", "--ip_version", "--define", "--dry_run", "--verbose"})
        CHECK(r.out.find(flag) != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// The command line wins over the script

TEST_CASE("the command line's --ip_version wins over the script's", "[cli][precedence]") {
    // packet_too_big is an ICMPv6 name: the script only checks as ipv6.
    Scripts s;
    s.add("v6.pkt", "--ip_version=ipv4\n0 < icmp packet_too_big mtu 1280\n");
    auto const as_script_says = run_pktdrill({"--check", "v6.pkt"}, s.dir());
    CHECK(as_script_says.exit_status == 2);
    CHECK(as_script_says.err.find("bad ICMP type packet_too_big (for ICMPv4)") != std::string::npos);
    auto const overridden = run_pktdrill({"--check", "--ip_version=ipv6", "v6.pkt"}, s.dir());
    CHECK(overridden.exit_status == 0);
    CHECK(overridden.err.empty());
}

TEST_CASE("the command line's -D wins over the script's --define", "[cli][precedence]") {
    Scripts s;
    s.add("d.pkt", "--define=N=1\n0 f(N) = 0\n");
    auto const r = run_pktdrill({"--dump", "-D", "N=2", "d.pkt"}, s.dir());
    CHECK(r.exit_status == 0);
    CHECK(r.out.find(" 0 f(2) = 0\n") != std::string::npos);
    CHECK(run_pktdrill({"--dump", "d.pkt"}, s.dir()).out.find(" 0 f(1) = 0\n") != std::string::npos);
}

TEST_CASE("a bad option line in a script is the script's error, at its line", "[cli][precedence]") {
    Scripts s;
    s.add("o.pkt", "--tolerance_usecs=abc\n0 close(3) = 0\n");
    auto const r = run_pktdrill({"--check", "--tolerance_usecs=4000", "o.pkt"}, s.dir());
    CHECK(r.exit_status == 2);
    CHECK(r.err ==
          "o.pkt:1:19: error: tolerance_usecs must be an integer, not 'abc'\n--tolerance_usecs=abc\n                  ^\n");
}
