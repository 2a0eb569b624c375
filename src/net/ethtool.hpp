#pragma once
// The link speed a device reports, through the ethtool ioctl (what `ethtool -s DEV speed N
// autoneg off` does). Some TCP code reads it (packetdrill's --speed), and the TUN driver keeps
// whatever it is told.

#include <cstdint>
#include <string_view>

namespace pktdrill::net {

// Sets the speed in Mb/s and turns autonegotiation off. Throws pktdrill::Error naming the device
// if the driver refuses (e.g. "Operation not supported").
void set_link_speed(std::string_view device, std::uint32_t mbps);

// The speed in Mb/s the device reports (SPEED_UNKNOWN is 0xffffffff).
std::uint32_t link_speed(std::string_view device);

}  // namespace pktdrill::net
