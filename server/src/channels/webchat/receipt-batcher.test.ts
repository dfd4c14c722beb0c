import { describe, expect, test } from 'vitest';
import { ReceiptBatcher } from './receipt-batcher.ts';

type Entry = { interactionId: string; reader: 'customer' | 'agent'; deliveredUpTo: number; readUpTo: number };

/** A `receipts` that records each batch and answers what the test says changed (the SQL is covered by webchat.int). */
function recorder(answer: (entries: Entry[]) => { delivered: number | null; read: number | null }[] = (e) => e.map((x) => ({ delivered: x.deliveredUpTo, read: null }))) {
  const batches: { tenantId: string; entries: Entry[] }[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  return {
    batches,
    holdNext() {
      hold = true;
    },
    release: () => release?.(),
    messages: {
      async receipts(tenantId: string, entries: Entry[]) {
        batches.push({ tenantId, entries });
        if (hold) {
          hold = false;
          await new Promise<void>((r) => (release = r));
        }
        return answer(entries);
      },
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('visitor receipt batching', () => {
  test('marks of one chat merge into one entry (highest seq; read implies delivered), one write per tenant', async () => {
    const rec = recorder((e) => e.map((x) => ({ delivered: x.deliveredUpTo, read: x.readUpTo || null })));
    const published: string[] = [];
    const batcher = new ReceiptBatcher({ messages: rec.messages, publish: (t, i, kind, seq) => published.push(`${t}/${i} ${kind} ${seq}`), windowMs: 5, onError: () => {} });
    batcher.mark('t1', 'chat-a', 'delivered', 3);
    batcher.mark('t1', 'chat-a', 'delivered', 5);
    batcher.mark('t1', 'chat-a', 'read', 4);
    batcher.mark('t1', 'chat-b', 'delivered', 1);
    batcher.mark('t2', 'chat-c', 'read', 7);
    await batcher.flush();
    expect(rec.batches).toEqual([
      { tenantId: 't1', entries: [{ interactionId: 'chat-a', reader: 'customer', deliveredUpTo: 5, readUpTo: 4 }, { interactionId: 'chat-b', reader: 'customer', deliveredUpTo: 1, readUpTo: 0 }] },
      { tenantId: 't2', entries: [{ interactionId: 'chat-c', reader: 'customer', deliveredUpTo: 7, readUpTo: 7 }] },
    ]);
    expect(published).toEqual(['t1/chat-a delivered 5', 't1/chat-a read 4', 't1/chat-b delivered 1', 't2/chat-c delivered 7', 't2/chat-c read 7']);
  });

  test('nothing that did not change is announced', async () => {
    const rec = recorder((e) => e.map(() => ({ delivered: null, read: null })));
    const published: string[] = [];
    const batcher = new ReceiptBatcher({ messages: rec.messages, publish: (_t, i, kind, seq) => published.push(`${i} ${kind} ${seq}`), windowMs: 5, onError: () => {} });
    batcher.mark('t1', 'chat-a', 'delivered', 3);
    await batcher.flush();
    expect(rec.batches).toHaveLength(1);
    expect(published).toEqual([]);
  });

  test('a batch is written by itself after the window', async () => {
    const rec = recorder();
    const batcher = new ReceiptBatcher({ messages: rec.messages, publish: () => {}, windowMs: 5, onError: () => {} });
    batcher.mark('t1', 'chat-a', 'delivered', 1);
    expect(rec.batches).toHaveLength(0);
    for (let i = 0; i < 100 && rec.batches.length === 0; i++) await sleep(5);
    expect(rec.batches).toHaveLength(1);
  });

  test('marks that arrive while a batch is being written wait for it and go together as the next one', async () => {
    const rec = recorder();
    const batcher = new ReceiptBatcher({ messages: rec.messages, publish: () => {}, windowMs: 5, onError: () => {} });
    rec.holdNext();
    batcher.mark('t1', 'chat-a', 'delivered', 1);
    for (let i = 0; i < 100 && rec.batches.length === 0; i++) await sleep(5);
    batcher.mark('t1', 'chat-a', 'delivered', 2);
    batcher.mark('t1', 'chat-b', 'delivered', 9);
    await sleep(30); // several windows: still one write at a time
    expect(rec.batches).toHaveLength(1);
    rec.release();
    await batcher.flush();
    expect(rec.batches.map((b) => b.entries.map((e) => `${e.interactionId}:${e.deliveredUpTo}`))).toEqual([['chat-a:1'], ['chat-a:2', 'chat-b:9']]);
  });

  test('a failed write is reported and later receipts still go', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const written: Entry[][] = [];
    const batcher = new ReceiptBatcher({
      messages: {
        async receipts(_t, entries) {
          if (fail) {
            fail = false;
            throw new Error('database down');
          }
          written.push(entries);
          return entries.map(() => ({ delivered: null, read: null }));
        },
      },
      publish: () => {},
      windowMs: 5,
      onError: (err) => errors.push(err),
    });
    batcher.mark('t1', 'chat-a', 'delivered', 1);
    await batcher.flush();
    batcher.mark('t1', 'chat-a', 'delivered', 2);
    await batcher.flush();
    expect(errors).toHaveLength(1);
    expect(written).toEqual([[{ interactionId: 'chat-a', reader: 'customer', deliveredUpTo: 2, readUpTo: 0 }]]);
  });
});
