// A realtime WebSocket client for tests: connects like the agent desktop (session cookie or API key),
// answers requests by correlation id, and lets a test wait for pushed events.
import WebSocket from 'ws';
import type { ServerMessage } from '@kefu/contracts';

type Event = Extract<ServerMessage, { type: 'event' }>;
type Reply = Extract<ServerMessage, { type: 'reply' }>;

export class RealtimeClient {
  readonly events: Event[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Map<string, (m: ServerMessage) => void>();
  private nextId = 1;
  hello: Extract<ServerMessage, { type: 'hello' }> | undefined;
  closed: { code: number } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'hello') this.hello = message;
      else if (message.type === 'event') this.events.push(message);
      else this.pending.get(message.id)?.(message);
      for (const w of [...this.waiters]) w();
    });
    socket.on('close', (code) => {
      this.closed = { code };
      for (const w of [...this.waiters]) w();
    });
  }

  static connect(baseUrl: string, auth: { cookie?: string; bearer?: string; origin?: string }): Promise<RealtimeClient> {
    const headers: Record<string, string> = {};
    if (auth.cookie) headers.cookie = auth.cookie;
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    if (auth.origin) headers.origin = auth.origin;
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/realtime`, { headers });
    return new Promise((resolve, reject) => {
      const client = new RealtimeClient(socket);
      socket.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      socket.once('error', reject);
      client.until(() => client.hello !== undefined, 5000).then(() => resolve(client), reject);
    });
  }

  /** Resolves when `check` holds (checked on every message), or rejects after `ms`. */
  until(check: () => boolean, ms = 5000): Promise<void> {
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
        reject(new Error('timed out waiting for a realtime message'));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  async nextEvent(name: string, match: (data: any) => boolean = () => true, ms = 5000): Promise<any> {
    let found: Event | undefined;
    await this.until(() => (found = this.events.find((e) => e.name === name && match(e.data))) !== undefined, ms);
    this.events.splice(this.events.indexOf(found!), 1);
    return found!.data;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  private call(message: Record<string, unknown>): Promise<ServerMessage> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${id}`)), 5000);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(m);
      });
      this.send({ ...message, id });
    });
  }

  ping(): Promise<ServerMessage> {
    return this.call({ type: 'ping' });
  }
  subscribe(topic: string): Promise<Reply> {
    return this.call({ type: 'subscribe', topic }) as Promise<Reply>;
  }
  request(method: string, params?: unknown): Promise<Reply> {
    return this.call({ type: 'request', method, params }) as Promise<Reply>;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.socket.close();
    return this.until(() => this.closed !== undefined).catch(() => this.socket.terminate());
  }
}
