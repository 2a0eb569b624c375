#pragma once
// A small synchronous rtnetlink client: the kernel interface for links, addresses and routes that
// `ip` itself uses, so pktdrill never has to run `ip`. Each request waits for the kernel's ACK;
// a refusal becomes a pktdrill::Error that names the operation, errno's text and, when the kernel
// gives one, its extended-ACK message (e.g. "Nexthop has invalid gateway").
//
// The socket lives in the network namespace of the thread that constructs the client; construct
// it after enter_private_network_namespace().

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/unique_fd.hpp"
#include "src/net/ip_address.hpp"

namespace pktdrill::net {

struct LinkInfo {
    int index = 0;
    std::string name;
    unsigned flags = 0;  // IFF_UP, IFF_RUNNING, IFF_NOARP, ...
    std::uint32_t mtu = 0;
    // Transmit counters (IFLA_STATS64). On a TUN device tx_dropped counts packets the kernel
    // discarded because nobody read the device's queue.
    std::uint64_t tx_packets = 0;
    std::uint64_t tx_dropped = 0;
};

struct AddressInfo {
    int ifindex = 0;
    IpPrefix prefix;          // the local address and its prefix length
    std::uint32_t flags = 0;  // IFA_F_*
    std::uint8_t scope = 0;   // RT_SCOPE_*
};

// A route to install or delete, always in the main table.
struct Route {
    IpPrefix destination;              // host bits are ignored (the network is installed)
    std::optional<IpAddress> gateway;  // none: the destination is on-link
    int ifindex = 0;                   // 0: let the kernel pick (needs a gateway)
    // Declare the gateway directly reachable on ifindex even when no connected route covers it
    // (`ip route ... onlink`).
    bool onlink = false;
};

// A route as the kernel reports it.
struct RouteInfo {
    IpPrefix destination;  // network/length
    std::optional<IpAddress> gateway;
    int ifindex = 0;
    std::uint32_t table = 0;     // RT_TABLE_*
    std::uint8_t type = 0;       // RTN_*
    std::uint8_t scope = 0;      // RT_SCOPE_*
    std::uint8_t protocol = 0;   // RTPROT_*
};

class Rtnetlink {
public:
    // Opens and binds a NETLINK_ROUTE socket (no multicast groups: nothing arrives unasked).
    Rtnetlink();

    // For an event loop. The socket is blocking with a receive timeout; an event loop that wants
    // asynchronous use must not interleave it with the synchronous calls below.
    int fd() const noexcept { return fd_.get(); }

    std::optional<int> find_link_index(std::string_view name);
    // Throws if there is no such link.
    int link_index(std::string_view name);
    LinkInfo link(int ifindex);
    std::vector<LinkInfo> links();

    void set_link_up(int ifindex);
    void set_link_down(int ifindex);
    void set_mtu(int ifindex, std::uint32_t mtu);

    // Adds (or replaces) a local address. IPv6 addresses get IFA_F_NODAD, so they are usable at
    // once instead of staying "tentative" (bind() → EADDRNOTAVAIL) during duplicate detection.
    void add_address(int ifindex, IpPrefix const& local);
    std::vector<AddressInfo> addresses();

    // Installs with NLM_F_CREATE | NLM_F_REPLACE: an existing route to the same destination is
    // overwritten, so setup is idempotent.
    void add_route(Route const& route);
    // Throws (ESRCH, "No such process") if no such route exists.
    void delete_route(Route const& route);
    // Every table; filter on RouteInfo::table.
    std::vector<RouteInfo> routes(AddressFamily family);

private:
    using MessageHandler = std::function<void(std::uint16_t type, std::span<std::uint8_t const> payload)>;

    // Sends one request (with NLM_F_ACK unless it is a dump) and processes the kernel's answers
    // to it until the ACK, an error or the end of the dump. Answers to other sequence numbers
    // (left over from a request that failed half-way) are skipped. Returns false if a dump was
    // interrupted by a concurrent change (NLM_F_DUMP_INTR) and must be repeated.
    bool exchange(std::vector<std::uint8_t>& request, std::string const& what,
                  MessageHandler const& on_message = {});
    void change_link_flags(int ifindex, unsigned flags, unsigned change, std::string const& what);
    std::string link_label(int ifindex);

    UniqueFd fd_;
    std::uint32_t sequence_ = 0;
    std::vector<std::uint8_t> receive_buffer_;
};

}  // namespace pktdrill::net
