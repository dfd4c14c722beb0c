// Dialog and UA timer behaviour under a fake clock with a scripted peer: 2xx retransmission until ACK (§13.3.1.4),
// BYE when no ACK comes, session timers (RFC 4028), reliable provisionals (RFC 3262), CSeq ordering (§12.2.2).
import { afterEach, describe, expect, it } from 'vitest';
import { UserAgent, SipError, type Dialog, type SipRequest } from '../src/index.ts';
import { FakeClock, ScriptedUA, buildRequest, createMemoryPair, sdpOffer } from '../src/testing/index.ts';

let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closeAll) await c();
  closeAll = [];
});

function setup() {
  const clock = new FakeClock();
  const [ta, tb] = createMemoryPair();
  const ua = new UserAgent([tb], { clock });
  const peer = new ScriptedUA(ta, { transport: 'UDP', address: '127.0.0.1', port: 5062 });
  closeAll.push(() => ua.close());
  return { clock, ua, peer, sent: tb.sent };
}

const VIA = (b: string) => `SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK${b}`;
const count = (sent: Buffer[], prefix: string) => sent.filter((d) => d.toString('latin1').startsWith(prefix)).length;

function invite(extra: Record<string, string> = {}): SipRequest {
  return buildRequest({
    method: 'INVITE', uri: 'sip:bob@127.0.0.1:5062', via: VIA('inv1'), callId: 'call-1', from: '<sip:alice@127.0.0.1>;tag=a1',
    contact: '<sip:alice@127.0.0.1:5061>', body: sdpOffer(40000), headers: extra,
  });
}

function ackFor(ok: import('../src/index.ts').SipResponse, cseq = 1): SipRequest {
  return buildRequest({ method: 'ACK', uri: 'sip:kefu@127.0.0.1:5062', via: VIA(`ack${cseq}`), callId: 'call-1', from: '<sip:alice@127.0.0.1>;tag=a1', to: ok.get('To')!, cseq });
}

describe('UAS 2xx handling', () => {
  it('retransmits the 2xx with T1 doubling to T2 until the ACK arrives', async () => {
    const { clock, ua, peer, sent } = setup();
    let dialog: Dialog | undefined;
    ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdpOffer(41000) }).then((d) => (dialog = d)));
    await peer.send(invite());
    await clock.advance(0);
    const ok = await peer.expectResponse(200);
    await clock.advance(3_500); // 2xx again at 0.5, 1.5 and 3.5 s
    expect(count(sent, 'SIP/2.0 200')).toBe(4);
    await peer.send(ackFor(ok));
    await clock.advance(0);
    expect(dialog?.state).toBe('confirmed');
    await clock.advance(20_000);
    expect(count(sent, 'SIP/2.0 200')).toBe(4);
  });

  it('sends BYE and rejects createUAS when no ACK arrives within 64*T1', async () => {
    const { clock, ua, peer } = setup();
    let error: unknown;
    ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdpOffer(41000) }).catch((e: unknown) => (error = e)));
    await peer.send(invite());
    await clock.advance(32_000);
    expect((error as SipError).code).toBe('NO_ACK');
    const bye = await peer.expectRequest('BYE');
    expect(bye.callId).toBe('call-1');
  });
});

describe('session timers (RFC 4028)', () => {
  it('answers with Session-Expires and sends BYE when the UAC does not refresh', async () => {
    const { clock, ua, peer } = setup();
    const destroyed: string[] = [];
    ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdpOffer(41000) }).then((d) => d.on('destroy', (e) => destroyed.push(e.reason))));
    await peer.send(invite({ Supported: 'timer', 'Session-Expires': '120;refresher=uac' }));
    await clock.advance(0);
    const ok = await peer.expectResponse(200);
    expect(ok.get('Session-Expires')).toBe('120;refresher=uac');
    expect(ok.get('Require')).toBe('timer');
    await peer.send(ackFor(ok));
    await clock.advance(79_000); // expiry at 120 - min(32, 120/3) = 88 s
    expect(destroyed).toEqual([]);
    await clock.advance(10_000);
    expect(destroyed).toEqual(['session-expired']);
    expect((await peer.expectRequest('BYE')).get('Reason')).toContain('Session expired');
  });

  it('rejects a Session-Expires below Min-SE with 422', async () => {
    const { clock, ua, peer } = setup();
    ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdpOffer() }));
    await peer.send(invite({ 'Session-Expires': '30' }));
    await clock.advance(0);
    expect((await peer.expectResponse(422)).get('Min-SE')).toBe('90');
  });
});

describe('reliable provisional responses (RFC 3262)', () => {
  it('retransmits a 100rel 183 until PRACK and answers the PRACK with 200', async () => {
    const { clock, ua, peer, sent } = setup();
    let pracked: boolean | undefined;
    ua.on('invite', (inv) => void ua.sendProvisional(inv, 183, { reliable: true, body: sdpOffer(41000) }).then((ok) => (pracked = ok)));
    await peer.send(invite({ Supported: '100rel' }));
    await clock.advance(0);
    const p183 = await peer.expectResponse(183);
    expect(p183.get('Require')).toBe('100rel');
    await clock.advance(1_600); // again at 0.5 and 1.5 s
    expect(count(sent, 'SIP/2.0 183')).toBe(3);
    const prack = buildRequest({
      method: 'PRACK', uri: 'sip:kefu@127.0.0.1:5062', via: VIA('prack1'), callId: 'call-1', from: '<sip:alice@127.0.0.1>;tag=a1',
      to: p183.get('To')!, cseq: 2, headers: { RAck: `${p183.get('RSeq')} 1 INVITE` },
    });
    await peer.send(prack);
    await clock.advance(0);
    expect((await peer.expectResponse(200, 'PRACK')).status).toBe(200);
    expect(pracked).toBe(true);
    await clock.advance(10_000);
    expect(count(sent, 'SIP/2.0 183')).toBe(3);
  });
});

describe('in-dialog request rules', () => {
  it('answers requests for unknown dialogs with 481 and out-of-order CSeq with 500', async () => {
    const { clock, ua, peer } = setup();
    ua.on('invite', (inv) => void ua.createUAS(inv, { localSdp: sdpOffer(41000) }));
    await peer.send(buildRequest({ method: 'BYE', uri: 'sip:kefu@127.0.0.1:5062', via: VIA('bye0'), to: '<sip:bob@x>;tag=nope' }));
    await clock.advance(0);
    await peer.expectResponse(481);
    await peer.send(invite());
    await clock.advance(0);
    const ok = await peer.expectResponse(200);
    await peer.send(ackFor(ok));
    await clock.advance(0);
    const info = (cseq: number, b: string) => buildRequest({ method: 'INFO', uri: 'sip:kefu@127.0.0.1:5062', via: VIA(b), callId: 'call-1', from: '<sip:alice@127.0.0.1>;tag=a1', to: ok.get('To')!, cseq });
    await peer.send(info(5, 'info5'));
    await clock.advance(0);
    await peer.expectResponse(200, 'INFO');
    await peer.send(info(4, 'info4'));
    await clock.advance(0);
    await peer.expectResponse(500, 'INFO');
  });
});
