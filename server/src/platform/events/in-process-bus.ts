import type { EventEnvelope } from '@kefu/contracts';
import { subjectMatches, type EventBus, type EventHandler } from './bus.ts';

export class InProcessBus implements EventBus {
  private readonly subscriptions = new Set<{ pattern: string; handler: EventHandler }>();

  constructor(private readonly onHandlerError: (err: unknown, event: EventEnvelope) => void = () => {}) {}

  async publish(event: EventEnvelope): Promise<void> {
    for (const sub of [...this.subscriptions]) {
      if (!subjectMatches(sub.pattern, event.type)) continue;
      // A failing subscriber must not stop the others, nor the publisher.
      try {
        await sub.handler(event);
      } catch (err) {
        this.onHandlerError(err, event);
      }
    }
  }

  subscribe(pattern: string, handler: EventHandler): () => void {
    const sub = { pattern, handler };
    this.subscriptions.add(sub);
    return () => this.subscriptions.delete(sub);
  }

  async close(): Promise<void> {
    this.subscriptions.clear();
  }
}
