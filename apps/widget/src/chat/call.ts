// The visitor's side of a voice call from the chat (docs/webchat.md, "Voice calls"): the browser offers WebRTC
// audio (G.711 preferred: Kefu's media engine relays it to the agent without transcoding) over the chat's own
// socket (`call.start { sdp }`, answered by `call.answer { sdp }`), with every ICE candidate gathered first (the
// engine is ICE-lite, no trickle). The offer carries no destination: Kefu connects it to the chat's agent only.
import type { ChatCallState, VisitorClientMessage } from '@kefu/contracts';

export type CallUiState = 'idle' | 'invited' | 'starting' | 'ringing' | 'connected';

export class VisitorCall {
  state: CallUiState = 'idle';
  /** The agent's audio, played by `speaker` (tests measure it there). */
  readonly speaker: HTMLAudioElement;
  private pc: RTCPeerConnection | undefined;
  private mic: MediaStream | undefined;
  private answered = false;
  /** The agent's invitation is open (it stays open when the microphone could not be opened). */
  private invitation = false;

  constructor(
    private readonly send: (message: VisitorClientMessage) => boolean,
    private readonly onChange: (state: CallUiState, error?: string) => void,
  ) {
    this.speaker = document.createElement('audio');
    this.speaker.autoplay = true;
    this.speaker.className = 'call-audio';
  }

  /** `call` frames from Kefu (the same for every socket of the chat). */
  onServerState(state: ChatCallState, reason?: string): void {
    // A reconnected socket took over a call this page no longer holds (it was reloaded): end it.
    if (state === 'connected' && reason === 'resumed' && !this.pc) this.send({ type: 'call.hangup' });
    else if (state === 'invited' && this.state === 'idle') {
      this.invitation = true;
      this.set('invited');
    }
    else if (state === 'ringing' && this.pc) this.set('ringing');
    else if (state === 'connected' && this.pc) this.set('connected');
    else if (state === 'ended' || state === 'declined') {
      this.invitation = false;
      this.reset();
    }
  }

  async onAnswer(sdp: string): Promise<void> {
    if (!this.pc) return;
    this.answered = true;
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
  }

  /** Accepts the agent's invitation, or starts a call where the widget allows it: microphone, offer, send. */
  async start(): Promise<void> {
    if (this.pc) return;
    this.set('starting');
    try {
      this.mic = await navigator.mediaDevices.getUserMedia({ audio: true });
      const pc = new RTCPeerConnection();
      this.pc = pc;
      pc.ontrack = (e) => {
        this.speaker.srcObject = new MediaStream([e.track]);
        void this.speaker.play().catch(() => undefined);
      };
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed') this.hangup();
      };
      const transceiver = pc.addTransceiver(this.mic.getAudioTracks()[0]!, { direction: 'sendrecv' });
      const codecs = RTCRtpSender.getCapabilities?.('audio')?.codecs.filter((c) => /PCMU|PCMA|telephone-event/i.test(c.mimeType) && c.clockRate === 8000);
      if (codecs?.length && transceiver.setCodecPreferences) transceiver.setCodecPreferences(codecs);
      await pc.setLocalDescription(await pc.createOffer());
      if (pc.iceGatheringState !== 'complete') {
        await new Promise<void>((resolve) => {
          const done = () => pc.iceGatheringState === 'complete' && resolve();
          pc.addEventListener('icegatheringstatechange', done);
          window.setTimeout(resolve, 5000); // a host with no route: send what was gathered
        });
      }
      if (this.pc !== pc) return; // hung up meanwhile
      if (!this.send({ type: 'call.start', sdp: pc.localDescription!.sdp })) throw new Error('offline');
      this.invitation = false;
      this.set('ringing');
    } catch (err) {
      // No microphone (denied, missing) or no connection: an invitation may still be accepted or declined.
      this.reset();
      const reason = err instanceof Error ? err.name || err.message : String(err);
      if (this.invitation) this.set('invited');
      this.onChange(this.state, reason);
    }
  }

  decline(): void {
    this.invitation = false;
    this.send({ type: 'call.decline' });
    this.reset();
  }

  hangup(): void {
    if (this.pc) this.send({ type: 'call.hangup' });
    this.reset();
  }

  /** An error frame: before Kefu answered the offer it is the refusal of the call. */
  failed(): boolean {
    if (this.state !== 'ringing' || this.answered) return false;
    this.reset();
    return true;
  }

  private reset(): void {
    this.pc?.close();
    this.pc = undefined;
    for (const track of this.mic?.getTracks() ?? []) track.stop();
    this.mic = undefined;
    this.speaker.srcObject = null;
    this.answered = false;
    this.set('idle');
  }

  private set(state: CallUiState): void {
    this.state = state;
    this.onChange(state);
  }
}
