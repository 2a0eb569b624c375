// `pktdrill run`'s command line. Everything after the first `--` goes to every run unchanged; it
// is checked here with packetdrill's option table, so a typo fails the suite before any run does.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <regex>
#include <string_view>

#include <CLI/CLI.hpp>

#include "src/cli/suite_options.hpp"
#include "src/cli/suite_plan.hpp"

namespace pktdrill::cli {

std::vector<script::OptionValue> settings_for(SuiteOptions const& options, std::string const& ip_version) {
    std::vector<script::OptionValue> settings;
    if (auto it = options.version_settings.find(ip_version); it != options.version_settings.end())
        settings = it->second;
    settings.insert(settings.end(), options.child_settings.begin(), options.child_settings.end());
    return settings;
}


namespace {

constexpr char description[] =
    "pktdrill run: run scripts as a suite, each run a pktdrill of its own in a fresh network namespace,\n"
    "several at once. PATH is a script or a folder (searched recursively for *.pkt). ARGS after -- are\n"
    "given to every run, as packetdrill flags on its command line (e.g. the kernel selftests'\n"
    "-- --ip_version=ipv6 --mtu=1520 --local_ip=fd3d:0a0b:17d6::1 ...). Exit status: 0 if every run\n"
    "passed, 1 if any did not, 2 on a usage error, 128+signal when interrupted.";

// Checks ARGS with packetdrill's own table: the same parser the runs will use.
bool parse_child_args(std::vector<std::string> const& args, std::vector<script::OptionValue>& settings) {
    CLI::App app{"", "pktdrill run -- ARGS"};
    app.allow_windows_style_options(false);
    add_packetdrill_options(app, settings);
    std::vector<std::string> words{"pktdrill"};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words) argv.push_back(w.data());
    try {
        app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (CLI::ParseError const& e) {
        std::cerr << "pktdrill run: error: in the arguments after --: " << e.what() << "\n";
        return false;
    }
    return validate_settings(settings);
}

// Refuses what cannot work when runs are many and parallel.
bool check_child_settings(std::vector<script::OptionValue> const& settings, int jobs, char const* where) {
    for (auto const& s : settings) {
        // One file for every run would be overwritten by each: the suite names one per run.
        if (s.name == "pcap") {
            std::cerr << "pktdrill run: error: --pcap " << where << ": use --pcap-dir DIR, which gives each run a file\n";
            return false;
        }
        // Parallel runs must not share a namespace: tun0, sysctls and sockets would collide.
        if (((s.name == "netns" && s.value == "current") || s.name == "netns-name") && jobs > 1) {
            std::cerr << "pktdrill run: error: --" << s.name << " " << where
                      << " shares a namespace between runs; it needs -j 1\n";
            return false;
        }
    }
    return true;
}

// Words of a line, split at blanks; '...' and "..." quote (as a shell would, without escapes).
std::optional<std::vector<std::string>> split_words(std::string const& line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (char c : line) {
        if (quote) {
            if (c == quote) quote = 0;
            else word += c;
        } else if (c == '\'' || c == '"') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (in_word) words.push_back(std::move(word));
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (quote) return std::nullopt;
    if (in_word) words.push_back(std::move(word));
    return words;
}

// A --version-args file: "VERSION ARGS..." a line, '#' comments; reference-args.tsv's format
// (whose "ip_version args" header line is skipped).
bool read_version_args(std::string const& path, SuiteOptions& options, std::vector<std::string>& order) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "pktdrill run: error: --version-args: cannot read " << path << "\n";
        return false;
    }
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        auto const where = [&] { return path + ":" + std::to_string(number) + ": "; };
        auto const first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line[first] == '#') continue;
        auto words = split_words(line);
        if (!words) {
            std::cerr << where() << "error: unterminated quote\n";
            return false;
        }
        if (words->front() == "ip_version") continue;  // reference-args.tsv's header
        auto const version = canonical_ip_version(words->front());
        if (!version) {
            std::cerr << where() << "error: '" << words->front() << "' is not ipv4, ipv6 or ipv4-mapped-ipv6\n";
            return false;
        }
        if (options.version_args.count(*version)) {
            std::cerr << where() << "error: a second line for " << *version << "\n";
            return false;
        }
        std::vector<std::string> args(words->begin() + 1, words->end());
        std::vector<script::OptionValue> settings;
        if (!parse_child_args(args, settings)) return false;
        for (auto const& s : settings)
            if (s.name == "ip_version" && canonical_ip_version(s.value.value_or("")) != version) {
                std::cerr << where() << "error: --ip_version=" << s.value.value_or("") << " on the line of "
                          << *version << "\n";
                return false;
            }
        if (!check_child_settings(settings, options.jobs, ("in " + path).c_str())) return false;
        options.version_args[*version] = std::move(args);
        options.version_settings[*version] = std::move(settings);
        order.push_back(*version);
    }
    return true;
}

std::optional<Shard> parse_shard(std::string const& text) {
    static std::regex const form(R"(([0-9]{1,6})/([0-9]{1,6}))");
    std::smatch m;
    if (!std::regex_match(text, m, form)) return std::nullopt;
    Shard shard{std::stoi(m[1]), std::stoi(m[2])};
    if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) return std::nullopt;
    return shard;
}

}  // namespace

int parse_suite_command(int argc, char** argv, CommandLine& out) {
    SuiteOptions options;
    // Everything after the first `--` belongs to the runs; CLI11 must not see it.
    int own = argc;
    for (int i = 1; i < argc; ++i)
        if (std::string_view(argv[i]) == "--") {
            own = i;
            break;
        }
    for (int i = own + 1; i < argc; ++i) options.child_args.emplace_back(argv[i]);

    CLI::App app{description, "pktdrill run"};
    app.allow_windows_style_options(false);
    app.add_option("-j,--jobs", options.jobs, "runs at once (default " + std::to_string(default_suite_jobs) + ")")
        ->check(CLI::Range(1, 1024));
    std::vector<std::string> versions;
    app.add_option("--ip-versions", versions,
                   "run each script under each of these (ipv4,ipv6,ipv4-mapped-ipv6), with that version's default "
                   "addresses; a script's own --ip_version line pins it (default: each script once, under its "
                   "own version or ipv4)")
        ->delimiter(',')
        ->type_name("LIST");
    app.add_option("--timeout", options.timeout_secs, "seconds a run may take before it is stopped (0: no limit)")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    app.add_option("--retries", options.retries,
                   "retry a run that failed only on timing up to N times; one that then passes is flaky, not a pass")
        ->check(CLI::Range(0, 100));
    std::string shard;
    app.add_option("--shard", shard, "run only the I-th of N deterministic parts of the suite (1 <= I <= N)")
        ->type_name("I/N");
    std::string filter;
    app.add_option("--filter", filter, "run only the runs whose \"SCRIPT VERSION\" name this regular expression matches")
        ->type_name("REGEX");
    app.add_flag("--list", options.list, "print the runs (\"SCRIPT VERSION\"), one a line, without running them");
    app.add_flag("--tap", options.tap, "print KTAP, as the kernel's selftests do, instead of progress and summary");
    app.add_option("--junit", options.junit_file, "write JUnit XML to FILE")->type_name("FILE");
    std::string version_args;
    app.add_option("--version-args", version_args,
                   "a file of \"VERSION ARGS...\" lines: arguments for the runs of that version only (before the "
                   "ones after --); its versions are the default --ip-versions")
        ->type_name("FILE");
    app.add_option("--pcap-dir", options.pcap_dir, "write each run's packets to DIR/<script>.<version>.pcap")
        ->type_name("DIR");
    std::string progress = "auto";
    app.add_option("--progress", progress,
                   "auto: a live line on a terminal, plain lines otherwise; live; plain")
        ->check(CLI::IsMember({"auto", "live", "plain"}))
        ->capture_default_str();
    app.add_option("PATH", options.paths, "scripts and folders of scripts")->required();

    if (auto const status = parse_or_exit(app, own, argv)) return *status;

    for (auto const& v : versions) {
        auto const name = canonical_ip_version(v);
        if (!name) {
            std::cerr << "pktdrill run: error: --ip-versions: '" << v << "' is not ipv4, ipv6 or ipv4-mapped-ipv6\n";
            return exit_invalid;
        }
        if (std::find(options.ip_versions.begin(), options.ip_versions.end(), *name) == options.ip_versions.end())
            options.ip_versions.push_back(*name);
    }
    if (!shard.empty()) {
        options.shard = parse_shard(shard);
        if (!options.shard) {
            std::cerr << "pktdrill run: error: --shard: expected I/N with 1 <= I <= N, not '" << shard << "'\n";
            return exit_invalid;
        }
    }
    if (!filter.empty()) {
        try {
            std::regex const check(filter);
        } catch (std::regex_error const& e) {
            std::cerr << "pktdrill run: error: --filter: not a regular expression: " << e.what() << "\n";
            return exit_invalid;
        }
        options.filter = filter;
    }
    options.progress = progress == "live" ? ProgressMode::live : progress == "plain" ? ProgressMode::plain
                                                                                     : ProgressMode::automatic;

    if (!parse_child_args(options.child_args, options.child_settings)) return exit_invalid;
    if (!check_child_settings(options.child_settings, options.jobs, "after --")) return exit_invalid;
    if (!version_args.empty()) {
        std::vector<std::string> order;
        if (!read_version_args(version_args, options, order)) return exit_invalid;
        if (options.ip_versions.empty()) options.ip_versions = order;
    }
    // ARGS that fix the version make it the suite's one version (run_all.py's arguments do); the
    // last one is the one a run would take.
    for (auto it = options.child_settings.rbegin(); it != options.child_settings.rend(); ++it) {
        if (it->name != "ip_version") continue;
        std::string const pinned = canonical_ip_version(it->value.value_or("")).value_or("");
        if (!options.ip_versions.empty() &&
            (options.ip_versions.size() != 1 || options.ip_versions.front() != pinned)) {
            std::cerr << "pktdrill run: error: --ip-versions disagrees with --ip_version=" << pinned << " after --\n";
            return exit_invalid;
        }
        options.ip_versions = {pinned};
        break;
    }

    out.command = [options = std::move(options)] { return run_suite(options); };
    return -1;
}

}  // namespace pktdrill::cli
