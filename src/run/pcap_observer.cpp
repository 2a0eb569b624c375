#include "src/run/pcap_observer.hpp"

#include <time.h>

#include <algorithm>

#include "src/run/run_context.hpp"

namespace pktdrill::run {

namespace {

Micros clock_us(clockid_t clock) noexcept {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<Micros>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

}  // namespace

void PcapObserver::packet(RunContext& ctx, bool, std::span<std::uint8_t const> ip_packet, Micros script_time) {
    // The offset is measured per packet, never cached: the wall clock may be stepped during a
    // long run. Its microsecond rounding wobbles, so the order is kept on the final value.
    Micros const wall =
        std::max(ctx.live_time(script_time) + (clock_us(CLOCK_REALTIME) - clock_us(CLOCK_MONOTONIC)), last_);
    last_ = wall;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(wall / 1'000'000);
    tv.tv_usec = static_cast<suseconds_t>(wall % 1'000'000);
    writer_.write(ip_packet, tv);
}

}  // namespace pktdrill::run
