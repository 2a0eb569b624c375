#pragma once
// --states: the TCP state of every socket in the run's namespace, read through sock_diag after
// each event, printed as a timeline aligned with the script (line, time, event, and for each
// socket that changed its fd, addresses and `OLD -> NEW`), then the table netstat -tan would
// show, printed while the run's sockets are still open (also after a failure or a Ctrl-C).
//
// When states are read. After every event (with ctx.mutex held, so the fd table can name the
// sockets); and when the kernel sends a SYN, FIN or RST, because those mark changes that happen
// while the script waits: a connect() blocked in SYN_SENT, a FIN retransmitted during a long
// `sleep`. Changes seen between two events are printed at once, under the event in progress,
// each with the time it was seen. Inbound packets need no read of their own: each is an event.
//
// Which socket is which. A socket is known by its addresses (the kernel changes the object
// behind them: a request socket becomes a full one, a closed one a TIME_WAIT one), and named by
// the script fd whose file has its inode. A socket that lost its fd in this change (close())
// keeps the fd it had in that row; after that it shows "-", as netstat -p shows an orphan.

#include <cstdint>
#include <exception>
#include <iosfwd>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "src/net/sock_diag.hpp"
#include "src/report/state_table.hpp"
#include "src/run/observer.hpp"

namespace pktdrill::run {

class StateObserver : public RunObserver {
public:
    explicit StateObserver(std::ostream& out) : out_(out) {}

    void network_ready(RunContext& ctx) override;
    void event_done(RunContext& ctx, script::Event const& event, EventTiming const& timing) override;
    void packet(RunContext& ctx, bool inbound, std::span<std::uint8_t const> ip_packet, Micros script_time) override;
    void before_teardown(RunContext& ctx, RunVerdict verdict) override;

    // One socket as last read.
    struct Seen {
        net::TcpSocketInfo info;
        int fd = -1;  // the script fd whose file is this socket, -1 if none
    };

    // The building blocks, public for the benchmark and the tests. Opens sock_diag in the calling
    // thread's namespace and takes the baseline (what exists is not a change).
    void start();
    // Names sockets by script fd: the inodes of the script's open socket fds.
    void map_fds(RunContext const& ctx);
    // Reads the states and queues what changed since the last read, seen at `time`.
    void read_states(Micros time);
    // The changes queued since the last call, as the timeline shows them.
    std::vector<report::StateChange> take_changes();
    std::vector<Seen> const& sockets() const noexcept { return current_; }
    // The final table's rows for the sockets as last read.
    std::vector<report::StateRow> table() const;

private:
    struct Change {
        Micros time = 0;
        Seen socket;
        std::optional<std::uint8_t> from;  // nothing: the socket was not in the kernel's tables
        std::optional<std::uint8_t> to;    // nothing: it is gone
    };

    // Prints the event at `index` (the one in progress if the run did not get past it) with the
    // changes queued meanwhile.
    void print_event(RunContext const& ctx, std::size_t index, Micros done, std::string const& note);
    void disable(std::exception const& e);

    std::ostream& out_;
    bool enabled_ = true;
    std::optional<net::SockDiag> diag_;
    std::optional<report::Timeline> timeline_;
    std::vector<net::TcpSocketInfo> dump_;  // reused between reads
    std::vector<Seen> current_;
    std::vector<Seen> previous_;
    std::vector<Change> changes_;
    std::unordered_map<std::uint64_t, int> fd_by_inode_;
    std::size_t next_event_ = 0;  // index of the event in progress
    bool shown_ = false;          // its row is printed already (changes seen while it ran)
};

}  // namespace pktdrill::run
