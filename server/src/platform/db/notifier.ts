// One dedicated connection that LISTENs for PostgreSQL notifications (sent by triggers on commit) and wakes
// the loops that wait for them. Loops also poll, so a lost notification only delays work, never loses it.
import pg from 'pg';

export class Notifier {
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, Set<() => void>>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void = () => {},
  ) {}

  on(channel: string, listener: () => void): void {
    const set = this.listeners.get(channel) ?? new Set();
    set.add(listener);
    this.listeners.set(channel, set);
    if (set.size === 1) this.client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch(() => {});
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (msg) => {
      for (const listener of this.listeners.get(msg.channel) ?? []) listener();
    });
    client.on('error', (err) => {
      this.log(`notification connection lost: ${err.message}`);
      this.scheduleReconnect();
    });
    await client.connect();
    for (const channel of this.listeners.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const old = this.client;
    this.client = undefined;
    old?.end().catch(() => {});
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.start().catch(() => this.scheduleReconnect());
    }, 1000);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }
}
