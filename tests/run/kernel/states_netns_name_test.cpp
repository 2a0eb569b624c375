// --netns-name NAME: the run's namespace is visible as `ip netns exec NAME ...` while it runs,
// and the name is gone when the run ends: normally, by a failure, by Ctrl-C (see
// states_interrupt_test.cpp) and by SIGKILL, which no destructor survives (the guardian process
// removes it). NamedNetns itself is tested in a temporary directory instead of /run/netns.

#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include "src/base/error.hpp"
#include "src/net/named_netns.hpp"
#include "states_support.hpp"

using namespace pktdrill::test;
using namespace pktdrill::test::states;

namespace {

// Starts pktdrill on a copy of `name` whose sleep lasts `sleep` seconds, under the netns name
// `netns`, and waits until the name exists.
struct NamedRun {
    NamedRun(TempDir const& dir, std::string const& script, std::string const& netns, std::string const& sleep,
             std::vector<std::string> extra = {})
        : child([&] {
              std::vector<std::string> args{pktdrill_binary(), "--netns-name", netns};
              args.insert(args.end(), extra.begin(), extra.end());
              args.push_back(edited(dir, script, "sleep 1000000", "sleep " + sleep).string());
              return args;
          }(),
                dir.path()) {
        ns = wait_for_own_netns(child.pid());
        named = wait_until([&] { return netns_named(netns) || !child.running(); }, 10s) && child.running();
    }
    Child child;
    std::string ns;
    bool named = false;
};

ino_t inode_of(std::string const& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

}  // namespace

TEST_CASE("netns-name: `ip netns exec NAME ss -tan` sees the run's sockets; the name goes when it ends",
          "[states][netns-name]") {
    TempDir dir;
    std::string const name = unique_netns_name("visible");
    NamedRun run(dir, "established.pkt", name, "3", {"--states"});
    INFO(run.child.output());
    REQUIRE(run.named);
    // The printed hint is the command that works.
    REQUIRE(wait_until([&] { return run.child.output().find("ip netns exec " + name + " ss -tan") != std::string::npos; }, 5s));
    // The handshake completes 0.1 s in; then ss sees the connection in ESTABLISHED.
    std::string ss;
    CHECK(wait_until([&] {
        ss = shell("ip netns exec " + name + " ss -tanH state established 2>/dev/null");
        return ss.find("192.0.2.1:") != std::string::npos;
    }, 5s));
    INFO(ss);
    // It is the run's own namespace, not a copy.
    CHECK(netns_of(run.child.pid()) == "net:[" + std::to_string(inode_of("/run/netns/" + name)) + "]");

    auto const status = run.child.wait_for(20s);
    CHECK(status == 0);
    CHECK(!netns_named(name));
    CHECK(wait_released(run.ns).empty());
}

TEST_CASE("netns-name: the name goes when the script fails", "[states][netns-name]") {
    TempDir dir;
    std::string const name = unique_netns_name("failure");
    // close_wait as the document has it fails on line 16, 0.3 s in.
    NamedRun run(dir, "close_wait.pkt", name, "10");
    INFO(run.child.output());
    CHECK(run.named);
    auto const status = run.child.wait_for(20s);
    CHECK(status == 1);
    CHECK(!netns_named(name));
    CHECK(wait_released(run.ns).empty());
}

TEST_CASE("netns-name: the name goes within a second when pktdrill is SIGKILLed", "[states][netns-name]") {
    TempDir dir;
    std::string const name = unique_netns_name("sigkill");
    NamedRun run(dir, "established.pkt", name, "1000000");
    INFO(run.child.output());
    REQUIRE(run.named);
    std::this_thread::sleep_for(300ms);  // into the sleep
    run.child.signal(SIGKILL);
    CHECK(run.child.wait_for(2s) == 128 + SIGKILL);
    CHECK(wait_until([&] { return !netns_named(name); }, 1s));
    // The guardian is gone, and so is the `sleep` (the command runner's PR_SET_PDEATHSIG): the
    // namespace is freed.
    auto const left = wait_released(run.ns, 2s);
    INFO("still holding the namespace: " << Catch::Detail::stringify(left));
    CHECK(left.empty());
}

TEST_CASE("netns-name: a name in use is refused, and the run that has it keeps it", "[states][netns-name]") {
    TempDir dir;
    std::string const name = unique_netns_name("taken");
    NamedRun first(dir, "established.pkt", name, "1000000");
    REQUIRE(first.named);
    TempDir other;
    auto const second =
        run_pktdrill({"--netns-name", name}, edited(other, "syn_rcvd.pkt", "sleep 1000000", "sleep 0.1"));
    INFO(second.output);
    CHECK(second.status == 1);
    CHECK_THAT(second.output, Catch::Contains("cannot name the network namespace '" + name + "'"));
    CHECK_THAT(second.output, Catch::Contains("the name is taken"));
    CHECK(netns_named(name));
    CHECK(netns_of(first.child.pid()) == "net:[" + std::to_string(inode_of("/run/netns/" + name)) + "]");
    first.child.signal(SIGTERM);
    CHECK(first.child.wait_for(2s) == 128 + SIGTERM);
    CHECK(!netns_named(name));
}

TEST_CASE("NamedNetns names this namespace in a directory and removes the name when destroyed",
          "[states][netns-name]") {
    TempDir dir;
    auto const path = dir.path() / "ns";
    {
        pktdrill::net::NamedNetns named("ns", dir.path());
        CHECK(named.path() == path);
        CHECK(inode_of(path.string()) == inode_of("/proc/self/ns/net"));
        CHECK(mounted(path.string()));
        CHECK_THROWS_WITH(pktdrill::net::NamedNetns("ns", dir.path()), Catch::Contains("the name is taken"));
        CHECK(inode_of(path.string()) == inode_of("/proc/self/ns/net"));  // the refusal touched nothing
    }
    CHECK(!fs::exists(path));
    CHECK(!mounted(path.string()));
}

TEST_CASE("NamedNetns: the guardian removes the name when its owner is SIGKILLed", "[states][netns-name]") {
    TempDir dir;
    auto const path = dir.path() / "killed";
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t const owner = ::fork();
    REQUIRE(owner >= 0);
    if (owner == 0) {
        ::close(ready[0]);
        try {
            pktdrill::net::NamedNetns named("killed", dir.path());
            pid_t const guardian = named.guardian();
            (void)!::write(ready[1], &guardian, sizeof guardian);
            ::pause();
        } catch (...) {
        }
        ::_exit(1);
    }
    ::close(ready[1]);
    pid_t guardian = 0;
    REQUIRE(::read(ready[0], &guardian, sizeof guardian) == sizeof guardian);
    ::close(ready[0]);
    CHECK(mounted(path.string()));
    ::kill(owner, SIGKILL);
    int status = 0;
    ::waitpid(owner, &status, 0);
    CHECK(wait_until([&] { return !fs::exists(path) && !mounted(path.string()); }, 1s));
    // The guardian itself is gone (reaped by whoever adopted it).
    CHECK(wait_until([&] { return ::kill(guardian, 0) != 0 || netns_of(guardian).empty(); }, 1s));
}

TEST_CASE("NamedNetns: SIGTERM or SIGINT to the guardian alone; SIGINT is ignored, SIGTERM cleans up",
          "[states][netns-name]") {
    TempDir dir;
    auto const path = dir.path() / "signals";
    pktdrill::net::NamedNetns named("signals", dir.path());
    ::kill(named.guardian(), SIGINT);  // a Ctrl-C reaches the whole process group
    std::this_thread::sleep_for(100ms);
    CHECK(mounted(path.string()));
    ::kill(named.guardian(), SIGTERM);
    CHECK(wait_until([&] { return !fs::exists(path) && !mounted(path.string()); }, 1s));
}

TEST_CASE("NamedNetns refuses names that are not plain file names", "[states][netns-name]") {
    TempDir dir;
    for (char const* bad : {"", "a/b", ".", ".."})
        CHECK_THROWS_AS(pktdrill::net::NamedNetns(bad, dir.path()), pktdrill::Error);
}
