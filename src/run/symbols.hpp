#pragma once
// The named constants of packetdrill scripts (`SOL_SOCKET`, `O_RDWR|O_NONBLOCK`, `EINPROGRESS`,
// `TCP_NLA_BUSY` ...). They are resolved when a system call runs, not when the script is parsed,
// so an unknown word is a runtime error at its location, as in packetdrill.
//
// Every value comes from the system headers (glibc and the kernel's uapi headers) through the
// compiler; the few names no Debian 12 header defines carry a comment citing the kernel header.
// All functions are thread-safe: the tables are immutable, and the one index built at run time
// is a function-local static.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace pktdrill::run {

struct Symbol {
    std::string_view name;
    std::int64_t value;
};

// The value of a script constant, or nullopt when packetdrill's Linux table (and ours, a superset
// of it) has no such name. Names are case-sensitive, as in packetdrill.
std::optional<std::int64_t> lookup_symbol(std::string_view name);

// Every script constant, sorted by name (for tests, counts and "did you mean" hints).
std::span<Symbol const> all_symbols();

// errno names. errno_name picks the canonical name where Linux has aliases (EAGAIN, not
// EWOULDBLOCK; EDEADLK; EOPNOTSUPP, not ENOTSUP) and returns "" for numbers with no name.
std::optional<int> errno_from_name(std::string_view name);
std::string_view errno_name(int err);
// strerror's text ("Operation now in progress"), without strerror's shared buffer.
std::string errno_description(int err);

// Bit sets that error messages print by name, the way packetdrill prints poll revents.
enum class FlagSet {
    poll,         // POLLIN, POLLOUT ... (struct pollfd events/revents)
    epoll,        // EPOLLIN, EPOLLET ... (struct epoll_event events)
    msg,          // MSG_PEEK, MSG_ZEROCOPY ... (send/recv flags, msghdr msg_flags)
    file_status,  // O_RDWR, O_NONBLOCK ... (fcntl F_GETFL/F_SETFL)
};

// "POLLIN|POLLOUT": known bits by name in ascending bit order, then any unknown remainder as one
// hex number ("POLLIN|0x100000"). 0 renders as "0". For file_status the access mode (the
// O_ACCMODE field, not a bit) comes first when it is O_WRONLY or O_RDWR; O_RDONLY is 0, so
// 0x800 renders as "O_NONBLOCK".
std::string render_flags(std::int64_t value, FlagSet set);

// The constants packetdrill's code.c gives `%{ }%` snippets: tcpi_state values
// (TCP_ESTABLISHED ... TCP_CLOSING, TCP_NEW_SYN_RECV), tcpi_ca_state values (TCP_CA_Open ...
// TCP_CA_Loss) and tcpi_options bits (TCPI_OPT_*).
//
// SK_MEMINFO_* are deliberately not here: in packetdrill those Python names are bound to the
// *measured* SO_MEMINFO values of the socket under test (SK_MEMINFO_RCVBUF = its receive buffer
// size), not to array indices. Resolving them as constants would make `SK_MEMINFO_RCVBUF > 1000`
// silently compare 1 > 1000. The evaluator reads the snapshot through sk_meminfo_index instead.
std::optional<std::int64_t> lookup_code_constant(std::string_view name);
std::span<Symbol const> all_code_constants();

// The index of an SK_MEMINFO_* name in the u32 array getsockopt(SO_MEMINFO) returns
// (linux/sock_diag.h), or nullopt for other names. SK_MEMINFO_VARS (the array length) is not a
// variable, so it is not an index either.
std::optional<std::size_t> sk_meminfo_index(std::string_view name);
// The number of u32 values in the SO_MEMINFO array (SK_MEMINFO_VARS).
std::size_t sk_meminfo_count();

}  // namespace pktdrill::run
