/* Temporary: replaced by the real decoders. */
#include <string.h>
#include "sockscope/decode.h"
enum packet_status decode_packet(int linktype, const uint8_t *frame, uint32_t caplen,
                                 uint32_t wirelen, uint64_t ts_ns, struct packet *out)
{
    (void)frame;
    memset(out, 0, sizeof *out);
    out->linktype = linktype; out->caplen = caplen; out->wirelen = wirelen; out->ts_ns = ts_ns;
    out->status = PACKET_UNSUPPORTED; out->why = "not implemented";
    return out->status;
}
bool decode_linktype_supported(int linktype) { (void)linktype; return false; }
int decode_format_address(const struct ip_address *a, char *buf, int bufsize)
{ (void)a; if (bufsize) buf[0] = 0; return 0; }
