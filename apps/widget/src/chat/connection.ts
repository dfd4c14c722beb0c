// The widget's connection to Kefu: one WebSocket, reopened with backoff when the network drops. Each `hello`
// carries the highest message sequence number the widget holds, so the server replays only what was missed;
// messages are kept by sequence number (a repeat is ignored), and sends stay in an outbox keyed by client
// message id until the server confirms them (a resend after a reconnect is stored once).
import type { ChatMessage, PrechatAnswers, VisitorClientMessage, VisitorServerMessage } from '@kefu/contracts';

export interface ConnectionEvents {
  onServer(message: VisitorServerMessage): void;
  onMessage(message: ChatMessage): void;
  onState(state: 'connecting' | 'open' | 'closed' | 'refused'): void;
}

export interface HelloInfo {
  widgetId: string;
  hostOrigin: string;
  identity: { payload: string; signature: string } | null;
  page: string;
  referrer: string;
  locale: 'zh-CN' | 'en';
}

const tokenKey = (widgetId: string) => `kefu.widget.${widgetId}.token`;

function storage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined; // storage blocked (third-party iframe in a strict browser): the visitor is new on each load
  }
}

export class Connection {
  private socket: WebSocket | undefined;
  private retry = 0;
  private stopped = false;
  private pingTimer: number | undefined;
  private retryTimer: number | undefined;
  private onPong = () => {};
  /** The browser went offline while connected: reconnect only once it is back. */
  private offline = false;
  /** The conversation whose messages `messages` holds. */
  interactionId: string | null = null;
  readonly messages = new Map<number, ChatMessage>();
  readonly outbox = new Map<string, { text: string; attachmentId?: string }>();
  token: string | null;

  constructor(
    readonly info: HelloInfo,
    private readonly events: ConnectionEvents,
  ) {
    this.token = storage()?.getItem(tokenKey(info.widgetId)) ?? null;
  }

  get lastSeq(): number {
    let max = 0;
    for (const seq of this.messages.keys()) max = Math.max(max, seq);
    return max;
  }

  connect(): void {
    if (this.stopped) return;
    if (this.offline && !navigator.onLine) {
      this.retryTimer = window.setTimeout(() => this.connect(), 1000);
      return;
    }
    this.offline = false;
    this.events.onState('connecting');
    const url = `${location.origin.replace(/^http/, 'ws')}/api/v1/webchat/socket?widget=${encodeURIComponent(this.info.widgetId)}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      this.raw({
        type: 'hello',
        token: this.token,
        identity: this.info.identity,
        hostOrigin: this.info.hostOrigin,
        lastSeq: this.lastSeq,
        page: this.info.page.slice(0, 2000),
        referrer: this.info.referrer.slice(0, 2000),
        locale: this.info.locale,
      });
      window.clearInterval(this.pingTimer);
      // A socket whose pong does not come back before the next ping is dead (a network that vanished silently).
      let awaitingPong = false;
      this.pingTimer = window.setInterval(() => {
        if (awaitingPong) return this.drop();
        awaitingPong = true;
        this.raw({ type: 'ping' });
      }, 15_000);
      this.onPong = () => (awaitingPong = false);
    };
    socket.onmessage = (event) => {
      let message: VisitorServerMessage;
      try {
        message = JSON.parse(String(event.data)) as VisitorServerMessage;
      } catch {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (event) => {
      window.clearInterval(this.pingTimer);
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (event.code === 4403 || event.code === 4404) {
        this.stopped = true;
        this.events.onState('refused');
        return;
      }
      this.events.onState('closed');
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      this.retryTimer = window.setTimeout(() => this.connect(), delay);
    };
  }

  /**
   * Follows the browser's network state: browsers do not always fire `offline` inside a cross-site iframe, so
   * the state is also polled each second.
   */
  watchNetwork(): void {
    // Transitions only: a browser without a default route may call itself offline from the start and still reach Kefu.
    let online = navigator.onLine;
    const check = () => {
      if (navigator.onLine === online) return;
      online = navigator.onLine;
      if (online) this.reconnectNow();
      else {
        this.offline = true;
        this.drop();
      }
    };
    window.addEventListener('offline', check);
    window.addEventListener('online', check);
    window.setInterval(check, 1000);
  }

  /** Closes the socket (the browser went offline); the reconnect loop resumes from `lastSeq`. */
  drop(): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = undefined; // its close event (which may come late while offline) is ignored
    window.clearInterval(this.pingTimer);
    socket.close();
    this.events.onState('closed');
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => this.connect(), 1000);
  }

  /** Reconnects at once (the browser is online again) instead of waiting for the backoff. */
  reconnectNow(): void {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) return;
    this.retry = 0;
    window.clearTimeout(this.retryTimer);
    if (!this.socket) this.connect();
  }

  private receive(message: VisitorServerMessage): void {
    if (message.type === 'welcome') {
      this.token = message.token;
      storage()?.setItem(tokenKey(this.info.widgetId), message.token);
      this.adopt(message.conversation?.interactionId ?? null);
      this.events.onState('open');
      this.events.onServer(message);
      this.flushOutbox();
      return;
    }
    if (message.type === 'message') {
      const m = message.message;
      if (m.interactionId !== this.interactionId) this.adopt(m.interactionId);
      if (this.messages.has(m.seq)) return; // already shown (a replay overlapping what we held)
      this.messages.set(m.seq, m);
      if (m.clientMessageId && m.sender === 'customer') this.outbox.delete(m.clientMessageId);
      this.events.onMessage(m);
      return;
    }
    if (message.type === 'pong') return this.onPong();
    if (message.type === 'sent') this.outbox.delete(message.clientMessageId);
    if (message.type === 'status' && message.status !== 'ended') this.flushOutbox();
    this.events.onServer(message);
  }

  /** Switches to another conversation (a new chat after an ended one): its messages start from nothing. */
  adopt(interactionId: string | null): void {
    if (interactionId === this.interactionId) return;
    this.interactionId = interactionId;
    this.messages.clear();
  }

  /** Sends a frame now (false while disconnected). */
  raw(message: VisitorClientMessage): boolean {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  private flushOutbox(): void {
    if (!this.interactionId) return;
    for (const [clientMessageId, m] of this.outbox) this.raw({ type: 'send', clientMessageId, text: m.text, ...(m.attachmentId ? { attachmentId: m.attachmentId } : {}) });
  }

  start(prechat: PrechatAnswers): void {
    this.raw({ type: 'start', prechat, clientMessageId: newId() });
  }

  send(text: string, attachmentId?: string): string {
    const clientMessageId = newId();
    this.outbox.set(clientMessageId, attachmentId ? { text, attachmentId } : { text });
    this.raw({ type: 'send', clientMessageId, text, ...(attachmentId ? { attachmentId } : {}) });
    return clientMessageId;
  }

  ack(seq: number): void {
    this.raw({ type: 'ack', seq });
  }

  read(seq: number): void {
    this.raw({ type: 'read', seq });
  }

  typing(on: boolean): void {
    this.raw({ type: 'typing', on });
  }

  end(): void {
    this.raw({ type: 'end' });
  }

  async upload(file: Blob, name: string): Promise<{ id: string }> {
    const response = await fetch(`/api/v1/webchat/attachments?widget=${encodeURIComponent(this.info.widgetId)}&name=${encodeURIComponent(name)}`, {
      method: 'POST',
      headers: { 'x-visitor-token': this.token ?? '', 'content-type': 'application/octet-stream' },
      body: file,
    });
    const body = (await response.json().catch(() => ({}))) as { id?: string; error?: { message?: string } };
    if (!response.ok || !body.id) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
    return { id: body.id };
  }

  attachmentUrl(id: string): string {
    return `/api/v1/webchat/attachments/${encodeURIComponent(id)}?widget=${encodeURIComponent(this.info.widgetId)}&token=${encodeURIComponent(this.token ?? '')}`;
  }
}

export const newId = (): string => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`);
