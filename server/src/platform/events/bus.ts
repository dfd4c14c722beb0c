// The event bus between modules and nodes: in-process by default, NATS when NATS_URL is set. One interface,
// so a module never knows which one carries its events. Subjects are event types (`user.created`); `*` and `>`
// wildcards follow NATS rules so both implementations match alike.
import type { EventEnvelope } from '@kefu/contracts';

export type EventHandler = (event: EventEnvelope) => void | Promise<void>;

export interface EventBus {
  publish(event: EventEnvelope): Promise<void>;
  /** Returns a function that ends the subscription. */
  subscribe(pattern: string, handler: EventHandler): () => void;
  close(): Promise<void>;
}

/** NATS subject matching: `*` matches one token, `>` one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Event types contain underscores and dots; NATS subjects get a fixed prefix so Kefu shares a server safely. */
export const natsSubject = (type: string): string => `kefu.events.${type}`;
