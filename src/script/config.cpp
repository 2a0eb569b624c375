#include "src/script/config.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace pktdrill::script {

char const* ip_version_name(IpVersion v) {
    switch (v) {
    case IpVersion::ipv4: return "ipv4";
    case IpVersion::ipv4_mapped_ipv6: return "ipv4-mapped-ipv6";
    case IpVersion::ipv6: return "ipv6";
    }
    return "ipv4";
}

namespace {

template <typename T>
std::string parse_integer(std::string const& text, T& out, std::int64_t min, std::int64_t max,
                          std::string_view what) {
    std::int64_t v = 0;
    auto const* first = text.data();
    auto const* last = text.data() + text.size();
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        first += 2;
        base = 16;
    }
    auto const [ptr, ec] = std::from_chars(first, last, v, base);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && ptr == last && (v < min || v > max)))
        return std::string(what) + " must be between " + std::to_string(min) + " and " + std::to_string(max) +
               ", not '" + text + "'";
    if (ec != std::errc() || ptr != last || text.empty())
        return std::string(what) + " must be an integer, not '" + text + "'";
    out = static_cast<T>(v);
    return {};
}

std::string parse_double(std::string const& text, double& out, double min, double max, std::string_view what) {
    char* end = nullptr;
    errno = 0;
    double const v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
        return std::string(what) + " must be a number, not '" + text + "'";
    if (v < min || v > max)
        return std::string(what) + " must be between " + std::to_string(static_cast<int>(min)) + " and " +
               std::to_string(static_cast<int>(max)) + ", not '" + text + "'";
    out = v;
    return {};
}

bool is_ip_address(std::string const& text) {
    unsigned char buf[16];
    return ::inet_pton(AF_INET, text.c_str(), buf) == 1 || ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

std::string parse_address(std::string const& text, std::optional<std::string>& out, std::string_view what,
                          bool prefix_allowed = false) {
    std::string address = text;
    if (prefix_allowed) {
        if (auto slash = text.find('/'); slash != std::string::npos) {
            address = text.substr(0, slash);
            int len = 0;
            std::string const err = parse_integer(text.substr(slash + 1), len, 0, 128, "prefix length");
            if (!err.empty()) return std::string(what) + ": " + err;
        }
    }
    if (!is_ip_address(address)) return std::string(what) + " must be an IPv4 or IPv6 address, not '" + text + "'";
    out = text;
    return {};
}

std::string parse_netmask(std::string const& text, std::optional<std::string>& out) {
    in_addr a{};
    if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return "netmask must be an IPv4 netmask, not '" + text + "'";
    std::uint32_t const m = ntohl(a.s_addr);
    if (m != 0 && ((~m + 1) & ~m) != 0) return "netmask '" + text + "' is not contiguous";
    out = text;
    return {};
}

std::string set_flag(bool& flag, std::string const& value) {
    if (!value.empty()) return "takes no value";
    flag = true;
    return {};
}

std::string parse_string(std::string const& text, std::optional<std::string>& out) {
    out = text;
    return {};
}

std::vector<OptionSpec> build_table() {
    using C = Config;
    using S = std::string;
    return {
        {"ip_version", 0, OptionArg::required, "ipv4, ipv4-mapped-ipv6 or ipv6 (default ipv4)",
         [](C& c, S const& v) -> S {
             if (v == "ipv4") c.ip_version = IpVersion::ipv4;
             else if (v == "ipv4-mapped-ipv6") c.ip_version = IpVersion::ipv4_mapped_ipv6;
             else if (v == "ipv6") c.ip_version = IpVersion::ipv6;
             else return "ip_version must be ipv4, ipv4-mapped-ipv6 or ipv6, not '" + v + "'";
             c.ip_version_given = true;
             return {};
         }},
        {"bind_port", 0, OptionArg::required, "local port for bind() (default 8080)",
         [](C& c, S const& v) { return parse_integer(v, c.bind_port, 0, 65535, "bind_port"); }},
        {"connect_port", 0, OptionArg::required, "remote port for connect() (default 8080)",
         [](C& c, S const& v) { return parse_integer(v, c.connect_port, 0, 65535, "connect_port"); }},
        {"local_ip", 0, OptionArg::required, "local address on tun0",
         [](C& c, S const& v) { return parse_address(v, c.local_ip, "local_ip"); }},
        {"remote_ip", 0, OptionArg::required, "simulated peer address[/prefix]",
         [](C& c, S const& v) { return parse_address(v, c.remote_ip, "remote_ip", true); }},
        {"gateway_ip", 0, OptionArg::required, "next hop for the route to the remote prefix",
         [](C& c, S const& v) { return parse_address(v, c.gateway_ip, "gateway_ip"); }},
        {"netmask_ip", 0, OptionArg::required, "netmask of the local address (IPv4)",
         [](C& c, S const& v) { return parse_netmask(v, c.netmask_ip); }},
        {"mtu", 0, OptionArg::required, "MTU of tun0 (default 1500)",
         [](C& c, S const& v) { return parse_integer(v, c.mtu, 68, 65535, "mtu"); }},
        {"speed", 0, OptionArg::required, "link speed of tun0 in Mb/s",
         [](C& c, S const& v) { return parse_integer(v, c.speed, 0, 1'000'000'000, "speed"); }},
        {"mss", 0, OptionArg::required, "GSO size of injected TCP packets (GRO tests)",
         [](C& c, S const& v) { return parse_integer(v, c.mss, 0, 65535, "mss"); }},
        {"init_scripts", 0, OptionArg::required, "comma-separated commands run before each script",
         [](C& c, S const& v) -> S {
             c.init_scripts.clear();
             std::size_t start = 0;
             while (start <= v.size()) {
                 auto const comma = v.find(',', start);
                 auto const item = v.substr(start, comma == S::npos ? S::npos : comma - start);
                 if (!item.empty()) c.init_scripts.push_back(item);
                 if (comma == S::npos) break;
                 start = comma + 1;
             }
             return {};
         }},
        {"tolerance_usecs", 0, OptionArg::required, "absolute timing tolerance in microseconds (default 4000)",
         [](C& c, S const& v) {
             return parse_integer(v, c.tolerance_usecs, 1, std::numeric_limits<std::int32_t>::max(), "tolerance_usecs");
         }},
        {"tolerance_percent", 0, OptionArg::required, "timing tolerance in percent of the scripted gap (default 12.5)",
         [](C& c, S const& v) { return parse_double(v, c.tolerance_percent, 0, 100, "tolerance_percent"); }},
        {"tcp_ts_ecr_scaled", 0, OptionArg::none, "extrapolate inbound TS ecr values without an exact match",
         [](C& c, S const& v) { return set_flag(c.tcp_ts_ecr_scaled, v); }},
        {"tcp_ts_tick_usecs", 0, OptionArg::required, "check outbound TS val with this tick (0: unchecked)",
         [](C& c, S const& v) { return parse_integer(v, c.tcp_ts_tick_usecs, 0, 1'000'000, "tcp_ts_tick_usecs"); }},
        {"strict_segments", 0, OptionArg::none, "do not aggregate sniffed segments into one expected packet",
         [](C& c, S const& v) { return set_flag(c.strict_segments, v); }},
        {"non_fatal", 0, OptionArg::required, "packet[,syscall]: these failures become warnings",
         [](C& c, S const& v) -> S {
             std::size_t start = 0;
             while (start <= v.size()) {
                 auto const comma = v.find(',', start);
                 auto const item = v.substr(start, comma == S::npos ? S::npos : comma - start);
                 if (item == "packet") c.non_fatal_packet = true;
                 else if (item == "syscall") c.non_fatal_syscall = true;
                 else return "non_fatal takes packet and syscall, not '" + item + "'";
                 if (comma == S::npos) break;
                 start = comma + 1;
             }
             return {};
         }},
        {"wire_client", 0, OptionArg::none, "remote mode: the machine under test",
         [](C& c, S const& v) { return set_flag(c.wire_client, v); }},
        {"wire_server", 0, OptionArg::none, "remote mode: the packet injector and sniffer",
         [](C& c, S const& v) { return set_flag(c.wire_server, v); }},
        {"wire_server_ip", 0, OptionArg::required, "wire server address (implies --wire_client)",
         [](C& c, S const& v) {
             c.wire_client = true;
             return parse_address(v, c.wire_server_ip, "wire_server_ip");
         }},
        {"wire_server_at", 0, OptionArg::required, "wire server host name (implies --wire_client)",
         [](C& c, S const& v) {
             c.wire_client = true;
             return parse_string(v, c.wire_server_at);
         }},
        {"wire_server_port", 0, OptionArg::required, "wire server control port (default 8081)",
         [](C& c, S const& v) { return parse_integer(v, c.wire_server_port, 1, 65535, "wire_server_port"); }},
        {"wire_client_dev", 0, OptionArg::required, "client NIC in remote mode",
         [](C& c, S const& v) { return parse_string(v, c.wire_client_dev); }},
        {"wire_server_dev", 0, OptionArg::required, "server NIC in remote mode",
         [](C& c, S const& v) { return parse_string(v, c.wire_server_dev); }},
        {"so_filename", 0, OptionArg::required, "shared object implementing a user-space stack",
         [](C& c, S const& v) { return parse_string(v, c.so_filename); }},
        {"so_flags", 0, OptionArg::required, "flags passed to the shared object",
         [](C& c, S const& v) { return parse_string(v, c.so_flags); }},
        {"code_command", 0, OptionArg::required, "interpreter for %{ }% code (default python3)",
         [](C& c, S const& v) -> S {
             c.code_command = v;
             return {};
         }},
        {"code_format", 0, OptionArg::required, "language of %{ }% code (python)",
         [](C& c, S const& v) -> S {
             if (v != "python") return "code_format must be python, not '" + v + "'";
             c.code_format = v;
             return {};
         }},
        {"code_sockopt", 0, OptionArg::required, "TCP_INFO, TCP_CC_INFO or SO_MEMINFO",
         [](C& c, S const& v) -> S {
             if (v != "TCP_INFO" && v != "TCP_CC_INFO" && v != "SO_MEMINFO" && !v.empty())
                 return "code_sockopt must be TCP_INFO, TCP_CC_INFO or SO_MEMINFO, not '" + v + "'";
             c.code_sockopt = v;
             return {};
         }},
        {"dry_run", 0, OptionArg::none, "parse and check only (same as --check)",
         [](C& c, S const& v) { return set_flag(c.dry_run, v); }},
        {"is_anyip", 0, OptionArg::none, "do not put local_ip on tun0; route without a gateway",
         [](C& c, S const& v) { return set_flag(c.is_anyip, v); }},
        {"send_omit_free", 0, OptionArg::none, "keep send buffers alive after sending (MSG_ZEROCOPY tests)",
         [](C& c, S const& v) { return set_flag(c.send_omit_free, v); }},
        {"psp_udp_port", 0, OptionArg::required, "UDP port of PSP encapsulation (wire mode)",
         [](C& c, S const& v) { return parse_integer(v, c.psp_udp_port, 0, 65535, "psp_udp_port"); }},
        {"define", 'D', OptionArg::required, "NAME=VALUE: replace the word NAME by VALUE in the script",
         [](C& c, S const& v) -> S {
             auto const eq = v.find('=');
             if (eq == 0 || eq == S::npos) return "define takes NAME=VALUE, not '" + v + "'";
             auto const name = v.substr(0, eq);
             for (char ch : name)
                 if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
                     return "define name '" + name + "' is not a word ([A-Za-z0-9_]+)";
             c.defines.emplace_back(name, v.substr(eq + 1));
             return {};
         }},
        {"verbose", 'v', OptionArg::none, "print each event as it runs",
         [](C& c, S const& v) -> S {
             if (!v.empty()) return "takes no value";
             ++c.verbose;
             return {};
         }},
        {"debug", 0, OptionArg::none, "print debugging details",
         [](C& c, S const& v) -> S {
             if (!v.empty()) return "takes no value";
             ++c.debug;
             return {};
         }},
        {"netns", 0, OptionArg::required, "private (default: a fresh network namespace) or current",
         [](C& c, S const& v) -> S {
             if (v == "private") c.netns = NetnsMode::private_;
             else if (v == "current") c.netns = NetnsMode::current;
             else return "netns must be private or current, not '" + v + "'";
             return {};
         }},
        {"syscall_timeout", 0, OptionArg::required,
         "seconds a system call without '...' may block before the run fails (default 300)",
         [](C& c, S const& v) { return parse_double(v, c.syscall_timeout_secs, 0.001, 1e6, "syscall_timeout"); }},
        {"max_command_secs", 0, OptionArg::required,
         "stop commands still running after this many seconds and go on (for a holding `sleep`)",
         [](C& c, S const& v) -> S {
             double secs = 0;
             if (auto e = parse_double(v, secs, 0, 1e9, "max_command_secs"); !e.empty()) return e;
             c.max_command_secs = secs;
             return {};
         }},
        {"states", 0, OptionArg::none, "print each socket's TCP state changes and a final netstat-style table",
         [](C& c, S const& v) { return set_flag(c.states, v); }},
        {"netns-name", 0, OptionArg::required, "give the run's network namespace this name (ip netns exec NAME ...)",
         [](C& c, S const& v) -> S {
             if (v.empty() || v.size() > 64 || v.find('/') != S::npos || v == "." || v == "..")
                 return "netns-name must be a plain name (no '/'), not '" + v + "'";
             c.netns_name = v;
             return {};
         }},
        {"pcap", 0, OptionArg::required, "write every packet on tun0, both directions, to this pcap file",
         [](C& c, S const& v) { return parse_string(v, c.pcap_file); }},
        {"strict", 0, OptionArg::none, "fail on outbound packets of the socket under test that no > line expects",
         [](C& c, S const& v) { return set_flag(c.strict, v); }},
    };
}

}  // namespace

std::vector<OptionSpec> const& option_table() {
    static std::vector<OptionSpec> const table = build_table();
    return table;
}

OptionSpec const* find_option(std::string_view name) {
    for (auto const& spec : option_table())
        if (spec.name == name) return &spec;
    return nullptr;
}

std::string apply_option(Config& config, OptionValue const& setting) {
    OptionSpec const* spec = find_option(setting.name);
    if (!spec) return "option '" + setting.name + "' unknown";
    if (spec->arg == OptionArg::required && !setting.value)
        return "option '" + setting.name + "' requires a value (--" + setting.name + "=VALUE)";
    std::string const error = spec->apply(config, setting.value.value_or(""));
    if (error.empty()) return {};
    if (error == "takes no value") return "option '" + setting.name + "' takes no value";
    return error;
}

}  // namespace pktdrill::script
