/* layers: how the per-layer decoders of src/decode/ hand bytes to each other. Each takes a
 * cursor over the captured bytes of its layer and the length its layer has on the wire
 * (from the enclosing header), and fills its part of the packet view. Each comes twice, from
 * one always-inline body: decode_X, where the field sink is a constant NULL so every emission
 * folds away (the hot path pays nothing for the sink), and decode_X_fields, which tells fo
 * the fields it reads. */
#ifndef SOCKSCOPE_DECODE_LAYERS_H
#define SOCKSCOPE_DECODE_LAYERS_H

#include "cursor.h"
#include "fields.h"
#include "sockscope/decode.h"

#define DECODE_INLINE static inline __attribute__((always_inline))

/* The next layer, in the variant of the caller: with fields when fo is not NULL. */
#define DECODE_NEXT(fn, fo, ...) ((fo) ? fn##_fields(__VA_ARGS__, fo) : fn(__VA_ARGS__))

/* Records the first problem found; later layers never overwrite it. */
static inline void decode_mark(struct packet *out, enum packet_status status, const char *why)
{
    if (out->status == PACKET_OK) {
        out->status = status;
        out->why = why;
    }
}

/* A header needed more bytes than there are: truncated if the capture cut it short (the
 * layer is longer on the wire than captured), malformed if the enclosing length says so. */
static inline void decode_short(struct packet *out, struct cursor c, uint32_t len,
                                const char *why_truncated, const char *why_malformed)
{
    if (c.cap < len)
        decode_mark(out, PACKET_TRUNCATED, why_truncated);
    else
        decode_mark(out, PACKET_MALFORMED, why_malformed);
}

/* Points the packet's payload at c, len bytes long on the wire. */
static inline void decode_set_payload(struct packet *out, struct cursor c, uint32_t len)
{
    out->payload = c.p;
    out->payload_len = len;
    out->payload_caplen = c.cap < len ? c.cap : len;
}

/* link.c: wire is the length of the frame as sent (>= c.cap). */
void decode_link(int linktype, struct cursor c, uint32_t wire, struct packet *out);
void decode_link_fields(int linktype, struct cursor c, uint32_t wire, struct packet *out,
                        struct field_out *fo);

/* ipv4.c, ipv6.c: wire is the length from the IP header to the end of the frame. */
void decode_ipv4(struct cursor c, uint32_t wire, struct packet *out);
void decode_ipv4_fields(struct cursor c, uint32_t wire, struct packet *out, struct field_out *fo);
void decode_ipv6(struct cursor c, uint32_t wire, struct packet *out);
void decode_ipv6_fields(struct cursor c, uint32_t wire, struct packet *out, struct field_out *fo);

/* ipv4.c, ipv6.c: the fixed headers' layouts, for the packet's own header and for one an
 * ICMP error quotes. */
enum { DECODE_IPV4_SPECS = 13, DECODE_IPV6_SPECS = 8 };
extern const struct field_spec decode_ipv4_specs[DECODE_IPV4_SPECS];
extern const struct field_spec decode_ipv6_specs[DECODE_IPV6_SPECS];

/* What an IPv6 extension header chain led to. */
struct ipv6_chain {
    uint8_t proto;        /* first next-header value that is not an extension header */
    uint32_t offset;      /* where that header starts, from the end of the fixed header */
    bool fragment;        /* a fragment header was present */
    uint16_t frag_offset; /* in 8-byte units; nonzero: proto's header is not here */
};

/* Walks the extension headers after the fixed IPv6 header; c covers the captured payload
 * and len its length on the wire. Returns PACKET_OK or the problem, with *why. fo receives
 * each extension header as a field of layer. */
enum packet_status decode_ipv6_chain(struct cursor c, uint32_t len, uint8_t next,
                                     struct ipv6_chain *chain, const char **why, uint8_t layer);
enum packet_status decode_ipv6_chain_fields(struct cursor c, uint32_t len, uint8_t next,
                                            struct ipv6_chain *chain, const char **why,
                                            uint8_t layer, struct field_out *fo);

/* decode.c: the IP payload of a first (or only) fragment; c.cap <= len. */
void decode_transport(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                      struct packet *out);
void decode_transport_fields(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                             struct packet *out, struct field_out *fo);

/* decode.c: a fragment other than the first; its transport header travelled in the first,
 * so it gets a protocol but no ports, and its bytes become the payload. */
void decode_later_fragment(uint8_t ip_proto, int ip_version, struct cursor c, uint32_t len,
                           struct packet *out);

/* tcp.c, udp.c, icmp.c: c.cap <= len (the IP layer cut off any link padding). */
void decode_tcp(struct cursor c, uint32_t len, struct packet *out);
void decode_tcp_fields(struct cursor c, uint32_t len, struct packet *out, struct field_out *fo);
void decode_udp(struct cursor c, uint32_t len, int ip_version, bool fragmented, struct packet *out);
void decode_udp_fields(struct cursor c, uint32_t len, int ip_version, bool fragmented,
                       struct packet *out, struct field_out *fo);
void decode_icmp(struct cursor c, uint32_t len, int ip_version, struct packet *out);
void decode_icmp_fields(struct cursor c, uint32_t len, int ip_version, struct packet *out,
                        struct field_out *fo);

#endif
