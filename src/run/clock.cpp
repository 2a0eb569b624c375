#include "src/run/clock.hpp"

namespace pktdrill::run {

void wait_until(Micros deadline) noexcept {
    for (;;) {
        Micros const left = deadline - now_us();
        if (left <= 0) return;
        if (left > spin_margin_us) {
            Micros const sleep = left - spin_margin_us;
            timespec ts{static_cast<time_t>(sleep / 1'000'000), static_cast<long>(sleep % 1'000'000) * 1000};
            ::nanosleep(&ts, nullptr);
            continue;
        }
        while (now_us() < deadline) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        }
        return;
    }
}

}  // namespace pktdrill::run
