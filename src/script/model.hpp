#pragma once
// The typed script model: what a packetdrill script means, checked and resolved, ready to run.
//
// Built from the parse tree by build.cpp, printed back in script syntax by render.cpp. Numbers
// are range-checked and converted, times are in microseconds, TCP flags and options are typed,
// and struct-like braces are recognised (msghdr, pollfd, ...). Every event and expression keeps
// the source location it came from, for run-time errors that point at the script.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "src/base/source_location.hpp"

namespace pktdrill::script {

using Micros = std::int64_t;

// A heap cell with value semantics, for the recursive parts of the model.
template <typename T>
class Box {
public:
    Box() : p_(std::make_unique<T>()) {}
    Box(T value) : p_(std::make_unique<T>(std::move(value))) {}
    Box(Box const& other) : p_(std::make_unique<T>(*other.p_)) {}
    Box(Box&&) noexcept = default;
    Box& operator=(Box const& other) {
        if (this != &other) p_ = std::make_unique<T>(*other.p_);
        return *this;
    }
    Box& operator=(Box&&) noexcept = default;
    T& operator*() { return *p_; }
    T const& operator*() const { return *p_; }
    T* operator->() { return p_.get(); }
    T const* operator->() const { return p_.get(); }
    friend bool operator==(Box const& a, Box const& b) { return *a.p_ == *b.p_; }

private:
    std::unique_ptr<T> p_;
};

// ---------------------------------------------------------------------------------------------
// Time

enum class TimeKind {
    absolute,        // 0.100
    relative,        // +0.100
    any,             // *              (outbound packets only)
    absolute_range,  // 0.1~0.3        (outbound packets only)
    relative_range,  // +0.1~+0.3      (outbound packets only)
};

struct TimeSpec {
    TimeKind kind = TimeKind::absolute;
    Micros start = 0;
    Micros end = 0;  // ranges only
    friend bool operator==(TimeSpec const&, TimeSpec const&) = default;
};

// ---------------------------------------------------------------------------------------------
// Expressions (system-call arguments and results)

struct Expr;

struct Ellipsis {
    friend bool operator==(Ellipsis const&, Ellipsis const&) = default;
};

struct Integer {
    std::int64_t value = 0;
    bool hex = false;  // written 0x...; rendered back the same way
    friend bool operator==(Integer const&, Integer const&) = default;
};

// A bare word: a Linux constant resolved at run time (SOL_SOCKET), or a field name on the left of
// an assignment inside braces.
struct Symbol {
    std::string name;
    friend bool operator==(Symbol const&, Symbol const&) = default;
};

struct String {
    std::string bytes;
    bool trailing_ellipsis = false;
    friend bool operator==(String const&, String const&) = default;
};

// [a, b, c]
struct List {
    std::vector<Expr> items;
    friend bool operator==(List const&, List const&) = default;
};

// {a, b, c} that is none of the recognised structs (NLA expectations such as {TCP_NLA_BUSY=0}).
struct Braced {
    std::vector<Expr> items;
    friend bool operator==(Braced const&, Braced const&) = default;
};

// a | b, or NAME = value (NLA lists)
struct Binary {
    char op = '|';
    Box<Expr> lhs;
    Box<Expr> rhs;
    friend bool operator==(Binary const&, Binary const&) = default;
};

// {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("192.0.2.1")}
struct Sockaddr {
    std::string family;  // AF_INET | AF_INET6
    std::uint16_t port = 0;
    std::string address;
    friend bool operator==(Sockaddr const&, Sockaddr const&) = default;
};

// {..., 1000}
struct Iovec {
    Box<Expr> base;  // always ...
    Box<Expr> length;
    friend bool operator==(Iovec const&, Iovec const&) = default;
};

// {msg_name(...)=..., msg_iov(1)=[{..., 1000}], msg_flags=0, msg_control=[...]}
struct Msghdr {
    Box<Expr> iov_count;
    Box<Expr> iov;  // a List of Iovec
    Box<Expr> flags;
    std::optional<Box<Expr>> control;  // a List of Cmsg
    friend bool operator==(Msghdr const&, Msghdr const&) = default;
};

// {cmsg_level=SOL_IP, cmsg_type=IP_RECVERR, cmsg_data=...}
struct Cmsg {
    Box<Expr> level;
    Box<Expr> type;
    Box<Expr> data;
    friend bool operator==(Cmsg const&, Cmsg const&) = default;
};

// {fd=4, events=POLLIN, revents=POLLIN}
struct Pollfd {
    Box<Expr> fd;
    Box<Expr> events;
    Box<Expr> revents;  // 0 when not written
    friend bool operator==(Pollfd const&, Pollfd const&) = default;
};

// {events=EPOLLIN, fd=4} (or ptr=, u32=, u64=)
struct EpollEvent {
    Box<Expr> events;
    std::string data_field;  // fd | ptr | u32 | u64
    Box<Expr> data;
    friend bool operator==(EpollEvent const&, EpollEvent const&) = default;
};

// {onoff=1, linger=0}
struct Linger {
    Box<Expr> onoff;
    Box<Expr> linger;
    friend bool operator==(Linger const&, Linger const&) = default;
};

// {scm_sec=S, scm_nsec=N}
struct ScmTimestamping {
    std::int64_t sec = 0;
    std::int64_t nsec = 0;
    friend bool operator==(ScmTimestamping const&, ScmTimestamping const&) = default;
};

// {ee_errno=.., ee_origin=.., ee_type=.., ee_code=.., ee_info=.., ee_data=..}
struct SockExtendedErr {
    Box<Expr> ee_errno, origin, type, code, info, data;
    friend bool operator==(SockExtendedErr const&, SockExtendedErr const&) = default;
};

// inet6_addr("::1")
struct In6Addr {
    std::array<std::uint8_t, 16> bytes{};
    std::string text;
    friend bool operator==(In6Addr const&, In6Addr const&) = default;
};

struct MplsEntry {
    std::uint32_t label = 0;       // 20 bits
    std::uint8_t traffic_class = 0;  // 3 bits
    bool bottom_of_stack = false;
    std::uint8_t ttl = 0;
    friend bool operator==(MplsEntry const&, MplsEntry const&) = default;
};

struct MplsStack {
    std::vector<MplsEntry> entries;
    friend bool operator==(MplsStack const&, MplsStack const&) = default;
};

struct GreHeader {
    std::uint16_t flags = 0;   // C, K, S bits and version, as on the wire
    bool flags_as_list = true; // written as [checksum present, ...] rather than a number
    std::uint16_t sum = 0;
    std::uint16_t offset = 0;
    std::uint32_t key = 0;
    std::uint32_t seq = 0;
    friend bool operator==(GreHeader const&, GreHeader const&) = default;
};

using ExprValue = std::variant<Ellipsis, Integer, Symbol, String, List, Braced, Binary, Sockaddr,
                               Iovec, Msghdr, Cmsg, Pollfd, EpollEvent, Linger, ScmTimestamping,
                               SockExtendedErr, In6Addr, MplsStack, GreHeader>;

struct Expr {
    ExprValue value;
    SourceLocation where;
    friend bool operator==(Expr const& a, Expr const& b) { return a.value == b.value; }
};

// ---------------------------------------------------------------------------------------------
// Packets

enum class Direction { inbound, outbound };

// What an IP info bracket asks for the TOS / traffic class byte.
enum class TosCheck { none, ecn, ect01, tos };

enum class Ecn : std::uint8_t { not_ect = 0, ect1 = 1, ect0 = 2, ce = 3 };

struct IpInfo {
    TosCheck tos_check = TosCheck::none;
    std::uint8_t tos = 0;  // the ECN codepoint (ecn) or the whole byte (tos)
    std::optional<std::uint32_t> flow_label;
    std::optional<std::uint8_t> ttl;
    friend bool operator==(IpInfo const&, IpInfo const&) = default;
};

struct OuterIp {
    bool ipv6 = false;
    IpInfo info;
    std::string src;
    std::string dst;
    friend bool operator==(OuterIp const&, OuterIp const&) = default;
};

using Encapsulation = std::variant<OuterIp, GreHeader, MplsStack>;

namespace tcp_flag {
inline constexpr std::uint16_t fin = 0x001, syn = 0x002, rst = 0x004, psh = 0x008, ack = 0x010,
                               urg = 0x020, ece = 0x040, cwr = 0x080, ae = 0x100;
}

struct TcpFlags {
    std::uint16_t bits = 0;        // tcp_flag::* (for ACE: the AE/CWR/ECE bits it implies too)
    std::optional<std::uint8_t> ace;  // AccECN counter digit 0-7 (S.5, .2)
    friend bool operator==(TcpFlags const&, TcpFlags const&) = default;
};

struct SackBlock {
    std::uint32_t left = 0;
    std::uint32_t right = 0;
    friend bool operator==(SackBlock const&, SackBlock const&) = default;
};

namespace tcp_option {
struct Nop { friend bool operator==(Nop const&, Nop const&) = default; };
struct Eol { friend bool operator==(Eol const&, Eol const&) = default; };
struct Mss { std::uint16_t value = 0; friend bool operator==(Mss const&, Mss const&) = default; };
struct WindowScale { std::uint8_t shift = 0; friend bool operator==(WindowScale const&, WindowScale const&) = default; };
struct SackPermitted { friend bool operator==(SackPermitted const&, SackPermitted const&) = default; };
struct Sack { std::vector<SackBlock> blocks; friend bool operator==(Sack const&, Sack const&) = default; };
struct Timestamp {
    std::uint32_t val = 0;
    std::uint32_t ecr = 0;
    friend bool operator==(Timestamp const&, Timestamp const&) = default;
};
struct FastOpen {
    bool experimental = false;  // FOEXP: kind 254 with magic 0xF989
    std::vector<std::uint8_t> cookie;
    friend bool operator==(FastOpen const&, FastOpen const&) = default;
};
struct Md5 { std::vector<std::uint8_t> digest; friend bool operator==(Md5 const&, Md5 const&) = default; };
// google's `ECN e0b N ceb N e1b N`: kind 172 when e0b comes first, 174 when e1b does.
struct AccEcn {
    bool order1 = false;  // kind 174
    std::vector<std::pair<std::string, std::uint32_t>> fields;  // in the order written (24-bit values)
    friend bool operator==(AccEcn const&, AccEcn const&) = default;
};
}  // namespace tcp_option

using TcpOption = std::variant<tcp_option::Nop, tcp_option::Eol, tcp_option::Mss, tcp_option::WindowScale,
                               tcp_option::SackPermitted, tcp_option::Sack, tcp_option::Timestamp,
                               tcp_option::FastOpen, tcp_option::Md5, tcp_option::AccEcn>;

// Encoded size in bytes, as on the wire (what the 4-byte padding rule counts).
std::size_t wire_size(TcpOption const& option);

struct Ports {
    std::uint16_t src = 0;
    std::uint16_t dst = 0;
    friend bool operator==(Ports const&, Ports const&) = default;
};

struct TcpSegment {
    std::optional<Ports> ports;
    TcpFlags flags;
    std::uint32_t seq = 0;  // start of the range
    std::uint16_t length = 0;
    std::optional<std::uint32_t> ack;    // written; absent means 0 on the wire
    std::optional<std::uint16_t> window; // absent: not checked (outbound only)
    std::optional<std::uint16_t> urgent;
    // nullopt: `<...>` (outbound only, options not checked). An empty list: no options.
    std::optional<std::vector<TcpOption>> options = std::vector<TcpOption>{};
    friend bool operator==(TcpSegment const&, TcpSegment const&) = default;
};

struct UdpDatagram {
    std::optional<Ports> ports;
    std::uint16_t length = 0;
    friend bool operator==(UdpDatagram const&, UdpDatagram const&) = default;
};

struct IcmpEchoed {
    enum class Protocol { tcp, udp, raw } protocol = Protocol::tcp;
    std::uint32_t seq = 0;     // tcp: start of the echoed range
    std::uint16_t length = 0;  // payload bytes of the echoed datagram
    friend bool operator==(IcmpEchoed const&, IcmpEchoed const&) = default;
};

struct IcmpMessage {
    bool ipv6 = false;  // the family the names were resolved for (follows --ip_version)
    std::string type_name;
    std::string code_name;  // empty: not written
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::optional<std::uint32_t> mtu;
    std::optional<std::uint16_t> echo_id;
    std::optional<IcmpEchoed> echoed;
    friend bool operator==(IcmpMessage const&, IcmpMessage const&) = default;
};

using Transport = std::variant<TcpSegment, UdpDatagram, IcmpMessage>;

struct Packet {
    Direction direction = Direction::inbound;
    std::vector<Encapsulation> encapsulations;
    IpInfo ip;
    std::optional<std::uint32_t> psp_spi;
    Transport transport;
    friend bool operator==(Packet const&, Packet const&) = default;
};

// ---------------------------------------------------------------------------------------------
// System calls, commands, code

struct Syscall {
    std::string name;
    std::vector<Expr> args;
    Expr result;
    std::optional<std::string> errno_name;
    std::optional<std::string> errno_note;
    std::optional<std::string> note;
    std::optional<Micros> end;  // blocking call: start...end, in the same base as the start
    friend bool operator==(Syscall const&, Syscall const&) = default;
};

struct Command {
    std::string text;
    friend bool operator==(Command const&, Command const&) = default;
};

struct Code {
    std::string text;
    friend bool operator==(Code const&, Code const&) = default;
};

using Action = std::variant<Packet, Syscall, Command, Code>;

struct Event {
    SourceLocation where;  // where the event's time starts
    TimeSpec time;
    Action action;
    // Equality is about meaning: the same event written elsewhere is the same event.
    friend bool operator==(Event const& a, Event const& b) {
        return a.time == b.time && a.action == b.action;
    }
};

// ---------------------------------------------------------------------------------------------
// The script

struct OptionSetting {
    std::string name;
    std::optional<std::string> value;
    SourceLocation where;
    friend bool operator==(OptionSetting const& a, OptionSetting const& b) {
        return a.name == b.name && a.value == b.value;
    }
};

struct UntimedCommand {
    std::string text;
    SourceLocation where;
    friend bool operator==(UntimedCommand const& a, UntimedCommand const& b) { return a.text == b.text; }
};

struct Script {
    std::string path;
    std::vector<OptionSetting> options;
    std::optional<UntimedCommand> init_command;
    std::optional<UntimedCommand> cleanup_command;
    std::vector<Event> events;
    friend bool operator==(Script const& a, Script const& b) {
        return a.options == b.options && a.init_command == b.init_command &&
               a.cleanup_command == b.cleanup_command && a.events == b.events;
    }
};

// What kind of event this is, in the words --dump and --verbose print.
char const* event_kind(Event const& e);

}  // namespace pktdrill::script
