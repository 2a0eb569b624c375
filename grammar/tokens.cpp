#include "grammar/tokens.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace pktdrill::grammar {

namespace tokens {

namespace {

// Every word packetdrill's lexer turns into its own token, plus the newer AccECN and PSP words.
// Sorted, for binary search.
constexpr std::string_view keywords[] = {
    "ECN",       "FO",         "FOEXP",     "Flags",     "GREv0",     "TS",        "ack",
    "ce",        "ceb",        "checksum",  "cmsg_data", "cmsg_level", "cmsg_type", "e0b",
    "e1b",       "ecr",        "ect0",      "ect01",     "ect1",      "ee_code",   "ee_data",
    "ee_errno",  "ee_info",    "ee_origin", "ee_type",   "encap",     "eol",       "events",
    "fd",        "flags",      "flowlabel", "gre",       "htons",     "icmp",      "id",
    "ihl",       "inet6_addr", "inet_addr", "ins",       "ip",        "ipv4",      "ipv6",
    "key",       "label",      "linger",    "md5",       "mpls",      "msg_control", "msg_flags",
    "msg_iov",   "msg_name",   "mss",       "mtu",       "mut",       "noecn",     "none",
    "nop",       "off",        "onoff",     "present",   "psp",       "ptr",       "raw",
    "revents",   "sa_family",  "sack",      "sackOK",    "scm_nsec",  "scm_sec",   "seq",
    "sequence",  "sin_addr",   "sin_port",  "source_port", "spi",     "sum",       "tc",
    "tcp",       "tos",        "trun",      "ttl",       "u32",       "u64",       "udp",
    "urg",       "val",        "win",       "wscale",
};

}  // namespace

bool is_keyword(std::string_view word) {
    static auto const sorted = [] {
        std::vector<std::string_view> copy(std::begin(keywords), std::end(keywords));
        std::sort(copy.begin(), copy.end());
        return copy;
    }();
    return std::binary_search(sorted.begin(), sorted.end(), word);
}

char const* scan_number(char const* p, char const* last, bool fraction) {
    char const* q = p;
    if (q != last && *q == '-') ++q;
    char const* const digits = q;
    if (last - q >= 3 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X') && is_hex_digit(q[2])) {
        q += 2;
        while (q != last && is_hex_digit(*q)) ++q;
        return q != last && is_word_char(*q) ? nullptr : q;
    }
    while (q != last && is_digit(*q)) ++q;
    bool const has_integer_part = q != digits;
    if (q != last && *q == '.' && q + 1 != last && is_digit(q[1])) {
        // A fraction: only where times are allowed; elsewhere 1.5 is not an integer either.
        if (!fraction) return nullptr;
        ++q;
        while (q != last && is_digit(*q)) ++q;
        return q != last && is_word_char(*q) ? nullptr : q;
    }
    if (!has_integer_part) return nullptr;
    return q != last && is_word_char(*q) ? nullptr : q;
}

char const* string_parser::scan_string(char const* open, char const* last, std::string& value) {
    char const* p = open + 1;
    while (p != last && *p != '"') {
        if (*p != '\\' || p + 1 == last) {
            value.push_back(*p++);
            continue;
        }
        char const e = p[1];
        p += 2;
        switch (e) {
        case 'n': value.push_back('\n'); break;
        case 't': value.push_back('\t'); break;
        case 'r': value.push_back('\r'); break;
        case 'f': value.push_back('\f'); break;
        case 'v': value.push_back('\v'); break;
        case 'x': {
            int v = 0, n = 0;
            while (n < 2 && p != last && is_hex_digit(*p)) {
                char const c = *p++;
                v = v * 16 + (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
                ++n;
            }
            if (n == 0) throw syntax_error(p - 2, "\\x used with no following hex digits", 2);
            value.push_back(static_cast<char>(v));
            break;
        }
        default: value.push_back(e); break;  // \\ \" and anything else stand for themselves
        }
    }
    if (p == last) throw syntax_error(open, "unterminated string: missing closing '\"'", 1);
    return p + 1;
}

char const* address_parser::scan_address(char const* first, char const* last, bool ipv6) {
    // No address is longer than INET6_ADDRSTRLEN - 1 characters; looking further would make the
    // shrinking search below quadratic in the length of a long run of hex digits.
    std::size_t const longest = ipv6 ? 45 : 15;
    char const* const stop = static_cast<std::size_t>(last - first) > longest ? first + longest : last;
    char const* end = first;
    if (ipv6) {
        while (end != stop && (is_hex_digit(*end) || *end == ':' || *end == '.')) ++end;
    } else {
        while (end != stop && (is_digit(*end) || *end == '.')) ++end;
    }
    unsigned char buf[16];
    while (end != first) {
        std::string const text(first, end);
        if (::inet_pton(ipv6 ? AF_INET6 : AF_INET, text.c_str(), buf) == 1) return end;
        // Give back characters the grammar may need (the ':' after the destination address).
        --end;
    }
    return nullptr;
}

char const* option_line_parser::scan(char const* first, char const* last, ParseState const&,
                                      ast::option_line& out) {
    char const* p = first + 2;
    char const* const name_end = scan_word(p, last);
    if (name_end == p) throw syntax_error(p, "expected option name after '--'", 1);
    out.name.assign(p, name_end);
    p = name_end;
    char const* q = p;
    while (q != last && (*q == ' ' || *q == '\t')) ++q;
    if (q == last || *q != '=') return p;
    ++q;
    while (q != last && (*q == ' ' || *q == '\t')) ++q;
    char const* const value_begin = q;
    if (q != last && *q == '"') {
        std::string value;
        char const* const end = string_parser::scan_string(q, last, value);
        if (end == last || is_space(*end)) {
            out.value = std::move(value);
            out.value_begin = static_cast<std::uint32_t>(value_begin - first);
            return end;
        }
    }
    while (q != last && !is_space(*q)) {
        if (*q == '"' || *q == '`') {
            char const close = *q;
            char const* r = q + 1;
            while (r != last && *r != close) r += (*r == '\\' && r + 1 != last) ? 2 : 1;
            if (r == last)
                throw syntax_error(q, close == '"' ? "unterminated string: missing closing '\"'"
                                                   : "unterminated command: missing closing '`'",
                                   1);
            q = r + 1;
        } else {
            ++q;
        }
    }
    if (q == value_begin) throw syntax_error(value_begin, "expected option value after '='", 1);
    out.value = std::string(value_begin, q);
    out.value_begin = static_cast<std::uint32_t>(value_begin - first);
    return q;
}

}  // namespace tokens

DefineValue classify_define(std::string const& value) {
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        return {DefineKind::string, value.substr(1, value.size() - 2)};
    if (value.size() >= 2 && value.front() == '`' && value.back() == '`')
        return {DefineKind::command, value.substr(1, value.size() - 2)};
    if (!value.empty()) {
        errno = 0;
        char* end = nullptr;
        long long const v = std::strtoll(value.c_str(), &end, 0);
        if (end && *end == '\0' && errno == 0 && !tokens::is_space(value.front())) {
            // Canonical text, so octal 010 means 8 as it does to strtol.
            bool const hex = value.find_first_of("xX") != std::string::npos;
            if (hex) {
                char buf[32];
                std::snprintf(buf, sizeof buf, v < 0 ? "-0x%llx" : "0x%llx",
                              static_cast<unsigned long long>(v < 0 ? -v : v));
                return {DefineKind::integer, buf};
            }
            return {DefineKind::integer, std::to_string(v)};
        }
    }
    return {DefineKind::word, value};
}

}  // namespace pktdrill::grammar
