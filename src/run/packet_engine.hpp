#pragma once
// Packet lines at run time: `<` packets are mapped from script to live values and injected
// through the TUN device; `>` packets are awaited among what the sniffer captured, mapped to
// script values and compared with the script (reference D).

#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>

#include "src/base/unique_fd.hpp"
#include "src/net/codec/packet.hpp"
#include "src/net/sniffer.hpp"
#include "src/net/tun.hpp"
#include "src/run/run_context.hpp"

namespace pktdrill::run {

// A packet the kernel sent, as captured.
struct SniffedPacket {
    net::Packet packet;  // decoded, live values
    Micros time = 0;     // script time at which the kernel sent it
};

class PacketEngine {
public:
    // Starts collecting what the kernel sends on the device (whenever ctx.io runs). Packets the
    // kernel queued on the device are freed as they are examined, one for one, as packetdrill does.
    PacketEngine(RunContext& ctx, net::TunDevice& tun, net::Sniffer& sniffer);
    ~PacketEngine();
    PacketEngine(PacketEngine const&) = delete;
    PacketEngine& operator=(PacketEngine const&) = delete;

    // Injects an inbound script packet now. Throws Error.
    void inject(script::Event const& event, script::Packet const& packet);

    // Waits for the outbound packet the script expects and verifies it. `lock` holds ctx.mutex
    // and is released while waiting. Throws Error (or, with --non_fatal=packet, prints a warning
    // and returns), or Interrupted.
    void expect(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Packet const& packet,
                EventTiming const& timing);

    // Picks the remote port of the next passive connection ahead of time, so the SYN that needs it
    // is not delayed by the system calls that pick it (packetdrill does the same).
    void prepare();

    // End of the script: a RST to every TCP socket the run knew live ports of, so the kernel
    // drops their state at once (packetdrill does this even for sockets the script closed).
    void reset_connections();

    // Packets captured but not (yet) matched by a `>` line, oldest first.
    std::deque<SniffedPacket> const& unexamined() const noexcept { return queue_; }

private:
    void arm_sniffer();
    void collect();
    Socket& socket_for(script::Packet const& packet, bool inbound);
    std::optional<SniffedPacket> next_for(Socket& expected, Micros deadline, std::unique_lock<std::mutex>& lock);
    void send(net::Packet const& packet);
    std::uint16_t ephemeral_port();

    RunContext& ctx_;
    net::TunDevice& tun_;
    net::Sniffer& sniffer_;
    boost::asio::posix::stream_descriptor sniffer_fd_;
    std::deque<SniffedPacket> queue_;
    std::optional<std::uint16_t> next_remote_port_;
    std::vector<UniqueFd> reserved_ports_;  // sockets holding the remote ports handed out
};

}  // namespace pktdrill::run
