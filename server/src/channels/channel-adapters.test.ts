// The contract every registered channel adapter keeps (STYLE.md: one suite over every implementation).
import { describe, expect, test } from 'vitest';
import type { ServerMessage } from '@kefu/contracts';
import { systemActor } from '../platform/auth/actor.ts';
import { AppError } from '../platform/errors.ts';
import { InProcessFanout } from '../realtime/realtime.fanout.ts';
import { RealtimeHub } from '../realtime/realtime.hub.ts';
import { channelAdapters } from './channels.registry.ts';

const hub = new RealtimeHub(new InProcessFanout());
const received: ServerMessage[] = [];
hub.topic('chat', { authorize: () => true });
const watcher = { id: 'w', actor: systemActor('t1'), topics: new Set<string>(), send: (m: ServerMessage) => received.push(m) };
const sender = { address: 'visitor-1', displayName: 'Li Lei' };

for (const [name, adapter] of Object.entries(channelAdapters(hub))) {
  describe(`channel adapter ${name}`, () => {
    test('normalizes a message, keeping the text exactly as written', () => {
      const text = '<b>不是 HTML</b> 🙂';
      const inbound = adapter.normalize({ clientMessageId: 'c1', text }, { tenantId: 't1', endpointId: 'e1', sender });
      expect(inbound).toMatchObject({ tenantId: 't1', channel: adapter.channel, endpointId: 'e1', clientMessageId: 'c1', text, sender });
    });

    test('refuses an empty or over-long message naming the field', () => {
      for (const text of ['   ', 'x'.repeat(adapter.capabilities.maxTextLength + 1)]) {
        const attempt = () => adapter.normalize({ clientMessageId: 'c2', text }, { tenantId: 't1', endpointId: 'e1', sender });
        expect(attempt).toThrow(AppError);
        try {
          attempt();
        } catch (err) {
          expect((err as AppError).field).toBe('text');
        }
      }
    });

    test('delivers outbound events to the conversation’s watchers', async () => {
      await hub.handle(watcher, { type: 'subscribe', id: 's', topic: 'chat:i-1' });
      received.length = 0;
      await adapter.deliver('t1', 'i-1', { kind: 'typing', on: true });
      await adapter.deliver('t1', 'i-1', { kind: 'status', status: 'assigned', agentName: 'Agent 1' });
      expect(received.map((m) => (m.type === 'event' ? m.name : m.type))).toEqual(['chat.typing', 'chat.status']);
    });
  });
}
