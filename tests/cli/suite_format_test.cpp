// `pktdrill run`'s reports and planning, without running anything: KTAP checked against its
// format line by line, JUnit XML read back with a real XML parser (Boost.PropertyTree's), the
// summary and progress line, how a run's output is read (first error, timing-only failures), and
// --shard partitioning runs exactly.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <catch2/catch.hpp>

#include "src/cli/suite_outcome.hpp"
#include "src/cli/suite_plan.hpp"
#include "src/report/junit.hpp"
#include "src/report/ktap.hpp"
#include "src/report/progress.hpp"
#include "src/report/suite_summary.hpp"

namespace {

namespace fs = std::filesystem;
using pktdrill::report::SuiteEntry;
using pktdrill::report::Verdict;

SuiteEntry entry(std::string script, std::string version, Verdict verdict, double seconds = 0.5) {
    SuiteEntry e;
    e.script = std::move(script);
    e.ip_version = std::move(version);
    e.verdict = verdict;
    e.seconds = seconds;
    e.attempts = verdict == Verdict::skip ? 0 : 1;
    return e;
}

// One of each verdict, with texts that need escaping in XML.
std::vector<SuiteEntry> every_verdict() {
    std::vector<SuiteEntry> v;
    v.push_back(entry("a/pass.pkt", "ipv4", Verdict::pass, 0.25));
    v.back().log = "$ cd a && pktdrill pass.pkt\n";
    v.push_back(entry("a/fail.pkt", "ipv6", Verdict::fail, 1.5));
    v.back().location = "a/fail.pkt:12:3";
    v.back().message = "live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)";
    v.back().detail = "a/fail.pkt:12:3: error: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)\n"
                      "+0 > . 1:1(0) ack 2 <nop,nop,TS val 100 ecr 700>\n^";
    v.back().log = "fail.pkt:12:3: error: ... <&> \"quoted\" 'single'\x01\xff end\r\n";
    v.push_back(entry("a/flaky.pkt", "ipv4", Verdict::flaky, 0.75));
    v.back().attempts = 2;
    v.back().first_failure = "a/flaky.pkt:3:1: timing error: expected system call start at 0.5 sec but happened at 1.0 sec";
    v.push_back(entry("a/slow.pkt", "ipv4", Verdict::timeout, 5.0));
    v.back().message = "timed out after 5 s (--timeout)";
    v.push_back(entry("a/bad #1.pkt", "ipv4", Verdict::error, 0.01));
    v.back().location = "a/bad #1.pkt:2:19";
    v.back().message = "expected integer";
    v.push_back(entry("a/v6only.pkt", "ipv6", Verdict::skip));
    v.back().skip_reason = "pinned to ipv6 by its --ip_version line";
    return v;
}

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Checks `text` against KTAP as kselftest prints it; returns the result lines' descriptions with
// their ok-ness and directive.
struct KtapResult {
    bool ok;
    int number;
    std::string description;
    std::string directive;
};
std::vector<KtapResult> check_ktap(std::string const& text) {
    auto const lines = lines_of(text);
    REQUIRE(lines.size() >= 3);
    CHECK(lines[0] == "TAP version 13");
    std::smatch m;
    REQUIRE(std::regex_match(lines[1], m, std::regex(R"(1\.\.(\d+))")));
    int const planned = std::stoi(m[1]);
    std::regex const result(R"((ok|not ok) ([1-9]\d*) ([^#]*[^# ])(?: # (.*))?)");
    std::regex const totals(R"(# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) skip:(\d+) error:(\d+))");
    std::vector<KtapResult> results;
    bool saw_totals = false;
    for (std::size_t i = 2; i < lines.size(); ++i) {
        auto const& line = lines[i];
        INFO(line);
        CHECK_FALSE(saw_totals);  // the totals line closes the output
        if (std::regex_match(line, m, totals)) {
            int sum = 0;
            for (int g = 1; g <= 6; ++g) sum += std::stoi(m[g]);
            CHECK(sum == planned);
            saw_totals = true;
            continue;
        }
        if (line.rfind("#", 0) == 0) continue;  // a diagnostic line
        REQUIRE(std::regex_match(line, m, result));
        results.push_back({m[1] == "ok", std::stoi(m[2]), m[3], m[4]});
        CHECK(results.back().number == static_cast<int>(results.size()));  // numbered in order
    }
    CHECK(saw_totals);
    CHECK(static_cast<int>(results.size()) == planned);
    return results;
}

std::string ktap_of(std::vector<SuiteEntry> const& entries) {
    std::ostringstream out;
    pktdrill::report::KtapWriter ktap(out);
    ktap.header(entries.size());
    for (auto const& e : entries) ktap.result(e, 5);
    ktap.totals(entries);
    return out.str();
}

pktdrill::cli::PlannedRun planned(std::string script, std::string version, double estimate) {
    pktdrill::cli::PlannedRun r;
    r.script = std::move(script);
    r.ip_version = std::move(version);
    r.estimate_secs = estimate;
    return r;
}

// "s7.pkt", appended piece by piece: g++ 12 warns (-Wrestrict, falsely) about "literal" + std::string.
std::string script_name(int i) {
    std::string name = "s";
    return name.append(std::to_string(i)).append(".pkt");
}

// A folder of scripts for one test, removed afterwards.
class TempDir {
public:
    TempDir() : dir_(fs::temp_directory_path() / ("pktdrill-suite-unit-" + std::to_string(::getpid()))) {
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    ~TempDir() { fs::remove_all(dir_); }
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;
    std::string add(std::string const& name, std::string const& text) const {
        fs::create_directories((dir_ / name).parent_path());
        std::ofstream(dir_ / name) << text;
        return (dir_ / name).string();
    }
    fs::path const& path() const { return dir_; }

private:
    fs::path dir_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// KTAP

TEST_CASE("KTAP: version line, plan, one numbered result line per run, directives and the totals line", "[suite]") {
    auto const results = check_ktap(ktap_of(every_verdict()));
    REQUIRE(results.size() == 6);
    CHECK(results[0].ok);
    CHECK(results[0].description == "a/pass.pkt ipv4");
    CHECK(results[0].directive.empty());
    CHECK_FALSE(results[1].ok);  // fail
    CHECK_FALSE(results[2].ok);  // flaky is never a pass
    CHECK_FALSE(results[3].ok);
    CHECK(results[3].directive == "TIMEOUT 5 seconds");
    CHECK_FALSE(results[4].ok);
    CHECK(results[4].description == "a/bad _1.pkt ipv4");  // '#' would start a directive
    CHECK(results[4].directive.rfind("ERROR", 0) == 0);
    CHECK(results[5].ok);
    CHECK(results[5].directive == "SKIP pinned to ipv6 by its --ip_version line");
}

TEST_CASE("KTAP: a failure's diagnostic lines come before its result line and the totals count each kind",
          "[suite]") {
    std::string const text = ktap_of(every_verdict());
    CHECK(text.find("# a/fail.pkt:12:3: error: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)\n"
                    "# +0 > . 1:1(0) ack 2 <nop,nop,TS val 100 ecr 700>\n# ^\nnot ok 2 a/fail.pkt ipv6\n") !=
          std::string::npos);
    CHECK(text.find("# flaky: failed on timing, then passed on attempt 2") != std::string::npos);
    // fail = fail + flaky + timeout; error = invalid; skip = skipped
    CHECK(text.find("# Totals: pass:1 fail:3 xfail:0 xpass:0 skip:1 error:1\n") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// JUnit

TEST_CASE("JUnit: read back with an XML parser, one testcase per script and ip version", "[suite]") {
    namespace pt = boost::property_tree;
    auto const entries = every_verdict();
    std::ostringstream out;
    pktdrill::report::JunitInfo info;
    info.timestamp = "2024-01-02T03:04:05";
    info.hostname = "host";
    info.wall_seconds = 7.25;
    pktdrill::report::write_junit(out, entries, info);

    pt::ptree tree;
    std::istringstream in(out.str());
    REQUIRE_NOTHROW(pt::read_xml(in, tree));
    auto const& suites = tree.get_child("testsuites");
    CHECK(suites.get<int>("<xmlattr>.tests") == 6);
    CHECK(suites.get<int>("<xmlattr>.failures") == 3);
    CHECK(suites.get<int>("<xmlattr>.errors") == 1);
    CHECK(suites.get<int>("<xmlattr>.skipped") == 1);
    auto const& suite = suites.get_child("testsuite");
    CHECK(suite.get<std::string>("<xmlattr>.timestamp") == "2024-01-02T03:04:05");
    CHECK(suite.get<double>("<xmlattr>.time") == Approx(7.25));

    std::vector<pt::ptree> cases;
    for (auto const& [name, child] : suite)
        if (name == "testcase") cases.push_back(child);
    REQUIRE(cases.size() == entries.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        INFO(entries[i].name());
        CHECK(cases[i].get<std::string>("<xmlattr>.classname") == entries[i].script);
        CHECK(cases[i].get<std::string>("<xmlattr>.name") == entries[i].ip_version);
        CHECK(cases[i].get<double>("<xmlattr>.time") == Approx(entries[i].seconds).margin(0.001));
    }
    CHECK_FALSE(cases[0].get_child_optional("failure").is_initialized());
    CHECK(cases[0].get<std::string>("system-out") == "$ cd a && pktdrill pass.pkt\n");

    auto const& failure = cases[1].get_child("failure");
    CHECK(failure.get<std::string>("<xmlattr>.message") ==
          "a/fail.pkt:12:3: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)");
    CHECK(failure.get_value<std::string>() == entries[1].detail);
    // Markup escaped and back; a control character XML cannot carry shown as text; invalid
    // UTF-8 replaced; a carriage return kept.
    CHECK(cases[1].get<std::string>("system-out") ==
          "fail.pkt:12:3: error: ... <&> \"quoted\" 'single'\\x01\xEF\xBF\xBD end\r\n");

    CHECK(cases[2].get<std::string>("failure.<xmlattr>.type") == "flaky");
    CHECK(cases[3].get<std::string>("failure.<xmlattr>.type") == "timeout");
    CHECK(cases[4].get_child_optional("error").is_initialized());
    CHECK(cases[5].get<std::string>("skipped.<xmlattr>.message") == "pinned to ipv6 by its --ip_version line");
}

TEST_CASE("JUnit: line breaks in an attribute survive a parser", "[suite]") {
    namespace pt = boost::property_tree;
    std::vector<SuiteEntry> entries{entry("x.pkt", "ipv4", Verdict::fail)};
    entries[0].message = "two\nlines\tand a tab";
    std::ostringstream out;
    pktdrill::report::write_junit(out, entries, {});
    pt::ptree tree;
    std::istringstream in(out.str());
    pt::read_xml(in, tree);
    CHECK(tree.get<std::string>("testsuites.testsuite.testcase.failure.<xmlattr>.message") == "two\nlines\tand a tab");
}

// ---------------------------------------------------------------------------------------------
// Summary and progress

TEST_CASE("the summary lists failing runs with file:line and message, flaky runs, the slowest runs and counts",
          "[suite]") {
    std::ostringstream out;
    pktdrill::report::SummaryInfo info;
    info.wall_seconds = 12.5;
    info.jobs = 16;
    info.slowest = 2;
    pktdrill::report::print_summary(out, every_verdict(), info);
    std::string const s = out.str();
    CHECK(s.find("Failed runs (3):\n  a/fail.pkt ipv6\n    a/fail.pkt:12:3: live packet field tcp_ack_seq") !=
          std::string::npos);
    CHECK(s.find("  a/slow.pkt ipv4\n    timed out after 5 s (--timeout)\n") != std::string::npos);
    CHECK(s.find("  a/bad #1.pkt ipv4\n    a/bad #1.pkt:2:19: expected integer\n") != std::string::npos);
    CHECK(s.find("Flaky runs (1)") != std::string::npos);
    CHECK(s.find("Slowest runs:\n      5.00 s  a/slow.pkt ipv4\n      1.50 s  a/fail.pkt ipv6\n") !=
          std::string::npos);
    CHECK(s.find("5 runs: 1 passed, 1 failed, 1 flaky, 1 timed out, 1 errors, 1 skipped in 12.5 s (-j 16)\n") !=
          std::string::npos);
}

TEST_CASE("an interrupted suite's summary says so and counts what did not run", "[suite]") {
    auto entries = every_verdict();
    entries[0].verdict = Verdict::pending;
    entries[3].verdict = Verdict::interrupted;
    std::ostringstream out;
    pktdrill::report::SummaryInfo info;
    info.interrupted_by = 2;
    pktdrill::report::print_summary(out, entries, info);
    CHECK(out.str().find("Interrupted by signal 2: 3 of 5 runs finished.") != std::string::npos);
    CHECK(out.str().find("1 interrupted, 1 not run") != std::string::npos);
    CHECK_FALSE(pktdrill::report::count(entries).all_passed());
}

TEST_CASE("the progress line shows done/total, pass/fail/flaky, running, elapsed time and ETA", "[suite]") {
    pktdrill::report::ProgressState s;
    s.total = 481;
    s.done = 12;
    s.pass = 9;
    s.fail = 2;
    s.flaky = 1;
    s.running = 16;
    s.elapsed_secs = 61;
    CHECK(pktdrill::report::progress_line(s) == "[ 12/481] pass 9  fail 2  flaky 1  running 16 | 1:01 elapsed, ETA ?");
    s.eta_secs = 3725;
    CHECK(pktdrill::report::progress_line(s) ==
          "[ 12/481] pass 9  fail 2  flaky 1  running 16 | 1:01 elapsed, ETA 1:02:05");
}

TEST_CASE("the live progress line is redrawn in place and failures print above it; plain mode prints a line per run",
          "[suite]") {
    pktdrill::report::ProgressState s;
    s.total = 2;
    auto const e = every_verdict();
    std::ostringstream live_out;
    {
        pktdrill::report::Progress live(live_out, pktdrill::report::Progress::Style::live);
        s.done = 1;
        s.pass = 1;
        live.finished(e[0], s);  // a pass: only the line
        s.done = 2;
        s.fail = 1;
        live.finished(e[1], s);
        live.clear();
    }
    CHECK(live_out.str() == "\r\033[K[1/2] pass 1  fail 0  flaky 0  running 0 | 0:00 elapsed, ETA ?"
                            "\r\033[K" + pktdrill::report::result_line(e[1]) + "\n" +
                                "\r\033[K[2/2] pass 1  fail 1  flaky 0  running 0 | 0:00 elapsed, ETA ?\r\033[K");
    std::ostringstream plain_out;
    pktdrill::report::Progress plain(plain_out, pktdrill::report::Progress::Style::plain);
    plain.finished(e[0], s);
    plain.finished(e[1], s);
    CHECK(plain_out.str() == pktdrill::report::result_line(e[0]) + "\n" + pktdrill::report::result_line(e[1]) + "\n");
    CHECK(plain_out.str().find('\r') == std::string::npos);
}

TEST_CASE("the live progress line is cut to one column less than the terminal, so it never wraps", "[suite]") {
    pktdrill::report::ProgressState s;
    s.total = 2;
    s.done = 1;
    s.pass = 1;
    std::ostringstream narrow_out;
    {
        pktdrill::report::Progress narrow(narrow_out, pktdrill::report::Progress::Style::live, 12);
        narrow.update(s);
    }
    CHECK(narrow_out.str() == "\r\033[K[1/2] pass \r\033[K");
    std::ostringstream unknown_out;
    {
        pktdrill::report::Progress unknown(unknown_out, pktdrill::report::Progress::Style::live, 0);
        unknown.update(s);
    }
    CHECK(unknown_out.str() == "\r\033[K[1/2] pass 1  fail 0  flaky 0  running 0 | 0:00 elapsed, ETA ?\r\033[K");
}

// ---------------------------------------------------------------------------------------------
// Reading a run's output

TEST_CASE("a run's first error is read with the path as discovered, and a failure only on timing is told apart",
          "[suite]") {
    using pktdrill::cli::AttemptEnd;
    pktdrill::cli::PlannedRun run = planned("dir/sub/x.pkt", "ipv4", 1);
    run.file_name = "x.pkt";
    AttemptEnd failed;
    failed.exited = true;
    failed.status = 1;

    std::string const timing =
        "$ cd /dir/sub && pktdrill x.pkt\n"
        "x.pkt:7:2: error: timing error: expected inbound packet at 0.100000 sec but happened at 0.130000 sec; "
        "tolerance 0.004000 sec\n +.1 < . 1:1(0) ack 1 win 257\n ^\n\nx.pkt: more\n";
    auto const t = pktdrill::cli::judge_attempt(run, failed, timing, 0);
    CHECK(t.verdict == Verdict::fail);
    CHECK(t.timing_only);
    CHECK(t.location == "dir/sub/x.pkt:7:2");
    CHECK(t.message.rfind("timing error: expected inbound packet at 0.100000 sec", 0) == 0);
    CHECK(t.detail == "dir/sub/x.pkt:7:2: error: " + t.message + "\n +.1 < . 1:1(0) ack 1 win 257\n ^");

    std::string const other = "x.pkt:9:4: error: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)\n";
    auto const o = pktdrill::cli::judge_attempt(run, failed, other, 0);
    CHECK(o.verdict == Verdict::fail);
    CHECK_FALSE(o.timing_only);
    // A timing error after another error (--non_fatal) is not "only timing".
    auto const both = pktdrill::cli::judge_attempt(run, failed, timing + other, 0);
    CHECK_FALSE(both.timing_only);

    AttemptEnd passed;
    passed.exited = true;
    passed.status = 0;
    auto const p = pktdrill::cli::judge_attempt(run, passed, "whatever\n", 0);
    CHECK(p.verdict == Verdict::pass);
    CHECK(p.message.empty());

    AttemptEnd invalid = failed;
    invalid.status = 2;
    auto const i = pktdrill::cli::judge_attempt(run, invalid, "x.pkt:2:19: error: expected integer\n", 0);
    CHECK(i.verdict == Verdict::error);
    CHECK(i.location == "dir/sub/x.pkt:2:19");

    AttemptEnd killed;
    killed.status = 9;
    CHECK(pktdrill::cli::judge_attempt(run, killed, "", 0).message == "pktdrill was ended by SIGKILL");

    AttemptEnd timed_out = killed;
    timed_out.timed_out = true;
    auto const to = pktdrill::cli::judge_attempt(run, timed_out, "", 2.5);
    CHECK(to.verdict == Verdict::timeout);
    CHECK(to.message == "timed out after 2.5 s (--timeout)");
}

// ---------------------------------------------------------------------------------------------
// Planning: discovery, pins, filter, shards

TEST_CASE("pktdrill run --shard splits the runs into parts that hold every run exactly once, the same each time", "[suite]") {
    std::vector<pktdrill::cli::PlannedRun> runs;
    // Scripted times as varied as the corpus's: many short, a few long, some equal, some free.
    for (int i = 0; i < 97; ++i)
        for (char const* v : {"ipv4", "ipv6"})
            runs.push_back(planned(script_name(i), v, i % 13 == 0 ? 20.0 - i / 10.0 : (i % 7) * 0.1));
    std::set<std::string> all;
    for (auto const& r : runs) all.insert(r.name());

    for (int n : {1, 2, 3, 4, 5, 7, 16, 300}) {
        INFO("N = " << n);
        std::multiset<std::string> seen;
        std::vector<double> loads;
        for (int i = 1; i <= n; ++i) {
            auto const part = pktdrill::cli::shard_runs(runs, {i, n});
            auto const again = pktdrill::cli::shard_runs(runs, {i, n});
            REQUIRE(part.size() == again.size());
            double load = 0;
            for (std::size_t k = 0; k < part.size(); ++k) {
                CHECK(part[k].name() == again[k].name());
                seen.insert(part[k].name());
                load += part[k].estimate_secs;
            }
            loads.push_back(load);
        }
        CHECK(seen.size() == all.size());
        CHECK(std::set<std::string>(seen.begin(), seen.end()) == all);
        // Balanced: no part holds more than the lightest plus the longest run.
        if (n <= 16) CHECK(*std::max_element(loads.begin(), loads.end()) <= *std::min_element(loads.begin(), loads.end()) + 20.0);
    }
}

TEST_CASE("a shard keeps the runs in the order they were discovered", "[suite]") {
    std::vector<pktdrill::cli::PlannedRun> runs;
    for (int i = 0; i < 10; ++i) runs.push_back(planned(script_name(i), "ipv4", 10 - i));
    auto const part = pktdrill::cli::shard_runs(runs, {1, 2});
    for (std::size_t k = 1; k < part.size(); ++k) CHECK(part[k - 1].script < part[k].script);
}

TEST_CASE("pktdrill run --filter keeps the runs whose SCRIPT VERSION name matches", "[suite]") {
    std::vector<pktdrill::cli::PlannedRun> runs{planned("a/x.pkt", "ipv4", 1), planned("a/x.pkt", "ipv6", 1),
                                                planned("b/y-ipv6.pkt", "ipv4", 1)};
    auto const v6 = pktdrill::cli::filter_runs(runs, " ipv6$");
    REQUIRE(v6.size() == 1);
    CHECK(v6[0].name() == "a/x.pkt ipv6");
    CHECK(pktdrill::cli::filter_runs(runs, "^a/").size() == 2);
    CHECK(pktdrill::cli::filter_runs(runs, "nothing").empty());
}

TEST_CASE("discovery finds *.pkt recursively in sorted order, keeps files as given and counts a file once",
          "[suite]") {
    TempDir d;
    d.add("b/2.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    d.add("b/1.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    d.add("a/deep/3.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    d.add("a/notes.txt", "not a script\n");
    std::string const root = d.path().string();
    auto const found = pktdrill::cli::discover_scripts({root, root + "/b/1.pkt"});
    REQUIRE(found.size() == 3);
    CHECK(found[0] == root + "/a/deep/3.pkt");
    CHECK(found[1] == root + "/b/1.pkt");
    CHECK(found[2] == root + "/b/2.pkt");
    CHECK_THROWS(pktdrill::cli::discover_scripts({root + "/missing"}));
    CHECK_THROWS(pktdrill::cli::discover_scripts({root + "/a/deep/none"}));
}

TEST_CASE("a script's --ip_version line pins it: run under that version only, skipped when it is not asked for",
          "[suite]") {
    TempDir d;
    std::string const v6 = d.add("v6.pkt", "--ip_version=ipv6\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n");
    std::string const any = d.add("any.pkt", "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+2.5 close(3) = 0\n");

    auto const both = pktdrill::cli::plan_runs({v6, any}, {"ipv4", "ipv6"}, {});
    REQUIRE(both.size() == 3);
    CHECK(both[0].name() == v6 + " ipv6");
    CHECK_FALSE(both[0].skipped());
    CHECK(both[1].name() == any + " ipv4");
    CHECK(both[2].name() == any + " ipv6");
    CHECK(both[1].estimate_secs >= 2.5);
    CHECK(both[1].file_name == "any.pkt");
    CHECK(both[1].directory == d.path().string());

    auto const v4 = pktdrill::cli::plan_runs({v6, any}, {"ipv4"}, {});
    REQUIRE(v4.size() == 2);
    CHECK(v4[0].skipped());
    CHECK(v4[0].skip_reason == "pinned to ipv6 by its --ip_version line");

    // Without --ip-versions each script runs once, as it says, with nothing added.
    auto const own = pktdrill::cli::plan_runs({v6, any}, {}, {});
    REQUIRE(own.size() == 2);
    CHECK(own[0].ip_version == "ipv6");
    CHECK(own[1].ip_version == "ipv4");
    CHECK_FALSE(own[1].set_ip_version);
}
