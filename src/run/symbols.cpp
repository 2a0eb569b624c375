// Lookup over the symbol tables of symbols_glibc.cpp, symbols_uapi.cpp and symbols_errno.cpp,
// errno names, and the flag renderer of error messages.

#include "src/run/symbols.hpp"

#include <string.h>  // strerrordesc_np (GNU): strerror's text without its shared buffer

#include <algorithm>
#include <bit>
#include <cstdio>
#include <initializer_list>
#include <vector>

#include "src/run/symbols_tables.hpp"

namespace pktdrill::run {
namespace {

bool by_name(Symbol const& a, Symbol const& b) { return a.name < b.name; }

// The tables are split by header family, not by name, so a lookup needs one sorted view of all
// of them. Built once, on first use (a function-local static, so thread-safe), then read-only.
std::vector<Symbol> sorted_by_name(std::initializer_list<std::span<Symbol const>> tables) {
    std::vector<Symbol> all;
    for (auto table : tables) all.insert(all.end(), table.begin(), table.end());
    std::stable_sort(all.begin(), all.end(), by_name);
    return all;
}

std::optional<std::int64_t> find_by_name(std::span<Symbol const> sorted, std::string_view name) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), Symbol{name, 0}, by_name);
    if (it == sorted.end() || it->name != name) return std::nullopt;
    return it->value;
}

std::vector<Symbol> const& script_symbols() {
    static std::vector<Symbol> const table = sorted_by_name(
        {detail::glibc_symbols(), detail::uapi_symbols(), detail::errno_symbols()});
    return table;
}

std::vector<Symbol> const& errno_by_name() {
    static std::vector<Symbol> const table = sorted_by_name({detail::errno_symbols()});
    return table;
}

// errno number -> canonical name, indexed by number. The first name listed for a number wins,
// which is why symbols_errno.cpp lists the aliases last.
std::vector<std::string_view> const& errno_by_number() {
    static std::vector<std::string_view> const table = [] {
        std::vector<std::string_view> names;
        for (auto const& e : detail::errno_symbols()) {
            auto const n = static_cast<std::size_t>(e.value);
            if (names.size() <= n) names.resize(n + 1);
            if (names[n].empty()) names[n] = e.name;
        }
        return names;
    }();
    return table;
}

std::vector<Symbol> const& code_constants() {
    static std::vector<Symbol> const table =
        sorted_by_name({detail::glibc_code_constants(), detail::uapi_code_constants()});
    return table;
}

// Flag names in the order render_flags prints them: by lowest bit, and for the same lowest bit
// the composite with more bits first, so O_SYNC is named before O_DSYNC can take its bit.
std::vector<Symbol> render_order(std::initializer_list<std::span<Symbol const>> tables) {
    std::vector<Symbol> flags;
    for (auto table : tables) flags.insert(flags.end(), table.begin(), table.end());
    std::stable_sort(flags.begin(), flags.end(), [](Symbol const& a, Symbol const& b) {
        auto const ua = static_cast<std::uint64_t>(a.value);
        auto const ub = static_cast<std::uint64_t>(b.value);
        auto const la = std::countr_zero(ua);
        auto const lb = std::countr_zero(ub);
        if (la != lb) return la < lb;
        return std::popcount(ua) > std::popcount(ub);
    });
    return flags;
}

std::vector<Symbol> const& flags_of(FlagSet set) {
    static std::vector<Symbol> const poll = render_order({detail::poll_flag_names()});
    static std::vector<Symbol> const epoll = render_order({detail::epoll_flag_names()});
    static std::vector<Symbol> const msg = render_order({detail::msg_flag_names()});
    static std::vector<Symbol> const file_status = [] {
        // O_LARGEFILE's bit is the kernel's, so it comes from the uapi table.
        auto const largefile = find_by_name(script_symbols(), "O_LARGEFILE");
        Symbol const extra[] = {{"O_LARGEFILE", largefile.value_or(0)}};
        return render_order({detail::file_status_flag_names(),
                             std::span<Symbol const>(extra, largefile ? 1 : 0)});
    }();
    switch (set) {
    case FlagSet::poll: return poll;
    case FlagSet::epoll: return epoll;
    case FlagSet::msg: return msg;
    case FlagSet::file_status: return file_status;
    }
    return poll;  // unreachable: every enumerator is handled above
}

}  // namespace

std::optional<std::int64_t> lookup_symbol(std::string_view name) {
    return find_by_name(script_symbols(), name);
}

std::span<Symbol const> all_symbols() { return script_symbols(); }

std::optional<int> errno_from_name(std::string_view name) {
    auto const value = find_by_name(errno_by_name(), name);
    if (!value) return std::nullopt;
    return static_cast<int>(*value);
}

std::string_view errno_name(int err) {
    auto const& names = errno_by_number();
    if (err < 0 || static_cast<std::size_t>(err) >= names.size()) return {};
    return names[static_cast<std::size_t>(err)];
}

std::string errno_description(int err) {
    // strerror may write into a buffer shared by all threads; strerrordesc_np returns a constant
    // string, the same text strerror gives in the C locale.
    if (char const* text = strerrordesc_np(err)) return text;
    return "Unknown error " + std::to_string(err);
}

std::string render_flags(std::int64_t value, FlagSet set) {
    if (value == 0) return "0";
    auto rest = static_cast<std::uint64_t>(value);
    std::string out;
    auto const add = [&out](std::string_view part) {
        if (!out.empty()) out += '|';
        out += part;
    };

    if (set == FlagSet::file_status) {
        // The access mode is a 2-bit field, not flags: O_RDONLY is 0, and 3 has no name (it is
        // left in `rest` and printed as hex).
        auto const mask = static_cast<std::uint64_t>(detail::file_access_mode_mask());
        for (auto const& mode : detail::file_access_mode_names()) {
            if ((rest & mask) == static_cast<std::uint64_t>(mode.value)) {
                add(mode.name);
                rest &= ~mask;
                break;
            }
        }
    }

    for (auto const& flag : flags_of(set)) {
        auto const bits = static_cast<std::uint64_t>(flag.value);
        if (bits != 0 && (rest & bits) == bits) {
            add(flag.name);
            rest &= ~bits;
        }
    }

    if (rest != 0) {
        char hex[2 + 16 + 1];
        std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(rest));
        add(hex);
    }
    return out;
}

std::optional<std::int64_t> lookup_code_constant(std::string_view name) {
    return find_by_name(code_constants(), name);
}

std::span<Symbol const> all_code_constants() { return code_constants(); }

std::optional<std::size_t> sk_meminfo_index(std::string_view name) {
    for (auto const& entry : detail::sk_meminfo_names()) {
        if (entry.name == name) return static_cast<std::size_t>(entry.value);
    }
    return std::nullopt;
}

std::size_t sk_meminfo_count() { return static_cast<std::size_t>(detail::sk_meminfo_vars()); }

}  // namespace pktdrill::run
