#pragma once
// The sockets a run knows about, and the script fd → live fd table.
//
// packetdrill maps every packet line to one "socket under test": socket() makes the new socket
// the socket under test, an inbound SYN to a listening socket creates a child socket that becomes
// the socket under test, and a connecting socket learns its live port and ISN from its first SYN.
// Each socket has a script side (addresses, ports and ISNs as the script writes them) and a live
// side (what the kernel really uses); packets are mapped between the two (reference D.1-D.3).

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/net/codec/tcp.hpp"
#include "src/net/ip_address.hpp"

namespace pktdrill::run {

struct Endpoint {
    net::IpAddress ip;
    std::uint16_t port = 0;
    friend bool operator==(Endpoint const&, Endpoint const&) = default;
};

// A packet's addresses and ports, in the direction it travels.
struct Tuple {
    Endpoint src;
    Endpoint dst;
    friend bool operator==(Tuple const&, Tuple const&) = default;
};

enum class SocketState {
    init,
    passive_listening,        // listen() was called
    passive_packet_received,  // an inbound SYN created this child socket
    passive_synack_sent,      // its SYN-ACK was sniffed
    passive_synack_acked,     // the handshake's ACK was injected
    active_connecting,        // connect() or sendto(MSG_FASTOPEN) was called
    active_syn_sent,          // the script expects (and then saw) its SYN
    active_syn_acked,         // the peer's SYN-ACK was injected
};

// One side's view of a connection: our (the kernel's) end is `local`, the simulated peer `remote`.
struct SocketSide {
    Endpoint local;
    Endpoint remote;
    std::uint32_t local_isn = 0;
    std::uint32_t remote_isn = 0;

    Tuple outbound() const { return {local, remote}; }
    Tuple inbound() const { return {remote, local}; }
};

struct Socket {
    int id = 0;  // creation order, for messages
    SocketState state = SocketState::init;
    int domain = 0;    // AF_INET / AF_INET6
    int type = 0;      // SOCK_STREAM / SOCK_DGRAM / SOCK_RAW
    int protocol = 0;  // IPPROTO_TCP / IPPROTO_UDP / IPPROTO_ICMP / IPPROTO_ICMPV6
    SocketSide script;
    SocketSide live;
    int script_fd = -1;  // -1 until accept() hands a child socket to the script
    int live_fd = -1;

    // Outbound TS val: script value → live value (D.3), and the first pair seen.
    std::unordered_map<std::uint32_t, std::uint32_t> ts_val_map;
    bool found_first_ts = false;
    std::uint32_t first_script_ts_val = 0;
    std::uint32_t first_actual_ts_val = 0;

    // IPv6 flow label: the script label last mapped, and the live label it stood for.
    std::optional<std::pair<std::uint32_t, std::uint32_t>> flow_label_map;

    // The last headers in each direction (live values), to forge the RST that ends a run.
    std::optional<net::TcpHeader> last_injected;
    std::uint32_t last_injected_payload = 0;
    std::optional<net::TcpHeader> last_outbound;

    bool is_tcp() const noexcept;
};

// Every socket of a run. Sockets live until the run ends (the final RSTs go to all of them, even
// those the script closed), so pointers to them stay valid.
class Sockets {
public:
    Socket& create();
    Socket* under_test() const noexcept { return under_test_; }
    void set_under_test(Socket* s) noexcept { under_test_ = s; }
    std::vector<std::unique_ptr<Socket>> const& all() const noexcept { return all_; }

private:
    std::vector<std::unique_ptr<Socket>> all_;
    Socket* under_test_ = nullptr;
};

// What a script fd stands for.
enum class FdKind { socket, file, pipe, epoll };

struct FdEntry {
    int script_fd = -1;
    int live_fd = -1;
    FdKind kind = FdKind::socket;
    Socket* socket = nullptr;  // for sockets
    bool open = true;
};

// Script fds → live fds. A script names fds by the numbers the script expects (`socket(...) = 3`);
// the live fd is whatever the kernel returned.
class FdTable {
public:
    FdEntry& add(int script_fd, int live_fd, FdKind kind, Socket* socket = nullptr);
    // The open entry with that script fd, or nullptr.
    FdEntry* find(int script_fd) noexcept;
    FdEntry const* find(int script_fd) const noexcept;
    // The open entry with that live fd, or nullptr.
    FdEntry* find_live(int live_fd) noexcept;
    // Marks the entry closed (the caller closes the live fd).
    void remove(int script_fd) noexcept;
    std::deque<FdEntry> const& all() const noexcept { return entries_; }

private:
    std::deque<FdEntry> entries_;  // a deque, so references to entries stay valid
};

// Sequence number offsets between script and live space (reference D.2): segments with SYN carry
// absolute numbers, all others numbers relative to the ISN.
inline std::uint32_t remote_seq_script_to_live(Socket const& s, bool syn) { return syn ? 0 : s.live.remote_isn; }
inline std::uint32_t remote_seq_live_to_script(Socket const& s, bool syn) { return 0u - remote_seq_script_to_live(s, syn); }
inline std::uint32_t local_seq_script_to_live(Socket const& s, bool syn) {
    return syn ? s.live.local_isn - s.script.local_isn : s.live.local_isn;
}
inline std::uint32_t local_seq_live_to_script(Socket const& s, bool syn) { return 0u - local_seq_script_to_live(s, syn); }

}  // namespace pktdrill::run
