// `%{ }%` code against the real kernel: a TCP connection over loopback in this test's private
// network namespace, snapshotted by CodeRunner at each code event as a run does, then evaluated
// at the end, natively or in python3.

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <array>
#include <chrono>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"
#include "grammar/diagnostics.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/base/unique_fd.hpp"
#include "src/net/rtnetlink.hpp"
#include "src/run/code_runner.hpp"
#include "src/run/interrupt.hpp"
#include "src/run/interrupted.hpp"
#include "src/run/run_context.hpp"
#include "src/script/build.hpp"

using namespace pktdrill;
using namespace pktdrill::run;
using namespace std::chrono_literals;

namespace {

// A connection over loopback: `client` connected to `server`, accepted from `listener`.
struct Connection {
    UniqueFd listener, client, server;

    Connection() {
        net::Rtnetlink rtnl;
        rtnl.set_link_up(rtnl.link_index("lo"));
        listener = UniqueFd(::socket(AF_INET, SOCK_STREAM, 0));
        REQUIRE(listener);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(listener.get(), 1) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        client = UniqueFd(::socket(AF_INET, SOCK_STREAM, 0));
        REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        server = UniqueFd(::accept(listener.get(), nullptr, nullptr));
        REQUIRE(server);
    }
};

int tcp_state(int fd) {
    tcp_info info{};
    socklen_t len = sizeof info;
    REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) == 0);
    return info.tcpi_state;
}

// Loopback delivers at once, but not necessarily before the sending call returns.
void wait_for_state(int fd, int state) {
    auto const deadline = std::chrono::steady_clock::now() + 5s;
    while (tcp_state(fd) != state && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    REQUIRE(tcp_state(fd) == state);
}

std::vector<script::OptionValue> verbose() { return {{"verbose", std::nullopt}}; }

// A script loaded as the command line loads it, and the run state CodeRunner works in.
struct Run {
    grammar::SourceFile file;
    script::LoadedScript loaded;
    boost::asio::io_context io;
    Interrupts interrupts{io};
    std::ostringstream log;       // --verbose output
    std::ostringstream printed;   // print()'s output
    std::ostringstream python_err;
    std::unique_ptr<RunContext> ctx;
    std::unique_ptr<CodeRunner> runner;

    explicit Run(std::string const& text, std::vector<script::OptionValue> const& settings = {})
        : file("test.pkt", text), loaded(load(file, settings)) {
        ctx = std::make_unique<RunContext>(file, loaded.script, loaded.config, io, interrupts, log);
        runner = std::make_unique<CodeRunner>(*ctx, printed, python_err);
    }

    static script::LoadedScript load(grammar::SourceFile const& file, std::vector<script::OptionValue> const& settings) {
        grammar::Diagnostics diagnostics(file);
        auto loaded = script::load_script(file, diagnostics, settings);
        std::ostringstream problems;
        diagnostics.print(problems);
        INFO(problems.str());
        REQUIRE(loaded);
        return std::move(*loaded);
    }

    // Makes `live_fd` the socket under test, as socket() or accept() would.
    Socket& under_test(int script_fd, int live_fd) {
        Socket& s = ctx->sockets.create();
        s.domain = AF_INET;
        s.type = SOCK_STREAM;
        s.protocol = IPPROTO_TCP;
        s.script_fd = script_fd;
        s.live_fd = live_fd;
        ctx->fds.add(script_fd, live_fd, FdKind::socket, &s);
        ctx->sockets.set_under_test(&s);
        return s;
    }

    // The run loop's call at the n-th code event (0-based).
    void collect(std::size_t n) {
        std::size_t seen = 0;
        for (auto const& event : loaded.script.events) {
            auto const* code = std::get_if<script::Code>(&event.action);
            if (!code) continue;
            if (seen++ == n) {
                runner->collect(event, *code);
                return;
            }
        }
        FAIL("no code event " << n);
    }

    void collect_all() {
        std::size_t n = 0;
        for (auto const& event : loaded.script.events) n += std::holds_alternative<script::Code>(event.action);
        for (std::size_t i = 0; i < n; ++i) collect(i);
    }

    // finish()'s failure, or nothing when it passed.
    std::optional<Error> finish() {
        try {
            runner->finish();
        } catch (Error const& e) {
            return e;
        }
        return std::nullopt;
    }
};

bool contains(std::vector<std::string> const& lines, std::string const& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

}  // namespace

TEST_CASE("code: tcpi_state, tcpi_snd_cwnd and SO_MEMINFO of a live connection are asserted natively",
          "[code][kernel]") {
    Connection c;
    Run run("0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%\n"
            "+0 %{ assert tcpi_snd_cwnd == 10, tcpi_snd_cwnd }%\n"
            "+0 %{ assert SK_MEMINFO_SNDBUF > 0 and SK_MEMINFO_RCVBUF > 0, SK_MEMINFO_RCVBUF }%\n"
            "+0 %{ assert tcpi_options & TCPI_OPT_TIMESTAMPS and tcpi_rcv_mss > 0 }%\n",
            verbose());
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    CHECK_FALSE(failure);
    if (failure) FAIL(failure->what());
    CHECK(run.runner->path() == CodeRunner::Path::native);
    CHECK_THAT(run.log.str(), Catch::Contains("4 snippet(s) evaluated natively"));
}

TEST_CASE("code: tcp_info fields beyond the build's header come from the running kernel", "[code][kernel]") {
    Connection c;
    std::array<std::byte, 512> raw{};
    socklen_t len = sizeof raw;
    REQUIRE(::getsockopt(c.server.get(), IPPROTO_TCP, TCP_INFO, raw.data(), &len) == 0);
    if (len < 248) {
        WARN("skipped: this kernel's tcp_info has " << len << " bytes, no tcpi_total_rto (Linux 6.7)");
        return;
    }
    REQUIRE(len > sizeof(tcp_info));  // longer than Debian 12's header knows
    Run run("0 %{ assert tcpi_rcv_wnd > 0 and tcpi_rehash == 0, tcpi_rcv_wnd }%\n"
            "+0 %{ assert tcpi_total_rto == 0 and tcpi_total_rto_recoveries == 0 and tcpi_total_rto_time == 0 }%\n");
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    CHECK_FALSE(failure);
    if (failure) FAIL(failure->what());
    CHECK(run.runner->path() == CodeRunner::Path::native);
}

TEST_CASE("code: each snapshot is taken at its event, not when the code runs", "[code][kernel]") {
    Connection c;
    Run run("0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%\n"
            "+0 %{ assert tcpi_state == TCP_CLOSE_WAIT, tcpi_state }%\n"
            "+0 %{ assert tcpi_state == TCP_FIN_WAIT2, tcpi_state }%\n");
    run.under_test(4, c.server.get());
    run.collect(0);
    REQUIRE(::shutdown(c.client.get(), SHUT_WR) == 0);  // the peer's FIN
    wait_for_state(c.server.get(), TCP_CLOSE_WAIT);
    run.collect(1);
    wait_for_state(c.client.get(), TCP_FIN_WAIT2);
    run.under_test(3, c.client.get());
    run.collect(2);
    REQUIRE(::shutdown(c.server.get(), SHUT_WR) == 0);  // later changes do not matter
    wait_for_state(c.server.get(), TCP_CLOSE);
    auto const failure = run.finish();
    CHECK_FALSE(failure);
    if (failure) FAIL(failure->what() << "; printed: " << run.printed.str());
    CHECK(run.runner->path() == CodeRunner::Path::native);
}

TEST_CASE("code: a listening socket under test shows TCP_LISTEN", "[code][kernel]") {
    Connection c;
    Run run("0 %{ assert tcpi_state == TCP_LISTEN, tcpi_state }%\n");
    run.under_test(3, c.listener.get());
    run.collect_all();
    CHECK_FALSE(run.finish());
}

TEST_CASE("code: a failed native assertion reads like Python's and points at the assert", "[code][kernel]") {
    Connection c;
    Run run("0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n"
            "+0 %{ print(tcpi_snd_cwnd); assert tcpi_snd_cwnd == 3, tcpi_snd_cwnd }%\n"
            "+0 %{ print('never') }%\n");
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    REQUIRE(failure);
    CHECK(std::string(failure->what()) == "AssertionError: 10");
    auto const column = static_cast<int>(run.file.line(2).find("assert")) + 1;
    CHECK(failure->where() == SourceLocation{2, column});
    CHECK(contains(failure->details(), "tcpi_snd_cwnd = 10"));
    CHECK(run.printed.str() == "10\n");
    CHECK(run.runner->path() == CodeRunner::Path::native);
}

TEST_CASE("code: what the native evaluator does not take runs in python3, and --verbose says which and why",
          "[code][kernel]") {
    Connection c;
    Run run("0 %{ cwnd = tcpi_snd_cwnd }%\n"
            "+0 %{\n"
            "import math\n"
            "print(math.floor(cwnd / 3), tcpi_state)\n"
            "}%\n",
            verbose());
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    CHECK_FALSE(failure);
    if (failure) FAIL(failure->what() << "\n" << failure->details().size());
    CHECK(run.printed.str() == "3 1\n");
    CHECK(run.runner->path() == CodeRunner::Path::python);
    std::string const log = run.log.str();
    CHECK_THAT(log, Catch::Contains("test.pkt:3:1: %{ }% code needs python3: the native evaluator does not take "
                                    "the 'import' statement"));
    // packetdrill's -v: the generated file, then the command.
    CHECK_THAT(log, Catch::Contains("_file = 'test.pkt'\n_line = 2\n\nimport math\n"));
    CHECK_THAT(log, Catch::Contains("running: 'python3 "));
}

TEST_CASE("code: a failure in python3 is reported as packetdrill reports it, at the failing line", "[code][kernel]") {
    Connection c;
    Run run("0 %{ print('first') }%\n"
            "+0 %{\n"
            "states = [tcpi_state]\n"
            "assert len(states) == 2, 'state %d' % tcpi_state\n"
            "}%\n");
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    REQUIRE(failure);
    CHECK(std::string(failure->what()) == "error in Python code");
    CHECK(failure->where() == SourceLocation{4, 1});
    auto const& details = failure->details();
    REQUIRE(details.size() >= 3);
    CHECK(details.front() == "Traceback (most recent call last):");
    CHECK(contains(details, "AssertionError: state 1"));
    CHECK(details.back() == "error executing code: 'python3' returned non-zero status 1");
    CHECK(run.printed.str() == "first\n");
}

TEST_CASE("code: a --code_command of its own is honoured, even for code the native evaluator would take", "[code][kernel]") {
    Connection c;
    test::TempDir dir;
    auto const wrapper = dir.write("wrapper", "#!/bin/sh\necho via wrapper\nexec python3 \"$@\"\n");
    ::chmod(wrapper.c_str(), 0755);
    Run run("0 %{ print(tcpi_state) }%\n", {{"code_command", wrapper.string()}});
    run.under_test(4, c.server.get());
    run.collect_all();
    CHECK_FALSE(run.finish());
    CHECK(run.printed.str() == "via wrapper\n1\n");
    CHECK(run.runner->path() == CodeRunner::Path::python);

    auto const failing = dir.write("failing", "#!/bin/sh\nexit 3\n");
    ::chmod(failing.c_str(), 0755);
    Run failed("0 %{ print(tcpi_state) }%\n", {{"code_command", failing.string()}});
    failed.under_test(4, c.server.get());
    failed.collect_all();
    auto const failure = failed.finish();
    REQUIRE(failure);
    CHECK(std::string(failure->what()) == "error executing code: '" + failing.string() + "' returned non-zero status 3");
}

TEST_CASE("code: Ctrl-C while the interpreter runs ends it at once", "[code][kernel]") {
    Connection c;
    Run run("0 %{ print(tcpi_state) }%\n", {{"code_command", "sleep 30 #"}});
    run.under_test(4, c.server.get());
    run.collect_all();
    ::kill(::getpid(), SIGINT);  // waits in the run's signal handling until the loop runs
    auto const start = std::chrono::steady_clock::now();
    int signal = 0;
    try {
        run.runner->finish();
    } catch (Interrupted const& i) {
        signal = i.signal;
    }
    CHECK(signal == SIGINT);
    CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("code: without a usable socket under test, collecting fails at the event with packetdrill's words", "[code][kernel]") {
    Run none("0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n");
    try {
        none.collect(0);
        FAIL("collect did not fail");
    } catch (Error const& e) {
        CHECK(std::string(e.what()) == "runtime error in code: no socket to use for code");
        CHECK(e.where().line == 1);
    }

    Connection c;
    Run closed("0 %{ assert tcpi_state == TCP_ESTABLISHED }%\n");
    closed.under_test(4, c.server.get());
    closed.ctx->fds.remove(4);  // close(4) in the script
    try {
        closed.collect(0);
        FAIL("collect did not fail");
    } catch (Error const& e) {
        CHECK(std::string(e.what()) == "runtime error in code: can't find getsockopt to get TCP info");
    }
}

TEST_CASE("code: TCP_CC_INFO of a BBR connection gives the bbr_* variables", "[code][kernel]") {
    Connection c;
    char const bbr[] = "bbr";
    if (::setsockopt(c.server.get(), IPPROTO_TCP, TCP_CONGESTION, bbr, sizeof bbr - 1) != 0) {
        WARN("skipped: this kernel has no bbr (" << std::strerror(errno) << ")");
        return;
    }
    // BBR sets its gains as ACKs arrive: send something and let it be acknowledged.
    std::string const data(10000, 'x');
    REQUIRE(::write(c.server.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    std::vector<char> buffer(data.size());
    std::size_t got = 0;
    while (got < data.size()) {
        ssize_t const n = ::read(c.client.get(), buffer.data(), buffer.size());
        REQUIRE(n > 0);
        got += static_cast<std::size_t>(n);
    }
    auto const deadline = std::chrono::steady_clock::now() + 5s;
    tcp_info info{};
    do {
        socklen_t len = sizeof info;
        REQUIRE(::getsockopt(c.server.get(), IPPROTO_TCP, TCP_INFO, &info, &len) == 0);
    } while (info.tcpi_unacked != 0 && std::chrono::steady_clock::now() < deadline);
    Run run("0 %{ print(bbr_cwnd_gain, bbr_pacing_gain, bbr_min_rtt, bbr_bw) }%\n"
            "+0 %{ assert bbr_cwnd_gain > 0 and bbr_pacing_gain > 0, (bbr_cwnd_gain, bbr_pacing_gain) }%\n"
            "+0 %{ assert bbr_bw == (bbr_bw_hi << 32) + bbr_bw_lo }%\n");
    run.under_test(4, c.server.get());
    run.collect_all();
    auto const failure = run.finish();
    CHECK_FALSE(failure);
    if (failure) FAIL(failure->what() << "; printed: " << run.printed.str());
    CHECK(run.runner->path() == CodeRunner::Path::native);
}
