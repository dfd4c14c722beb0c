// A web chat turned into a voice call, through the real server (SIP service, media engine, routing, database):
// who may call — only the visitor of an accepted chat, only to that chat's agent, only as the widget allows, not
// too often — and a whole call with two werift peers standing in for the browsers (the visitor's widget and the
// agent's browser phone): invitation, offer over the chat socket, the agent's phone answering by itself, the
// call on the chat's interaction (segment, recording, transcript lines), hang-up from either side, and the call
// ending with the chat. Audio itself is measured in the browser test (webchat-call.e2e.test.ts).
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import type { TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';
import { startVoiceKefu, until } from './voice-fixtures.ts';
import { chatQueueForAgent1 } from './webchat-fixtures.ts';
import { VisitorClient } from './webchat-visitor.ts';

const SITE = 'https://shop.example';

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let agent2: TestClient;
let agentId: string;
let widget: { id: string };
const open: { close(): Promise<void> }[] = [];
const peers: RTCPeerConnection[] = [];
const track = <T extends { close(): Promise<void> }>(c: T): T => {
  open.push(c);
  return c;
};
const started: string[] = [];

beforeAll(async () => {
  ({ server, admin } = await startVoiceKefu());
  agent2 = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
  const chat = await chatQueueForAgent1(server, admin, 'Web chat');
  ({ agent, agentId } = chat);
  const created = await admin.post('/api/v1/webchat/widgets', { name: 'Shop', divisionId: chat.divisionId, queueId: chat.queueId, allowedOrigins: [SITE] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  widget = created.body;
  expect(widget).toMatchObject({ settings: { voiceCall: 'agent' } });
}, 120_000);

afterEach(async () => {
  for (const id of started.splice(0)) await agent.post(`/api/v1/chats/${id}/end`, {});
  for (const pc of peers.splice(0)) await pc.close().catch(() => undefined);
  for (const c of open.splice(0)) await c.close();
  await setVoiceCall('agent');
  for (let i = 0; i < 100 && (await agent.get('/api/v1/routing/me')).body.state !== 'offline'; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => server?.stop());

/** A settings-only PATCH (it keeps the allowed origins). */
async function setVoiceCall(voiceCall: 'off' | 'agent' | 'agent_and_visitor'): Promise<void> {
  const r = await admin.patch(`/api/v1/webchat/widgets/${widget.id}`, { settings: { voiceCall } });
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ allowedOrigins: [SITE], settings: { voiceCall } });
}

/** The agent's realtime socket (with the browser phone switched on unless `phone: false`). */
async function agentSocket(phone = true): Promise<RealtimeClient> {
  const rt = track(await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! }));
  if (phone) expect(await rt.request('softphone.register', {})).toMatchObject({ ok: true });
  return rt;
}

/** A visitor whose chat the agent accepted. */
async function acceptedChat(rt: RealtimeClient, name = 'Li Lei') {
  expect(await rt.request('agent.set_state', { state: 'available' })).toMatchObject({ ok: true });
  const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE }));
  visitor.send({ type: 'start', prechat: { name, question: '光猫红灯一直闪' } });
  const offer = await rt.nextEvent('offer', (o) => o.channel === 'chat');
  expect(await rt.request('offer.accept', { offerId: offer.offerId })).toMatchObject({ ok: true });
  const assigned = await rt.nextEvent('chat.assigned');
  started.push(assigned.interactionId);
  expect(await rt.subscribe(`chat:${assigned.interactionId}`)).toMatchObject({ ok: true });
  await visitor.next('status', (m) => m.status === 'assigned');
  return { visitor, interactionId: assigned.interactionId as string };
}

/** A werift peer standing in for a browser: G.711 audio, host candidates on loopback. */
function peer(): RTCPeerConnection {
  const pc = new RTCPeerConnection({
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })], video: [] },
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendrecv' });
  peers.push(pc);
  return pc;
}
async function gathered(pc: RTCPeerConnection): Promise<string> {
  await until(() => pc.iceGatheringState === 'complete' || undefined, 'ICE gathering', 10_000);
  return pc.localDescription!.sdp;
}
async function visitorOffer(): Promise<{ pc: RTCPeerConnection; sdp: string }> {
  const pc = peer();
  await pc.setLocalDescription(await pc.createOffer());
  return { pc, sdp: await gathered(pc) };
}
/** The agent's browser phone answering a ring. */
async function phoneAnswers(rt: RealtimeClient, ring: { ringId: string; sdp: string }): Promise<RTCPeerConnection> {
  const pc = peer();
  await pc.setRemoteDescription({ type: 'offer', sdp: ring.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  expect(await rt.request('softphone.answer', { ringId: ring.ringId, sdp: await gathered(pc) })).toMatchObject({ ok: true });
  return pc;
}
const errorOf = (v: VisitorClient, n: number) => v.until(() => v.received.filter((m) => m.type === 'error').length > n).then(() => v.received.filter((m) => m.type === 'error')[n] as { code: string; message: string });

describe('who may call', () => {
  test('a chat still waiting for an agent cannot call, and no agent can invite it', async () => {
    const rt = await agentSocket();
    expect(await rt.request('agent.set_state', { state: 'offline' })).toMatchObject({ ok: true });
    const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE }));
    visitor.send({ type: 'start', prechat: { name: 'Waiting', question: '还在排队' } });
    expect((await visitor.next('status')).status).toBe('queued');
    const interactionId = (await visitor.next('message')).message.interactionId;
    await setVoiceCall('agent_and_visitor');
    const { sdp } = await visitorOffer();
    visitor.send({ type: 'call.start', sdp });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/agent/) });
    expect((await agent.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(404);
    visitor.send({ type: 'end' });
    await visitor.next('status', (m) => m.status === 'ended');
  }, 60_000);

  test('a visitor without a chat, or with a malformed offer, is refused; the offer names no destination', async () => {
    const visitor = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE }));
    visitor.send({ type: 'call.start', sdp: 'v=0 fake offer' });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'CONFLICT', message: 'start a chat first' });
    // Anything beyond the SDP (a number, another conversation) is not part of the protocol.
    visitor.send({ type: 'call.start', sdp: 'v=0 fake offer', interactionId: '00000000-0000-4000-8000-000000000000', to: '4000' });
    expect(await errorOf(visitor, 1)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  test('an accepted chat: the visitor cannot call uninvited where only the agent may; another agent cannot invite it; an agent without a phone is told', async () => {
    const rt = await agentSocket(false);
    const { visitor, interactionId } = await acceptedChat(rt);
    const { sdp } = await visitorOffer();
    visitor.send({ type: 'call.start', sdp });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(/not invited/) });
    // Someone else's chat: 404 (not 403), as for any chat that is not yours.
    expect((await agent2.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(404);
    const noPhone = await agent.post(`/api/v1/chats/${interactionId}/call`, {});
    expect(noPhone.status).toBe(409);
    expect(noPhone.body.error.message).toMatch(/browser phone/);
  }, 60_000);

  test('voice calls switched off for the widget: the agent cannot invite and the visitor cannot call', async () => {
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt);
    await setVoiceCall('off');
    const invite = await agent.post(`/api/v1/chats/${interactionId}/call`, {});
    expect(invite.status).toBe(403);
    const { sdp } = await visitorOffer();
    visitor.send({ type: 'call.start', sdp });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'FORBIDDEN' });
    expect(visitor.received.some((m) => m.type === 'call.answer')).toBe(false);
  }, 60_000);

  test('calls are rate-limited per visitor', async () => {
    const rt = await agentSocket();
    const { visitor } = await acceptedChat(rt);
    const { sdp } = await visitorOffer();
    // Uninvited tries are refused (setting: agent only) and still spend the visitor's allowance: 3, then limited.
    for (let i = 0; i < 4; i++) visitor.send({ type: 'call.start', sdp });
    const codes = await visitor.until(() => visitor.received.filter((m) => m.type === 'error').length >= 4).then(() => visitor.received.flatMap((m) => (m.type === 'error' ? [m.code] : [])));
    expect(codes).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'RATE_LIMITED']);
  }, 60_000);
});

describe('a call on the chat', () => {
  test('the agent invites, the visitor accepts, the agent’s phone answers by itself; the call, its recording and the transcript lines are on the chat; the visitor hangs up and the chat goes on', async () => {
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt);
    const invite = await agent.post(`/api/v1/chats/${interactionId}/call`, {});
    expect(invite.status, JSON.stringify(invite.body)).toBe(202);
    await visitor.next('call', (m) => m.state === 'invited');
    await visitor.next('message', (m) => m.message.sender === 'system' && m.message.body === 'The agent invites you to a voice call.');
    expect(await rt.nextEvent('chat.call', (e) => e.state === 'invited')).toMatchObject({ interactionId, by: 'agent' });

    const v = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: v.sdp });
    const answer = await visitor.next('call.answer');
    await v.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    const ring = await rt.nextEvent('softphone.incoming', () => true, 15_000);
    expect(ring).toMatchObject({ interactionId, autoAnswer: true, from: 'Li Lei' });
    const a = await phoneAnswers(rt, ring);
    await visitor.next('call', (m) => m.state === 'connected');
    await rt.nextEvent('chat.call', (e) => e.state === 'connected', 10_000);
    await until(() => (v.pc.connectionState === 'connected' && a.connectionState === 'connected') || undefined, 'both peers connected', 10_000);

    // The chat goes on beside the call.
    visitor.send({ type: 'send', clientMessageId: 'during-call', text: '我听得到您' });
    await rt.nextEvent('chat.message', (m) => m.clientMessageId === 'during-call');
    const live = (await admin.get(`/api/v1/interactions/${interactionId}`)).body;
    expect(live).toMatchObject({ channel: 'chat', state: 'live' });
    expect(live.segments.map((s: { kind: string }) => s.kind)).toContain('voice_call');
    await new Promise((r) => setTimeout(r, 1500));

    visitor.send({ type: 'call.hangup' });
    await visitor.next('call', (m) => m.state === 'ended');
    await rt.nextEvent('softphone.ended', (e) => e.ringId === ring.ringId, 10_000);
    const ended = await visitor.next('message', (m) => /^Voice call ended \(\d+:\d\d\)\.$/.test(m.message.body));
    expect(ended.message.sender).toBe('system');

    // On the interaction: one stored stereo recording, the call segment between agent segments; still a live chat.
    await until(async () => (await admin.get(`/api/v1/interactions/${interactionId}/recordings`)).body.some((r: { state: string }) => r.state === 'stored') || undefined, 'the stored recording', 15_000);
    const recordings = (await admin.get(`/api/v1/interactions/${interactionId}/recordings`)).body;
    expect(recordings).toEqual([expect.objectContaining({ interactionId, kind: 'call', channels: 2, state: 'stored' })]);
    expect(recordings[0].durationMs).toBeGreaterThan(500);
    const after = (await admin.get(`/api/v1/interactions/${interactionId}`)).body;
    expect(after.state).toBe('live');
    const kinds = after.segments.map((s: { kind: string }) => s.kind);
    expect(kinds.slice(kinds.indexOf('voice_call') - 1)).toEqual(['agent', 'voice_call', 'agent']);
    expect(after.segments.find((s: { kind: string }) => s.kind === 'voice_call')).toMatchObject({ userId: agentId, endpoint: '1001', outcome: 'customer_hangup' }) // agent1's extension, rung on its browser phone;
    const reply = await agent.post(`/api/v1/chats/${interactionId}/messages`, { clientMessageId: 'after-call', text: '通话结束了，还有问题吗？' });
    expect(reply.status).toBe(201);
  }, 90_000);

  test('the visitor starts the call where the widget allows it (the phone rings; the agent answers); the call ends when the chat ends', async () => {
    await setVoiceCall('agent_and_visitor');
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt, '韩梅梅');
    // An offer the media engine cannot answer is the visitor's error, naming the field.
    visitor.send({ type: 'call.start', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n' });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^sdp: /) });
    const v = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: v.sdp });
    const answer = await visitor.next('call.answer');
    await v.pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    const ring = await rt.nextEvent('softphone.incoming', () => true, 15_000);
    expect(ring).toMatchObject({ interactionId, from: '韩梅梅' });
    expect(ring.autoAnswer).toBeFalsy(); // the visitor asked: the agent's phone rings
    // A second call on the same chat is refused while this one lives.
    const again = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: again.sdp });
    expect(await errorOf(visitor, 1)).toMatchObject({ code: 'CONFLICT' });
    await phoneAnswers(rt, ring);
    await visitor.next('call', (m) => m.state === 'connected');

    // The agent ends the chat: the call ends with it.
    expect((await agent.post(`/api/v1/chats/${interactionId}/end`, {})).status).toBe(200);
    await visitor.next('call', (m) => m.state === 'ended');
    await rt.nextEvent('softphone.ended', (e) => e.ringId === ring.ringId, 10_000);
    await until(async () => (await admin.get(`/api/v1/interactions/${interactionId}/recordings`)).body.some((r: { state: string }) => r.state === 'stored') || undefined, 'the stored recording', 15_000);
    const closed = (await admin.get(`/api/v1/interactions/${interactionId}`)).body;
    expect(closed.state).toBe('ended');
    expect(closed.segments.every((s: { endedAt: string | null }) => s.endedAt !== null)).toBe(true);
  }, 90_000);

  test('a visitor whose connection drops keeps the call by reconnecting; a visitor who leaves ends it after the grace period', async () => {
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt);
    expect((await agent.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(202);
    await visitor.next('call', (m) => m.state === 'invited');
    const v = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: v.sdp });
    await v.pc.setRemoteDescription({ type: 'answer', sdp: (await visitor.next('call.answer')).sdp });
    const ring = await rt.nextEvent('softphone.incoming', () => true, 15_000);
    await phoneAnswers(rt, ring);
    await visitor.next('call', (m) => m.state === 'connected');

    // The socket dies (no close handshake); the same visitor reconnects and takes the call over.
    visitor.socket.terminate();
    const back = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, token: visitor.welcome!.token, lastSeq: 0 }));
    expect(await back.next('call')).toMatchObject({ state: 'connected', reason: 'resumed' });
    await new Promise((r) => setTimeout(r, 11_000)); // past the grace period: still on the call
    const during = (await admin.get(`/api/v1/interactions/${interactionId}`)).body.segments.find((s: { kind: string }) => s.kind === 'voice_call');
    expect(during).toMatchObject({ endedAt: null });

    // Gone for good: the call ends once the grace period is over.
    back.socket.terminate();
    await rt.nextEvent('softphone.ended', (e) => e.ringId === ring.ringId, 20_000);
    const after = await until(async () => {
      const i = (await admin.get(`/api/v1/interactions/${interactionId}`)).body;
      return i.segments.find((s: { kind: string; endedAt: string | null }) => s.kind === 'voice_call' && s.endedAt) ? i : undefined;
    }, 'the call segment ended', 10_000);
    expect(after.state).toBe('live'); // the chat waits for the visitor
    expect(after.segments.find((s: { kind: string }) => s.kind === 'voice_call')).toMatchObject({ outcome: 'customer_hangup' });
  }, 90_000);

  test('an open invitation is asked again after a reload; the visitor declines it, and it cannot be accepted after that', async () => {
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt);
    expect((await agent.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(202);
    await visitor.next('call', (m) => m.state === 'invited');
    await visitor.close(); // the page reloads
    const again = track(await VisitorClient.connect(server.baseUrl, widget.id, { hostOrigin: SITE, token: visitor.welcome!.token }));
    await again.next('call', (m) => m.state === 'invited');
    again.send({ type: 'call.decline' });
    expect(await rt.nextEvent('chat.call', (e) => e.state === 'declined')).toMatchObject({ interactionId, by: 'customer' });
    await again.next('message', (m) => m.message.body === 'The visitor declined the voice call.');
    const { sdp } = await visitorOffer();
    again.send({ type: 'call.start', sdp });
    expect(await errorOf(again, 0)).toMatchObject({ code: 'FORBIDDEN' });
  }, 60_000);

  test('the agent hangs up from the chat panel; an invitation the agent withdraws closes in the widget', async () => {
    const rt = await agentSocket();
    const { visitor, interactionId } = await acceptedChat(rt);
    expect((await agent.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(202);
    await visitor.next('call', (m) => m.state === 'invited');
    expect((await agent.post(`/api/v1/chats/${interactionId}/call/hangup`, {})).status).toBe(200);
    await visitor.next('call', (m) => m.state === 'ended');
    // Withdrawn: accepting now is an uninvited call, which this widget does not allow.
    const late = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: late.sdp });
    expect(await errorOf(visitor, 0)).toMatchObject({ code: 'FORBIDDEN' });

    expect((await agent.post(`/api/v1/chats/${interactionId}/call`, {})).status).toBe(202);
    await visitor.until(() => visitor.received.filter((m) => m.type === 'call' && m.state === 'invited').length === 2);
    const v = await visitorOffer();
    visitor.send({ type: 'call.start', sdp: v.sdp });
    await v.pc.setRemoteDescription({ type: 'answer', sdp: (await visitor.next('call.answer')).sdp });
    await phoneAnswers(rt, await rt.nextEvent('softphone.incoming', () => true, 15_000));
    await visitor.next('call', (m) => m.state === 'connected');
    expect((await agent.post(`/api/v1/chats/${interactionId}/call/hangup`, {})).status).toBe(200);
    await visitor.until(() => visitor.received.filter((m) => m.type === 'call' && m.state === 'ended').length === 2);
    const call = (await admin.get(`/api/v1/interactions/${interactionId}`)).body.segments.find((s: { kind: string }) => s.kind === 'voice_call');
    expect(call).toMatchObject({ outcome: 'agent_hangup' });
  }, 90_000);
});
