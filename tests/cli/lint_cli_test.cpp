// `pktdrill lint` and `pktdrill record` as users run them: lint's exit statuses (0 clean, 1
// warnings, 2 a script that does not load), --fix in place, -W switches; record's usage errors.
// Nothing here needs the network.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/process.hpp"

namespace fs = std::filesystem;
using namespace pktdrill::test;
using Catch::Matchers::Contains;

namespace {

struct Dir {
    fs::path path;
    Dir() {
        std::string templ = (fs::temp_directory_path() / "pktdrill-lint-XXXXXX").string();
        path = ::mkdtemp(templ.data());
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(std::string const& name, std::string const& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
        return path / name;
    }
};

std::string read(fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

ProcessResult run_pktdrill(std::vector<std::string> args) {
    args.insert(args.begin(), PKTDRILL_BINARY);
    return run_process(args);
}

std::string const accepted =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
    "+0 bind(3, ..., ...) = 0\n"
    "+0 listen(3, 1) = 0\n"
    "+0 < S 0:0(0) win 65535 <mss 1460>\n"
    "+0 > S. 0:0(0) ack 1 <...>\n"
    "+.1 < . 1:1(0) ack 1 win 65535\n"
    "+0 accept(3, ..., ...) = 4\n";

}  // namespace

TEST_CASE("pktdrill lint exits 0 on a script without warnings and prints nothing", "[lint-cli]") {
    Dir dir;
    auto const r = run_pktdrill({"lint", dir.write("clean.pkt", accepted + "+.1 < F. 1:1(0) ack 1 win 257\n").string()});
    CHECK(r.exit_status == 0);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
}

TEST_CASE("pktdrill lint exits 1 with warnings, printed in the clang style with their fix-its", "[lint-cli]") {
    Dir dir;
    auto const script = dir.write("missing.pkt", accepted + "+.1 < F. 1:1(0) win 257\n");
    auto const r = run_pktdrill({"lint", script.string()});
    CHECK(r.exit_status == 1);
    CHECK_THAT(r.err, Contains(script.string() + ":8:16: warning: this segment has the ACK flag but no `ack`"));
    CHECK_THAT(r.err, Contains("[-Wack-missing]\n+.1 < F. 1:1(0) win 257\n               ^\n                ack 1\n"));
    CHECK(read(script) == accepted + "+.1 < F. 1:1(0) win 257\n");  // untouched without --fix
}

TEST_CASE("pktdrill lint exits 2 when a script does not load, and on an unknown check", "[lint-cli]") {
    Dir dir;
    auto const r = run_pktdrill({"lint", dir.write("bad.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0) win\n").string()});
    CHECK(r.exit_status == 2);
    CHECK_THAT(r.err, Contains("bad.pkt:2:"));
    CHECK(run_pktdrill({"lint", "-Wno-such-check", dir.write("x.pkt", accepted).string()}).exit_status == 2);
}

TEST_CASE("pktdrill lint --fix applies the fix-its in place and exits 0 when none is left", "[lint-cli]") {
    Dir dir;
    auto const script = dir.write("fixme.pkt", accepted + "+.1 < F. 1:1(0) win 257\n+0 `sleep 1`\n");
    auto const r = run_pktdrill({"lint", "--fix", script.string()});
    CHECK(r.exit_status == 0);
    CHECK_THAT(r.err, Contains("applied 1 fix-it; 0 warnings left"));
    CHECK(read(script) == accepted + "+.1 < F. 1:1(0) ack 1 win 257\n+0 `sleep 1`\n");
    CHECK(run_pktdrill({"lint", script.string()}).exit_status == 0);
}

TEST_CASE("pktdrill lint -W switches turn checks on and off", "[lint-cli]") {
    Dir dir;
    auto const script = dir.write("open.pkt", accepted);
    CHECK(run_pktdrill({"lint", script.string()}).exit_status == 0);
    auto const on = run_pktdrill({"lint", "-Wopen-socket", script.string()});
    CHECK(on.exit_status == 1);
    CHECK_THAT(on.err, Contains("[-Wopen-socket]"));
    CHECK(run_pktdrill({"lint", "-Weverything", "-Wno-open-socket", script.string()}).exit_status == 0);
    auto const help = run_pktdrill({"lint", "--help"});
    CHECK(help.exit_status == 0);
    CHECK_THAT(help.out, Contains("open-socket (off by default)"));
}

TEST_CASE("pktdrill record without a script is a usage error", "[lint-cli]") {
    auto const r = run_pktdrill({"record"});
    CHECK(r.exit_status == 2);
    CHECK(run_pktdrill({"record", "/nonexistent/x.pkt"}).exit_status == 2);
}
