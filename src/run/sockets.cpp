#include "src/run/sockets.hpp"

#include <netinet/in.h>

namespace pktdrill::run {

bool Socket::is_tcp() const noexcept { return protocol == IPPROTO_TCP; }

Socket& Sockets::create() {
    auto s = std::make_unique<Socket>();
    s->id = static_cast<int>(all_.size()) + 1;
    all_.push_back(std::move(s));
    return *all_.back();
}

FdEntry& FdTable::add(int script_fd, int live_fd, FdKind kind, Socket* socket) {
    entries_.push_back(FdEntry{script_fd, live_fd, kind, socket, true});
    return entries_.back();
}

FdEntry* FdTable::find(int script_fd) noexcept {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
        if (it->open && it->script_fd == script_fd) return &*it;
    return nullptr;
}

FdEntry const* FdTable::find(int script_fd) const noexcept {
    return const_cast<FdTable*>(this)->find(script_fd);
}

FdEntry* FdTable::find_live(int live_fd) noexcept {
    for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
        if (it->open && it->live_fd == live_fd) return &*it;
    return nullptr;
}

void FdTable::remove(int script_fd) noexcept {
    if (FdEntry* e = find(script_fd)) e->open = false;
}

}  // namespace pktdrill::run
