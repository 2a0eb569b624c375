#include "src/script/icmp_names.hpp"

#include <cstdio>
#include <string_view>

namespace pktdrill::script {

namespace {

struct Name {
    std::uint8_t value;
    std::string_view name;
};

constexpr Name v4_unreachable_codes[] = {
    {0, "net_unreachable"},      {1, "host_unreachable"},     {2, "protocol_unreachable"},
    {3, "port_unreachable"},     {4, "frag_needed"},          {5, "source_route_failed"},
    {6, "net_unknown"},          {7, "host_unknown"},         {8, "source_host_isolated"},
    {9, "net_prohibited"},       {10, "host_prohibited"},     {11, "net_unreachable_for_tos"},
    {12, "host_unreachable_for_tos"}, {13, "packet_filtered"}, {14, "precedence_violation"},
    {15, "precedence_cutoff"},
};

constexpr Name v4_types[] = {
    {0, "echo_reply"},         {3, "unreachable"},         {4, "source_quench"},
    {5, "redirect"},           {8, "echo_request"},        {11, "time_exceeded"},
    {12, "parameter_problem"}, {13, "timestamp_request"},  {14, "timestamp_reply"},
    {15, "information_request"}, {16, "information_reply"}, {17, "address_mask_request"},
    {18, "address_mask_reply"},
};

constexpr Name v6_unreachable_codes[] = {
    {0, "net_unreachable"}, {0, "no_route"}, {1, "admin_prohibited"}, {2, "not_neighbour"},
    {3, "address_unreachable"}, {4, "port_unreachable"},
};
constexpr Name v6_time_exceeded_codes[] = {{0, "exceeded_hop_limit"}, {1, "exceeded_frag_time"}};
constexpr Name v6_parameter_problem_codes[] = {{0, "header_field"}, {1, "unknown_next_header"}, {2, "unknown_option"}};

constexpr Name v6_types[] = {
    {1, "unreachable"}, {2, "packet_too_big"}, {3, "time_exceeded"},
    {4, "parameter_problem"}, {128, "echo_request"}, {129, "echo_reply"},
};

template <std::size_t N>
std::optional<std::uint8_t> find(Name const (&table)[N], std::string const& name) {
    for (auto const& n : table)
        if (n.name == name) return n.value;
    return std::nullopt;
}

// tcpdump's notation for numbers without a name: type_3, code_4.
std::optional<std::uint8_t> numbered(std::string const& text, char const* prefix) {
    int value = -1, used = 0;
    std::string const format = std::string(prefix) + "%d%n";
    if (std::sscanf(text.c_str(), format.c_str(), &value, &used) == 1 && used == static_cast<int>(text.size()) &&
        value >= 0 && value <= 255)
        return static_cast<std::uint8_t>(value);
    return std::nullopt;
}

struct CodeTable {
    Name const* begin = nullptr;
    Name const* end = nullptr;
};

CodeTable code_table(bool ipv6, std::uint8_t type) {
    if (!ipv6 && type == 3) return {std::begin(v4_unreachable_codes), std::end(v4_unreachable_codes)};
    if (ipv6 && type == 1) return {std::begin(v6_unreachable_codes), std::end(v6_unreachable_codes)};
    if (ipv6 && type == 3) return {std::begin(v6_time_exceeded_codes), std::end(v6_time_exceeded_codes)};
    if (ipv6 && type == 4) return {std::begin(v6_parameter_problem_codes), std::end(v6_parameter_problem_codes)};
    return {};
}

}  // namespace

IcmpResolved resolve_icmp(bool ipv6, std::string const& type_name, std::string const& code_name) {
    IcmpResolved out;
    out.type = numbered(type_name, "type_");
    if (!out.type) out.type = ipv6 ? find(v6_types, type_name) : find(v4_types, type_name);
    if (!out.type) return out;
    if (code_name.empty()) {
        out.code = 0;
        return out;
    }
    out.code = numbered(code_name, "code_");
    if (out.code) return out;
    CodeTable const t = code_table(ipv6, *out.type);
    for (Name const* n = t.begin; n != t.end; ++n)
        if (n->name == code_name) out.code = n->value;
    return out;
}

std::string icmp_type_name(bool ipv6, std::uint8_t type) {
    auto const* b = ipv6 ? std::begin(v6_types) : std::begin(v4_types);
    auto const* e = ipv6 ? std::end(v6_types) : std::end(v4_types);
    for (auto const* n = b; n != e; ++n)
        if (n->value == type) return std::string(n->name);
    return "type_" + std::to_string(type);
}

std::string icmp_code_name(bool ipv6, std::uint8_t type, std::uint8_t code) {
    CodeTable const t = code_table(ipv6, type);
    for (Name const* n = t.begin; n != t.end; ++n)
        if (n->value == code) return std::string(n->name);
    return "code_" + std::to_string(code);
}

}  // namespace pktdrill::script
