#pragma once
// Internal to the symbol tables. The tables live in separate translation units because glibc's
// network headers and the kernel's uapi headers define the same structs (<netinet/tcp.h> and
// <linux/tcp.h> both define struct tcp_info, <fcntl.h> and <linux/fcntl.h> both define struct
// flock ...) and cannot be included together.

#include <cstdint>
#include <span>

#include "src/run/symbols.hpp"

namespace pktdrill::run::detail {

// symbols_glibc.cpp: names from glibc's headers (sockets, IP, fcntl, poll, epoll, ioctl ...).
std::span<Symbol const> glibc_symbols();
// symbols_uapi.cpp: names only the kernel's uapi headers have (TCP_NLA_*, SO_EE_*, SOF_*, CAP_*).
std::span<Symbol const> uapi_symbols();
// symbols_errno.cpp: every errno name, canonical names before their aliases.
std::span<Symbol const> errno_symbols();

// Single-bit flag names for render_flags, in any order (the renderer sorts by bit).
std::span<Symbol const> poll_flag_names();
std::span<Symbol const> epoll_flag_names();
std::span<Symbol const> msg_flag_names();
// The O_* status bits, and the access-mode names (O_WRONLY, O_RDWR) with their mask.
std::span<Symbol const> file_status_flag_names();
std::span<Symbol const> file_access_mode_names();
std::int64_t file_access_mode_mask();

// `%{ }%` constants from each side of the header split.
std::span<Symbol const> glibc_code_constants();
std::span<Symbol const> uapi_code_constants();

// SK_MEMINFO_* names with their indices, and SK_MEMINFO_VARS.
std::span<Symbol const> sk_meminfo_names();
std::int64_t sk_meminfo_vars();

}  // namespace pktdrill::run::detail
