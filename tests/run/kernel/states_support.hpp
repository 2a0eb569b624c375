#pragma once
// Helpers of the --states, --pcap and --netns-name tests: running pktdrill on the state scripts,
// reading its timeline and table, and proving that a run left nothing behind (no process, open
// file or mount that keeps its network namespace alive, no name under /run/netns).

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child.hpp"

namespace pktdrill::test::states {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline fs::path state_script(std::string const& name) { return source_dir() / "scripts/tcp-states" / name; }

inline std::string read_file(fs::path const& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A copy of a state script with `from` replaced by `to` (once), in `dir`.
inline fs::path edited(TempDir const& dir, std::string const& name, std::string const& from, std::string const& to) {
    std::string text = read_file(state_script(name));
    auto const at = text.find(from);
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return dir.write(fs::path(name).filename().string(), text);
}

struct Ran {
    int status = -1;
    std::string output;
};

inline Ran run_pktdrill(std::vector<std::string> args, fs::path const& script,
                        std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    args.insert(args.begin(), pktdrill_binary());
    args.push_back(script.string());
    Child child(args, script.parent_path());
    auto const status = child.wait_for(limit);
    return {status.value_or(-1), child.output()};
}

// A row of the --states timeline: `LINE TIME [event] [fd local foreign] FROM -> TO`.
struct TimelineRow {
    int line = 0;
    double time = 0;
    std::string text;  // the whole row
    std::string from;
    std::string to;
};

inline std::vector<TimelineRow> timeline_rows(std::string const& output) {
    static std::regex const row(R"(^\s*(\d+)\s+(\d+\.\d{6})\s.*\s(\S+) -> (\S+)\s*$)");
    std::vector<TimelineRow> rows;
    std::istringstream lines(output);
    std::string line;
    std::smatch m;
    while (std::getline(lines, line))
        if (std::regex_match(line, m, row)) rows.push_back({std::stoi(m[1]), std::stod(m[2]), line, m[3], m[4]});
    return rows;
}

// The timeline row on script line `line` with that change, if any.
inline std::optional<TimelineRow> change_on(std::string const& output, int line, std::string const& from,
                                            std::string const& to) {
    for (auto const& r : timeline_rows(output))
        if (r.line == line && r.from == from && r.to == to) return r;
    return std::nullopt;
}

// A row of the final netstat-layout table.
struct TableRow {
    std::string proto;
    long recv_q = -1;
    long send_q = -1;
    std::string local;
    std::string foreign;
    std::string state;
    std::string fd;
};

inline std::vector<TableRow> table_rows(std::string const& output) {
    std::vector<TableRow> rows;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        TableRow r;
        if (!(fields >> r.proto) || (r.proto != "tcp" && r.proto != "tcp6")) continue;
        if (fields >> r.recv_q >> r.send_q >> r.local >> r.foreign >> r.state >> r.fd) rows.push_back(r);
    }
    return rows;
}

// The table's row of the connection to the simulated peer (192.0.2.1), if any.
inline std::optional<TableRow> peer_row(std::string const& output) {
    for (auto const& r : table_rows(output))
        if (r.foreign.rfind("192.0.2.1:", 0) == 0) return r;
    return std::nullopt;
}

// A name no other test or engineer uses at the same time.
inline std::string unique_netns_name(std::string const& tag) {
    return "pktdrill-test-" + std::to_string(::getpid()) + "-" + tag;
}

inline bool mounted(std::string const& text) {
    return read_file("/proc/self/mountinfo").find(text) != std::string::npos;
}

// The network namespace of a process, as readlink shows it (`net:[4026532319]`), or "".
inline std::string netns_of(pid_t pid) {
    std::error_code ec;
    auto const target = fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/net", ec);
    return ec ? std::string() : target.string();
}

// Waits until `pid` has moved into a network namespace other than this process's; "" if not
// within the limit.
inline std::string wait_for_own_netns(pid_t pid, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::string const mine = netns_of(::getpid());
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        std::string const ns = netns_of(pid);
        if (!ns.empty() && ns != mine) return ns;
        std::this_thread::sleep_for(5ms);
    }
    return {};
}

// What still holds the namespace `ns` (`net:[...]`): processes in it, open files of it, mounts
// of it. Empty: the kernel frees it, and its TUN device with it.
inline std::vector<std::string> holders_of(std::string const& ns) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto const& entry : fs::directory_iterator("/proc", ec)) {
        std::string const pid = entry.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::error_code e2;
        auto const mine = fs::read_symlink(entry.path() / "ns/net", e2);
        if (!e2 && mine.string() == ns)
            out.push_back("process " + pid + " (" + read_file(entry.path() / "comm") + ")");
        for (auto const& fd : fs::directory_iterator(entry.path() / "fd", e2)) {
            std::error_code e3;
            if (fs::read_symlink(fd.path(), e3).string() == ns) out.push_back("fd " + fd.path().string());
        }
    }
    if (mounted(ns)) out.push_back("a mount of " + ns);
    return out;
}

// Polls until nothing holds `ns`, at most `limit`; returns what still holds it.
inline std::vector<std::string> wait_released(std::string const& ns, std::chrono::milliseconds limit = 2s) {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto held = holders_of(ns);
        if (held.empty() || std::chrono::steady_clock::now() >= deadline) return held;
        std::this_thread::sleep_for(10ms);
    }
}

// The name is listed by `ip netns list` and present under /run/netns.
inline bool netns_named(std::string const& name) {
    bool const listed = shell("ip netns list 2>/dev/null").find(name) != std::string::npos;
    return listed || fs::exists("/run/netns/" + name) || mounted("/run/netns/" + name);
}

inline bool wait_until(std::function<bool()> const& condition, std::chrono::milliseconds limit) {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
}

}  // namespace pktdrill::test::states
