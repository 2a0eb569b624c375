#pragma once
// Packet lines at run time: `<` packets are mapped from script to live values and injected
// through the TUN device; `>` packets are awaited among what the sniffer captured, mapped to
// script values and compared with the script (reference D).
//
// Beyond packetdrill (OutboundPolicy): --strict also fails on what the kernel sends that no `>`
// line takes, and `pktdrill record` takes every packet of the socket under test as an expectation
// that always matches, learning ports and ISNs from the packets themselves when no `>` line is
// there to teach them.

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
#include "src/run/runner.hpp"

namespace pktdrill::run {

// A packet the kernel sent, as captured.
struct SniffedPacket {
    net::Packet packet;  // decoded, live values
    Micros time = 0;     // script time at which the kernel sent it
};

// What the engine does with outbound packets no `>` line takes.
enum class OutboundPolicy {
    packetdrill,  // nothing: they are never examined (packetdrill's verdicts)
    strict,       // --strict: the first one fails the run
    record,       // pktdrill record: each becomes a `>` line of its own, where it came
};

// How long the end of the script waits for packets the kernel is already sending (--strict,
// record). A write's segments, paced segments and the softirq backlog are out well within 5 ms on
// a loaded machine, and 5 ms is half the shortest timer that can fire after the last event (the
// 10 ms floor of the tail loss probe; delayed ACKs take 40 ms, retransmissions 200 ms): what is
// in flight is caught without racing what the kernel only decides later.
inline constexpr Micros end_grace_us = 5'000;

class PacketEngine {
public:
    // Starts collecting what the kernel sends on the device (whenever ctx.io runs). Packets the
    // kernel queued on the device are freed as they are examined, one for one, as packetdrill does.
    // With a recording the engine records (OutboundPolicy::record); otherwise --strict decides.
    PacketEngine(RunContext& ctx, net::TunDevice& tun, net::Sniffer& sniffer, Recording* recording = nullptr);
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

    OutboundPolicy policy() const noexcept { return policy_; }

    // The run loop says when it reaches event `index` of the script (for --strict, the line a
    // packet came after; for record, the layout of the events) and when the event is done.
    // An event that waits for its time (not a `>` line) also says when that time came.
    void event_reached(std::size_t index, EventTiming const& timing);
    void event_started(std::size_t index);
    void event_done(std::size_t index);

    // --strict and record, before event `next` (not a `>` line), expected at `next_start`: the
    // packets of the socket under test the kernel sent so far that no `>` line coming up takes
    // within the tolerance. --strict throws on the first (and on any packet of another socket of
    // the run); record writes each down as a packet the script did not mention, to go before
    // event `next`, and returns how many it wrote.
    std::size_t settle(std::unique_lock<std::mutex>& lock, std::size_t next, Micros next_start);
    // record: the time of the last packet settle() wrote down.
    Micros last_unmentioned_time() const noexcept { return last_unmentioned_time_; }
    // record: whether something was captured since the engine last looked (a reason to settle()).
    bool captured_since_settled() const noexcept { return !queue_.empty(); }

    // record: before an inbound packet is injected, waits (up to 2 s) for the SYN or SYN-ACK that
    // tells the socket under test its live port or ISN, when no `>` line was there to wait for it.
    // True when it took packets in (settle() again).
    bool await_handshake(std::unique_lock<std::mutex>& lock, script::Packet const& inbound);

    // After the last event: --strict and record wait end_grace_us for packets in flight; then
    // --strict fails on any packet no `>` line took, and record writes them down.
    void end_of_events(std::unique_lock<std::mutex>& lock);

private:
    void arm_sniffer();
    void collect();
    Socket& socket_for(script::Packet const& packet, bool inbound);
    std::optional<SniffedPacket> next_for(Socket& expected, Micros deadline, std::unique_lock<std::mutex>& lock);
    void send(net::Packet const& packet);
    std::uint16_t ephemeral_port();

    // The socket under test if the (live) packet is its, or a connecting one it would teach its
    // port; `teaches` then says so. nullptr otherwise.
    Socket* sut_packet(net::Packet const& p, bool* teaches = nullptr) const;
    // Another socket of the run, with both live ports known, that sent the packet.
    Socket* other_socket_packet(net::Packet const& p) const;
    // Whether the first `>` line from event `next` on, with the events before it on schedule,
    // expects a packet sent at `sent` (within --tolerance_usecs).
    bool expected_soon(std::size_t next, Micros next_start, Micros sent) const;
    struct Mark {
        Micros reached;  // when the event started (after waiting for its time)
        std::size_t event;
    };
    // The event that started last at or before `time` (for "came after this line").
    Mark const* mark_before(Micros time) const;
    [[noreturn]] void unexpected(Socket const& s, SniffedPacket const& p, bool teaches) const;
    // Waits (serving ctx.io, the lock released) until `deadline` (now_us clock) or until
    // `stop()` holds.
    template <typename Stop>
    void serve_until(std::unique_lock<std::mutex>& lock, Micros deadline, Stop stop);

    // record: moves what was captured into pending_, learning from each packet of the socket
    // under test what a `>` line would have taught (its port, its ISN); drops the rest.
    void absorb();
    void expect_recorded(std::unique_lock<std::mutex>& lock, script::Event const& event, script::Packet const& packet,
                         EventTiming const& timing);
    RecordedPacket to_recorded(Socket& s, SniffedPacket p, std::optional<std::uint32_t> script_ts_val);
    void write_unmentioned();

    struct Pending {
        SniffedPacket packet;
        Socket* socket;
    };

    RunContext& ctx_;
    net::TunDevice& tun_;
    net::Sniffer& sniffer_;
    boost::asio::posix::stream_descriptor sniffer_fd_;
    std::deque<SniffedPacket> queue_;
    std::optional<std::uint16_t> next_remote_port_;
    std::vector<UniqueFd> reserved_ports_;  // sockets holding the remote ports handed out

    OutboundPolicy policy_ = OutboundPolicy::packetdrill;
    Recording* recording_ = nullptr;
    std::vector<Mark> marks_;        // events as the run reached them (--strict, record)
    std::deque<Pending> pending_;    // record: packets of the socket under test no line took yet
    Micros last_unmentioned_time_ = 0;
};

}  // namespace pktdrill::run
