// The check of a visitor's WebRTC offer before the media engine answers it (chat-call.ts).
import { describe, expect, test } from 'vitest';
import { visitorOfferProblem } from './chat-call.ts';

// The audio part of an offer as Chromium makes it (trimmed): DTLS-SRTP, ICE credentials, Opus and G.711.
const CHROMIUM_OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:EsAw', 'a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y',
  'a=fingerprint:sha-256 DA:52:67:C5:2A:2E:91:13:A2:7D:3A:E1:2E:A4:F3:28:90:67:71:0E:B7:6F:7B:56:79:F4:B2:D1:54:4B:92:7E',
  'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:126 telephone-event/8000', 'a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', '',
].join('\r\n');

describe('a visitor offer', () => {
  test('a browser offer with DTLS-SRTP, ICE and G.711 is answered', () => {
    expect(visitorOfferProblem(CHROMIUM_OFFER)).toBeUndefined();
  });

  test('plain RTP, no fingerprint, no ICE credentials or no G.711 are refused with the reason', () => {
    expect(visitorOfferProblem(CHROMIUM_OFFER.replace('UDP/TLS/RTP/SAVPF', 'RTP/AVP'))).toMatch(/DTLS-SRTP/);
    expect(visitorOfferProblem(CHROMIUM_OFFER.replace(/a=fingerprint:.*\r\n/, ''))).toMatch(/fingerprint/);
    expect(visitorOfferProblem(CHROMIUM_OFFER.replace(/a=ice-pwd:.*\r\n/, ''))).toMatch(/ICE/);
    expect(visitorOfferProblem(CHROMIUM_OFFER.replace(/a=rtpmap:(0|8) PCM.*\r\n/g, ''))).toMatch(/PCMU or PCMA/);
    expect(visitorOfferProblem('v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n')).toMatch(/audio/);
  });
});
