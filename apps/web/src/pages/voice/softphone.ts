// The browser softphone of an agent: calls offered by the voice service arrive over the realtime WebSocket
// (`softphone.incoming { ringId, from, sdp }`, a WebRTC offer from the media engine: PCMU/PCMA, DTLS-SRTP, ICE-lite),
// are answered with the microphone (`softphone.answer { ringId, sdp }`), and end from either side
// (`softphone.hangup` / event `softphone.ended`). Framework-free so that the agent desktop (React) and tests use the
// same code; the desktop passes its one realtime connection as the transport.

export interface SoftphoneTransport {
  request(method: string, params?: unknown): Promise<unknown>;
  /** Pushed events; returns an unsubscribe. */
  onEvent(listener: (event: { name: string; data: unknown }) => void): () => void;
}

export interface IncomingCall {
  ringId: string;
  from: string;
  /** A web chat's voice call: the chat it belongs to. */
  interactionId?: string;
}

export type SoftphoneState = 'unregistered' | 'idle' | 'ringing' | 'in_call';

export interface SoftphoneOptions {
  /** The microphone (default: getUserMedia({ audio: true })). */
  microphone?: () => Promise<MediaStream>;
  /** Where the caller is heard (default: a new autoplaying <audio> element). */
  speaker?: HTMLAudioElement;
  /** Answer every offered call at once (the desktop's auto-answer setting). */
  autoAnswer?: boolean;
  onChange?: (state: SoftphoneState, call: IncomingCall | undefined) => void;
}

interface Incoming {
  ringId: string;
  from: string;
  sdp: string;
  interactionId?: string;
  /** The agent asked for this call (a chat escalated to voice): answer without ringing. */
  autoAnswer?: boolean;
}

export class BrowserSoftphone {
  state: SoftphoneState = 'unregistered';
  call: IncomingCall | undefined;
  /** The caller's audio once answered (measure it, or play it). */
  remoteStream: MediaStream | undefined;
  private pc: RTCPeerConnection | undefined;
  private mic: MediaStream | undefined;
  private offer: Incoming | undefined;
  private readonly off: () => void;

  constructor(private readonly transport: SoftphoneTransport, private readonly o: SoftphoneOptions = {}) {
    this.off = transport.onEvent((e) => this.onEvent(e.name, e.data));
  }

  /** Tells the voice service to ring this browser for the agent's calls. */
  async register(): Promise<void> {
    await this.transport.request('softphone.register', {});
    this.set('idle');
  }

  async unregister(): Promise<void> {
    await this.hangup();
    await this.transport.request('softphone.unregister', {});
    this.off();
    this.set('unregistered');
  }

  private onEvent(name: string, data: unknown): void {
    const d = data as Partial<Incoming>;
    if (name === 'softphone.incoming' && d.ringId && d.sdp) {
      this.offer = { ringId: d.ringId, from: d.from ?? '', sdp: d.sdp };
      this.call = { ringId: d.ringId, from: d.from ?? '', ...(d.interactionId ? { interactionId: d.interactionId } : {}) };
      this.set('ringing');
      if (this.o.autoAnswer || d.autoAnswer === true) void this.answer().catch(() => this.reset());
    } else if ((name === 'softphone.cancelled' || name === 'softphone.ended') && d.ringId === this.call?.ringId) {
      this.reset();
    }
  }

  /** Answers the ringing call with the microphone. */
  async answer(): Promise<void> {
    const offer = this.offer;
    if (!offer) throw new Error('no call is ringing');
    this.offer = undefined;
    const pc = new RTCPeerConnection();
    this.pc = pc;
    pc.ontrack = (e) => {
      this.remoteStream = new MediaStream([e.track]);
      const speaker = this.o.speaker ?? Object.assign(document.createElement('audio'), { autoplay: true });
      speaker.srcObject = this.remoteStream;
      void speaker.play().catch(() => undefined);
    };
    this.mic = await (this.o.microphone ?? (() => navigator.mediaDevices.getUserMedia({ audio: true })))();
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    const transceiver = pc.getTransceivers()[0];
    if (!transceiver) throw new Error('the offer has no audio');
    await transceiver.sender.replaceTrack(this.mic.getAudioTracks()[0] ?? null);
    transceiver.direction = 'sendrecv';
    // The media engine speaks G.711 (and RFC 4733 for the keypad): prefer what it offered.
    const codecs = RTCRtpReceiver.getCapabilities('audio')?.codecs.filter((c) => /PCMU|PCMA|telephone-event/i.test(c.mimeType) && c.clockRate === 8000);
    if (codecs?.length) transceiver.setCodecPreferences(codecs);
    await pc.setLocalDescription(await pc.createAnswer());
    // ICE-lite on the server side: send the answer with every candidate gathered (no trickle).
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
    }
    await this.transport.request('softphone.answer', { ringId: offer.ringId, sdp: pc.localDescription!.sdp });
    this.set('in_call');
  }

  async reject(): Promise<void> {
    const offer = this.offer;
    this.offer = undefined;
    if (offer) await this.transport.request('softphone.reject', { ringId: offer.ringId });
    this.reset();
  }

  async hangup(): Promise<void> {
    const call = this.call;
    if (call && this.state === 'in_call') await this.transport.request('softphone.hangup', { ringId: call.ringId }).catch(() => undefined);
    this.reset();
  }

  /** Keypad: RFC 4733 telephone-events toward the caller. */
  sendDtmf(digits: string): void {
    this.pc?.getSenders()[0]?.dtmf?.insertDTMF(digits, 100, 70);
  }

  /** Inbound RTP statistics of the call (packets, audio energy) for diagnostics and tests. */
  async stats(): Promise<{ packetsReceived: number; packetsSent: number; totalAudioEnergy: number; connection: string }> {
    let packetsReceived = 0;
    let packetsSent = 0;
    let totalAudioEnergy = 0;
    (await this.pc?.getStats())?.forEach((s: { type: string; kind?: string; packetsReceived?: number; packetsSent?: number; totalAudioEnergy?: number }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        packetsReceived = s.packetsReceived ?? 0;
        totalAudioEnergy = s.totalAudioEnergy ?? 0;
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') packetsSent = s.packetsSent ?? 0;
    });
    return { packetsReceived, packetsSent, totalAudioEnergy, connection: this.pc?.connectionState ?? 'none' };
  }

  private reset(): void {
    this.pc?.close();
    this.pc = undefined;
    for (const t of this.mic?.getTracks() ?? []) t.stop();
    this.mic = undefined;
    this.offer = undefined;
    this.call = undefined;
    this.remoteStream = undefined;
    if (this.state !== 'unregistered') this.set('idle');
  }

  private set(state: SoftphoneState): void {
    this.state = state;
    this.o.onChange?.(state, this.call);
  }
}

/** A transport of its own over /api/v1/realtime (the session cookie authenticates it), for pages without one. */
export async function websocketTransport(url = `${location.origin.replace(/^http/, 'ws')}/api/v1/realtime`): Promise<SoftphoneTransport & { close(): void }> {
  const socket = new WebSocket(url);
  const listeners = new Set<(event: { name: string; data: unknown }) => void>();
  const pending = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  let next = 1;
  socket.onmessage = (m) => {
    const msg = JSON.parse(String(m.data)) as { type: string; id?: string; ok?: boolean; result?: unknown; error?: { message: string }; name?: string; data?: unknown };
    if (msg.type === 'event') for (const l of [...listeners]) l({ name: msg.name!, data: msg.data });
    else if (msg.type === 'reply' && msg.id) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p?.resolve(msg.result);
      else p?.reject(new Error(msg.error?.message ?? 'request failed'));
    }
  };
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error('the realtime socket did not open'));
  });
  return {
    request: (method, params) => new Promise((resolve, reject) => {
      const id = `sp${next++}`;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ type: 'request', id, method, params }));
    }),
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () => socket.close(),
  };
}
