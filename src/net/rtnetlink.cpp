#include "src/net/rtnetlink.hpp"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "src/base/error.hpp"

namespace pktdrill::net {

namespace {

// The kernel rarely takes more than microseconds; the timeout only turns a kernel that never
// answers (which would be a bug) into an error instead of a hang.
constexpr int reply_timeout_seconds = 5;
// A dump that races with a change is flagged NLM_F_DUMP_INTR and must be repeated.
constexpr int dump_attempts = 5;

template <class T>
T read_as(std::span<std::uint8_t const> bytes, std::size_t offset = 0) {
    T value{};
    if (offset + sizeof value <= bytes.size()) std::memcpy(&value, bytes.data() + offset, sizeof value);
    return value;
}

// Builds one netlink request: header, fixed family header, then 4-byte aligned attributes.
class RequestBuilder {
public:
    RequestBuilder(std::uint16_t type, std::uint16_t flags) : bytes_(NLMSG_HDRLEN) {
        nlmsghdr header{};
        header.nlmsg_type = type;
        header.nlmsg_flags = flags;
        std::memcpy(bytes_.data(), &header, sizeof header);
    }

    template <class T>
    RequestBuilder& family_header(T const& value) {
        append(&value, sizeof value);
        return *this;
    }

    RequestBuilder& attribute(std::uint16_t type, void const* data, std::size_t size) {
        rtattr header{};
        header.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
        header.rta_type = type;
        append(&header, sizeof header);
        append(data, size);
        return *this;
    }

    RequestBuilder& attribute(std::uint16_t type, std::span<std::uint8_t const> data) {
        return attribute(type, data.data(), data.size());
    }

    RequestBuilder& attribute_u32(std::uint16_t type, std::uint32_t value) {
        return attribute(type, &value, sizeof value);
    }

    RequestBuilder& attribute_string(std::uint16_t type, std::string_view text) {
        std::string const terminated(text);  // the kernel wants the NUL
        return attribute(type, terminated.c_str(), terminated.size() + 1);
    }

    std::vector<std::uint8_t> finish() {
        auto const length = static_cast<std::uint32_t>(bytes_.size());
        std::memcpy(bytes_.data() + offsetof(nlmsghdr, nlmsg_len), &length, sizeof length);
        return std::move(bytes_);
    }

private:
    void append(void const* data, std::size_t size) {
        auto const* p = static_cast<std::uint8_t const*>(data);
        bytes_.insert(bytes_.end(), p, p + size);
        bytes_.resize(NLMSG_ALIGN(bytes_.size()));
    }

    std::vector<std::uint8_t> bytes_;
};

// Calls f(type, payload) for each rtattr in bytes; stops at the first malformed one.
template <class F>
void for_each_attribute(std::span<std::uint8_t const> bytes, F&& f) {
    std::size_t offset = 0;
    while (offset + sizeof(rtattr) <= bytes.size()) {
        auto const header = read_as<rtattr>(bytes, offset);
        if (header.rta_len < sizeof(rtattr) || offset + header.rta_len > bytes.size()) return;
        f(static_cast<std::uint16_t>(header.rta_type & NLA_TYPE_MASK),
          bytes.subspan(offset + RTA_LENGTH(0), header.rta_len - RTA_LENGTH(0)));
        offset += RTA_ALIGN(header.rta_len);
    }
}

std::optional<IpAddress> address_from(std::uint8_t family, std::span<std::uint8_t const> bytes) {
    if (family == AF_INET && bytes.size() == 4) return IpAddress::v4({bytes[0], bytes[1], bytes[2], bytes[3]});
    if (family == AF_INET6 && bytes.size() == 16) {
        std::array<std::uint8_t, 16> b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        return IpAddress::v6(b);
    }
    return std::nullopt;
}

// The human-readable reason the kernel attached to an error (NETLINK_EXT_ACK), if any.
std::string extended_ack_message(nlmsghdr const& header, std::span<std::uint8_t const> payload) {
    if (!(header.nlmsg_flags & NLM_F_ACK_TLVS)) return {};
    std::size_t offset = sizeof(nlmsgerr);
    if (!(header.nlmsg_flags & NLM_F_CAPPED)) {
        // The kernel echoed our whole request after the error header.
        auto const echoed = read_as<nlmsgerr>(payload);
        if (echoed.msg.nlmsg_len < NLMSG_HDRLEN) return {};
        offset += NLMSG_ALIGN(echoed.msg.nlmsg_len - NLMSG_HDRLEN);
    }
    if (offset >= payload.size()) return {};
    std::string message;
    for_each_attribute(payload.subspan(offset), [&](std::uint16_t type, std::span<std::uint8_t const> value) {
        if (type == NLMSGERR_ATTR_MSG)
            message.assign(reinterpret_cast<char const*>(value.data()), strnlen(reinterpret_cast<char const*>(value.data()), value.size()));
    });
    return message;
}

// A refusal by the kernel, kept apart so a caller can treat one errno as an answer.
class KernelRefusal : public Error {
public:
    KernelRefusal(std::string message, int error) : Error(std::move(message)), error_(error) {}
    int error() const noexcept { return error_; }

private:
    int error_;
};

std::string describe(Route const& route, std::string const& device) {
    std::string text = IpPrefix(route.destination.network(), route.destination.length()).to_string();
    if (route.gateway) text += " via " + route.gateway->to_string();
    if (route.ifindex != 0) text += " dev " + device;
    if (route.onlink) text += " onlink";
    return text;
}

}  // namespace

Rtnetlink::Rtnetlink() : receive_buffer_(64 * 1024) {
    fd_ = UniqueFd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd_) throw_system_error("rtnetlink: socket(AF_NETLINK, NETLINK_ROUTE)", errno);

    // Extended ACKs carry the kernel's own explanation of a refusal; capping keeps our request
    // from being echoed back in every ACK. Both are optional refinements, so failures are ignored.
    int const one = 1;
    ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    ::setsockopt(fd_.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);

    timeval const timeout{reply_timeout_seconds, 0};
    if (::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0)
        throw_system_error("rtnetlink: setsockopt(SO_RCVTIMEO)", errno);

    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;  // nl_pid 0: the kernel assigns our port id
    if (::bind(fd_.get(), reinterpret_cast<sockaddr const*>(&local), sizeof local) != 0)
        throw_system_error("rtnetlink: bind", errno);
}

bool Rtnetlink::exchange(std::vector<std::uint8_t>& request, std::string const& what,
                         MessageHandler const& on_message) {
    auto const seq = ++sequence_;
    std::memcpy(request.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
        sent = ::sendto(fd_.get(), request.data(), request.size(), 0, reinterpret_cast<sockaddr const*>(&kernel),
                        sizeof kernel);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) throw_system_error("rtnetlink: " + what + ": send", errno);

    bool interrupted = false;
    for (;;) {
        // Peek first so a datagram bigger than the buffer grows it instead of being cut.
        ssize_t size = ::recv(fd_.get(), receive_buffer_.data(), receive_buffer_.size(), MSG_PEEK | MSG_TRUNC);
        if (size >= 0 && static_cast<std::size_t>(size) > receive_buffer_.size()) receive_buffer_.resize(size);
        if (size >= 0) size = ::recv(fd_.get(), receive_buffer_.data(), receive_buffer_.size(), 0);
        if (size < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                throw Error("rtnetlink: " + what + ": no answer from the kernel within " +
                            std::to_string(reply_timeout_seconds) + " s");
            throw_system_error("rtnetlink: " + what + ": receive", errno);
        }
        std::span<std::uint8_t const> datagram(receive_buffer_.data(), static_cast<std::size_t>(size));

        std::size_t offset = 0;
        while (offset + NLMSG_HDRLEN <= datagram.size()) {
            auto const header = read_as<nlmsghdr>(datagram, offset);
            if (header.nlmsg_len < NLMSG_HDRLEN || offset + header.nlmsg_len > datagram.size())
                throw Error("rtnetlink: " + what + ": malformed answer from the kernel");
            auto const payload = datagram.subspan(offset + NLMSG_HDRLEN, header.nlmsg_len - NLMSG_HDRLEN);
            offset += NLMSG_ALIGN(header.nlmsg_len);
            if (header.nlmsg_seq != seq) continue;

            if (header.nlmsg_type == NLMSG_ERROR) {
                auto const error = read_as<nlmsgerr>(payload).error;
                if (error == 0) return true;  // the ACK
                std::string message = "rtnetlink: " + what + ": " + std::strerror(-error);
                if (auto const reason = extended_ack_message(header, payload); !reason.empty())
                    message += " (" + reason + ")";
                throw KernelRefusal(message, -error);
            }
            if (header.nlmsg_type == NLMSG_DONE) {
                auto const error = read_as<int>(payload);
                if (error < 0) throw KernelRefusal("rtnetlink: " + what + ": " + std::strerror(-error), -error);
                return !interrupted;
            }
            if (header.nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            // A plain (non-dump) answer is followed by the ACK we asked for: keep reading.
            if (on_message) on_message(header.nlmsg_type, payload);
        }
    }
}

std::string Rtnetlink::link_label(int ifindex) {
    char name[IF_NAMESIZE] = {};
    if (::if_indextoname(static_cast<unsigned>(ifindex), name) != nullptr) return name;
    return "ifindex " + std::to_string(ifindex);
}

namespace {

LinkInfo parse_link(std::span<std::uint8_t const> payload) {
    auto const header = read_as<ifinfomsg>(payload);
    LinkInfo info;
    info.index = header.ifi_index;
    info.flags = header.ifi_flags;
    if (payload.size() < NLMSG_ALIGN(sizeof(ifinfomsg))) return info;
    for_each_attribute(payload.subspan(NLMSG_ALIGN(sizeof(ifinfomsg))), [&](std::uint16_t type, auto value) {
        if (type == IFLA_IFNAME)
            info.name.assign(reinterpret_cast<char const*>(value.data()),
                             strnlen(reinterpret_cast<char const*>(value.data()), value.size()));
        else if (type == IFLA_MTU)
            info.mtu = read_as<std::uint32_t>(value);
        else if (type == IFLA_STATS64 && value.size() >= sizeof(rtnl_link_stats64)) {
            auto const stats = read_as<rtnl_link_stats64>(value);
            info.tx_packets = stats.tx_packets;
            info.tx_dropped = stats.tx_dropped;
        }
    });
    return info;
}

}  // namespace

std::optional<int> Rtnetlink::find_link_index(std::string_view name) {
    ifinfomsg header{};
    header.ifi_family = AF_UNSPEC;
    auto request = RequestBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK)
                       .family_header(header)
                       .attribute_string(IFLA_IFNAME, name)
                       .finish();
    std::optional<int> index;
    try {
        exchange(request, "look up link " + std::string(name), [&](std::uint16_t type, auto payload) {
            if (type == RTM_NEWLINK) index = parse_link(payload).index;
        });
    } catch (KernelRefusal const& refusal) {
        if (refusal.error() == ENODEV) return std::nullopt;  // the kernel's "no such name"
        throw;
    }
    return index;
}

int Rtnetlink::link_index(std::string_view name) {
    if (auto const index = find_link_index(name)) return *index;
    throw Error("rtnetlink: no network device named '" + std::string(name) + "' in this network namespace");
}

LinkInfo Rtnetlink::link(int ifindex) {
    ifinfomsg header{};
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = ifindex;
    auto request = RequestBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK).family_header(header).finish();
    std::optional<LinkInfo> info;
    exchange(request, "get link " + std::to_string(ifindex), [&](std::uint16_t type, auto payload) {
        if (type == RTM_NEWLINK) info = parse_link(payload);
    });
    if (!info) throw Error("rtnetlink: get link " + std::to_string(ifindex) + ": no answer");
    return *info;
}

std::vector<LinkInfo> Rtnetlink::links() {
    for (int attempt = 1;; ++attempt) {
        ifinfomsg header{};
        header.ifi_family = AF_UNSPEC;
        auto request = RequestBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP).family_header(header).finish();
        std::vector<LinkInfo> result;
        if (exchange(request, "list links", [&](std::uint16_t type, auto payload) {
                if (type == RTM_NEWLINK) result.push_back(parse_link(payload));
            }))
            return result;
        if (attempt == dump_attempts)
            throw Error("rtnetlink: list links: the dump kept being interrupted by concurrent changes");
    }
}

void Rtnetlink::change_link_flags(int ifindex, unsigned flags, unsigned change, std::string const& what) {
    ifinfomsg header{};
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = ifindex;
    header.ifi_flags = flags;
    header.ifi_change = change;
    auto request = RequestBuilder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK).family_header(header).finish();
    exchange(request, what);
}

void Rtnetlink::set_link_up(int ifindex) {
    change_link_flags(ifindex, IFF_UP, IFF_UP, "set link " + link_label(ifindex) + " up");
}

void Rtnetlink::set_link_down(int ifindex) {
    change_link_flags(ifindex, 0, IFF_UP, "set link " + link_label(ifindex) + " down");
}

void Rtnetlink::set_mtu(int ifindex, std::uint32_t mtu) {
    ifinfomsg header{};
    header.ifi_family = AF_UNSPEC;
    header.ifi_index = ifindex;
    auto request = RequestBuilder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK)
                       .family_header(header)
                       .attribute_u32(IFLA_MTU, mtu)
                       .finish();
    exchange(request, "set mtu " + std::to_string(mtu) + " on " + link_label(ifindex));
}

void Rtnetlink::add_address(int ifindex, IpPrefix const& local) {
    ifaddrmsg header{};
    header.ifa_family = static_cast<std::uint8_t>(local.address().af());
    header.ifa_prefixlen = static_cast<std::uint8_t>(local.length());
    header.ifa_flags = local.address().is_v6() ? IFA_F_NODAD : 0;
    header.ifa_scope = RT_SCOPE_UNIVERSE;
    header.ifa_index = static_cast<unsigned>(ifindex);
    // IFA_LOCAL is the address itself, IFA_ADDRESS the peer; equal means "not point-to-point",
    // which is what gives us the connected route to the whole prefix.
    auto request = RequestBuilder(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE)
                       .family_header(header)
                       .attribute(IFA_LOCAL, local.address().bytes())
                       .attribute(IFA_ADDRESS, local.address().bytes())
                       .finish();
    exchange(request, "add address " + local.to_string() + " to " + link_label(ifindex));
}

std::vector<AddressInfo> Rtnetlink::addresses() {
    for (int attempt = 1;; ++attempt) {
        ifaddrmsg header{};
        header.ifa_family = AF_UNSPEC;
        auto request = RequestBuilder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP).family_header(header).finish();
        std::vector<AddressInfo> result;
        if (exchange(request, "list addresses", [&](std::uint16_t type, std::span<std::uint8_t const> payload) {
                if (type != RTM_NEWADDR || payload.size() < NLMSG_ALIGN(sizeof(ifaddrmsg))) return;
                auto const h = read_as<ifaddrmsg>(payload);
                std::optional<IpAddress> address, local;
                std::uint32_t flags = h.ifa_flags;
                for_each_attribute(payload.subspan(NLMSG_ALIGN(sizeof(ifaddrmsg))), [&](std::uint16_t t, auto value) {
                    if (t == IFA_ADDRESS) address = address_from(h.ifa_family, value);
                    else if (t == IFA_LOCAL) local = address_from(h.ifa_family, value);
                    else if (t == IFA_FLAGS) flags = read_as<std::uint32_t>(value);
                });
                // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is always ours.
                auto const ours = local ? local : address;
                if (!ours) return;
                result.push_back({static_cast<int>(h.ifa_index), IpPrefix(*ours, h.ifa_prefixlen), flags, h.ifa_scope});
            }))
            return result;
        if (attempt == dump_attempts)
            throw Error("rtnetlink: list addresses: the dump kept being interrupted by concurrent changes");
    }
}

namespace {

std::vector<std::uint8_t> route_request(std::uint16_t type, std::uint16_t flags, Route const& route) {
    auto const family = route.destination.address().af();
    if (route.gateway && route.gateway->af() != family)
        throw Error("rtnetlink: route to " + route.destination.to_string() + " via " + route.gateway->to_string() +
                    ": gateway and destination families differ");
    rtmsg header{};
    header.rtm_family = static_cast<std::uint8_t>(family);
    header.rtm_dst_len = static_cast<std::uint8_t>(route.destination.length());
    header.rtm_table = RT_TABLE_MAIN;
    if (type == RTM_NEWROUTE) {
        header.rtm_protocol = RTPROT_BOOT;  // what `ip route add` uses for administrator routes
        header.rtm_type = RTN_UNICAST;
        header.rtm_scope = route.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    } else {
        // NOWHERE and a zero type/protocol match whatever the existing route has.
        header.rtm_scope = RT_SCOPE_NOWHERE;
    }
    if (route.onlink) header.rtm_flags |= RTNH_F_ONLINK;

    RequestBuilder builder(type, flags);
    builder.family_header(header);
    auto const network = route.destination.network();
    if (route.destination.length() > 0) builder.attribute(RTA_DST, network.bytes());
    if (route.gateway) builder.attribute(RTA_GATEWAY, route.gateway->bytes());
    if (route.ifindex != 0) builder.attribute_u32(RTA_OIF, static_cast<std::uint32_t>(route.ifindex));
    return builder.finish();
}

}  // namespace

void Rtnetlink::add_route(Route const& route) {
    auto request =
        route_request(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE, route);
    exchange(request, "add route " + describe(route, link_label(route.ifindex)));
}

void Rtnetlink::delete_route(Route const& route) {
    auto request = route_request(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, route);
    exchange(request, "delete route " + describe(route, link_label(route.ifindex)));
}

std::vector<RouteInfo> Rtnetlink::routes(AddressFamily family) {
    for (int attempt = 1;; ++attempt) {
        rtmsg header{};
        header.rtm_family = family == AddressFamily::ipv4 ? AF_INET : AF_INET6;
        auto request = RequestBuilder(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP).family_header(header).finish();
        std::vector<RouteInfo> result;
        if (exchange(request, "list routes", [&](std::uint16_t type, std::span<std::uint8_t const> payload) {
                if (type != RTM_NEWROUTE || payload.size() < NLMSG_ALIGN(sizeof(rtmsg))) return;
                auto const h = read_as<rtmsg>(payload);
                if (h.rtm_family != AF_INET && h.rtm_family != AF_INET6) return;
                RouteInfo info;
                info.table = h.rtm_table;
                info.type = h.rtm_type;
                info.scope = h.rtm_scope;
                info.protocol = h.rtm_protocol;
                std::optional<IpAddress> destination;
                for_each_attribute(payload.subspan(NLMSG_ALIGN(sizeof(rtmsg))), [&](std::uint16_t t, auto value) {
                    if (t == RTA_DST) destination = address_from(h.rtm_family, value);
                    else if (t == RTA_GATEWAY) info.gateway = address_from(h.rtm_family, value);
                    else if (t == RTA_OIF) info.ifindex = static_cast<int>(read_as<std::uint32_t>(value));
                    else if (t == RTA_TABLE) info.table = read_as<std::uint32_t>(value);
                });
                if (!destination)  // the default route carries no RTA_DST
                    destination = h.rtm_family == AF_INET ? IpAddress() : IpAddress::v6({});
                info.destination = IpPrefix(*destination, h.rtm_dst_len);
                result.push_back(info);
            }))
            return result;
        if (attempt == dump_attempts)
            throw Error("rtnetlink: list routes: the dump kept being interrupted by concurrent changes");
    }
}

}  // namespace pktdrill::net
