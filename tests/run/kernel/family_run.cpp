#include "family_run.hpp"

#include <catch2/catch.hpp>

#include <chrono>

namespace pktdrill::test {

using namespace std::chrono_literals;

namespace {
// Under CPU load (ctest -j2, builds beside) a run now and then wakes for an event 15 to 30 ms
// late, which the default 4 ms tolerance takes for a timing error. None of these features is
// about timing, and the timing differences the wrong variants rely on are 100 ms or more.
char const* const tolerance = "--tolerance_usecs=50000";
}  // namespace

Family const ipv4{"ipv4",
                  {tolerance, "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1", "--netmask_ip=255.255.0.0",
                   "--remote_ip=192.0.2.1"}};
Family const ipv6{"ipv6",
                  {tolerance, "--ip_version=ipv6", "--mtu=1520", "--local_ip=fd3d:0a0b:17d6::1",
                   "--gateway_ip=fd3d:0a0b:17d6:8888::1", "--remote_ip=fd3d:fa7b:d17d::1"}};
Family const mapped{"ipv4-mapped-ipv6",
                    {tolerance, "--ip_version=ipv4-mapped-ipv6", "--local_ip=192.168.0.1", "--gateway_ip=192.168.0.1",
                     "--netmask_ip=255.255.0.0", "--remote_ip=192.0.2.1"}};

Outcome run_in(TempDir const& dir, Family const& family, std::vector<std::string> const& extra,
               std::string const& text) {
    auto const script = dir.write("f.pkt", text);
    std::vector<std::string> argv{pktdrill_binary()};
    argv.insert(argv.end(), family.args.begin(), family.args.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(script.string());
    Child child(argv, dir.path());
    auto const status = child.wait_for(30s);
    return {status.value_or(-1), child.output()};
}

Outcome run(Family const& family, std::vector<std::string> const& extra, std::string const& text) {
    TempDir dir;
    return run_in(dir, family, extra, text);
}

void passes(Family const& family, std::vector<std::string> const& extra, std::string const& text) {
    auto const o = run(family, extra, text);
    INFO(family.name << ":\n" << o.output);
    CHECK(o.status == 0);
}

void fails_with(Family const& family, std::vector<std::string> const& extra, std::string const& text,
                std::string const& message, int status) {
    auto const o = run(family, extra, text);
    INFO(family.name << ":\n" << o.output);
    CHECK(o.status == status);
    CHECK_THAT(o.output, Catch::Contains(message));
}

std::string replaced(std::string text, std::string const& from, std::string const& to) {
    auto const at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
}

}  // namespace pktdrill::test
