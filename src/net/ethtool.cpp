#include "src/net/ethtool.hpp"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>

#include "src/base/error.hpp"
#include "src/base/unique_fd.hpp"

namespace pktdrill::net {

namespace {

// ethtool_link_settings ends in a flexible array of three bitmaps (supported, advertising,
// link-partner advertising) whose word count the kernel tells us; it cannot exceed SCHAR_MAX.
struct LinkSettingsBuffer {
    alignas(ethtool_link_settings) std::array<std::byte, sizeof(ethtool_link_settings) + 3 * SCHAR_MAX * sizeof(__u32)> bytes{};

    ethtool_link_settings header() const {
        ethtool_link_settings h;
        std::memcpy(&h, bytes.data(), sizeof h);
        return h;
    }
    void set_header(ethtool_link_settings const& h) { std::memcpy(bytes.data(), &h, sizeof h); }
};

class EthtoolSocket {
public:
    explicit EthtoolSocket(std::string_view device) : device_(device) {
        if (device.empty() || device.size() >= IFNAMSIZ) throw Error("bad network device name '" + device_ + "'");
        // Any socket reaches SIOCETHTOOL in its own namespace; AF_UNIX exists even without IPv4.
        fd_ = UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (!fd_) fd_ = UniqueFd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        if (!fd_) throw_system_error("ethtool: socket", errno);
    }

    // Returns 0 or the errno of the ioctl.
    int call(void* data) {
        ifreq ifr{};
        std::memcpy(ifr.ifr_name, device_.data(), device_.size());
        ifr.ifr_data = static_cast<char*>(data);
        return ::ioctl(fd_.get(), SIOCETHTOOL, &ifr) == 0 ? 0 : errno;
    }

    // Reads the current link settings (the two-step handshake that learns the bitmap size).
    LinkSettingsBuffer get_link_settings(std::string const& what) {
        LinkSettingsBuffer buffer;
        ethtool_link_settings h{};
        h.cmd = ETHTOOL_GLINKSETTINGS;
        buffer.set_header(h);
        if (int const err = call(buffer.bytes.data())) fail(what + " (ETHTOOL_GLINKSETTINGS)", err);
        h = buffer.header();
        // The kernel answers the size probe with the negated word count.
        if (h.link_mode_masks_nwords >= 0 || h.cmd != ETHTOOL_GLINKSETTINGS)
            throw Error(what + ": unexpected answer from ETHTOOL_GLINKSETTINGS on " + device_);
        auto const words = static_cast<__s8>(-h.link_mode_masks_nwords);
        h = ethtool_link_settings{};
        h.cmd = ETHTOOL_GLINKSETTINGS;
        h.link_mode_masks_nwords = words;
        buffer = LinkSettingsBuffer{};
        buffer.set_header(h);
        if (int const err = call(buffer.bytes.data())) fail(what + " (ETHTOOL_GLINKSETTINGS)", err);
        return buffer;
    }

    [[noreturn]] void fail(std::string const& what, int err) {
        throw_system_error("ethtool: " + what + " on " + device_, err);
    }

private:
    std::string device_;
    UniqueFd fd_;
};

}  // namespace

void set_link_speed(std::string_view device, std::uint32_t mbps) {
    EthtoolSocket ethtool(device);
    std::string const what = "cannot set link speed " + std::to_string(mbps) + " Mb/s";
    auto buffer = ethtool.get_link_settings(what);
    auto h = buffer.header();
    h.cmd = ETHTOOL_SLINKSETTINGS;
    h.speed = mbps;
    h.autoneg = AUTONEG_DISABLE;
    buffer.set_header(h);
    if (int const err = ethtool.call(buffer.bytes.data())) ethtool.fail(what + " (ETHTOOL_SLINKSETTINGS)", err);
}

std::uint32_t link_speed(std::string_view device) {
    EthtoolSocket ethtool(device);
    return ethtool.get_link_settings("cannot read link speed").header().speed;
}

}  // namespace pktdrill::net
