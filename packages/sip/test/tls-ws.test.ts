// TLS (node:tls with a self-signed certificate made by openssl in the test) and WebSocket (RFC 7118) exchanges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createUserAgent, parseMessage, serialize, createResponse, type SipRequest, type SipResponse, type UserAgent, type Dialog } from '../src/index.ts';
import { buildRequest, sdpOffer } from '../src/testing/index.ts';

let dir: string;
let cert: string;
let key: string;
const uas: UserAgent[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kefu-tls-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { stdio: 'ignore' });
  cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
});

afterAll(async () => {
  await Promise.all(uas.map((u) => u.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS transport', () => {
  it('sets up and ends a call over TLS with a verified certificate', async () => {
    const tls = { cert, key, ca: cert, rejectUnauthorized: true };
    const server = await createUserAgent({ tls: { host: '127.0.0.1', tls } });
    const client = await createUserAgent({ tls: { host: '127.0.0.1', tls } });
    uas.push(server, client);
    const ended = new Promise<string>((resolve) =>
      server.on('invite', (inv) => {
        void server.createUAS(inv, { localSdp: sdpOffer(45000) }).then((d: Dialog) => d.on('destroy', (e) => resolve(e.reason)));
      }),
    );
    const port = server.transport.entryFor('TLS')!.transport.localPort;
    const dialog = await client.createUAC(`sip:bob@127.0.0.1:${port};transport=tls`, { localSdp: sdpOffer(45002) });
    expect(dialog.remoteSdp).toContain('m=audio 45000');
    expect(dialog.invite.topVia.transport).toBe('TLS');
    await dialog.destroy();
    expect(await ended).toBe('remote');
  });
});

describe('WebSocket transport (RFC 7118)', () => {
  it('answers over the same WebSocket and sends in-dialog requests back over it', async () => {
    const server = await createUserAgent({ ws: { host: '127.0.0.1' } });
    uas.push(server);
    const dialogs: Dialog[] = [];
    server.on('invite', (inv) => void server.createUAS(inv, { localSdp: sdpOffer(46000) }).then((d) => dialogs.push(d)));
    const port = server.transport.entryFor('WS')!.transport.localPort;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
    const inbox: Array<SipRequest | SipResponse> = [];
    ws.on('message', (d: Buffer) => inbox.push(parseMessage(Buffer.from(d)) as SipRequest | SipResponse));
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('sip');
    const wait = async <T>(fn: () => T | undefined): Promise<T> => {
      for (let i = 0; i < 200; i++) {
        const v = fn();
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('timed out');
    };
    const via = 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws1';
    const contact = '<sip:alice@df7jal23ls0d.invalid;transport=ws>';
    ws.send(serialize(buildRequest({ method: 'OPTIONS', uri: `sip:127.0.0.1:${port};transport=ws`, via, callId: 'ws-opt' })).toString());
    const opt = await wait(() => inbox.find((m): m is SipResponse => m.kind === 'response' && m.callId === 'ws-opt'));
    expect(opt.status).toBe(200);

    const invite = buildRequest({ method: 'INVITE', uri: `sip:bob@127.0.0.1:${port};transport=ws`, via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws2', callId: 'ws-call', contact, body: sdpOffer(46002) });
    ws.send(serialize(invite).toString());
    const ok = await wait(() => inbox.find((m): m is SipResponse => m.kind === 'response' && m.callId === 'ws-call' && m.status === 200));
    const ack = buildRequest({ method: 'ACK', uri: ok.contacts[0] ? `sip:bob@127.0.0.1:${port};transport=ws` : '', via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws3', callId: 'ws-call', from: invite.get('From')!, to: ok.get('To')!, cseq: 1 });
    ws.send(serialize(ack).toString());
    const dialog = await wait(() => dialogs[0]);
    void dialog.destroy();
    const bye = await wait(() => inbox.find((m): m is SipRequest => m.kind === 'request' && m.method === 'BYE'));
    expect(bye.uri).toBe('sip:alice@df7jal23ls0d.invalid;transport=ws');
    ws.send(serialize(createResponse(bye, 200)).toString());
    ws.close();
  });

  it('refuses a WebSocket without the sip subprotocol', async () => {
    const server = await createUserAgent({ ws: { host: '127.0.0.1' } });
    uas.push(server);
    const port = server.transport.entryFor('WS')!.transport.localPort;
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    ws.on('error', () => {});
    const outcome = await new Promise<string>((resolve) => {
      ws.once('close', () => resolve('closed'));
      ws.once('open', () => setTimeout(() => resolve(ws.readyState === WebSocket.OPEN ? 'open' : 'closed'), 200));
    });
    expect(outcome).toBe('closed');
  });
});
