import { describe, expect, test } from 'vitest';
import { subjectMatches } from './bus.ts';
import { InProcessBus } from './in-process-bus.ts';
import type { EventEnvelope } from '@kefu/contracts';

const event = (type: string): EventEnvelope =>
  ({ id: crypto.randomUUID(), type, tenantId: crypto.randomUUID(), occurredAt: new Date().toISOString(), data: {} }) as unknown as EventEnvelope;

describe('subject matching follows NATS rules', () => {
  test.each([
    ['user.created', 'user.created', true],
    ['user.*', 'user.created', true],
    ['user.*', 'user.created.extra', false],
    ['>', 'user.created', true],
    ['user.>', 'user', false],
    ['*.created', 'division.created', true],
    ['division.created', 'user.created', false],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe('in-process bus', () => {
  test('delivers to matching subscribers only, and a failing subscriber does not stop the others', async () => {
    const errors: unknown[] = [];
    const bus = new InProcessBus((err) => errors.push(err));
    const got: string[] = [];
    bus.subscribe('user.*', () => {
      throw new Error('subscriber bug');
    });
    const off = bus.subscribe('user.*', (e) => {
      got.push(e.type);
    });
    bus.subscribe('division.*', (e) => {
      got.push(`d:${e.type}`);
    });
    await bus.publish(event('user.created'));
    off();
    await bus.publish(event('user.updated'));
    expect(got).toEqual(['user.created']);
    expect(errors).toHaveLength(2);
  });
});
