/*
 * gen_symbols.c - generate include/pktc/symbols.inc, the table of symbolic
 * constants (SOCK_STREAM, SOL_TCP, EAGAIN, ...) that packetdrill scripts may
 * use as WORDs, with their Linux values.
 *
 * The set of names is packetdrill's own: every entry of the Linux
 * platform_symbols_table (gtests/net/packetdrill/symbols_linux.c) and of the
 * cross_platform_symbols table (gtests/net/packetdrill/script.c), plus every
 * Linux errno name, plus a few related constants marked "pktc extra" below.
 * Every real constant used as a WORD by the kernel selftest corpus
 * (.pkt files in tools/testing/selftests/net/packetdrill) is among them.
 *
 * glibc's netinet headers and the kernel's linux/ uapi headers define the same
 * things and cannot always share a translation unit, so this one file is
 * compiled twice:
 *
 *   cc -O0 -DGEN_SYMBOLS_UAPI_PART -c gen_symbols.c -o gen_symbols_uapi.o
 *   cc -O0 -c gen_symbols.c -o gen_symbols_main.o
 *   cc gen_symbols_main.o gen_symbols_uapi.o -o gen_symbols
 *   ./gen_symbols > include/pktc/symbols.inc
 *
 * The GEN_SYMBOLS_UAPI_PART unit includes only kernel uapi (linux/) headers; the other includes glibc headers plus the few uapi headers that
 * are known to coexist with them (as packetdrill itself does).
 *
 * Constants missing from older installed headers are hard-coded with their
 * kernel uapi value; each such fallback names the uapi header it comes from.
 * Values are those of the build host's architecture (several SO_*, O_*,
 * MSG_* and errno values differ on alpha/mips/parisc/sparc).
 */

typedef void (*gen_emit_fn)(const char *name, long long value);

#ifdef GEN_SYMBOLS_UAPI_PART
/* ======================================================================
 * Translation unit 2: kernel uapi headers only.
 * ====================================================================== */

#include <time.h>	/* struct timespec, needed by linux/errqueue.h */

#include <linux/capability.h>
#include <linux/errqueue.h>
#include <linux/net_tstamp.h>
#include <linux/tcp.h>

#define S(name) emit(#name, (long long)(name))

void gen_uapi_symbols(gen_emit_fn emit)
{
	/* linux/tcp.h: enum of SCM_TIMESTAMPING_OPT_STATS attributes. */
	S(TCP_NLA_BUSY);
	S(TCP_NLA_RWND_LIMITED);
	S(TCP_NLA_SNDBUF_LIMITED);
	S(TCP_NLA_DATA_SEGS_OUT);
	S(TCP_NLA_TOTAL_RETRANS);
	S(TCP_NLA_PACING_RATE);
	S(TCP_NLA_DELIVERY_RATE);
	S(TCP_NLA_SND_CWND);
	S(TCP_NLA_REORDERING);
	S(TCP_NLA_MIN_RTT);
	S(TCP_NLA_RECUR_RETRANS);
	S(TCP_NLA_DELIVERY_RATE_APP_LMT);
	S(TCP_NLA_SNDQ_SIZE);
	S(TCP_NLA_CA_STATE);
	S(TCP_NLA_SND_SSTHRESH);
	S(TCP_NLA_DELIVERED);
	S(TCP_NLA_DELIVERED_CE);
	S(TCP_NLA_BYTES_SENT);
	S(TCP_NLA_BYTES_RETRANS);
	S(TCP_NLA_DSACK_DUPS);
	S(TCP_NLA_REORD_SEEN);
	S(TCP_NLA_SRTT);
	/* pktc extra: later members of the same enum (values fixed by the
	 * enum order in linux/tcp.h; hard-coded because the enum members
	 * cannot be tested with #ifdef). */
	emit("TCP_NLA_TIMEOUT_REHASH", 23);	/* linux/tcp.h */
	emit("TCP_NLA_BYTES_NOTSENT", 24);	/* linux/tcp.h */
	emit("TCP_NLA_EDT", 25);		/* linux/tcp.h */
	emit("TCP_NLA_TTL", 26);		/* linux/tcp.h */
	emit("TCP_NLA_REHASH", 27);		/* linux/tcp.h */

	/* linux/tcp.h: enum tcp_ca_state; packetdrill spells them in caps. */
	emit("TCP_CA_OPEN", TCP_CA_Open);
	emit("TCP_CA_DISORDER", TCP_CA_Disorder);
	emit("TCP_CA_CWR", TCP_CA_CWR);
	emit("TCP_CA_RECOVERY", TCP_CA_Recovery);
	emit("TCP_CA_LOSS", TCP_CA_Loss);

	/* include/net/tcp.h (kernel-internal; packetdrill tcp.h copies it). */
	emit("TCP_INFINITE_SSTHRESH", 0x7fffffff);

	/* linux/net_tstamp.h: enum of SO_TIMESTAMPING flags. */
	S(SOF_TIMESTAMPING_TX_HARDWARE);
	S(SOF_TIMESTAMPING_TX_SOFTWARE);
	S(SOF_TIMESTAMPING_RX_HARDWARE);
	S(SOF_TIMESTAMPING_RX_SOFTWARE);
	S(SOF_TIMESTAMPING_SOFTWARE);
	S(SOF_TIMESTAMPING_SYS_HARDWARE);
	S(SOF_TIMESTAMPING_RAW_HARDWARE);
	S(SOF_TIMESTAMPING_OPT_ID);
	S(SOF_TIMESTAMPING_TX_SCHED);
	S(SOF_TIMESTAMPING_TX_ACK);
	S(SOF_TIMESTAMPING_OPT_CMSG);
	S(SOF_TIMESTAMPING_OPT_TSONLY);
	S(SOF_TIMESTAMPING_OPT_STATS);
	/* pktc extra */
	emit("SOF_TIMESTAMPING_OPT_PKTINFO", 1 << 13);	/* linux/net_tstamp.h */
	emit("SOF_TIMESTAMPING_OPT_TX_SWHW", 1 << 14);	/* linux/net_tstamp.h */
	emit("SOF_TIMESTAMPING_BIND_PHC", 1 << 15);	/* linux/net_tstamp.h */
	/* Linux 6.2+; enum member, so hard-coded. */
	emit("SOF_TIMESTAMPING_OPT_ID_TCP", 1 << 16);	/* linux/net_tstamp.h */
	/* pktc extra; Linux 6.3+. */
	emit("SOF_TIMESTAMPING_OPT_RX_FILTER", 1 << 17); /* linux/net_tstamp.h */

	/* linux/errqueue.h: enum of ee_info values for timestamps. */
	S(SCM_TSTAMP_SND);
	S(SCM_TSTAMP_SCHED);
	S(SCM_TSTAMP_ACK);

	/* linux/errqueue.h: struct sock_extended_err fields. */
	S(SO_EE_ORIGIN_TIMESTAMPING);
	S(SO_EE_ORIGIN_ZEROCOPY);
	S(SO_EE_CODE_ZEROCOPY_COPIED);
	/* pktc extra: the other ee_origin values. */
	S(SO_EE_ORIGIN_NONE);
	S(SO_EE_ORIGIN_LOCAL);
	S(SO_EE_ORIGIN_ICMP);
	S(SO_EE_ORIGIN_ICMP6);
	S(SO_EE_ORIGIN_TXSTATUS);
#ifndef SO_EE_ORIGIN_TXTIME
#define SO_EE_ORIGIN_TXTIME 6	/* linux/errqueue.h */
#endif
	S(SO_EE_ORIGIN_TXTIME);

	/* libcap <sys/capability.h> enums cap_flag_t and cap_flag_value_t
	 * (packetdrill's capability.h defines the same values). */
	emit("CAP_EFFECTIVE", 0);
	emit("CAP_PERMITTED", 1);
	emit("CAP_INHERITABLE", 2);
	emit("CAP_CLEAR", 0);
	emit("CAP_SET", 1);

	/* linux/capability.h */
	S(CAP_CHOWN);
	S(CAP_DAC_OVERRIDE);
	S(CAP_DAC_READ_SEARCH);
	S(CAP_FOWNER);
	S(CAP_FSETID);
	S(CAP_KILL);
	S(CAP_SETGID);
	S(CAP_SETUID);
	S(CAP_SETPCAP);
	S(CAP_LINUX_IMMUTABLE);
	S(CAP_NET_BIND_SERVICE);
	S(CAP_NET_BROADCAST);
	S(CAP_NET_ADMIN);
	S(CAP_NET_RAW);
	S(CAP_IPC_LOCK);
	S(CAP_IPC_OWNER);
	S(CAP_SYS_MODULE);
	S(CAP_SYS_RAWIO);
	S(CAP_SYS_CHROOT);
	S(CAP_SYS_PTRACE);
	S(CAP_SYS_PACCT);
	S(CAP_SYS_ADMIN);
	S(CAP_SYS_BOOT);
	S(CAP_SYS_NICE);
	S(CAP_SYS_RESOURCE);
	S(CAP_SYS_TIME);
	S(CAP_SYS_TTY_CONFIG);
	S(CAP_MKNOD);
	S(CAP_LEASE);
	S(CAP_AUDIT_WRITE);
	S(CAP_AUDIT_CONTROL);
	S(CAP_SETFCAP);
	S(CAP_MAC_OVERRIDE);
	S(CAP_MAC_ADMIN);
	S(CAP_SYSLOG);
	S(CAP_WAKE_ALARM);
	S(CAP_BLOCK_SUSPEND);
}

#else /* !GEN_SYMBOLS_UAPI_PART */
/* ======================================================================
 * Translation unit 1: glibc headers (+ uapi headers that coexist with
 * them), the table printer, and main().
 * ====================================================================== */

#define _GNU_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <linux/version.h>

/* ---- fallbacks for names older installed headers may lack ---------- */
#ifndef SOL_UDP
#define SOL_UDP 17			/* linux/socket.h (SOL_UDP) */
#endif
#ifndef SO_MAX_PACING_RATE
#define SO_MAX_PACING_RATE 47		/* asm-generic/socket.h */
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60			/* asm-generic/socket.h */
#endif
#ifndef SO_TIMESTAMPING
#define SO_TIMESTAMPING 37		/* asm-generic/socket.h (_OLD) */
#endif
#ifndef SCM_TIMESTAMPING
#define SCM_TIMESTAMPING SO_TIMESTAMPING /* asm-generic/socket.h */
#endif
#ifndef SCM_TIMESTAMPING_OPT_STATS
#define SCM_TIMESTAMPING_OPT_STATS 54	/* asm-generic/socket.h */
#endif
#ifndef MSG_ZEROCOPY
#define MSG_ZEROCOPY 0x4000000		/* linux/socket.h */
#endif
#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000		/* linux/socket.h */
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30		/* linux/tcp.h */
#endif
#ifndef TCP_FASTOPEN_KEY
#define TCP_FASTOPEN_KEY 33		/* linux/tcp.h */
#endif
#ifndef TCP_FASTOPEN_NO_COOKIE
#define TCP_FASTOPEN_NO_COOKIE 34	/* linux/tcp.h */
#endif
#ifndef TCP_MD5SIG_EXT
#define TCP_MD5SIG_EXT 32		/* linux/tcp.h */
#endif
#ifndef TCP_INQ
#define TCP_INQ 36			/* linux/tcp.h */
#endif
#ifndef TCP_CM_INQ
#define TCP_CM_INQ TCP_INQ		/* linux/tcp.h */
#endif
#ifndef TCP_TX_DELAY
#define TCP_TX_DELAY 37			/* linux/tcp.h */
#endif
#ifndef TCP_COOKIE_TRANSACTIONS
#define TCP_COOKIE_TRANSACTIONS 15	/* removed from linux/tcp.h in 3.10 */
#endif
#ifndef IP_MTU
#define IP_MTU 14			/* linux/in.h */
#endif
#ifndef IPV6_MTU
#define IPV6_MTU 24			/* linux/in6.h */
#endif
#ifndef IPV6_RECVERR
#define IPV6_RECVERR 25			/* linux/in6.h */
#endif
#ifndef IP_PMTUDISC_PROBE
#define IP_PMTUDISC_PROBE 3		/* linux/in.h */
#endif
#ifndef EPOLLEXCLUSIVE
#define EPOLLEXCLUSIVE (1U << 28)	/* linux/eventpoll.h */
#endif
#ifndef POLLREMOVE
#define POLLREMOVE 0x1000		/* asm-generic/poll.h */
#endif
#ifndef POLLRDHUP
#define POLLRDHUP 0x2000		/* asm-generic/poll.h */
#endif
#ifndef SIOCINQ
#define SIOCINQ FIONREAD		/* linux/sockios.h */
#endif
#ifndef ENOTSUP
#define ENOTSUP EOPNOTSUPP		/* glibc alias */
#endif
#ifndef EHWPOISON
#define EHWPOISON 133			/* asm-generic/errno.h */
#endif

void gen_uapi_symbols(gen_emit_fn emit);

/* ---- collection ---------------------------------------------------- */

struct entry {
	const char *name;
	long long value;
};

#define MAX_ENTRIES 1024

static struct entry symbols[MAX_ENTRIES];
static size_t num_symbols;
static struct entry errnos[MAX_ENTRIES];
static size_t num_errnos;

static void add(struct entry *table, size_t *count, const char *name,
		long long value)
{
	if (*count >= MAX_ENTRIES) {
		fprintf(stderr, "gen_symbols: too many entries\n");
		exit(1);
	}
	if (value < 0) {
		fprintf(stderr, "gen_symbols: %s has negative value %lld\n",
			name, value);
		exit(1);
	}
	table[*count].name = name;
	table[*count].value = value;
	++*count;
}

static void emit_symbol(const char *name, long long value)
{
	add(symbols, &num_symbols, name, value);
}

static void emit_errno(const char *name, long long value)
{
	add(errnos, &num_errnos, name, value);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
		      ((const struct entry *)b)->name);
}

/* Sort by name and drop exact duplicates (packetdrill's table lists a few
 * names twice); a name listed twice with different values is an error. */
static void sort_unique(struct entry *table, size_t *count, const char *what)
{
	size_t i, out = 0;

	qsort(table, *count, sizeof(*table), cmp_entry);
	for (i = 0; i < *count; ++i) {
		if (out > 0 && strcmp(table[out - 1].name, table[i].name) == 0) {
			if (table[out - 1].value != table[i].value) {
				fprintf(stderr,
					"gen_symbols: %s %s has two values: "
					"%lld and %lld\n", what, table[i].name,
					table[out - 1].value, table[i].value);
				exit(1);
			}
			continue;
		}
		table[out++] = table[i];
	}
	*count = out;
}

#define S(name) emit_symbol(#name, (long long)(name))
#define E(name) emit_errno(#name, (long long)(name))

/* packetdrill script.c: cross_platform_symbols[] */
static void gen_cross_platform_symbols(void)
{
	S(AF_INET);
	S(AF_INET6);
	S(AF_PACKET);
	S(PF_INET);
	S(PF_INET6);
	S(SOCK_RAW);
	S(SOCK_STREAM);
	S(SOCK_DGRAM);
	S(SOCK_NONBLOCK);
	S(IPPROTO_RAW);
	S(IPPROTO_IP);
	S(IPPROTO_IPV6);
	S(IPPROTO_ICMP);
	S(IPPROTO_ICMPV6);
	S(IPPROTO_TCP);
	S(IPPROTO_UDP);
	S(SHUT_RD);
	S(SHUT_WR);
	S(SHUT_RDWR);
	S(SOL_SOCKET);
	emit_symbol("NULL", 0);
}

/* packetdrill symbols_linux.c: platform_symbols_table[], minus errno names
 * (see gen_errnos) and minus the uapi-only names (see gen_uapi_symbols). */
static void gen_linux_symbols(void)
{
	S(SOL_IP);
	S(SOL_IPV6);
	S(SOL_TCP);
	S(SOL_UDP);

	S(SO_ACCEPTCONN);
	S(SO_ATTACH_FILTER);
	S(SO_BINDTODEVICE);
	S(SO_BROADCAST);
	S(SO_BSDCOMPAT);
	S(SO_DEBUG);
	S(SO_DETACH_FILTER);
	S(SO_DONTROUTE);
	S(SO_ERROR);
	S(SO_KEEPALIVE);
	S(SO_LINGER);
	S(SO_MARK);
	S(SO_NO_CHECK);
	S(SO_OOBINLINE);
	S(SO_PASSCRED);
	S(SO_PEERCRED);
	S(SO_PEERNAME);
	S(SO_PEERSEC);
	S(SO_PRIORITY);
	S(SO_RCVBUF);
	S(SO_RCVLOWAT);
	S(SO_RCVTIMEO);
	S(SO_REUSEADDR);
	S(SO_REUSEPORT);
	S(SO_SECURITY_AUTHENTICATION);
	S(SO_SECURITY_ENCRYPTION_NETWORK);
	S(SO_SECURITY_ENCRYPTION_TRANSPORT);
	S(SO_SNDBUF);
	S(SO_SNDLOWAT);
	S(SO_SNDTIMEO);
	S(SO_TIMESTAMP);
	S(SO_TIMESTAMPING);
	S(SO_TYPE);
	S(SO_MAX_PACING_RATE);
	S(SO_ZEROCOPY);

	S(SCM_TIMESTAMPING);
	S(SCM_TIMESTAMPING_OPT_STATS);

	S(IP_TOS);
	S(IP_MTU_DISCOVER);
	S(IPV6_MTU_DISCOVER);
	S(IP_PMTUDISC_WANT);
	S(IP_PMTUDISC_DONT);
	S(IP_PMTUDISC_DO);
	S(IP_PMTUDISC_PROBE);
	S(IP_RECVERR);
	S(IPV6_RECVERR);
	S(IP_FREEBIND);
	S(IP_TTL);
	S(IP_MTU);
	S(IPV6_MTU);
	S(IPV6_TCLASS);
	S(IPV6_HOPLIMIT);

	S(TCP_NODELAY);
	S(TCP_MAXSEG);
	S(TCP_CORK);
	S(TCP_KEEPIDLE);
	S(TCP_KEEPINTVL);
	S(TCP_KEEPCNT);
	S(TCP_SYNCNT);
	S(TCP_LINGER2);
	S(TCP_DEFER_ACCEPT);
	S(TCP_INFO);
	S(TCP_QUICKACK);
	S(TCP_CONGESTION);
	S(TCP_MD5SIG);
	S(TCP_COOKIE_TRANSACTIONS);
	S(TCP_THIN_LINEAR_TIMEOUTS);
	S(TCP_THIN_DUPACK);
	S(TCP_USER_TIMEOUT);
	S(TCP_FASTOPEN);
	S(TCP_FASTOPEN_CONNECT);
	S(TCP_FASTOPEN_KEY);
	S(TCP_FASTOPEN_NO_COOKIE);
	S(TCP_TIMESTAMP);
	S(TCP_NOTSENT_LOWAT);
	S(TCP_INQ);
	S(TCP_CM_INQ);
	S(TCP_TX_DELAY);

	S(O_RDONLY);
	S(O_WRONLY);
	S(O_RDWR);
	S(O_ACCMODE);
	S(O_CREAT);
	S(O_EXCL);
	S(O_NOCTTY);
	S(O_TRUNC);
	S(O_APPEND);
	S(O_NONBLOCK);

	S(F_DUPFD);
	S(F_GETFD);
	S(F_SETFD);
	S(F_GETFL);
	S(F_SETFL);
	S(F_GETLK);
	S(F_SETLK);
	S(F_SETLKW);
	S(F_GETOWN);
	S(F_SETOWN);
	S(F_SETSIG);
	S(F_GETSIG);
	S(F_SETLK64);
	S(F_SETLKW64);
	S(F_GETLK64);
	S(F_SETLEASE);
	S(F_GETLEASE);
	S(F_NOTIFY);
	S(F_DUPFD_CLOEXEC);
	S(FD_CLOEXEC);

	S(LOCK_SH);
	S(LOCK_EX);
	S(LOCK_NB);
	S(LOCK_UN);

	S(F_RDLCK);
	S(F_WRLCK);
	S(F_UNLCK);
	S(F_EXLCK);
	S(F_SHLCK);

	S(SEEK_SET);
	S(SEEK_CUR);
	S(SEEK_END);

	S(MSG_OOB);
	S(MSG_DONTROUTE);
	S(MSG_PEEK);
	S(MSG_CTRUNC);
	S(MSG_PROXY);
	S(MSG_EOR);
	S(MSG_WAITALL);
	S(MSG_TRUNC);
	S(MSG_ERRQUEUE);
	S(MSG_DONTWAIT);
	S(MSG_CONFIRM);
	S(MSG_FIN);
	S(MSG_SYN);
	S(MSG_RST);
	S(MSG_NOSIGNAL);
	S(MSG_MORE);
	S(MSG_CMSG_CLOEXEC);
	S(MSG_FASTOPEN);
	S(MSG_ZEROCOPY);

	S(SIOCINQ);
	S(FIONREAD);

	S(POLLIN);
	S(POLLPRI);
	S(POLLOUT);
	S(POLLRDNORM);
	S(POLLRDBAND);
	S(POLLWRNORM);
	S(POLLWRBAND);
	S(POLLMSG);
	S(POLLREMOVE);
	S(POLLRDHUP);
	S(POLLERR);
	S(POLLHUP);
	S(POLLNVAL);

	S(EPOLLIN);
	S(EPOLLPRI);
	S(EPOLLOUT);
	S(EPOLLRDNORM);
	S(EPOLLRDBAND);
	S(EPOLLWRNORM);
	S(EPOLLWRBAND);
	S(EPOLLMSG);
	S(EPOLLERR);
	S(EPOLLHUP);
	S(EPOLLRDHUP);
	S(EPOLLONESHOT);
	S(EPOLLET);
	S(EPOLLEXCLUSIVE);
	S(EPOLL_CTL_ADD);
	S(EPOLL_CTL_MOD);
	S(EPOLL_CTL_DEL);

	S(SPLICE_F_MOVE);
	S(SPLICE_F_NONBLOCK);
	S(SPLICE_F_MORE);
	S(SPLICE_F_GIFT);

	S(AF_UNSPEC);
}

/* pktc extras: closely related constants packetdrill's table lacks. */
static void gen_extra_symbols(void)
{
	S(SOCK_CLOEXEC);
	S(TCP_MD5SIG_EXT);
	S(IPV6_V6ONLY);
}

/* All Linux errno names (asm-generic/errno-base.h, asm-generic/errno.h),
 * including the aliases EWOULDBLOCK, EDEADLOCK and glibc's ENOTSUP. */
static void gen_errnos(void)
{
	E(EPERM);
	E(ENOENT);
	E(ESRCH);
	E(EINTR);
	E(EIO);
	E(ENXIO);
	E(E2BIG);
	E(ENOEXEC);
	E(EBADF);
	E(ECHILD);
	E(EAGAIN);
	E(ENOMEM);
	E(EACCES);
	E(EFAULT);
	E(ENOTBLK);
	E(EBUSY);
	E(EEXIST);
	E(EXDEV);
	E(ENODEV);
	E(ENOTDIR);
	E(EISDIR);
	E(EINVAL);
	E(ENFILE);
	E(EMFILE);
	E(ENOTTY);
	E(ETXTBSY);
	E(EFBIG);
	E(ENOSPC);
	E(ESPIPE);
	E(EROFS);
	E(EMLINK);
	E(EPIPE);
	E(EDOM);
	E(ERANGE);
	E(EDEADLK);
	E(ENAMETOOLONG);
	E(ENOLCK);
	E(ENOSYS);
	E(ENOTEMPTY);
	E(ELOOP);
	E(EWOULDBLOCK);
	E(ENOMSG);
	E(EIDRM);
	E(ECHRNG);
	E(EL2NSYNC);
	E(EL3HLT);
	E(EL3RST);
	E(ELNRNG);
	E(EUNATCH);
	E(ENOCSI);
	E(EL2HLT);
	E(EBADE);
	E(EBADR);
	E(EXFULL);
	E(ENOANO);
	E(EBADRQC);
	E(EBADSLT);
	E(EDEADLOCK);
	E(EBFONT);
	E(ENOSTR);
	E(ENODATA);
	E(ETIME);
	E(ENOSR);
	E(ENONET);
	E(ENOPKG);
	E(EREMOTE);
	E(ENOLINK);
	E(EADV);
	E(ESRMNT);
	E(ECOMM);
	E(EPROTO);
	E(EMULTIHOP);
	E(EDOTDOT);
	E(EBADMSG);
	E(EOVERFLOW);
	E(ENOTUNIQ);
	E(EBADFD);
	E(EREMCHG);
	E(ELIBACC);
	E(ELIBBAD);
	E(ELIBSCN);
	E(ELIBMAX);
	E(ELIBEXEC);
	E(EILSEQ);
	E(ERESTART);
	E(ESTRPIPE);
	E(EUSERS);
	E(ENOTSOCK);
	E(EDESTADDRREQ);
	E(EMSGSIZE);
	E(EPROTOTYPE);
	E(ENOPROTOOPT);
	E(EPROTONOSUPPORT);
	E(ESOCKTNOSUPPORT);
	E(EOPNOTSUPP);
	E(ENOTSUP);
	E(EPFNOSUPPORT);
	E(EAFNOSUPPORT);
	E(EADDRINUSE);
	E(EADDRNOTAVAIL);
	E(ENETDOWN);
	E(ENETUNREACH);
	E(ENETRESET);
	E(ECONNABORTED);
	E(ECONNRESET);
	E(ENOBUFS);
	E(EISCONN);
	E(ENOTCONN);
	E(ESHUTDOWN);
	E(ETOOMANYREFS);
	E(ETIMEDOUT);
	E(ECONNREFUSED);
	E(EHOSTDOWN);
	E(EHOSTUNREACH);
	E(EALREADY);
	E(EINPROGRESS);
	E(ESTALE);
	E(EUCLEAN);
	E(ENOTNAM);
	E(ENAVAIL);
	E(EISNAM);
	E(EREMOTEIO);
	E(EDQUOT);
	E(ENOMEDIUM);
	E(EMEDIUMTYPE);
	E(ECANCELED);
	E(ENOKEY);
	E(EKEYEXPIRED);
	E(EKEYREVOKED);
	E(EKEYREJECTED);
	E(EOWNERDEAD);
	E(ENOTRECOVERABLE);
	E(ERFKILL);
	E(EHWPOISON);
}

static const char *host_arch(void)
{
#if defined(__x86_64__)
	return "x86_64";
#elif defined(__aarch64__)
	return "aarch64";
#elif defined(__i386__)
	return "i386";
#elif defined(__arm__)
	return "arm";
#elif defined(__riscv)
	return "riscv";
#elif defined(__powerpc64__)
	return "ppc64";
#elif defined(__s390x__)
	return "s390x";
#else
	return "unknown";
#endif
}

int main(void)
{
	size_t i, j;

	gen_cross_platform_symbols();
	gen_linux_symbols();
	gen_uapi_symbols(emit_symbol);
	gen_extra_symbols();
	gen_errnos();

	sort_unique(symbols, &num_symbols, "symbol");
	sort_unique(errnos, &num_errnos, "errno");

	/* The two tables must be disjoint so a WORD has one meaning. */
	for (i = 0; i < num_symbols; ++i)
		for (j = 0; j < num_errnos; ++j)
			if (strcmp(symbols[i].name, errnos[j].name) == 0) {
				fprintf(stderr, "gen_symbols: %s is both a "
					"symbol and an errno\n",
					symbols[i].name);
				return 1;
			}

	printf("/* GENERATED FILE - DO NOT EDIT.\n"
	       " *\n"
	       " * Generated by scripts/gen_symbols/gen_symbols.c (see\n"
	       " * scripts/gen_symbols/README.md):\n"
	       " *   ./gen_symbols > include/pktc/symbols.inc\n"
	       " * Host: %s, Linux uapi headers %d.%d.%d, glibc %d.%d.\n"
	       " *\n"
	       " * Symbolic constants a packetdrill script may use as a WORD:\n"
	       " * packetdrill's Linux and cross-platform symbol tables, all\n"
	       " * Linux errno names, and a few related extras.\n"
	       " *\n"
	       " * X-macros, one entry per line, each list sorted by name\n"
	       " * (bytewise):\n"
	       " *   PKTC_SYMBOL(name, value)  %zu non-errno constants\n"
	       " *   PKTC_ERRNO(name, value)   %zu errno names (incl. aliases)\n"
	       " * The two lists are disjoint; a WORD resolves through either.\n"
	       " * Values are non-negative and may exceed INT32_MAX (e.g.\n"
	       " * EPOLLET), so store them in a 64-bit integer.\n"
	       " * Define the macro(s) you need before including this file;\n"
	       " * an undefined one expands to nothing, and both are #undef'd\n"
	       " * at the end.\n"
	       " */\n\n",
	       host_arch(), LINUX_VERSION_CODE >> 16,
	       (LINUX_VERSION_CODE >> 8) & 0xff, LINUX_VERSION_CODE & 0xff,
	       __GLIBC__, __GLIBC_MINOR__, num_symbols, num_errnos);

	printf("#ifndef PKTC_SYMBOL\n#define PKTC_SYMBOL(name, value)\n"
	       "#endif\n");
	printf("#ifndef PKTC_ERRNO\n#define PKTC_ERRNO(name, value)\n"
	       "#endif\n\n");

	for (i = 0; i < num_symbols; ++i)
		printf("PKTC_SYMBOL(%s, %lld)\n", symbols[i].name,
		       symbols[i].value);
	printf("\n");
	for (i = 0; i < num_errnos; ++i)
		printf("PKTC_ERRNO(%s, %lld)\n", errnos[i].name,
		       errnos[i].value);
	printf("\n#undef PKTC_SYMBOL\n#undef PKTC_ERRNO\n");
	return 0;
}

#endif /* GEN_SYMBOLS_UAPI_PART */
