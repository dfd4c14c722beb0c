// A widget visitor for tests: the chat page's WebSocket protocol (hello with lastSeq, start, send, ack, read),
// holding messages by sequence number the way the widget does, so tests can see duplicates and gaps.
import WebSocket from 'ws';
import type { ChatMessage, VisitorServerMessage } from '@kefu/contracts';

export class VisitorClient {
  readonly received: VisitorServerMessage[] = [];
  /** Every chat message as it arrived (duplicates kept, so a test can count them). */
  readonly messages: ChatMessage[] = [];
  private readonly waiters = new Set<() => void>();
  closed: { code: number } | undefined;
  welcome: Extract<VisitorServerMessage, { type: 'welcome' }> | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as VisitorServerMessage;
      this.received.push(m);
      if (m.type === 'welcome') this.welcome = m;
      if (m.type === 'message') this.messages.push(m.message);
      for (const w of [...this.waiters]) w();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      for (const w of [...this.waiters]) w();
    });
  }

  static open(baseUrl: string, widgetId: string, headers: Record<string, string> = {}): Promise<VisitorClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/webchat/socket?widget=${widgetId}`, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new VisitorClient(socket)));
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
    });
  }

  /** Opens a socket and says hello; resolves once welcomed (and, when resuming, once the replay can start). */
  static async connect(baseUrl: string, widgetId: string, hello: { hostOrigin: string; token?: string | null; lastSeq?: number; identity?: { payload: string; signature: string } }): Promise<VisitorClient> {
    const client = await VisitorClient.open(baseUrl, widgetId);
    client.send({ type: 'hello', token: hello.token ?? null, hostOrigin: hello.hostOrigin, lastSeq: hello.lastSeq ?? 0, page: 'https://shop.example/pricing', referrer: 'https://search.example/', locale: 'en', ...(hello.identity ? { identity: hello.identity } : {}) });
    await client.until(() => client.welcome !== undefined || client.closed !== undefined);
    return client;
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  until(check: () => boolean, ms = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out; received: ${JSON.stringify(this.received.slice(-5))}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  async next<T extends VisitorServerMessage['type']>(type: T, match: (m: Extract<VisitorServerMessage, { type: T }>) => boolean = () => true): Promise<Extract<VisitorServerMessage, { type: T }>> {
    let found: Extract<VisitorServerMessage, { type: T }> | undefined;
    await this.until(() => (found = this.received.find((m) => m.type === type && match(m as Extract<VisitorServerMessage, { type: T }>)) as never) !== undefined);
    return found!;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.socket.close();
    return this.until(() => this.closed !== undefined).catch(() => this.socket.terminate());
  }
}
