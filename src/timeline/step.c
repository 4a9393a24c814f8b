/* The pump step every frame loop shares: decode the frame, then let the tracker see it. One
 * place, so a loop cannot decode with one link type and track under another number. */
#include "sockscope/timeline.h"

void timeline_step_frame(struct tracker *tr, int linktype, const struct capture_frame *fr,
                         struct packet *pkt, struct track_info *info)
{
    decode_packet(linktype, fr->data, fr->caplen, fr->wirelen, fr->ts_ns, pkt);
    track_feed(tr, pkt, fr->number, info);
}
