#include "src/script/model.hpp"

namespace pktdrill::script {

std::size_t wire_size(TcpOption const& option) {
    namespace o = tcp_option;
    struct Size {
        std::size_t operator()(o::Nop const&) const { return 1; }
        std::size_t operator()(o::Eol const&) const { return 1; }
        std::size_t operator()(o::Mss const&) const { return 4; }
        std::size_t operator()(o::WindowScale const&) const { return 3; }
        std::size_t operator()(o::SackPermitted const&) const { return 2; }
        std::size_t operator()(o::Sack const& s) const { return 2 + 8 * s.blocks.size(); }
        std::size_t operator()(o::Timestamp const&) const { return 10; }
        std::size_t operator()(o::FastOpen const& f) const { return (f.experimental ? 4 : 2) + f.cookie.size(); }
        std::size_t operator()(o::Md5 const& m) const { return 2 + m.digest.size(); }
        std::size_t operator()(o::AccEcn const& a) const { return 2 + 3 * a.fields.size(); }
    };
    return std::visit(Size{}, option);
}

char const* event_kind(Event const& e) {
    if (auto const* p = std::get_if<Packet>(&e.action))
        return p->direction == Direction::inbound ? "inbound" : "outbound";
    if (std::holds_alternative<Syscall>(e.action)) return "syscall";
    if (std::holds_alternative<Command>(e.action)) return "command";
    return "code";
}

}  // namespace pktdrill::script
