/** Test kit for users of @kefu/media: RTP peers, pcap reading, tone measurement. */
export { RtpTestPeer, shareAt, rms, sine } from './rtp-test-peer.ts';
export { readPcapUdp, type PcapUdpPacket } from './pcap.ts';
export { waitFor } from './wait-for.ts';
