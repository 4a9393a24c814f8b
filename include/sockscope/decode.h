/* decode: a pure function from the bytes of one captured frame to a packet view.
 * No allocation, no state between packets; every read is bounds-checked against the
 * captured length, so a short or lying frame yields status truncated/malformed, never a
 * read past the end. */
#ifndef SOCKSCOPE_DECODE_H
#define SOCKSCOPE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "sockscope/model.h"

/* Link types we decode (values are LINKTYPE_* from the pcap spec, which libpcap returns
 * from pcap_datalink() after mapping DLT_ values). */
enum {
    LINK_NULL = 0, /* BSD loopback, host byte order of the capturing machine */
    LINK_ETHERNET = 1,
    LINK_RAW = 101,  /* raw IPv4 or IPv6, version nibble decides */
    LINK_LOOP = 108, /* OpenBSD loopback, network byte order */
    LINK_LINUX_SLL = 113,
    LINK_IPV4 = 228,
    LINK_IPV6 = 229,
    LINK_LINUX_SLL2 = 276,
};

enum packet_status {
    PACKET_OK = 0,
    PACKET_TRUNCATED,   /* a header we needed ends past the captured length */
    PACKET_MALFORMED,   /* a header field lies (bad length, bad version, option loop...) */
    PACKET_UNSUPPORTED, /* link type or network protocol we do not decode */
};

enum packet_proto {
    PROTO_OTHER = 0,
    PROTO_TCP,
    PROTO_UDP,
    PROTO_ICMP, /* ICMP or ICMPv6 */
};

/* TCP flag bits as in the 12-bit field of tshark's tcp.flags (AE is the former NS bit). */
enum {
    TCP_FIN = 0x001,
    TCP_SYN = 0x002,
    TCP_RST = 0x004,
    TCP_PSH = 0x008,
    TCP_ACK = 0x010,
    TCP_URG = 0x020,
    TCP_ECE = 0x040,
    TCP_CWR = 0x080,
    TCP_AE = 0x100,
};

#define TCP_MAX_SACK_BLOCKS 4

struct tcp_options {
    bool has_mss, has_wscale, sack_permitted, has_timestamps;
    uint8_t wscale; /* shift count as sent (tshark clamps > 14 to 14 when applying) */
    uint8_t sack_count;
    uint16_t mss;
    uint32_t ts_val, ts_ecr;
    uint32_t sack_left[TCP_MAX_SACK_BLOCKS], sack_right[TCP_MAX_SACK_BLOCKS];
};

/* The transport header quoted inside an ICMP/ICMPv6 error, so the error can be tied to the
 * flow it answers. */
struct icmp_quote {
    bool valid; /* the quoted IP header and the first 8 bytes of transport were present */
    uint8_t ip_proto;
    struct ip_address src, dst;
    uint16_t sport, dport;
};

struct packet {
    uint64_t ts_ns; /* nanoseconds since the Unix epoch */
    uint32_t caplen, wirelen;
    int linktype;
    enum packet_status status;
    const char *why; /* static text saying what is wrong when status != PACKET_OK */

    struct ip_address src, dst; /* src.family == 0: no IP layer decoded */
    uint8_t ip_proto;           /* protocol/next header after extension headers */
    uint8_t ttl;                /* TTL or hop limit */
    bool fragment;              /* part of a fragmented datagram */
    bool first_fragment;        /* offset 0: the only fragment that carries ports (false
                                 * when not fragmented) */

    enum packet_proto proto;
    uint16_t sport, dport;

    /* TCP */
    uint32_t seq, ack;
    uint16_t flags;  /* TCP_* bits */
    uint16_t window; /* as on the wire, unscaled */
    uint8_t tcp_header_len;
    struct tcp_options opt;

    /* UDP */
    uint16_t udp_len; /* the UDP length field */

    /* ICMP / ICMPv6 */
    uint8_t icmp_type, icmp_code;
    bool icmp_error; /* destination unreachable, time exceeded, parameter problem, ... */
    struct icmp_quote quote;

    /* Transport payload. payload_len is what the headers say (tshark's tcp.len /
     * udp.length - 8); payload_caplen (<= payload_len) is how much of it was captured and
     * starts at payload. */
    const uint8_t *payload;
    uint32_t payload_len;
    uint32_t payload_caplen;
};

/* Decodes one frame. Always fills *out (status says how far it got) and never reads past
 * frame[caplen-1]. Returns out->status. */
enum packet_status decode_packet(int linktype, const uint8_t *frame, uint32_t caplen,
                                 uint32_t wirelen, uint64_t ts_ns, struct packet *out);

/* True if decode_packet understands this link type. */
bool decode_linktype_supported(int linktype);


#endif
