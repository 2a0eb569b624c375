#include "src/cli/suite_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <regex>
#include <set>
#include <system_error>
#include <tuple>

#include "grammar/diagnostics.hpp"
#include "grammar/parse.hpp"
#include "grammar/source.hpp"
#include "src/base/error.hpp"
#include "src/script/build.hpp"

namespace pktdrill::cli {

namespace fs = std::filesystem;

namespace {

// What a run costs beyond its scripted time (namespace, tun device, init command), measured on
// the corpus: it keeps scripts of 0 s from looking free.
constexpr double run_overhead_secs = 0.2;

bool is_script(fs::directory_entry const& entry) {
    std::error_code ec;
    return entry.path().extension() == ".pkt" && entry.is_regular_file(ec);
}

// The time of the last event, following relative times from the previous one: how long the run
// waits on its own schedule.
double scripted_seconds(script::Script const& s) {
    script::Micros now = 0, latest = 0;
    for (auto const& e : s.events) {
        switch (e.time.kind) {
        case script::TimeKind::absolute: now = e.time.start; break;
        case script::TimeKind::relative: now += e.time.start; break;
        case script::TimeKind::absolute_range: now = e.time.end; break;
        case script::TimeKind::relative_range: now += e.time.end; break;
        case script::TimeKind::any: break;
        }
        latest = std::max(latest, now);
    }
    return static_cast<double>(latest) / 1e6;
}

struct ScriptFacts {
    std::optional<std::string> pinned;  // its own --ip_version line
    double scripted_secs = 0;
};

// Reads a script as a run will (with the ARGS' settings, for -D names its packets use). A script
// that does not load is still planned: its run reports why.
ScriptFacts read_facts(std::string const& path, std::vector<script::OptionValue> const& settings) {
    ScriptFacts facts;
    std::optional<grammar::SourceFile> file;
    try {
        file.emplace(grammar::SourceFile::read(path));
    } catch (Error const&) {
        return facts;
    }
    grammar::Diagnostics diagnostics(*file);
    if (auto loaded = script::load_script(*file, diagnostics, settings)) {
        for (auto const& option : loaded->script.options)
            if (option.name == "ip_version" && option.value) facts.pinned = option.value;
        facts.scripted_secs = scripted_seconds(loaded->script);
        return facts;
    }
    // It does not load; its option lines may still parse.
    grammar::Diagnostics ignored(*file);
    grammar::parse_script(*file, ignored, [&](std::vector<grammar::ast::option_line> const& lines) {
        for (auto const& line : lines)
            if (line.name == "ip_version" && line.value) facts.pinned = *line.value;
        return grammar::Defines{};
    });
    return facts;
}

}  // namespace

std::optional<std::string> canonical_ip_version(std::string const& name) {
    if (name == "ipv4" || name == "ipv6" || name == "ipv4-mapped-ipv6") return name;
    if (name == "ipv4-mapped-v6") return std::string("ipv4-mapped-ipv6");
    return std::nullopt;
}

std::vector<std::string> discover_scripts(std::vector<std::string> const& paths) {
    std::vector<std::string> scripts;
    std::set<fs::path> seen;
    auto const add = [&](fs::path const& p) {
        std::error_code ec;
        fs::path key = fs::weakly_canonical(p, ec);
        if (ec) key = fs::absolute(p);
        if (seen.insert(key).second) scripts.push_back(p.lexically_normal().generic_string());
    };
    for (auto const& path : paths) {
        std::error_code ec;
        auto const status = fs::status(path, ec);
        if (ec || !fs::exists(status)) throw Error("pktdrill run: " + path + ": no such file or folder");
        if (!fs::is_directory(status)) {
            add(path);
            continue;
        }
        std::vector<fs::path> found;
        fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec), end;
        if (ec) throw Error("pktdrill run: " + path + ": " + ec.message());
        for (; it != end; it.increment(ec)) {
            if (ec) throw Error("pktdrill run: " + path + ": " + ec.message());
            if (is_script(*it)) found.push_back(it->path());
        }
        if (found.empty()) throw Error("pktdrill run: " + path + ": no *.pkt script in this folder");
        std::sort(found.begin(), found.end());
        for (auto const& p : found) add(p);
    }
    return scripts;
}

std::vector<PlannedRun> plan_runs(std::vector<std::string> const& scripts, std::vector<std::string> const& ip_versions,
                                  std::vector<script::OptionValue> const& child_settings) {
    std::vector<PlannedRun> runs;
    for (auto const& path : scripts) {
        ScriptFacts const facts = read_facts(path, child_settings);
        std::optional<std::string> pinned;
        if (facts.pinned) pinned = canonical_ip_version(*facts.pinned);

        PlannedRun base;
        base.script = path;
        fs::path const p(path);
        base.directory = fs::absolute(p).parent_path().lexically_normal().string();
        base.file_name = p.filename().string();
        // A name starting with '-' would be read as an option.
        if (!base.file_name.empty() && base.file_name.front() == '-') base.file_name = "./" + base.file_name;
        base.estimate_secs = facts.scripted_secs + run_overhead_secs;

        if (ip_versions.empty()) {
            PlannedRun run = base;
            run.ip_version = pinned.value_or("ipv4");  // pktdrill's default when nothing says
            runs.push_back(std::move(run));
            continue;
        }
        if (pinned) {
            PlannedRun run = base;
            run.ip_version = *pinned;
            if (std::find(ip_versions.begin(), ip_versions.end(), *pinned) == ip_versions.end()) {
                run.skip_reason = "pinned to " + *pinned + " by its --ip_version line";
                run.estimate_secs = 0;
            } else {
                run.set_ip_version = true;
            }
            runs.push_back(std::move(run));
            continue;
        }
        for (auto const& version : ip_versions) {
            PlannedRun run = base;
            run.ip_version = version;
            run.set_ip_version = true;
            runs.push_back(std::move(run));
        }
    }
    return runs;
}

std::vector<PlannedRun> filter_runs(std::vector<PlannedRun> runs, std::string const& filter) {
    std::regex const re(filter);
    std::erase_if(runs, [&](PlannedRun const& r) { return !std::regex_search(r.name(), re); });
    return runs;
}

std::vector<PlannedRun> shard_runs(std::vector<PlannedRun> const& runs, Shard shard) {
    // Integer microseconds: the same sums, so the same parts, whatever the machine.
    std::vector<std::int64_t> cost(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) cost[i] = std::llround(runs[i].estimate_secs * 1e6);
    std::vector<std::size_t> order(runs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return cost[a] > cost[b]; });

    // Each part's load: (scripted time, runs); runs break ties, so free (skipped) runs spread too.
    std::vector<std::pair<std::int64_t, std::size_t>> load(static_cast<std::size_t>(shard.count));
    std::vector<bool> mine(runs.size(), false);
    for (std::size_t const i : order) {
        std::size_t const part = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        load[part].first += cost[i];
        ++load[part].second;
        if (part == static_cast<std::size_t>(shard.index - 1)) mine[i] = true;
    }
    std::vector<PlannedRun> out;
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (mine[i]) out.push_back(runs[i]);
    return out;
}

}  // namespace pktdrill::cli
