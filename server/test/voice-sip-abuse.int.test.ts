// Bad input and abuse at the SIP edge: an unknown number is 404, a malformed or codec-less offer is 488 (and
// leaves no interaction behind), a scanner probing extensions gets the same answers for known and unknown ones,
// and a source that keeps failing is banned. Peers are UAs of the project's own SIP stack on loopback addresses:
// 127.0.0.1 is the demo trunk; 127.0.0.2 and 127.0.0.3 are strangers.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { answerChallenge, createUserAgent, SipError, SipRequest, type SipResponse, type UserAgent } from '@kefu/sip';
import type { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { startVoiceKefu } from './voice-fixtures.ts';

let server: TestKefu;
let admin: TestClient;
let port: number;
const uas: UserAgent[] = [];

beforeAll(async () => {
  ({ server, admin, sipPort: port } = await startVoiceKefu());
});
afterAll(async () => {
  for (const ua of uas) await ua.close(200);
  await server?.stop();
});

async function peer(host: string): Promise<UserAgent> {
  const ua = await createUserAgent({ udp: { host } });
  uas.push(ua);
  return ua;
}

const sdp = (body: string[]) => `${body.join('\r\n')}\r\n`;
const goodOffer = sdp(['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000']);

/** Places an INVITE and returns the final status (2xx dialogs are hung up at once). */
async function invite(ua: UserAgent, user: string, body: string | undefined): Promise<number> {
  try {
    const dialog = await ua.createUAC(`sip:${user}@127.0.0.1:${port}`, {
      dest: { transport: 'UDP', address: '127.0.0.1', port },
      ...(body !== undefined ? { localSdp: body } : {}),
    });
    await dialog.destroy();
    return 200;
  } catch (err) {
    if (err instanceof SipError && err.status) return err.status;
    throw err;
  }
}

/** Sends one out-of-dialog request and resolves with its final response. */
async function exchange(ua: UserAgent, req: SipRequest): Promise<SipResponse> {
  const tx = await ua.transactions.request(req, { transport: 'UDP', address: '127.0.0.1', port });
  return new Promise((resolve, reject) => {
    tx.on('response', (r) => {
      if (r.status >= 200) resolve(r);
    });
    tx.on('error', reject);
  });
}

let cseq = 1;
function register(ua: UserAgent, extension: string, callId: string): SipRequest {
  const req = new SipRequest('REGISTER', `sip:127.0.0.1:${port}`);
  req.append('Max-Forwards', 70);
  req.append('From', `<sip:${extension}@127.0.0.1>;tag=t${extension}`);
  req.append('To', `<sip:${extension}@127.0.0.1>`);
  req.append('Call-ID', callId);
  req.append('CSeq', `${cseq++} REGISTER`);
  req.append('Contact', ua.contact('UDP'));
  req.append('Expires', 60);
  return req;
}

/** What a scanner can compare between two answers: status, reason, header names, challenge parameters. */
function shape(res: SipResponse): unknown {
  const challenge = (res.get('WWW-Authenticate') ?? res.get('Proxy-Authenticate') ?? '').replace(/nonce="[^"]*"/, 'nonce=…');
  return { status: res.status, reason: res.reason, headers: res.headers.map((h) => h.name.toLowerCase()).sort(), challenge };
}

describe('calls from the trunk with bad input', () => {
  test('an unknown number is 404, a malformed or codec-less offer is 488, and none leaves an interaction', async () => {
    const trunk = await peer('127.0.0.1');
    expect(await invite(trunk, '4999', goodOffer)).toBe(404);
    expect(await invite(trunk, '4000', 'v=0\r\nthis is not SDP at all\r\n')).toBe(488);
    expect(await invite(trunk, '4000', sdp(['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 18', 'a=rtpmap:18 G729/8000']))).toBe(488);
    expect(await invite(trunk, '4000', sdp(['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=video 40000 RTP/AVP 96']))).toBe(488);
    expect(await invite(trunk, '4000', undefined)).toBe(488);
    expect((await admin.get('/api/v1/interactions')).body.items).toEqual([]);
    // Kefu is still answering.
    const options = new SipRequest('OPTIONS', `sip:127.0.0.1:${port}`);
    for (const [k, v] of [['Max-Forwards', '70'], ['From', '<sip:probe@127.0.0.1>;tag=o1'], ['To', `<sip:127.0.0.1:${port}>`], ['Call-ID', 'options-1'], ['CSeq', '1 OPTIONS']] as const) options.append(k, v);
    expect((await exchange(trunk, options)).status).toBe(200);
  });
});

describe('a SIP scanner', () => {
  test('gets identical challenges for known and unknown extensions, over INVITE and REGISTER', async () => {
    const scanner = await peer('127.0.0.3');
    const known = await exchange(scanner, register(scanner, '1001', 'scan-a'));
    const unknown = await exchange(scanner, register(scanner, '9999', 'scan-b'));
    expect(known.status).toBe(401);
    expect(shape(unknown)).toEqual(shape(known));
    // INVITE from an address that is no trunk: the same 407 whatever the target.
    expect(await invite(scanner, '1001', goodOffer)).toBe(407);
    expect(await invite(scanner, '9999', goodOffer)).toBe(407);
    expect(await invite(scanner, '4000', goodOffer)).toBe(407);
  });

  test('gets identical refusals for a wrong password and an unknown extension, then is banned — even with the right password', async () => {
    const scanner = await peer('127.0.0.2');
    const password = (await admin.get('/api/v1/voice/extensions')).body.find((e: { extension: string }) => e.extension === '1002').password;
    const attempt = async (extension: string, secret: string, callId: string): Promise<SipResponse> => {
      const first = await exchange(scanner, register(scanner, extension, callId));
      if (first.status !== 401) return first;
      const retry = register(scanner, extension, callId);
      expect(answerChallenge(retry, first, { username: extension, password: secret })).toBe(true);
      return exchange(scanner, retry);
    };
    const wrong = await attempt('1002', 'not-the-password', 'guess-1');
    const missing = await attempt('9999', 'not-the-password', 'guess-2');
    expect(wrong.status).toBe(401);
    expect(shape(missing)).toEqual(shape(wrong));
    for (let i = 3; i <= 5; i++) expect((await attempt(i % 2 ? '1002' : '9998', 'guess', `guess-${i}`)).status).toBe(401);
    // Five failures: banned. The right password no longer helps, and nothing tells known from unknown.
    expect((await attempt('1002', password, 'guess-6')).status).toBe(403);
    expect((await attempt('9999', password, 'guess-7')).status).toBe(403);
    expect(await invite(scanner, '4000', goodOffer)).toBe(403);
    // Another address is not affected: the right password registers.
    const phone = await peer('127.0.0.4');
    const first = await exchange(phone, register(phone, '1002', 'phone-1'));
    const retry = register(phone, '1002', 'phone-1');
    answerChallenge(retry, first, { username: '1002', password });
    expect((await exchange(phone, retry)).status).toBe(200);
  });
});
