#pragma once
// The run configuration, and the one table of options behind both the command line and a
// script's option lines (`--tolerance_usecs=10000`). packetdrill spells them with underscores and
// so do we; the command line is applied after the script's lines, so it wins.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pktdrill::script {

enum class IpVersion { ipv4, ipv4_mapped_ipv6, ipv6 };

char const* ip_version_name(IpVersion v);

enum class NetnsMode {
    private_,  // a fresh network namespace per run (the default)
    current,   // the caller's namespace (`--netns=current`), e.g. inside `unshare -n`
};

struct Config {
    // packetdrill's flags (reference section B)
    IpVersion ip_version = IpVersion::ipv4;
    bool ip_version_given = false;  // by a script line or the command line
    std::uint16_t bind_port = 8080;
    std::uint16_t connect_port = 8080;
    std::optional<std::string> local_ip;
    std::optional<std::string> remote_ip;  // may carry /prefix
    std::optional<std::string> gateway_ip;
    std::optional<std::string> netmask_ip;
    int mtu = 1500;
    int speed = 0;
    int mss = 0;
    std::vector<std::string> init_scripts;
    std::int64_t tolerance_usecs = 4000;
    double tolerance_percent = 12.5;
    bool tcp_ts_ecr_scaled = false;
    std::int64_t tcp_ts_tick_usecs = 0;
    bool strict_segments = false;
    bool non_fatal_packet = false;
    bool non_fatal_syscall = false;
    bool wire_client = false;
    bool wire_server = false;
    std::optional<std::string> wire_server_ip;
    std::optional<std::string> wire_server_at;
    std::uint16_t wire_server_port = 8081;
    std::optional<std::string> wire_client_dev;
    std::optional<std::string> wire_server_dev;
    std::optional<std::string> so_filename;
    std::optional<std::string> so_flags;
    std::string code_command = "python3";
    std::string code_format = "python";
    std::string code_sockopt;
    bool dry_run = false;
    bool is_anyip = false;
    bool send_omit_free = false;
    std::uint16_t psp_udp_port = 0;
    std::vector<std::pair<std::string, std::string>> defines;  // NAME, VALUE in the order given
    int verbose = 0;
    int debug = 0;

    // pktdrill's own
    NetnsMode netns = NetnsMode::private_;
    // How long a system call without `...` may block before the run fails (it would hang
    // packetdrill forever). It must outlast the kernel's own timeouts: a connect() to a silent peer
    // returns after about 134 s of SYN retries.
    double syscall_timeout_secs = 300;
    // A command still running after this long is stopped and the run goes on as if it had
    // succeeded: for the `sleep` that holds a state for someone to look at. Unset: no limit.
    std::optional<double> max_command_secs;
    bool states = false;                    // --states: the TCP state timeline and final table
    std::optional<std::string> netns_name;  // --netns-name: the run's namespace under that name
    std::optional<std::string> pcap_file;   // --pcap: every packet on tun0, to this file
    bool strict = false;                    // --strict: unexpected outbound packets fail the run
};

enum class OptionArg { none, required };

struct OptionSpec {
    std::string_view name;   // without the leading dashes
    char short_name;         // 0 if none
    OptionArg arg;
    std::string_view help;
    // Applies the value; returns an error message, or an empty string on success.
    std::string (*apply)(Config&, std::string const& value);
};

// Every option, in the order --help lists them.
std::vector<OptionSpec> const& option_table();
OptionSpec const* find_option(std::string_view name);

// A NAME=VALUE setting as the command line or a script line gave it.
struct OptionValue {
    std::string name;
    std::optional<std::string> value;
};

// Applies one setting; returns an error message naming the problem, or "" on success.
std::string apply_option(Config& config, OptionValue const& setting);


}  // namespace pktdrill::script
