// `pktdrill run` end to end: the binary runs suites of small scripts written here (each run a
// pktdrill of its own, in its own namespace). Exit statuses, --list/--filter/--shard (partitioning
// exactly), pins, the working directory, --retries marking flaky, --timeout, KTAP and JUnit read
// back, the progress styles, --pcap-dir, and Ctrl-C leaving nothing behind with a partial summary.
//
// Needs root and build/pktdrill. The test process sits in a network namespace of its own
// (test_private_netns), so even a broken run could not touch the caller's.

#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <catch2/catch.hpp>

#include "tests/support/process.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
namespace pt = boost::property_tree;
using pktdrill::test::ProcessResult;
using namespace std::chrono_literals;

// Text from pieces, appended one by one: g++ 12 warns (-Wrestrict, falsely) about
// "literal" + std::string.
template <typename... Pieces>
std::string cat(Pieces const&... pieces) {
    std::string out;
    (out.append(pieces), ...);
    return out;
}

// A folder of scripts for one test, removed afterwards.
class Scripts {
public:
    Scripts() {
        static std::atomic<int> counter{0};
        dir_ = fs::temp_directory_path() /
               cat("pktdrill-suite-test-", std::to_string(::getpid()), "-", std::to_string(counter++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~Scripts() { fs::remove_all(dir_); }
    Scripts(Scripts const&) = delete;
    Scripts& operator=(Scripts const&) = delete;

    void add(std::string const& name, std::string const& text) const {
        fs::create_directories((dir_ / name).parent_path());
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }
    std::string dir() const { return dir_.string(); }
    std::string path(std::string const& name) const { return (dir_ / name).string(); }

private:
    fs::path dir_;
};

ProcessResult pktdrill_run(std::vector<std::string> args, std::string const& directory) {
    args.insert(args.begin(), {PKTDRILL_BINARY, "run"});
    return pktdrill::test::run_process(args, directory);
}

std::string slurp(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

std::string const pass_script = "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 close(3) = 0\n";
// listen() succeeds: a failure that has nothing to do with timing.
std::string const fail_script =
    "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 listen(3, 1) = -1 EBADF (Bad file descriptor)\n";
// The command overruns the next event's time the first time only (it leaves a marker in the
// script's folder, the run's working directory): a timing failure, then a pass.
std::string const flaky_script =
    "0 `if [ -e flaky.marker ]; then exit 0; fi; touch flaky.marker; sleep 1`\n"
    "0.5 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
// Late every time.
std::string const late_script = "0 `sleep 0.8`\n0.3 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";
std::string const hang_script = "0 `sleep 30`\n";
std::string const v6_script = "--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n";

struct Case {
    std::string classname, name;
    double time = -1;
    std::optional<std::string> failure_type, failure_message;
    bool error = false, skipped = false;
    std::string system_out;
};

// The JUnit file read with Boost.PropertyTree's XML parser.
std::vector<Case> read_junit(std::string const& path) {
    pt::ptree tree;
    std::ifstream in(path);
    pt::read_xml(in, tree);
    std::vector<Case> cases;
    for (auto const& [name, suite] : tree.get_child("testsuites"))
        if (name == "testsuite")
            for (auto const& [tag, c] : suite) {
                if (tag != "testcase") continue;
                Case out;
                out.classname = c.get<std::string>("<xmlattr>.classname");
                out.name = c.get<std::string>("<xmlattr>.name");
                out.time = c.get<double>("<xmlattr>.time");
                if (auto f = c.get_child_optional("failure")) {
                    out.failure_type = f->get<std::string>("<xmlattr>.type");
                    out.failure_message = f->get<std::string>("<xmlattr>.message");
                }
                out.error = c.get_child_optional("error").is_initialized();
                out.skipped = c.get_child_optional("skipped").is_initialized();
                out.system_out = c.get<std::string>("system-out", "");
                cases.push_back(out);
            }
    return cases;
}

Case const& find_case(std::vector<Case> const& cases, std::string const& classname, std::string const& name) {
    auto it = std::find_if(cases.begin(), cases.end(),
                           [&](Case const& c) { return c.classname == classname && c.name == name; });
    REQUIRE(it != cases.end());
    return *it;
}

// KTAP checked against the format kselftest prints: the version line, the plan, result lines
// numbered 1..plan in order, '#' diagnostics, and the totals line last, summing to the plan.
// Returns "ok"/"not ok" + description + directive per result.
std::vector<std::string> check_ktap(std::string const& text) {
    auto const lines = lines_of(text);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0] == "TAP version 13");
    std::smatch m;
    REQUIRE(std::regex_match(lines[1], m, std::regex(R"(1\.\.(\d+))")));
    int const planned = std::stoi(m[1]);
    std::regex const result(R"((ok|not ok) ([1-9]\d*) ([^#]*[^# ])(?: # (.*))?)");
    std::regex const totals(R"(# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+))");
    std::vector<std::string> results;
    bool saw_totals = false;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        INFO(lines[i]);
        CHECK_FALSE(saw_totals);
        if (std::regex_match(lines[i], m, totals)) {
            int sum = 0;
            for (int g = 1; g <= 6; ++g) sum += std::stoi(m[g]);
            CHECK(sum == planned);
            saw_totals = true;
        } else if (lines[i].rfind("#", 0) != 0) {
            REQUIRE(std::regex_match(lines[i], m, result));
            CHECK(std::stoi(m[2]) == static_cast<int>(results.size()) + 1);
            results.push_back(m[1].str() + " " + m[3].str() + (m[4].matched ? " # " + m[4].str() : ""));
        }
    }
    CHECK(saw_totals);
    CHECK(static_cast<int>(results.size()) == planned);
    std::sort(results.begin(), results.end());
    return results;
}

// ---- A suite started in the background, for Ctrl-C ------------------------------------------

class Background {
public:
    Background(std::vector<std::string> args, std::string const& directory, std::string const& output)
        : output_(output) {
        args.insert(args.begin(), {PKTDRILL_BINARY, "run"});
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
        ::posix_spawn_file_actions_addopen(&actions, 1, output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::posix_spawn_file_actions_adddup2(&actions, 1, 2);
        ::posix_spawn_file_actions_addchdir_np(&actions, directory.c_str());
        int const rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        REQUIRE(rc == 0);
    }
    ~Background() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    Background(Background const&) = delete;
    Background& operator=(Background const&) = delete;

    pid_t pid() const { return pid_; }
    // The exit status (128 + signal for a signal), or nullopt if it did not end in time.
    std::optional<int> wait(std::chrono::seconds limit) {
        auto const until = std::chrono::steady_clock::now() + limit;
        while (std::chrono::steady_clock::now() < until) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(20ms);
        }
        return std::nullopt;
    }
    std::string output() const { return slurp(output_); }

private:
    pid_t pid_ = -1;
    std::string output_;
};

struct ProcInfo {
    pid_t pid;
    pid_t ppid;
    char state;
    unsigned long long start;  // start time in clock ticks: tells a reused pid apart
};

std::optional<ProcInfo> proc_info(pid_t pid) {
    std::string const stat = slurp(cat("/proc/", std::to_string(pid), "/stat"));
    auto const close = stat.rfind(')');
    if (stat.empty() || close == std::string::npos) return std::nullopt;
    std::istringstream fields(stat.substr(close + 2));
    ProcInfo info{pid, 0, '?', 0};
    fields >> info.state >> info.ppid;
    std::string skip;
    for (int i = 0; i < 17; ++i) fields >> skip;  // fields 5..21
    fields >> info.start;
    return info;
}

std::vector<ProcInfo> all_processes() {
    std::vector<ProcInfo> out;
    for (auto const& e : fs::directory_iterator("/proc")) {
        std::string const name = e.path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
        if (auto info = proc_info(std::stoi(name))) out.push_back(*info);
    }
    return out;
}

std::string netns_of(pid_t pid) {
    std::error_code ec;
    auto const target = fs::read_symlink(cat("/proc/", std::to_string(pid), "/ns/net"), ec);
    return ec ? std::string() : target.string();
}

// A recorded process is still there: same pid, same start time, not a zombie.
bool still_there(ProcInfo const& p) {
    auto const now = proc_info(p.pid);
    return now && now->start == p.start && now->state != 'Z';
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Exit statuses, --list, --filter

TEST_CASE("pktdrill run exits 0 when every run passed and 1 when any did not", "[suite]") {
    Scripts s;
    s.add("a/pass.pkt", pass_script);
    s.add("a/b/pass2.pkt", pass_script);
    auto const ok = pktdrill_run({"a"}, s.dir());
    INFO(ok.out << ok.err);
    CHECK(ok.exit_status == 0);
    CHECK(ok.out.find("2 runs: 2 passed, 0 failed, 0 flaky, 0 timed out, 0 errors in") != std::string::npos);

    s.add("a/fail.pkt", fail_script);
    auto const bad = pktdrill_run({"a"}, s.dir());
    INFO(bad.out << bad.err);
    CHECK(bad.exit_status == 1);
    // The summary names the failing run, file:line:col and packetdrill's message.
    CHECK(std::regex_search(bad.out, std::regex("Failed runs \\(1\\):\n  a/fail.pkt ipv4\n    a/fail.pkt:2:\\d+: .*"
                                                "Expected result -1 but got 0")));
    CHECK(bad.out.find("Slowest runs:") != std::string::npos);
}

TEST_CASE("pktdrill run refuses bad usage with exit status 2 before running anything", "[suite]") {
    Scripts s;
    s.add("pass.pkt", pass_script);
    for (auto const& args : std::vector<std::vector<std::string>>{
             {"--shard", "0/3", "pass.pkt"},
             {"--shard", "4/3", "pass.pkt"},
             {"--shard", "one", "pass.pkt"},
             {"--filter", "(", "pass.pkt"},
             {"--filter", "nothing-matches-this", "pass.pkt"},
             {"--ip-versions", "ipv5", "pass.pkt"},
             {"missing.pkt"},
             {"pass.pkt", "--", "--no_such_flag"},
             {"pass.pkt", "--", "--pcap=x.pcap"},
             {"--ip-versions", "ipv6", "pass.pkt", "--", "--ip_version=ipv4"},
             {},
         }) {
        auto const r = pktdrill_run(args, s.dir());
        INFO(r.out << r.err);
        CHECK(r.exit_status == 2);
        CHECK_FALSE(r.err.empty());
    }
}

TEST_CASE("pktdrill run --list prints each run as SCRIPT VERSION without running it; --filter narrows the runs", "[suite]") {
    Scripts s;
    s.add("x/one.pkt", fail_script);  // would fail if it ran
    s.add("x/two.pkt", fail_script);
    s.add("x/v6.pkt", v6_script);
    auto const all = pktdrill_run({"--list", "--ip-versions", "ipv4,ipv6", "x"}, s.dir());
    CHECK(all.exit_status == 0);
    CHECK(all.out == "x/one.pkt ipv4\nx/one.pkt ipv6\nx/two.pkt ipv4\nx/two.pkt ipv6\nx/v6.pkt ipv6\n");
    auto const some = pktdrill_run({"--list", "--ip-versions", "ipv4,ipv6", "--filter", "one|/v6", "x"}, s.dir());
    CHECK(some.out == "x/one.pkt ipv4\nx/one.pkt ipv6\nx/v6.pkt ipv6\n");
    auto const v6 = pktdrill_run({"--list", "--ip-versions", "ipv4,ipv6", "--filter", " ipv6$", "x"}, s.dir());
    CHECK(v6.out == "x/one.pkt ipv6\nx/two.pkt ipv6\nx/v6.pkt ipv6\n");
    // The file name, as given, is the script's name.
    auto const file = pktdrill_run({"--list", "x/two.pkt"}, s.dir());
    CHECK(file.out == "x/two.pkt ipv4\n");
}

// ---------------------------------------------------------------------------------------------
// --shard

TEST_CASE("pktdrill run --shard I/N partitions the runs: every run in exactly one shard, the same every time", "[suite]") {
    Scripts s;
    for (int i = 0; i < 13; ++i)
        s.add(cat("d", std::to_string(i % 3), "/s", std::to_string(i), ".pkt"),
              cat("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+", std::to_string(i % 4), " close(3) = 0\n"));
    s.add("d0/v6.pkt", v6_script);
    std::vector<std::string> const base{"--list", "--ip-versions", "ipv4,ipv6,ipv4-mapped-ipv6", "."};
    auto const everything = pktdrill_run(base, s.dir());
    REQUIRE(everything.exit_status == 0);
    auto const all = lines_of(everything.out);
    REQUIRE(all.size() == 13 * 3 + 1);

    for (int n : {1, 2, 3, 4, 5, 7, 50}) {
        INFO("N = " << n);
        std::multiset<std::string> seen;
        for (int i = 1; i <= n; ++i) {
            auto args = base;
            args.insert(args.begin(), {"--shard", std::to_string(i) + "/" + std::to_string(n)});
            auto const part = pktdrill_run(args, s.dir());
            REQUIRE(part.exit_status == 0);
            CHECK(pktdrill_run(args, s.dir()).out == part.out);  // deterministic
            for (auto const& line : lines_of(part.out)) seen.insert(line);
        }
        CHECK(seen.size() == all.size());
        CHECK(std::set<std::string>(seen.begin(), seen.end()) == std::set<std::string>(all.begin(), all.end()));
    }
}

TEST_CASE("running every shard runs every run once", "[suite]") {
    Scripts s;
    for (int i = 0; i < 5; ++i) s.add(cat("s", std::to_string(i), ".pkt"), pass_script);
    std::multiset<std::string> ran;
    for (int i = 1; i <= 3; ++i) {
        std::string const junit = s.path(cat("shard", std::to_string(i), ".xml"));
        auto const r = pktdrill_run({"--shard", std::to_string(i) + "/3", "--ip-versions", "ipv4,ipv6", "--junit",
                                     junit, "."},
                                    s.dir());
        INFO(r.out << r.err);
        CHECK(r.exit_status == 0);
        for (auto const& c : read_junit(junit)) ran.insert(c.classname + " " + c.name);
    }
    CHECK(ran.size() == 10);
    CHECK(std::set<std::string>(ran.begin(), ran.end()).size() == 10);
}

// ---------------------------------------------------------------------------------------------
// What each run gets

TEST_CASE("each run works in its script's folder, wherever the suite was started", "[suite]") {
    Scripts s;
    s.add("deep/er/sibling.txt", "here\n");
    s.add("deep/er/cwd.pkt", "0 `test -e sibling.txt`\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    auto const r = pktdrill_run({s.path("deep")}, "/");
    INFO(r.out << r.err);
    CHECK(r.exit_status == 0);
}

TEST_CASE("pktdrill run --ip-versions runs a script under each version; its own --ip_version line pins it (SKIP elsewhere)",
          "[suite]") {
    Scripts s;
    s.add("any.pkt", pass_script);
    s.add("v6.pkt", v6_script);
    std::string const junit = s.path("out.xml");
    auto const r = pktdrill_run({"--tap", "--ip-versions", "ipv4,ipv4-mapped-ipv6", "--junit", junit, "any.pkt",
                                 "v6.pkt"},
                                s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 0);  // a skipped run is not a failure
    auto const results = check_ktap(r.out);
    CHECK(results == std::vector<std::string>{"ok any.pkt ipv4", "ok any.pkt ipv4-mapped-ipv6",
                                              "ok v6.pkt ipv6 # SKIP pinned to ipv6 by its --ip_version line"});
    auto const cases = read_junit(junit);
    REQUIRE(cases.size() == 3);
    CHECK(find_case(cases, "v6.pkt", "ipv6").skipped);
    // The run's log says how it was started: with that version.
    CHECK(find_case(cases, "any.pkt", "ipv4-mapped-ipv6").system_out.find("--ip_version=ipv4-mapped-ipv6 any.pkt") !=
          std::string::npos);
}

TEST_CASE("pktdrill run --version-args gives each version its own arguments, before those after --", "[suite]") {
    Scripts s;
    s.add("any.pkt", pass_script);
    s.add("args.tsv", "# ip_version\targs\nip_version\targs\nipv4\t-D X=1\n"
                      "ipv6\t--ip_version=ipv6 --mtu=1520 -D 'Y=two words'\n");
    auto const list = pktdrill_run({"--list", "--version-args", "args.tsv", "any.pkt"}, s.dir());
    CHECK(list.out == "any.pkt ipv4\nany.pkt ipv6\n");
    std::string const junit = s.path("out.xml");
    auto const r = pktdrill_run({"--version-args", "args.tsv", "--junit", junit, "any.pkt", "--", "-D", "Z=3"}, s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 0);
    auto const cases = read_junit(junit);
    CHECK(find_case(cases, "any.pkt", "ipv6").system_out.find("--ip_version=ipv6 --ip_version=ipv6 --mtu=1520 -D "
                                                              "'Y=two words' -D Z=3 any.pkt") != std::string::npos);
    s.add("bad.tsv", "ipv4\t--ip_version=ipv6\n");
    CHECK(pktdrill_run({"--version-args", "bad.tsv", "any.pkt"}, s.dir()).exit_status == 2);
}

// ---------------------------------------------------------------------------------------------
// --retries, --timeout

TEST_CASE("pktdrill run --retries retries a run that failed only on timing and reports it flaky, never as a pass", "[suite]") {
    Scripts s;
    s.add("flaky.pkt", flaky_script);
    s.add("fail.pkt", fail_script);
    s.add("late.pkt", late_script);
    std::string const junit = s.path("out.xml");
    auto const r = pktdrill_run({"--retries", "2", "--junit", junit, "--progress=plain", "."}, s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 1);
    CHECK(r.out.find("retry   flaky.pkt ipv4 (attempt 1 failed on timing: flaky.pkt:2:") != std::string::npos);
    CHECK(r.out.find("Flaky runs (1)") != std::string::npos);
    CHECK(r.out.find("3 runs: 0 passed, 2 failed, 1 flaky") != std::string::npos);

    auto const cases = read_junit(junit);
    auto const& flaky = find_case(cases, "flaky.pkt", "ipv4");
    CHECK(flaky.failure_type == "flaky");
    CHECK(flaky.failure_message->find("timing error: expected system call start at 0.500000 sec") != std::string::npos);
    CHECK(flaky.system_out.find("--- attempt 2") != std::string::npos);
    // Not a timing failure: not retried.
    auto const& fail = find_case(cases, "fail.pkt", "ipv4");
    CHECK(fail.failure_type == "fail");
    CHECK(fail.system_out.find("--- attempt 2") == std::string::npos);
    // Late every time: 1 + 2 attempts, then a failure.
    auto const& late = find_case(cases, "late.pkt", "ipv4");
    CHECK(late.failure_type == "fail");
    CHECK(late.system_out.find("--- attempt 3") != std::string::npos);
    CHECK(late.system_out.find("--- attempt 4") == std::string::npos);
}

TEST_CASE("without --retries a timing failure is a failure", "[suite]") {
    Scripts s;
    s.add("flaky.pkt", flaky_script);
    auto const r = pktdrill_run({"flaky.pkt"}, s.dir());
    CHECK(r.exit_status == 1);
    CHECK(r.out.find("1 runs: 0 passed, 1 failed, 0 flaky") != std::string::npos);
}

TEST_CASE("pktdrill run --timeout stops a run that takes too long, reports it and goes on", "[suite]") {
    Scripts s;
    s.add("hang.pkt", hang_script);
    s.add("pass.pkt", pass_script);
    auto const start = std::chrono::steady_clock::now();
    auto const r = pktdrill_run({"--timeout", "1", "--tap", "."}, s.dir());
    auto const took = std::chrono::steady_clock::now() - start;
    INFO(r.out << r.err);
    CHECK(r.exit_status == 1);
    CHECK(took < 15s);  // a SIGINT ends the run at once (SIGKILL would come 5 s later)
    auto const results = check_ktap(r.out);
    CHECK(results == std::vector<std::string>{"not ok hang.pkt ipv4 # TIMEOUT 1 seconds", "ok pass.pkt ipv4"});
    CHECK(r.out.find("# timed out after 1 s (--timeout)") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Output formats

TEST_CASE("pktdrill run --tap prints KTAP alone: every run, a failure's error as diagnostics, the totals", "[suite]") {
    Scripts s;
    s.add("pass.pkt", pass_script);
    s.add("fail.pkt", fail_script);
    s.add("bad.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = \n");
    auto const r = pktdrill_run({"--tap", "."}, s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 1);
    auto const results = check_ktap(r.out);
    REQUIRE(results.size() == 3);
    CHECK(results[0].rfind("not ok bad.pkt ipv4 # ERROR", 0) == 0);
    CHECK(results[1] == "not ok fail.pkt ipv4");
    CHECK(results[2] == "ok pass.pkt ipv4");
    CHECK(std::regex_search(r.out, std::regex("\n# fail.pkt:2:\\d+: error: .*Expected result -1 but got 0")));
    CHECK(r.out.find("# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:0 error:1\n") != std::string::npos);
}

TEST_CASE("pktdrill run --junit writes one testcase per script and version, read back with an XML parser", "[suite]") {
    Scripts s;
    s.add("t/pass.pkt", pass_script);
    s.add("t/fail.pkt", fail_script);
    s.add("t/noisy.pkt", "0 `echo '<markup & \"quotes\">'`\n+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    std::string const junit = s.path("report.xml");
    auto const r = pktdrill_run({"--junit", junit, "--ip-versions", "ipv4,ipv6", "t"}, s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 1);
    auto const cases = read_junit(junit);
    REQUIRE(cases.size() == 6);
    for (auto const& c : cases) {
        CHECK((c.classname == "t/pass.pkt" || c.classname == "t/fail.pkt" || c.classname == "t/noisy.pkt"));
        CHECK((c.name == "ipv4" || c.name == "ipv6"));
        CHECK(c.time > 0);
        CHECK(c.time < 30);
    }
    auto const& fail = find_case(cases, "t/fail.pkt", "ipv6");
    REQUIRE(fail.failure_message);
    CHECK(std::regex_search(*fail.failure_message, std::regex("^t/fail.pkt:2:\\d+: .*Expected result -1 but got 0")));
    CHECK(fail.system_out.find("fail.pkt:2:") != std::string::npos);
    CHECK_FALSE(find_case(cases, "t/pass.pkt", "ipv4").failure_type);
    // What the run printed, markup included, comes back as it was.
    CHECK(find_case(cases, "t/noisy.pkt", "ipv4").system_out.find("<markup & \"quotes\">\n") != std::string::npos);
}

TEST_CASE("the progress line is redrawn in place with --progress=live; plain lines otherwise", "[suite]") {
    Scripts s;
    s.add("pass.pkt", pass_script);
    s.add("fail.pkt", fail_script);
    auto const live = pktdrill_run({"--progress=live", "."}, s.dir());
    CHECK(std::regex_search(live.out, std::regex("\r\033\\[K\\[2/2\\] pass 1  fail 1  flaky 0  running 0 \\| "
                                                 "\\d+:\\d\\d elapsed, ETA 0:00")));
    // The failure is printed above the line (after erasing it, if it was drawn already).
    CHECK(std::regex_search(live.out, std::regex("(\n|\r\033\\[K)fail +[0-9.]+ s  fail.pkt ipv4  fail.pkt:2:")));
    // Not a terminal (the test's pipe): plain lines, nothing redrawn.
    auto const plain = pktdrill_run({"."}, s.dir());
    CHECK(plain.out.find('\r') == std::string::npos);
    CHECK(std::regex_search(plain.out, std::regex("\npass +[0-9.]+ s  pass.pkt ipv4\n")));
}

TEST_CASE("pktdrill run --pcap-dir gives each run a capture file of its own", "[suite]") {
    Scripts s;
    s.add("a/p.pkt", pass_script + "+0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                                   "+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n"
                                   "+0 < S 0:0(0) win 1000 <mss 1460>\n+0 > S. 0:0(0) ack 1 <...>\n");
    auto const r = pktdrill_run({"--pcap-dir", "caps", "--ip-versions", "ipv4,ipv6", "a"}, s.dir());
    INFO(r.out << r.err);
    CHECK(r.exit_status == 0);
    for (char const* name : {"caps/a_p.pkt.ipv4.pcap", "caps/a_p.pkt.ipv6.pcap"}) {
        INFO(name);
        CHECK(fs::exists(s.path(name)));
        CHECK(fs::file_size(s.path(name)) > 24);  // the pcap header and at least one packet
    }
}

// ---------------------------------------------------------------------------------------------
// Ctrl-C

TEST_CASE("Ctrl-C stops every run, waits for them, prints a partial summary and leaves nothing behind", "[suite]") {
    Scripts s;
    for (int i = 0; i < 3; ++i) s.add(cat("hang", std::to_string(i), ".pkt"), hang_script);
    s.add("later.pkt", pass_script);
    std::string const junit = s.path("partial.xml");
    Background suite({"-j", "3", "--junit", junit, "."}, s.dir(), s.path("out.txt"));

    // Wait until the three runs are inside their `sleep 30`: each pktdrill in a namespace of its
    // own, with the command it started.
    std::string const own_netns = netns_of(::getpid());
    std::vector<ProcInfo> runs, commands;
    std::set<std::string> namespaces;
    auto const until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
        auto const procs = all_processes();
        runs.clear();
        commands.clear();
        namespaces.clear();
        for (auto const& p : procs)
            if (p.ppid == suite.pid()) runs.push_back(p);
        for (auto const& p : procs)
            for (auto const& r : runs)
                if (p.ppid == r.pid) commands.push_back(p);
        for (auto const& r : runs)
            if (auto ns = netns_of(r.pid); !ns.empty() && ns != own_netns) namespaces.insert(ns);
        if (runs.size() == 3 && commands.size() >= 3 && namespaces.size() == 3) break;
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE(runs.size() == 3);
    REQUIRE(commands.size() >= 3);
    REQUIRE(namespaces.size() == 3);

    REQUIRE(::kill(suite.pid(), SIGINT) == 0);
    auto const status = suite.wait(30s);
    std::string const out = suite.output();
    INFO(out);
    REQUIRE(status);
    CHECK(*status == 130);

    // Nothing left: no run, no command, no process in any of the runs' namespaces (so no
    // namespace, and no tun device, which lives in one), no tun device here.
    for (auto const& p : runs) CHECK_FALSE(still_there(p));
    for (auto const& p : commands) CHECK_FALSE(still_there(p));
    for (auto const& p : all_processes()) {
        auto const ns = netns_of(p.pid);
        CHECK(namespaces.count(ns) == 0);
    }
    CHECK(::if_nametoindex("tun0") == 0);

    // The partial summary: the three interrupted runs, the one that never started.
    CHECK(out.find("Interrupted by signal 2: 0 of 4 runs finished.") != std::string::npos);
    CHECK(out.find("4 runs: 0 passed, 0 failed, 0 flaky, 0 timed out, 0 errors, 3 interrupted, 1 not run") !=
          std::string::npos);
    auto const cases = read_junit(junit);
    REQUIRE(cases.size() == 4);
    CHECK(find_case(cases, "later.pkt", "ipv4").skipped);
    CHECK(find_case(cases, "hang0.pkt", "ipv4").error);
}

TEST_CASE("a suite killed outright still leaves no run behind (each run is told when the suite dies)", "[suite]") {
    Scripts s;
    s.add("hang.pkt", hang_script);
    Background suite({"hang.pkt"}, s.dir(), s.path("out.txt"));
    std::optional<ProcInfo> run;
    auto const until = std::chrono::steady_clock::now() + 20s;
    while (!run && std::chrono::steady_clock::now() < until) {
        auto const procs = all_processes();
        for (auto const& p : procs)
            if (p.ppid == suite.pid())
                for (auto const& c : procs)
                    if (c.ppid == p.pid) run = p;  // its command is running
        if (!run) std::this_thread::sleep_for(50ms);
    }
    REQUIRE(run);
    REQUIRE(::kill(suite.pid(), SIGKILL) == 0);
    REQUIRE(suite.wait(10s));
    auto const gone_by = std::chrono::steady_clock::now() + 15s;
    while (still_there(*run) && std::chrono::steady_clock::now() < gone_by) std::this_thread::sleep_for(50ms);
    CHECK_FALSE(still_there(*run));
}
