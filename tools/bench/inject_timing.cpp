// Benchmark: how precisely pktdrill injects packets on schedule.
//
// Runs a script of N inbound segments 1 ms apart (N = 200 unless given) and captures them as the
// kernel receives them on tun0, with the kernel's own receive timestamps. Reports the
// distribution of (actual − scheduled) over the segments, the schedule anchored at the first
// one, in microseconds. Needs root; runs in a network namespace of its own.
//
//   build/tools/bench/inject_timing [build/pktdrill] [N]

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(char const* what) {
    std::fprintf(stderr, "inject_timing: %s: %s\n", what, std::strerror(errno));
    std::exit(2);
}

long long ts_us(timespec const& t) { return static_cast<long long>(t.tv_sec) * 1'000'000 + t.tv_nsec / 1000; }

}  // namespace

int main(int argc, char** argv) {
    std::string const binary = argc > 1 ? argv[1] : "build/pktdrill";
    int const count = argc > 2 ? std::atoi(argv[2]) : 200;

    if (::unshare(CLONE_NEWNET) != 0) die("unshare(CLONE_NEWNET) (run as root)");

    // A capture socket on every device, opened before pktdrill creates tun0, sees its packets.
    int const cap = ::socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
    if (cap < 0) die("packet socket");
    int on = 1, buf = 8 << 20;
    ::setsockopt(cap, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    ::setsockopt(cap, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof buf);

    char path[] = "/tmp/pktdrill-inject-XXXXXX.pkt";
    int const fd = ::mkstemps(path, 4);
    if (fd < 0) die("mkstemps");
    ::close(fd);
    {
        std::ofstream s(path);
        s << "0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 bind(3, ..., ...) = 0\n+0 listen(3, 1) = 0\n";
        s << "+0 < S 0:0(0) win 32792\n";
        for (int i = 1; i < count; ++i) s << "+.001 < S 0:0(0) win 32792\n";
    }

    pid_t const child = ::fork();
    if (child < 0) die("fork");
    if (child == 0) {
        int const null = ::open("/dev/null", O_WRONLY);
        ::dup2(null, 1);
        ::execl(binary.c_str(), binary.c_str(), "--netns=current", path, static_cast<char*>(nullptr));
        ::_exit(127);
    }

    std::vector<long long> times;
    std::vector<unsigned char> packet(65536);
    char control[256];
    while (static_cast<int>(times.size()) < count) {
        iovec iov{packet.data(), packet.size()};
        sockaddr_ll from{};
        msghdr msg{};
        msg.msg_name = &from;
        msg.msg_namelen = sizeof from;
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        pollfd p{cap, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        ssize_t const n = ::recvmsg(cap, &msg, 0);
        if (n < 40) continue;
        // Injected segments arrive on tun0 as received traffic (PACKET_HOST): TCP SYNs.
        if (from.sll_pkttype != PACKET_HOST || packet[0] >> 4 != 4 || packet[9] != IPPROTO_TCP) continue;
        char name[IF_NAMESIZE] = {};
        if (!::if_indextoname(from.sll_ifindex, name) || std::string(name) != "tun0") continue;
        for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec t;
                std::memcpy(&t, CMSG_DATA(c), sizeof t);
                times.push_back(ts_us(t));
            }
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ::unlink(path);
    if (static_cast<int>(times.size()) < count) {
        std::fprintf(stderr, "inject_timing: captured %zu of %d segments (pktdrill exit status %d)\n", times.size(),
                     count, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 1;
    }

    std::vector<long long> error;
    for (int i = 0; i < count; ++i) error.push_back(times[i] - (times[0] + 1000LL * i));
    std::vector<long long> abs_error = error;
    for (auto& e : abs_error) e = std::llabs(e);
    std::sort(abs_error.begin(), abs_error.end());
    auto pct = [&](double q) { return abs_error[static_cast<std::size_t>(std::ceil(q * (count - 1)))]; };
    long long const min = *std::min_element(error.begin(), error.end());
    long long const max = *std::max_element(error.begin(), error.end());
    std::printf("segments: %d, 1 ms apart\n", count);
    std::printf("|actual - scheduled| p50: %lld us  p99: %lld us  max: %lld us\n", pct(0.5), pct(0.99),
                abs_error.back());
    std::printf("actual - scheduled range: %lld .. %lld us\n", min, max);
    return 0;
}
