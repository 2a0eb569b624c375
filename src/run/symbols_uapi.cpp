// Script constants whose values come from the kernel's uapi headers (linux-libc-dev). This
// translation unit must not include glibc's network or fcntl headers: <linux/tcp.h> clashes with
// <netinet/tcp.h> and <linux/fcntl.h> with <fcntl.h>.
//
// Names newer than Debian 12's headers (Linux 6.1) but present in the kernels pktdrill runs on
// are taken from the header when it has them and otherwise given by value, citing the kernel
// header that defines them.

// <linux/errqueue.h> uses struct timespec without declaring it; glibc's <time.h> clashes with
// none of the uapi headers below.
#include <time.h>

#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/fcntl.h>
#include <linux/in6.h>
#include <linux/net_tstamp.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <linux/tls.h>

#include "src/run/symbols_tables.hpp"

namespace pktdrill::run::detail {
namespace {

#define SYM(name) Symbol{#name, static_cast<std::int64_t>(name)}

constexpr Symbol uapi_table[] = {
    // SOL_TCP options. glibc's <netinet/tcp.h> stops at TCP_INQ; the kernel header is complete.
    SYM(TCP_NODELAY), SYM(TCP_MAXSEG), SYM(TCP_CORK), SYM(TCP_KEEPIDLE), SYM(TCP_KEEPINTVL),
    SYM(TCP_KEEPCNT), SYM(TCP_SYNCNT), SYM(TCP_LINGER2), SYM(TCP_DEFER_ACCEPT),
    SYM(TCP_WINDOW_CLAMP), SYM(TCP_INFO), SYM(TCP_QUICKACK), SYM(TCP_CONGESTION),
    SYM(TCP_MD5SIG), SYM(TCP_THIN_LINEAR_TIMEOUTS), SYM(TCP_THIN_DUPACK), SYM(TCP_USER_TIMEOUT),
    SYM(TCP_REPAIR), SYM(TCP_REPAIR_QUEUE), SYM(TCP_QUEUE_SEQ), SYM(TCP_REPAIR_OPTIONS),
    SYM(TCP_FASTOPEN), SYM(TCP_TIMESTAMP), SYM(TCP_NOTSENT_LOWAT), SYM(TCP_CC_INFO),
    SYM(TCP_SAVE_SYN), SYM(TCP_SAVED_SYN), SYM(TCP_REPAIR_WINDOW), SYM(TCP_FASTOPEN_CONNECT),
    SYM(TCP_ULP), SYM(TCP_MD5SIG_EXT), SYM(TCP_FASTOPEN_KEY), SYM(TCP_FASTOPEN_NO_COOKIE),
    SYM(TCP_ZEROCOPY_RECEIVE), SYM(TCP_INQ), SYM(TCP_CM_INQ), SYM(TCP_TX_DELAY),
#ifdef TCP_AO_ADD_KEY
    SYM(TCP_AO_ADD_KEY), SYM(TCP_AO_DEL_KEY), SYM(TCP_AO_INFO), SYM(TCP_AO_GET_KEYS),
    SYM(TCP_AO_REPAIR),
#else
    // include/uapi/linux/tcp.h (TCP-AO).
    Symbol{"TCP_AO_ADD_KEY", 38}, Symbol{"TCP_AO_DEL_KEY", 39}, Symbol{"TCP_AO_INFO", 40},
    Symbol{"TCP_AO_GET_KEYS", 41}, Symbol{"TCP_AO_REPAIR", 42},
#endif
#ifdef TCP_IS_MPTCP
    SYM(TCP_IS_MPTCP),
#else
    Symbol{"TCP_IS_MPTCP", 43},  // include/uapi/linux/tcp.h
#endif
#ifdef TCP_RTO_MAX_MS
    SYM(TCP_RTO_MAX_MS),
#else
    Symbol{"TCP_RTO_MAX_MS", 44},  // include/uapi/linux/tcp.h
#endif
#ifdef TCP_RTO_MIN_US
    SYM(TCP_RTO_MIN_US),
#else
    Symbol{"TCP_RTO_MIN_US", 45},  // include/uapi/linux/tcp.h
#endif
#ifdef TCP_DELACK_MAX_US
    SYM(TCP_DELACK_MAX_US),
#else
    Symbol{"TCP_DELACK_MAX_US", 46},  // include/uapi/linux/tcp.h
#endif
    // Values of TCP_REPAIR and TCP_REPAIR_QUEUE, and TCP_MD5SIG_EXT's fields.
    SYM(TCP_REPAIR_ON), SYM(TCP_REPAIR_OFF), SYM(TCP_REPAIR_OFF_NO_WP), SYM(TCP_NO_QUEUE),
    SYM(TCP_RECV_QUEUE), SYM(TCP_SEND_QUEUE), SYM(TCP_MD5SIG_MAXKEYLEN),
    SYM(TCP_MD5SIG_FLAG_PREFIX), SYM(TCP_MD5SIG_FLAG_IFINDEX),
    SYM(TCP_RECEIVE_ZEROCOPY_FLAG_TLB_CLEAN_HINT),

    // packetdrill names tcpi_snd_ssthresh's "infinite" value; it is kernel-internal
    // (include/net/tcp.h: #define TCP_INFINITE_SSTHRESH 0x7fffffff).
    Symbol{"TCP_INFINITE_SSTHRESH", 0x7fffffff},

    // Congestion-avoidance states as packetdrill's table spells them (upper case), for
    // TCP_NLA_CA_STATE expectations. `%{ }%` code uses the kernel's TCP_CA_Open spelling instead
    // (lookup_code_constant).
    Symbol{"TCP_CA_OPEN", TCP_CA_Open}, Symbol{"TCP_CA_DISORDER", TCP_CA_Disorder},
    Symbol{"TCP_CA_CWR", TCP_CA_CWR}, Symbol{"TCP_CA_RECOVERY", TCP_CA_Recovery},
    Symbol{"TCP_CA_LOSS", TCP_CA_Loss},

    // Netlink attribute ids of SCM_TIMESTAMPING_OPT_STATS, for `{TCP_NLA_BUSY=..., ...}` lists.
    SYM(TCP_NLA_PAD), SYM(TCP_NLA_BUSY), SYM(TCP_NLA_RWND_LIMITED), SYM(TCP_NLA_SNDBUF_LIMITED),
    SYM(TCP_NLA_DATA_SEGS_OUT), SYM(TCP_NLA_TOTAL_RETRANS), SYM(TCP_NLA_PACING_RATE),
    SYM(TCP_NLA_DELIVERY_RATE), SYM(TCP_NLA_SND_CWND), SYM(TCP_NLA_REORDERING),
    SYM(TCP_NLA_MIN_RTT), SYM(TCP_NLA_RECUR_RETRANS), SYM(TCP_NLA_DELIVERY_RATE_APP_LMT),
    SYM(TCP_NLA_SNDQ_SIZE), SYM(TCP_NLA_CA_STATE), SYM(TCP_NLA_SND_SSTHRESH),
    SYM(TCP_NLA_DELIVERED), SYM(TCP_NLA_DELIVERED_CE), SYM(TCP_NLA_BYTES_SENT),
    SYM(TCP_NLA_BYTES_RETRANS), SYM(TCP_NLA_DSACK_DUPS), SYM(TCP_NLA_REORD_SEEN),
    SYM(TCP_NLA_SRTT), SYM(TCP_NLA_TIMEOUT_REHASH), SYM(TCP_NLA_BYTES_NOTSENT), SYM(TCP_NLA_EDT),
    SYM(TCP_NLA_TTL),
    // An enum member, so no #ifdef: include/uapi/linux/tcp.h, the member after TCP_NLA_TTL.
    Symbol{"TCP_NLA_REHASH", 27},

    // sock_extended_err fields of MSG_ERRQUEUE messages (zerocopy and timestamping tests).
    SYM(SO_EE_ORIGIN_NONE), SYM(SO_EE_ORIGIN_LOCAL), SYM(SO_EE_ORIGIN_ICMP),
    SYM(SO_EE_ORIGIN_ICMP6), SYM(SO_EE_ORIGIN_TXSTATUS), SYM(SO_EE_ORIGIN_ZEROCOPY),
    SYM(SO_EE_ORIGIN_TXTIME), SYM(SO_EE_ORIGIN_TIMESTAMPING), SYM(SO_EE_CODE_ZEROCOPY_COPIED),
    SYM(SO_EE_CODE_TXTIME_INVALID_PARAM), SYM(SO_EE_CODE_TXTIME_MISSED),
    // ee_info of timestamping errors.
    SYM(SCM_TSTAMP_SND), SYM(SCM_TSTAMP_SCHED), SYM(SCM_TSTAMP_ACK),

    // SO_TIMESTAMPING flags.
    SYM(SOF_TIMESTAMPING_TX_HARDWARE), SYM(SOF_TIMESTAMPING_TX_SOFTWARE),
    SYM(SOF_TIMESTAMPING_RX_HARDWARE), SYM(SOF_TIMESTAMPING_RX_SOFTWARE),
    SYM(SOF_TIMESTAMPING_SOFTWARE), SYM(SOF_TIMESTAMPING_SYS_HARDWARE),
    SYM(SOF_TIMESTAMPING_RAW_HARDWARE), SYM(SOF_TIMESTAMPING_OPT_ID),
    SYM(SOF_TIMESTAMPING_TX_SCHED), SYM(SOF_TIMESTAMPING_TX_ACK), SYM(SOF_TIMESTAMPING_OPT_CMSG),
    SYM(SOF_TIMESTAMPING_OPT_TSONLY), SYM(SOF_TIMESTAMPING_OPT_STATS),
    SYM(SOF_TIMESTAMPING_OPT_PKTINFO), SYM(SOF_TIMESTAMPING_OPT_TX_SWHW),
    SYM(SOF_TIMESTAMPING_BIND_PHC),
    // Enum members, so no #ifdef: include/uapi/linux/net_tstamp.h (OPT_ID_TCP = 1 << 16,
    // OPT_RX_FILTER = 1 << 17).
    Symbol{"SOF_TIMESTAMPING_OPT_ID_TCP", 1 << 16},
    Symbol{"SOF_TIMESTAMPING_OPT_RX_FILTER", 1 << 17},

    // F_GETFL reports the kernel's O_LARGEFILE bit on every file a 64-bit process opens, while
    // glibc defines O_LARGEFILE as 0 there. The kernel header has the bit.
    SYM(O_LARGEFILE),

    // SOL_TLS options (after setsockopt(TCP_ULP, "tls")).
    SYM(TLS_TX), SYM(TLS_RX), SYM(TLS_TX_ZEROCOPY_RO), SYM(TLS_RX_EXPECT_NO_PAD),

    // Capability numbers for cap_set().
    SYM(CAP_CHOWN), SYM(CAP_DAC_OVERRIDE), SYM(CAP_DAC_READ_SEARCH), SYM(CAP_FOWNER),
    SYM(CAP_FSETID), SYM(CAP_KILL), SYM(CAP_SETGID), SYM(CAP_SETUID), SYM(CAP_SETPCAP),
    SYM(CAP_LINUX_IMMUTABLE), SYM(CAP_NET_BIND_SERVICE), SYM(CAP_NET_BROADCAST),
    SYM(CAP_NET_ADMIN), SYM(CAP_NET_RAW), SYM(CAP_IPC_LOCK), SYM(CAP_IPC_OWNER),
    SYM(CAP_SYS_MODULE), SYM(CAP_SYS_RAWIO), SYM(CAP_SYS_CHROOT), SYM(CAP_SYS_PTRACE),
    SYM(CAP_SYS_PACCT), SYM(CAP_SYS_ADMIN), SYM(CAP_SYS_BOOT), SYM(CAP_SYS_NICE),
    SYM(CAP_SYS_RESOURCE), SYM(CAP_SYS_TIME), SYM(CAP_SYS_TTY_CONFIG), SYM(CAP_MKNOD),
    SYM(CAP_LEASE), SYM(CAP_AUDIT_WRITE), SYM(CAP_AUDIT_CONTROL), SYM(CAP_SETFCAP),
    SYM(CAP_MAC_OVERRIDE), SYM(CAP_MAC_ADMIN), SYM(CAP_SYSLOG), SYM(CAP_WAKE_ALARM),
    SYM(CAP_BLOCK_SUSPEND), SYM(CAP_AUDIT_READ), SYM(CAP_PERFMON), SYM(CAP_BPF),
    SYM(CAP_CHECKPOINT_RESTORE),
    // cap_set()'s other two arguments are libcap's enums, not kernel constants, and libcap-dev
    // (<sys/capability.h>) is not a dependency. Their values are libcap's ABI:
    // cap_flag_t { CAP_EFFECTIVE = 0, CAP_PERMITTED = 1, CAP_INHERITABLE = 2 } and
    // cap_flag_value_t { CAP_CLEAR = 0, CAP_SET = 1 }.
    Symbol{"CAP_EFFECTIVE", 0}, Symbol{"CAP_PERMITTED", 1}, Symbol{"CAP_INHERITABLE", 2},
    Symbol{"CAP_CLEAR", 0}, Symbol{"CAP_SET", 1},
    // SOL_IPV6 flow label options, which glibc's <netinet/in.h> leaves out.
    SYM(IPV6_FLOWINFO), SYM(IPV6_FLOWLABEL_MGR), SYM(IPV6_FLOWINFO_SEND), SYM(IPV6_FLOWINFO_FLOWLABEL),
    SYM(IPV6_FLOWINFO_PRIORITY), SYM(IPV6_FL_A_GET), SYM(IPV6_FL_A_PUT), SYM(IPV6_FL_A_RENEW),
    SYM(IPV6_FL_F_CREATE), SYM(IPV6_FL_F_EXCL), SYM(IPV6_FL_F_REFLECT), SYM(IPV6_FL_F_REMOTE),
    SYM(IPV6_FL_S_NONE), SYM(IPV6_FL_S_EXCL), SYM(IPV6_FL_S_PROCESS), SYM(IPV6_FL_S_USER), SYM(IPV6_FL_S_ANY),
};

constexpr Symbol uapi_code[] = {
    SYM(TCP_CA_Open), SYM(TCP_CA_Disorder), SYM(TCP_CA_CWR), SYM(TCP_CA_Recovery),
    SYM(TCP_CA_Loss),
    SYM(TCPI_OPT_TIMESTAMPS), SYM(TCPI_OPT_SACK), SYM(TCPI_OPT_WSCALE), SYM(TCPI_OPT_ECN),
    SYM(TCPI_OPT_ECN_SEEN), SYM(TCPI_OPT_SYN_DATA),
#ifdef TCPI_OPT_USEC_TS
    SYM(TCPI_OPT_USEC_TS),
#else
    Symbol{"TCPI_OPT_USEC_TS", 64},  // include/uapi/linux/tcp.h
#endif
#ifdef TCPI_OPT_TFO_CHILD
    SYM(TCPI_OPT_TFO_CHILD),
#else
    Symbol{"TCPI_OPT_TFO_CHILD", 128},  // include/uapi/linux/tcp.h
#endif
};

constexpr Symbol sk_meminfo[] = {
    SYM(SK_MEMINFO_RMEM_ALLOC), SYM(SK_MEMINFO_RCVBUF), SYM(SK_MEMINFO_WMEM_ALLOC),
    SYM(SK_MEMINFO_SNDBUF), SYM(SK_MEMINFO_FWD_ALLOC), SYM(SK_MEMINFO_WMEM_QUEUED),
    SYM(SK_MEMINFO_OPTMEM), SYM(SK_MEMINFO_BACKLOG), SYM(SK_MEMINFO_DROPS),
};

#undef SYM

}  // namespace

std::span<Symbol const> uapi_symbols() { return uapi_table; }
std::span<Symbol const> uapi_code_constants() { return uapi_code; }
std::span<Symbol const> sk_meminfo_names() { return sk_meminfo; }
std::int64_t sk_meminfo_vars() { return SK_MEMINFO_VARS; }

}  // namespace pktdrill::run::detail
