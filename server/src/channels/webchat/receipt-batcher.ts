// The visitors' delivery and read receipts, gathered for a moment and written together: the widget acknowledges
// every agent message, so writing each ack alone would cost a transaction (four round trips) per message. Marks of
// one conversation merge (the highest seq wins; read implies delivered), each tenant's batch is one UPDATE, and
// the agent side hears what changed once it is stored. A batch waits at most `windowMs`, or while the previous one
// is still being written (so batches grow with the load instead of queueing transactions).
import type { MessagesService } from '../../conversations/messages.service.ts';

export interface ReceiptBatcherOptions {
  messages: Pick<MessagesService, 'receipts'>;
  /** Tells the conversation's watchers (chat.receipt) that the visitor's receipts reached `seq`. */
  publish(tenantId: string, interactionId: string, kind: 'delivered' | 'read', seq: number): void;
  windowMs: number;
  onError(err: unknown): void;
}

interface Marks {
  deliveredUpTo: number;
  readUpTo: number;
}

export class ReceiptBatcher {
  /** tenant → interaction → merged marks */
  private pending = new Map<string, Map<string, Marks>>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(private readonly o: ReceiptBatcherOptions) {}

  /** Records the visitor's receipt; it is stored and announced within `windowMs` (plus one write). */
  mark(tenantId: string, interactionId: string, kind: 'delivered' | 'read', seq: number): void {
    let chats = this.pending.get(tenantId);
    if (!chats) this.pending.set(tenantId, (chats = new Map()));
    const marks = chats.get(interactionId) ?? { deliveredUpTo: 0, readUpTo: 0 };
    marks.deliveredUpTo = Math.max(marks.deliveredUpTo, seq);
    if (kind === 'read') marks.readUpTo = Math.max(marks.readUpTo, seq);
    chats.set(interactionId, marks);
    this.schedule();
  }

  /** Writes whatever is pending now (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.writing || this.pending.size) await (this.writing ?? this.write());
  }

  private schedule(): void {
    if (this.timer || this.writing) return; // the running write schedules the next batch when it ends
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write();
    }, this.o.windowMs);
    this.timer.unref();
  }

  private write(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = (async () => {
      for (const [tenantId, chats] of batch) {
        const entries = [...chats].map(([interactionId, m]) => ({ interactionId, reader: 'customer' as const, ...m }));
        try {
          const changed = await this.o.messages.receipts(tenantId, entries);
          changed.forEach((c, i) => {
            const { interactionId } = entries[i]!;
            if (c.delivered !== null) this.o.publish(tenantId, interactionId, 'delivered', c.delivered);
            if (c.read !== null) this.o.publish(tenantId, interactionId, 'read', c.read);
          });
        } catch (err) {
          this.o.onError(err); // receipts are not retried: the next ack of the conversation covers these seqs too
        }
      }
    })().finally(() => {
      this.writing = undefined;
      if (this.pending.size) this.schedule();
    });
    return this.writing;
  }
}
