// How hub messages reach the node that holds a user's socket. One node: delivered in process. Several nodes
// (NATS_URL set): every message goes over the NATS subject `kefu.realtime` and each node delivers to the
// sockets it holds, so the router may run on another node than the agent's socket.
import { connect, JSONCodec, type NatsConnection } from 'nats';
import type { ServerMessage } from '@kefu/contracts';

export type FanoutMessage =
  | { kind: 'user'; tenantId: string; userId: string; message: ServerMessage }
  | { kind: 'topic'; tenantId: string; topic: string; message: ServerMessage }
  | { kind: 'presence'; tenantId: string; userId: string; nodeId: string; online: boolean };

export interface RealtimeFanout {
  publish(message: FanoutMessage): void;
  subscribe(handler: (message: FanoutMessage) => void): () => void;
  close(): Promise<void>;
}

export class InProcessFanout implements RealtimeFanout {
  private readonly handlers = new Set<(message: FanoutMessage) => void>();

  publish(message: FanoutMessage): void {
    for (const handler of this.handlers) handler(message);
  }

  subscribe(handler: (message: FanoutMessage) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async close(): Promise<void> {
    this.handlers.clear();
  }
}

export const REALTIME_SUBJECT = 'kefu.realtime';
const codec = JSONCodec<FanoutMessage>();

export class NatsFanout implements RealtimeFanout {
  private constructor(private readonly nc: NatsConnection) {}

  static async connect(url: string): Promise<NatsFanout> {
    return new NatsFanout(await connect({ servers: url, name: 'kefu-realtime', maxReconnectAttempts: -1, reconnectTimeWait: 1000 }));
  }

  publish(message: FanoutMessage): void {
    this.nc.publish(REALTIME_SUBJECT, codec.encode(message));
  }

  subscribe(handler: (message: FanoutMessage) => void): () => void {
    const sub = this.nc.subscribe(REALTIME_SUBJECT);
    void (async () => {
      for await (const msg of sub) {
        try {
          handler(codec.decode(msg.data));
        } catch {
          /* a malformed message from another node is dropped */
        }
      }
    })();
    return () => sub.unsubscribe();
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
