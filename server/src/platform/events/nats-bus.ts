// The event bus over NATS, for several Kefu nodes. Core NATS subjects carry live events; durable work
// (webhooks, jobs) does not depend on the bus, it is driven from PostgreSQL (outbox, jobs table).
import type { EventEnvelope } from '@kefu/contracts';
import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { natsSubject, type EventBus, type EventHandler } from './bus.ts';

const codec = JSONCodec<EventEnvelope>();

export class NatsBus implements EventBus {
  private readonly subscriptions = new Set<Subscription>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly onHandlerError: (err: unknown, event: EventEnvelope) => void,
  ) {}

  static async connect(url: string, onHandlerError: (err: unknown, event: EventEnvelope) => void = () => {}): Promise<NatsBus> {
    const nc = await connect({ servers: url, name: 'kefu', maxReconnectAttempts: -1, reconnectTimeWait: 1000 });
    return new NatsBus(nc, onHandlerError);
  }

  async publish(event: EventEnvelope): Promise<void> {
    this.nc.publish(natsSubject(event.type), codec.encode(event));
  }

  subscribe(pattern: string, handler: EventHandler): () => void {
    const sub = this.nc.subscribe(natsSubject(pattern));
    this.subscriptions.add(sub);
    void (async () => {
      for await (const msg of sub) {
        let event: EventEnvelope | undefined;
        try {
          event = codec.decode(msg.data);
          await handler(event);
        } catch (err) {
          if (event) this.onHandlerError(err, event);
        }
      }
    })();
    return () => {
      sub.unsubscribe();
      this.subscriptions.delete(sub);
    };
  }

  /** Resolves once the server has seen everything published so far (used by tests and shutdown). */
  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions.clear();
    await this.nc.drain();
  }
}
