import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RtpHeader, SrtcpSession, SrtpSession as WeriftSrtpSession } from 'werift';
import {
  deriveSessionKey,
  deriveSessionKeys,
  estimateRoc,
  REPLAY_WINDOW,
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpContext,
  type SrtpProfileId,
} from '../src/webrtc/srtp.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rtp(seq: number, ssrc = 0x11223344, payload = Buffer.alloc(160, 0x55)): Buffer {
  const b = Buffer.alloc(12 + payload.length);
  b[0] = 0x80;
  b[1] = 0;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE((seq * 160) >>> 0, 4);
  b.writeUInt32BE(ssrc, 8);
  payload.copy(b, 12);
  return b;
}

/** An RTCP receiver report with one block. */
function rtcpRr(ssrc = 0x11223344): Buffer {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeUInt32BE(0xcafebabe, 8);
  b.writeUInt32BE(0x01000010, 12);
  return b;
}

describe('RFC 3711 Appendix B', () => {
  it('B.3: derives the session encryption key, salt and authentication key', () => {
    const mk = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const ms = hex('0EC675AD498AFEEBB6960B3AABE6');
    expect(deriveSessionKey(mk, ms, 0, 16).toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(deriveSessionKey(mk, ms, 2, 14).toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(deriveSessionKey(mk, ms, 1, 94).toString('hex').toUpperCase()).toBe(
      'CEBE321F6FF7716B6FD4AB49AF256A156D38BAA48F0A0ACF3C34E2359E6CDBCEE049646C43D9327AD175578EF7227098' +
        '6371C10C9A369AC2F94A8C5FBCDDDC256D6E919A48B610EF17C2041E474035766B68642C59BBFC2F34DB60DBDFB2',
    );
    const keys = deriveSessionKeys(SRTP_AES128_CM_HMAC_SHA1_80, mk, ms);
    expect(keys.rtpAuth.toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });

  it('B.2: the AES-CM keystream for SSRC 0, ROC 0, sequence 0 (encrypting zeros)', () => {
    const ctx = new SrtpContext(SRTP_AES128_CM_HMAC_SHA1_80, {
      rtpKey: hex('2B7E151628AED2A6ABF7158809CF4F3C'),
      rtpSalt: hex('F0F1F2F3F4F5F6F7F8F9FAFBFCFD'),
      rtpAuth: Buffer.alloc(20),
      rtcpKey: Buffer.alloc(16),
      rtcpSalt: Buffer.alloc(14),
      rtcpAuth: Buffer.alloc(20),
    });
    // 0xff02 blocks reach counter ...FF01, the last block the appendix lists.
    const protectedPacket = ctx.protectRtp(rtp(0, 0, Buffer.alloc(0xff02 * 16)));
    const ks = protectedPacket.subarray(12, protectedPacket.length - 10);
    const block = (n: number) => ks.subarray(n * 16, n * 16 + 16).toString('hex').toUpperCase();
    expect(block(0)).toBe('E03EAD0935C95E80E166B16DD92B4EB4');
    expect(block(1)).toBe('D23513162B02D0F72A43A2FE4A5F97AB');
    expect(block(2)).toBe('41E95B3BB0A2E8DD477901E4FCA894C0');
    expect(block(0xfeff)).toBe('EC8CDF7398607CB0F2D21675EA9EA1E4');
    expect(block(0xff00)).toBe('362B7C3C6773516318A077D7FC5073AE');
    expect(block(0xff01)).toBe('6A2CC3787889374FBEB4C81B17BA6C44');
  });
});

describe('RFC 7714 §16.1 AEAD_AES_128_GCM', () => {
  it('protects the RFC packet to the RFC ciphertext and tag, and back', () => {
    const keys = {
      rtpKey: hex('000102030405060708090a0b0c0d0e0f'),
      rtpSalt: hex('517569642070726f2071756f'),
      rtpAuth: Buffer.alloc(0),
      rtcpKey: hex('000102030405060708090a0b0c0d0e0f'),
      rtcpSalt: hex('517569642070726f2071756f'),
      rtcpAuth: Buffer.alloc(0),
    };
    const plain = hex('8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573');
    const expected = hex(
      '8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833' +
        '899d7f27 beb16a91 52cf765e e4390cce',
    );
    expect(new SrtpContext(SRTP_AEAD_AES_128_GCM, keys).protectRtp(plain).toString('hex')).toBe(expected.toString('hex'));
    expect(new SrtpContext(SRTP_AEAD_AES_128_GCM, keys).unprotectRtp(expected)?.toString('hex')).toBe(plain.toString('hex'));
  });
});

const PROFILES: [string, SrtpProfileId, number][] = [
  ['AES_CM_128_HMAC_SHA1_80', SRTP_AES128_CM_HMAC_SHA1_80, 14],
  ['AEAD_AES_128_GCM', SRTP_AEAD_AES_128_GCM, 12],
];

describe.each(PROFILES)('%s', (_name, profile, saltLen) => {
  const mk = randomBytes(16);
  const ms = randomBytes(saltLen);
  const pair = () => [SrtpContext.fromMaster(profile, mk, ms), SrtpContext.fromMaster(profile, mk, ms)] as const;

  it('round-trips RTP, including a CSRC list and a header extension left in clear', () => {
    const [tx, rx] = pair();
    const p = Buffer.concat([Buffer.from([0x91, 0x80, 0, 7, 0, 0, 4, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 9, 0xbe, 0xde, 0, 1, 1, 2, 3, 4]), Buffer.alloc(160, 0x7f)]);
    const s = tx.protectRtp(p);
    expect(s.subarray(0, 24).equals(p.subarray(0, 24))).toBe(true);
    expect(s.subarray(24, 184).equals(p.subarray(24))).toBe(false);
    expect(rx.unprotectRtp(s)?.equals(p)).toBe(true);
  });

  it('rejects a replayed packet, accepts reordered ones inside the window, drops those behind it', () => {
    const [tx, rx] = pair();
    const sent = Array.from({ length: REPLAY_WINDOW + 10 }, (_, i) => tx.protectRtp(rtp(1000 + i)));
    expect(rx.unprotectRtp(sent[5]!)).toBeDefined();
    expect(rx.unprotectRtp(sent[5]!)).toBeUndefined();
    expect(rx.unprotectRtp(sent[3]!)).toBeDefined(); // late but inside the window
    expect(rx.unprotectRtp(sent[3]!)).toBeUndefined();
    expect(rx.unprotectRtp(sent[REPLAY_WINDOW + 9]!)).toBeDefined();
    expect(rx.unprotectRtp(sent[4]!)).toBeUndefined(); // now behind the window
    expect(rx.unprotectRtp(sent[REPLAY_WINDOW + 8]!)).toBeDefined();
  });

  it('rejects a packet whose payload, header or tag was altered', () => {
    const [tx, rx] = pair();
    const good = tx.protectRtp(rtp(1));
    for (const at of [1, 20, good.length - 1]) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x01;
      expect(rx.unprotectRtp(bad)).toBeUndefined();
    }
    expect(rx.unprotectRtp(good.subarray(0, 15))).toBeUndefined();
    expect(rx.unprotectRtp(good)).toBeDefined(); // a failed packet did not advance any state
  });

  it('carries the rollover counter across the 16-bit sequence wrap (and a reordered packet from before it)', () => {
    const [tx, rx] = pair();
    const seqs = [65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3];
    const sent = seqs.map((s) => tx.protectRtp(rtp(s)));
    for (const i of [0, 1, 2, 3, 4, 6, 5, 7, 8, 9]) expect(rx.unprotectRtp(sent[i]!)?.equals(rtp(seqs[i]!)), `seq ${seqs[i]}`).toBe(true);
    // A receiver whose state says ROC 0 near sequence 0 takes the wrong index: rejected.
    const [, fresh] = pair();
    fresh.setRolloverCounter(0x11223344, 0, 1);
    expect(fresh.unprotectRtp(sent[9]!)).toBeUndefined();
    const [, joined] = pair();
    joined.setRolloverCounter(0x11223344, 1, 0);
    expect(joined.unprotectRtp(sent[9]!)?.equals(rtp(3))).toBe(true);
  });

  it('round-trips SRTCP with increasing indices, and rejects replays and forgeries', () => {
    const [tx, rx] = pair();
    const a = tx.protectRtcp(rtcpRr());
    const b = tx.protectRtcp(rtcpRr());
    expect(a.equals(b)).toBe(false);
    expect(rx.unprotectRtcp(b)?.equals(rtcpRr())).toBe(true);
    expect(rx.unprotectRtcp(a)?.equals(rtcpRr())).toBe(true);
    expect(rx.unprotectRtcp(a)).toBeUndefined();
    const bad = tx.protectRtcp(rtcpRr());
    bad[10]! ^= 0x40;
    expect(rx.unprotectRtcp(bad)).toBeUndefined();
  });

  it('interoperates with werift (an independent implementation) both ways, RTP and RTCP', () => {
    const keys = { localMasterKey: mk, localMasterSalt: ms, remoteMasterKey: mk, remoteMasterSalt: ms };
    const w = new WeriftSrtpSession({ keys, profile });
    const wc = new SrtcpSession({ keys, profile });
    const [tx, rx] = pair();
    for (const seq of [65534, 65535, 0, 1]) {
      const plain = rtp(seq);
      expect(w.decrypt(tx.protectRtp(plain)).equals(plain)).toBe(true);
      const fromWerift = w.encrypt(plain.subarray(12), new RtpHeader({ payloadType: 0, sequenceNumber: seq, timestamp: (seq * 160) >>> 0, ssrc: 0x11223344 }));
      expect(rx.unprotectRtp(fromWerift)?.equals(plain)).toBe(true);
    }
    expect(wc.decrypt(tx.protectRtcp(rtcpRr())).equals(rtcpRr())).toBe(true);
    expect(rx.unprotectRtcp(wc.encrypt(rtcpRr()))?.equals(rtcpRr())).toBe(true);
  });
});

describe('rollover counter estimate (RFC 3711 §3.3.1)', () => {
  it('guesses ROC−1 for a late packet from before a wrap and ROC+1 after one', () => {
    expect(estimateRoc(65535, 2, 1)).toBe(0);
    expect(estimateRoc(3, 65530, 0)).toBe(1);
    expect(estimateRoc(40000, 39000, 5)).toBe(5);
    expect(estimateRoc(100, -1, 0)).toBe(0);
  });
});
