#include <catch2/catch.hpp>

#include <string.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "src/run/symbols.hpp"

using namespace pktdrill::run;

namespace {

std::vector<std::string> split_words(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::vector<std::string> words;
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

// The names of packetdrill's Linux symbol table (symbols_linux.c and the cross-platform part of
// script.c), errno names aside (the errno tests cover every one of those). Names only: the
// values must come from our own tables.
constexpr std::string_view packetdrill_names = R"(
    NULL AF_INET AF_INET6 AF_PACKET AF_UNSPEC PF_INET PF_INET6 SOCK_STREAM SOCK_DGRAM SOCK_RAW
    SOCK_NONBLOCK IPPROTO_IP IPPROTO_IPV6 IPPROTO_ICMP IPPROTO_ICMPV6 IPPROTO_TCP IPPROTO_UDP
    IPPROTO_MPTCP IPPROTO_RAW SHUT_RD SHUT_WR SHUT_RDWR SOL_SOCKET
    SOL_IP SOL_IPV6 SOL_TCP SOL_UDP
    SO_ACCEPTCONN SO_ATTACH_FILTER SO_BINDTODEVICE SO_BROADCAST SO_BSDCOMPAT SO_DEBUG
    SO_DETACH_FILTER SO_DONTROUTE SO_ERROR SO_KEEPALIVE SO_LINGER SO_MARK SO_NO_CHECK
    SO_OOBINLINE SO_PASSCRED SO_PEERCRED SO_PEERNAME SO_PEERSEC SO_PRIORITY SO_RCVBUF
    SO_RCVLOWAT SO_RCVTIMEO SO_REUSEADDR SO_REUSEPORT SO_SECURITY_AUTHENTICATION
    SO_SECURITY_ENCRYPTION_NETWORK SO_SECURITY_ENCRYPTION_TRANSPORT SO_SNDBUF SO_SNDLOWAT
    SO_SNDTIMEO SO_TIMESTAMP SO_TIMESTAMPING SO_TYPE SO_MAX_PACING_RATE SO_ZEROCOPY
    SO_EE_ORIGIN_TIMESTAMPING SO_EE_ORIGIN_ZEROCOPY SO_EE_CODE_ZEROCOPY_COPIED
    SOF_TIMESTAMPING_TX_HARDWARE SOF_TIMESTAMPING_TX_SOFTWARE SOF_TIMESTAMPING_RX_HARDWARE
    SOF_TIMESTAMPING_RX_SOFTWARE SOF_TIMESTAMPING_SOFTWARE SOF_TIMESTAMPING_SYS_HARDWARE
    SOF_TIMESTAMPING_RAW_HARDWARE SOF_TIMESTAMPING_OPT_ID SOF_TIMESTAMPING_TX_SCHED
    SOF_TIMESTAMPING_TX_ACK SOF_TIMESTAMPING_OPT_CMSG SOF_TIMESTAMPING_OPT_TSONLY
    SOF_TIMESTAMPING_OPT_STATS SOF_TIMESTAMPING_OPT_ID_TCP
    SCM_TIMESTAMPING SCM_TSTAMP_SND SCM_TSTAMP_SCHED SCM_TSTAMP_ACK SCM_TIMESTAMPING_OPT_STATS
    TCP_NLA_BUSY TCP_NLA_RWND_LIMITED TCP_NLA_SNDBUF_LIMITED TCP_NLA_DATA_SEGS_OUT
    TCP_NLA_TOTAL_RETRANS TCP_NLA_PACING_RATE TCP_NLA_DELIVERY_RATE TCP_NLA_SND_CWND
    TCP_NLA_REORDERING TCP_NLA_MIN_RTT TCP_NLA_RECUR_RETRANS TCP_NLA_DELIVERY_RATE_APP_LMT
    TCP_NLA_SNDQ_SIZE TCP_NLA_CA_STATE TCP_NLA_SND_SSTHRESH TCP_NLA_DELIVERED
    TCP_NLA_DELIVERED_CE TCP_NLA_BYTES_SENT TCP_NLA_BYTES_RETRANS TCP_NLA_DSACK_DUPS
    TCP_NLA_REORD_SEEN TCP_NLA_SRTT
    TCP_CA_OPEN TCP_CA_DISORDER TCP_CA_CWR TCP_CA_RECOVERY TCP_CA_LOSS TCP_INFINITE_SSTHRESH
    IP_TOS IP_MTU_DISCOVER IPV6_MTU_DISCOVER IP_PMTUDISC_WANT IP_PMTUDISC_DONT IP_PMTUDISC_DO
    IP_PMTUDISC_PROBE IP_RECVERR IPV6_RECVERR IP_FREEBIND IP_TTL IP_MTU IPV6_MTU IPV6_TCLASS
    IPV6_HOPLIMIT
    TCP_NODELAY TCP_MAXSEG TCP_CORK TCP_KEEPIDLE TCP_KEEPINTVL TCP_KEEPCNT TCP_SYNCNT
    TCP_LINGER2 TCP_DEFER_ACCEPT TCP_WINDOW_CLAMP TCP_INFO TCP_QUICKACK TCP_CONGESTION
    TCP_MD5SIG TCP_COOKIE_TRANSACTIONS TCP_THIN_LINEAR_TIMEOUTS TCP_THIN_DUPACK
    TCP_USER_TIMEOUT TCP_FASTOPEN TCP_FASTOPEN_CONNECT TCP_FASTOPEN_KEY TCP_FASTOPEN_NO_COOKIE
    TCP_TIMESTAMP TCP_NOTSENT_LOWAT TCP_INQ TCP_CM_INQ TCP_TX_DELAY
    O_RDONLY O_WRONLY O_RDWR O_ACCMODE O_CREAT O_EXCL O_NOCTTY O_TRUNC O_APPEND O_NONBLOCK
    F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL F_GETLK F_SETLK F_SETLKW F_GETOWN F_SETOWN
    F_SETSIG F_GETSIG F_SETLK64 F_SETLKW64 F_GETLK64 F_SETLEASE F_GETLEASE F_NOTIFY
    F_DUPFD_CLOEXEC FD_CLOEXEC LOCK_SH LOCK_EX LOCK_NB LOCK_UN F_RDLCK F_WRLCK F_UNLCK F_EXLCK
    F_SHLCK SEEK_SET SEEK_CUR SEEK_END
    MSG_OOB MSG_DONTROUTE MSG_PEEK MSG_CTRUNC MSG_PROXY MSG_EOR MSG_WAITALL MSG_TRUNC
    MSG_ERRQUEUE MSG_DONTWAIT MSG_CONFIRM MSG_FIN MSG_SYN MSG_RST MSG_NOSIGNAL MSG_MORE
    MSG_CMSG_CLOEXEC MSG_FASTOPEN MSG_ZEROCOPY
    SIOCINQ FIONREAD
    POLLIN POLLPRI POLLOUT POLLRDNORM POLLRDBAND POLLWRNORM POLLWRBAND POLLMSG POLLREMOVE
    POLLRDHUP POLLERR POLLHUP POLLNVAL
    CAP_EFFECTIVE CAP_PERMITTED CAP_INHERITABLE CAP_SET CAP_CLEAR
    CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID
    CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST
    CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO
    CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE
    CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE
    CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM
    CAP_BLOCK_SUSPEND
    EPOLLIN EPOLLPRI EPOLLOUT EPOLLRDNORM EPOLLRDBAND EPOLLWRNORM EPOLLWRBAND EPOLLMSG EPOLLERR
    EPOLLHUP EPOLLRDHUP EPOLLONESHOT EPOLLET EPOLLEXCLUSIVE EPOLL_CTL_ADD EPOLL_CTL_MOD
    EPOLL_CTL_DEL
    SPLICE_F_MOVE SPLICE_F_NONBLOCK SPLICE_F_MORE SPLICE_F_GIFT
)";

// --- the corpus check ------------------------------------------------------------------------

// Upper-case words a script passes to system calls. Everything else on the line is left out:
// `%{ }%` Python, backtick shell commands, "strings", comments, and packet lines (`<`/`>` after
// the time), whose words (`S.`, `TS`, `FO`) are packet syntax, not symbols.
std::set<std::string> syscall_words(std::istream& script) {
    static std::regex const packet_line(
        R"(^\s*[-+0-9.*~]+\s*(\.\.\.\s*[-+0-9.]+)?\s*[<>])");
    static std::regex const word(R"([A-Za-z0-9_]+)");
    static std::regex const upper_word(R"([A-Z][A-Z0-9_]+)");
    std::set<std::string> words;
    bool in_code = false, in_shell = false, in_comment = false;
    for (std::string line; std::getline(script, line);) {
        std::string kept;
        for (std::size_t i = 0; i < line.size(); ++i) {
            auto const rest = std::string_view(line).substr(i);
            if (in_code) {
                if (rest.starts_with("}%")) in_code = false, ++i;
            } else if (in_shell) {
                if (line[i] == '`') in_shell = false;
            } else if (in_comment) {
                if (rest.starts_with("*/")) in_comment = false, ++i;
            } else if (rest.starts_with("%{")) {
                in_code = true, ++i;
            } else if (rest.starts_with("/*")) {
                in_comment = true, ++i;
            } else if (rest.starts_with("//")) {
                break;
            } else if (line[i] == '`') {
                in_shell = true;
            } else if (line[i] == '"') {
                auto const end = line.find('"', i + 1);
                i = end == std::string::npos ? line.size() : end;
                kept += ' ';
            } else {
                kept += line[i];
            }
        }
        if (std::regex_search(kept, packet_line)) continue;
        for (std::sregex_iterator it(kept.begin(), kept.end(), word), end; it != end; ++it) {
            if (std::regex_match(it->str(), upper_word)) words.insert(it->str());
        }
    }
    return words;
}

// `-D NAME=VALUE` defines of the reference runs (reference-args.tsv). Their names are replaced
// before evaluation, like C macros, so they are not symbols; their values may be.
std::map<std::string, std::set<std::string>> corpus_defines(
    std::filesystem::path const& args_file) {
    std::map<std::string, std::set<std::string>> defines;
    std::ifstream in(args_file);
    static std::regex const define(R"(-D\s*([A-Za-z_][A-Za-z0-9_]*)=(\S+))");
    for (std::string line; std::getline(in, line);) {
        for (std::sregex_iterator it(line.begin(), line.end(), define), end; it != end; ++it) {
            defines[(*it)[1]].insert((*it)[2]);
        }
    }
    return defines;
}

}  // namespace

TEST_CASE("well-known constants have their Linux values") {
    CHECK(lookup_symbol("SOL_SOCKET") == 1);
    CHECK(lookup_symbol("SO_REUSEADDR") == 2);
    CHECK(lookup_symbol("TCP_NODELAY") == 1);
    CHECK(lookup_symbol("SOL_TCP") == 6);
    CHECK(lookup_symbol("IPPROTO_TCP") == 6);
    CHECK(lookup_symbol("SOL_IP") == 0);
    CHECK(lookup_symbol("SOL_IPV6") == 41);
    CHECK(lookup_symbol("AF_INET") == 2);
    CHECK(lookup_symbol("AF_INET6") == 10);
    CHECK(lookup_symbol("AF_UNSPEC") == 0);
    CHECK(lookup_symbol("SOCK_STREAM") == 1);
    CHECK(lookup_symbol("SOCK_NONBLOCK") == 04000);
    CHECK(lookup_symbol("SOCK_CLOEXEC") == 02000000);
    CHECK(lookup_symbol("O_RDWR") == 2);
    CHECK(lookup_symbol("O_NONBLOCK") == 04000);
    CHECK(lookup_symbol("O_LARGEFILE") == 0100000);
    CHECK(lookup_symbol("F_GETFL") == 3);
    CHECK(lookup_symbol("F_SETFL") == 4);
    CHECK(lookup_symbol("MSG_ZEROCOPY") == 0x4000000);
    CHECK(lookup_symbol("MSG_FASTOPEN") == 0x20000000);
    CHECK(lookup_symbol("MSG_ERRQUEUE") == 0x2000);
    CHECK(lookup_symbol("POLLIN") == 1);
    CHECK(lookup_symbol("POLLOUT") == 4);
    CHECK(lookup_symbol("EPOLLOUT") == 4);
    CHECK(lookup_symbol("EPOLLET") == 0x80000000LL);  // bit 31, not a negative int
    CHECK(lookup_symbol("EPOLL_CTL_ADD") == 1);
    CHECK(lookup_symbol("SIOCINQ") == 0x541B);
    CHECK(lookup_symbol("FIONREAD") == 0x541B);
    CHECK(lookup_symbol("SIOCOUTQ") == 0x5411);
    CHECK(lookup_symbol("SIOCOUTQNSD") == 0x894B);
    CHECK(lookup_symbol("SO_ZEROCOPY") == 60);
    CHECK(lookup_symbol("SO_TIMESTAMPING") == 37);
    CHECK(lookup_symbol("SCM_TIMESTAMPING") == 37);
    CHECK(lookup_symbol("SO_EE_ORIGIN_ZEROCOPY") == 5);
    CHECK(lookup_symbol("SO_EE_ORIGIN_TIMESTAMPING") == 4);
    CHECK(lookup_symbol("SO_EE_CODE_ZEROCOPY_COPIED") == 1);
    CHECK(lookup_symbol("TCP_NLA_BUSY") == 1);
    CHECK(lookup_symbol("TCP_NLA_SRTT") == 22);
    CHECK(lookup_symbol("TCP_CA_OPEN") == 0);
    CHECK(lookup_symbol("TCP_CA_LOSS") == 4);
    CHECK(lookup_symbol("TCP_INQ") == 36);
    CHECK(lookup_symbol("TCP_CM_INQ") == 36);
    CHECK(lookup_symbol("TCP_ZEROCOPY_RECEIVE") == 35);
    CHECK(lookup_symbol("TCP_TX_DELAY") == 37);
    CHECK(lookup_symbol("TCP_RTO_MAX_MS") == 44);
    CHECK(lookup_symbol("TCP_COOKIE_TRANSACTIONS") == 15);
    CHECK(lookup_symbol("TCP_INFINITE_SSTHRESH") == 0x7fffffff);
    CHECK(lookup_symbol("CAP_NET_ADMIN") == 12);
    CHECK(lookup_symbol("CAP_EFFECTIVE") == 0);
    CHECK(lookup_symbol("CAP_SET") == 1);
    CHECK(lookup_symbol("CAP_CLEAR") == 0);
    CHECK(lookup_symbol("EINPROGRESS") == 115);
    CHECK(lookup_symbol("EWOULDBLOCK") == 11);
    CHECK(lookup_symbol("NULL") == 0);
    CHECK(lookup_symbol("IPV6_FLOWINFO") == 11);  // linux/in6.h, not in glibc's headers
    CHECK(lookup_symbol("IPV6_FLOWLABEL_MGR") == 32);
    CHECK(lookup_symbol("IPV6_FLOWINFO_SEND") == 33);
    CHECK(lookup_symbol("IPV6_FLOWINFO_FLOWLABEL") == 0x000fffff);
}

TEST_CASE("every name of packetdrill's Linux table resolves") {
    for (auto const& name : split_words(packetdrill_names)) {
        INFO(name);
        CHECK(lookup_symbol(name).has_value());
    }
}

TEST_CASE("the symbol table is sorted, with each name once") {
    auto const all = all_symbols();
    INFO("symbols: " << all.size());
    CHECK(all.size() > 600);
    for (std::size_t i = 1; i < all.size(); ++i) {
        INFO(all[i - 1].name << " / " << all[i].name);
        CHECK(all[i - 1].name < all[i].name);
    }
    for (auto const& symbol : all) CHECK(lookup_symbol(symbol.name) == symbol.value);
}

TEST_CASE("unknown names give nullopt") {
    CHECK_FALSE(lookup_symbol("").has_value());
    CHECK_FALSE(lookup_symbol("FOO").has_value());
    CHECK_FALSE(lookup_symbol("SOL_SOCKE").has_value());
    CHECK_FALSE(lookup_symbol("SOL_SOCKETS").has_value());
    CHECK_FALSE(lookup_symbol("SOL_SOCKET ").has_value());
    CHECK_FALSE(lookup_symbol("AAAA").has_value());  // before the first name
    CHECK_FALSE(lookup_symbol("ZZZZ").has_value());  // after the last name
    // -D defines of the corpus are not symbols, and neither are the `%{ }%` constants.
    CHECK_FALSE(lookup_symbol("CMSG_LEVEL_IP").has_value());
    CHECK_FALSE(lookup_symbol("TCP_ESTABLISHED").has_value());
}

TEST_CASE("names are case-sensitive") {
    CHECK_FALSE(lookup_symbol("sol_socket").has_value());
    CHECK_FALSE(lookup_symbol("Sol_Socket").has_value());
    CHECK_FALSE(lookup_symbol("einprogress").has_value());
    CHECK_FALSE(lookup_symbol("null").has_value());
    // packetdrill's table spells the CA states in upper case; `%{ }%` code uses the kernel's.
    CHECK_FALSE(lookup_symbol("TCP_CA_Open").has_value());
    CHECK(lookup_code_constant("TCP_CA_Open") == 0);
    CHECK_FALSE(lookup_code_constant("TCP_CA_OPEN").has_value());
    CHECK_FALSE(errno_from_name("eagain").has_value());
}

TEST_CASE("errno names round-trip for every errno from 1 to 133") {
    for (int err = 1; err <= 133; ++err) {
        INFO("errno " << err);
        auto const name = errno_name(err);
        if (err == 41 || err == 58) {  // unused numbers on Linux
            CHECK(name.empty());
            continue;
        }
        REQUIRE_FALSE(name.empty());
        CHECK(errno_from_name(name) == err);
        CHECK(lookup_symbol(name) == err);
        CHECK(errno_description(err) == strerror(err));
    }
}

TEST_CASE("errno names are the canonical ones, aliases still resolve") {
    CHECK(errno_name(115) == "EINPROGRESS");
    CHECK(errno_name(11) == "EAGAIN");
    CHECK(errno_name(35) == "EDEADLK");
    CHECK(errno_name(95) == "EOPNOTSUPP");
    CHECK(errno_name(133) == "EHWPOISON");
    CHECK(errno_from_name("EWOULDBLOCK") == 11);
    CHECK(errno_from_name("EDEADLOCK") == 35);
    CHECK(errno_from_name("ENOTSUP") == 95);
}

TEST_CASE("unknown errno numbers and names") {
    CHECK(errno_name(0).empty());
    CHECK(errno_name(-1).empty());
    CHECK(errno_name(134).empty());
    CHECK(errno_name(512).empty());  // kernel-internal ERESTARTSYS never reaches user space
    CHECK_FALSE(errno_from_name("EPOLLIN").has_value());
    CHECK_FALSE(errno_from_name("SOL_SOCKET").has_value());
    CHECK_FALSE(errno_from_name("").has_value());
}

TEST_CASE("errno descriptions are strerror's text") {
    CHECK(errno_description(115) == "Operation now in progress");
    CHECK(errno_description(111) == "Connection refused");
    CHECK(errno_description(99999) == "Unknown error 99999");
    CHECK(errno_description(-5) == "Unknown error -5");
}

TEST_CASE("render_flags names poll events in bit order") {
    CHECK(render_flags(0, FlagSet::poll) == "0");
    CHECK(render_flags(*lookup_symbol("POLLIN"), FlagSet::poll) == "POLLIN");
    CHECK(render_flags(*lookup_symbol("POLLOUT") | *lookup_symbol("POLLIN"), FlagSet::poll) ==
          "POLLIN|POLLOUT");
    CHECK(render_flags(0x2019, FlagSet::poll) == "POLLIN|POLLERR|POLLHUP|POLLRDHUP");
}

TEST_CASE("render_flags prints unknown bits in hex") {
    CHECK(render_flags(0x100001, FlagSet::poll) == "POLLIN|0x100000");
    CHECK(render_flags(0x100000, FlagSet::poll) == "0x100000");
    CHECK(render_flags(0x80000000LL, FlagSet::msg) == "0x80000000");
}

TEST_CASE("render_flags names epoll events") {
    CHECK(render_flags(0, FlagSet::epoll) == "0");
    CHECK(render_flags(*lookup_symbol("EPOLLERR") | *lookup_symbol("EPOLLOUT"),
                       FlagSet::epoll) == "EPOLLOUT|EPOLLERR");
    CHECK(render_flags(*lookup_symbol("EPOLLIN") | *lookup_symbol("EPOLLET"), FlagSet::epoll) ==
          "EPOLLIN|EPOLLET");
    CHECK(render_flags(*lookup_symbol("EPOLLEXCLUSIVE"), FlagSet::epoll) == "EPOLLEXCLUSIVE");
}

TEST_CASE("render_flags names msg flags") {
    CHECK(render_flags(*lookup_symbol("MSG_ZEROCOPY") | *lookup_symbol("MSG_DONTWAIT"),
                       FlagSet::msg) == "MSG_DONTWAIT|MSG_ZEROCOPY");
    CHECK(render_flags(*lookup_symbol("MSG_ERRQUEUE"), FlagSet::msg) == "MSG_ERRQUEUE");
    CHECK(render_flags(*lookup_symbol("MSG_TRUNC") | *lookup_symbol("MSG_CTRUNC"),
                       FlagSet::msg) == "MSG_CTRUNC|MSG_TRUNC");
}

TEST_CASE("render_flags names file status flags with the access mode first") {
    CHECK(render_flags(0, FlagSet::file_status) == "0");
    CHECK(render_flags(0x802, FlagSet::file_status) == "O_RDWR|O_NONBLOCK");
    CHECK(render_flags(0x801, FlagSet::file_status) == "O_WRONLY|O_NONBLOCK");
    CHECK(render_flags(0x800, FlagSet::file_status) == "O_NONBLOCK");  // O_RDONLY is 0
    CHECK(render_flags(0x8002, FlagSet::file_status) == "O_RDWR|O_LARGEFILE");
    CHECK(render_flags(*lookup_symbol("O_SYNC"), FlagSet::file_status) == "O_SYNC");
    CHECK(render_flags(*lookup_symbol("O_DSYNC"), FlagSet::file_status) == "O_DSYNC");
    CHECK(render_flags(3, FlagSet::file_status) == "0x3");  // no access mode has the value 3
}

TEST_CASE("%{ }% constants: TCP states, CA states and tcpi_options bits") {
    CHECK(lookup_code_constant("TCP_ESTABLISHED") == 1);
    CHECK(lookup_code_constant("TCP_SYN_SENT") == 2);
    CHECK(lookup_code_constant("TCP_SYN_RECV") == 3);
    CHECK(lookup_code_constant("TCP_FIN_WAIT1") == 4);
    CHECK(lookup_code_constant("TCP_FIN_WAIT2") == 5);
    CHECK(lookup_code_constant("TCP_TIME_WAIT") == 6);
    CHECK(lookup_code_constant("TCP_CLOSE") == 7);
    CHECK(lookup_code_constant("TCP_CLOSE_WAIT") == 8);
    CHECK(lookup_code_constant("TCP_LAST_ACK") == 9);
    CHECK(lookup_code_constant("TCP_LISTEN") == 10);
    CHECK(lookup_code_constant("TCP_CLOSING") == 11);
    CHECK(lookup_code_constant("TCP_NEW_SYN_RECV") == 12);
    CHECK(lookup_code_constant("TCP_CA_Open") == 0);
    CHECK(lookup_code_constant("TCP_CA_Disorder") == 1);
    CHECK(lookup_code_constant("TCP_CA_CWR") == 2);
    CHECK(lookup_code_constant("TCP_CA_Recovery") == 3);
    CHECK(lookup_code_constant("TCP_CA_Loss") == 4);
    CHECK(lookup_code_constant("TCPI_OPT_TIMESTAMPS") == 1);
    CHECK(lookup_code_constant("TCPI_OPT_WSCALE") == 4);
    CHECK(lookup_code_constant("TCPI_OPT_ECN") == 8);
    CHECK(lookup_code_constant("TCPI_OPT_SYN_DATA") == 32);
    CHECK_FALSE(lookup_code_constant("tcpi_state").has_value());
    CHECK_FALSE(lookup_code_constant("SOL_SOCKET").has_value());

    auto const all = all_code_constants();
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i - 1].name < all[i].name);
}

TEST_CASE("SK_MEMINFO_* names are snapshot indices, not constants") {
    CHECK_FALSE(lookup_code_constant("SK_MEMINFO_RCVBUF").has_value());
    CHECK(sk_meminfo_index("SK_MEMINFO_RMEM_ALLOC") == 0u);
    CHECK(sk_meminfo_index("SK_MEMINFO_RCVBUF") == 1u);
    CHECK(sk_meminfo_index("SK_MEMINFO_WMEM_QUEUED") == 5u);
    CHECK(sk_meminfo_index("SK_MEMINFO_DROPS") == 8u);
    CHECK_FALSE(sk_meminfo_index("SK_MEMINFO_VARS").has_value());
    CHECK_FALSE(sk_meminfo_index("sk_meminfo_rcvbuf").has_value());
    CHECK(sk_meminfo_count() == 9u);
}

TEST_CASE("every upper-case word of the corpus's system calls resolves") {
    namespace fs = std::filesystem;
    fs::path const corpus = fs::path(PKTDRILL_SHARED_DIR) / "corpus" / "packetdrill";
    if (!fs::is_directory(corpus)) {
        WARN("skipped: no packetdrill corpus at " << corpus.string());
        return;
    }
    auto const defines = corpus_defines(corpus / "reference-args.tsv");

    std::set<std::string> words;
    std::size_t scripts = 0;
    for (auto const& entry : fs::recursive_directory_iterator(corpus)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".pkt") continue;
        std::ifstream in(entry.path());
        auto const found = syscall_words(in);
        words.insert(found.begin(), found.end());
        ++scripts;
    }
    INFO(scripts << " scripts, " << words.size() << " distinct words");
    // Guards against a scanner that silently finds nothing.
    REQUIRE(scripts > 100);
    REQUIRE(words.size() > 50);

    for (auto const& word : words) {
        INFO(word);
        if (auto define = defines.find(word); define != defines.end()) {
            // A -D name: its values (one per IP version) are what reach the symbol table.
            for (auto const& value : define->second) {
                INFO("-D " << word << "=" << value);
                if (std::regex_match(value, std::regex("[A-Z][A-Z0-9_]+"))) {
                    CHECK(lookup_symbol(value).has_value());
                }
            }
            continue;
        }
        CHECK(lookup_symbol(word).has_value());
    }
}
