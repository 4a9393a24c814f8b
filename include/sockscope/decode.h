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

/* ---- the field sink: where every header field sits, for the packet detail ---- */

/* The header a field belongs to. */
enum decode_layer {
    LAYER_ETHERNET = 1,
    LAYER_VLAN,
    LAYER_SLL,
    LAYER_SLL2,
    LAYER_LOOPBACK,
    LAYER_IP, /* raw IP before its version is known */
    LAYER_IPV4,
    LAYER_IPV6,
    LAYER_TCP,
    LAYER_UDP,
    LAYER_ICMP,
    LAYER_ICMPV6,
    LAYER_QUOTED_IPV4, /* the original packet an ICMP error quotes */
    LAYER_QUOTED_IPV6,
    LAYER_QUOTED_TCP,
    LAYER_QUOTED_UDP,
    LAYER_QUOTED_TRANSPORT, /* the first 8 bytes of another protocol */
    LAYER_DATA,
    LAYER_TRAILER, /* bytes after the IP datagram (link padding) */
};

/* What a field is. Numbers are in value (bit fields shifted down); addresses and data are
 * in bytes. */
enum decode_field_id {
    FIELD_ETH_DESTINATION = 1,
    FIELD_ETH_SOURCE,
    FIELD_ETHERTYPE,
    FIELD_VLAN_PRIORITY,
    FIELD_VLAN_DROP_ELIGIBLE,
    FIELD_VLAN_ID,
    FIELD_SLL_PACKET_TYPE,
    FIELD_SLL_LINK_TYPE,
    FIELD_SLL_ADDRESS_LENGTH,
    FIELD_SLL_ADDRESS,
    FIELD_SLL_PROTOCOL,
    FIELD_SLL_RESERVED,
    FIELD_SLL_INTERFACE,
    FIELD_LOOP_FAMILY, /* value: the family as the capturing host meant it */
    FIELD_IP_VERSION,
    FIELD_IPV4_HEADER_LENGTH, /* value: in 4-byte words */
    FIELD_IPV4_DSCP,
    FIELD_IPV4_ECN,
    FIELD_IPV4_TOTAL_LENGTH,
    FIELD_IPV4_ID,
    FIELD_IPV4_FLAGS,
    FIELD_IPV4_FRAGMENT_OFFSET, /* value: in 8-byte units */
    FIELD_IPV4_TTL,
    FIELD_IP_PROTOCOL, /* IPv4 protocol, IPv6 next header */
    FIELD_IPV4_CHECKSUM,
    FIELD_IP_SOURCE,
    FIELD_IP_DESTINATION,
    FIELD_IPV4_OPTION, /* value: its kind; EOL and NOP have their own ids */
    FIELD_IPV4_OPTION_END,
    FIELD_IPV4_OPTION_NOP,
    FIELD_IPV6_TRAFFIC_CLASS,
    FIELD_IPV6_FLOW_LABEL,
    FIELD_IPV6_PAYLOAD_LENGTH,
    FIELD_IPV6_HOP_LIMIT,
    FIELD_IPV6_HOP_BY_HOP, /* extension headers, whole; value: their next header */
    FIELD_IPV6_ROUTING,
    FIELD_IPV6_FRAGMENT,
    FIELD_IPV6_AUTH,
    FIELD_IPV6_DEST_OPTS,
    FIELD_SOURCE_PORT, /* TCP, UDP, and quoted transport */
    FIELD_DESTINATION_PORT,
    FIELD_TCP_SEQ,
    FIELD_TCP_ACK,
    FIELD_TCP_HEADER_LENGTH, /* value: in 4-byte words */
    FIELD_TCP_FLAGS,         /* value: the 12 TCP_* bits */
    FIELD_TCP_WINDOW,
    FIELD_CHECKSUM, /* TCP, UDP, ICMP */
    FIELD_TCP_URGENT,
    FIELD_TCP_OPTION_END, /* from the EOL to the end of the header */
    FIELD_TCP_OPTION_NOP,
    FIELD_TCP_OPTION_MSS,
    FIELD_TCP_OPTION_WSCALE,
    FIELD_TCP_OPTION_SACK_PERMITTED,
    FIELD_TCP_OPTION_SACK,       /* kind and length only; value: the length */
    FIELD_TCP_OPTION_SACK_BLOCK, /* value: left edge << 32 | right edge */
    FIELD_TCP_OPTION_TIMESTAMPS, /* value: TSval << 32 | TSecr */
    FIELD_TCP_OPTION,            /* any other kind; value: the kind */
    FIELD_TCP_OPTION_BAD,        /* an option decode rejected; value: the kind */
    FIELD_UDP_LENGTH,
    FIELD_ICMP_TYPE,
    FIELD_ICMP_CODE,
    FIELD_ICMP_REST,
    FIELD_QUOTED_REST, /* quoted transport bytes after the ports (TCP: the sequence number) */
    FIELD_PAYLOAD,     /* value: its length on the wire */
    FIELD_PADDING,
};

/* How a field ends the list, when it does. */
enum decode_stop {
    STOP_NONE = 0,
    STOP_TRUNCATED, /* the capture ends inside this field: no field follows */
    STOP_SHORT,     /* the enclosing header's length ends inside it: no field follows */
    STOP_MALFORMED, /* decode rejected this field's value: nothing after its header follows */
};

struct decode_field {
    const uint8_t *bytes;  /* its captured bytes (size of them) inside the frame */
    const char *why;       /* stop != STOP_NONE: decode's reason, static text */
    uint64_t value;        /* the number it holds when has_value */
    uint32_t offset;       /* first byte, from the start of the frame */
    uint32_t size;         /* bytes it touches (a bit field: the bytes holding it); a cut
                            * field: the bytes there are */
    uint32_t want;         /* a cut field: the bytes it needs */
    uint32_t layer_offset; /* where its header starts */
    uint16_t id;           /* enum decode_field_id */
    uint8_t layer;         /* enum decode_layer */
    uint8_t bits;          /* 0: whole bytes; else a bit field of this many bits... */
    uint8_t first_bit;     /* ...starting at this bit of the first byte (0 = MSB) */
    uint8_t stop;          /* enum decode_stop */
    bool has_value;
};

typedef void (*decode_field_fn)(void *ctx, const struct decode_field *f);

/* Receives every field decode reads, outermost first, in frame order: the fields tile the
 * headers with no gap or overlap, then the payload and any trailer. */
struct decode_sink {
    decode_field_fn field;
    void *ctx;
};

/* decode_packet that also tells sink about each field as it decodes it (sink NULL: exactly
 * decode_packet). The list stops where decode stopped: a cut header ends with a
 * STOP_TRUNCATED or STOP_SHORT field, a rejected value is a STOP_MALFORMED field. */
enum packet_status decode_packet_fields(int linktype, const uint8_t *frame, uint32_t caplen,
                                        uint32_t wirelen, uint64_t ts_ns, struct packet *out,
                                        const struct decode_sink *sink);

/* True if decode_packet understands this link type. */
bool decode_linktype_supported(int linktype);


#endif
