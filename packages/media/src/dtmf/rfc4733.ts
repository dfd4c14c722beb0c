/** RFC 4733 §3.2 telephone-event payload and §3.3/§2.5 sender/receiver rules for DTMF (events 0..15). */
export const DTMF_EVENTS = '0123456789*#ABCD';

export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Uint8Array): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  return {
    event: payload[0]!,
    end: (payload[1]! & 0x80) !== 0,
    volume: payload[1]! & 0x3f,
    duration: (payload[2]! << 8) | payload[3]!,
  };
}

export function serializeTelephoneEvent(e: TelephoneEvent): Uint8Array {
  const b = new Uint8Array(4);
  b[0] = e.event;
  b[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  b[2] = (e.duration >> 8) & 0xff;
  b[3] = e.duration & 0xff;
  return b;
}

export function digitOf(event: number): string | undefined {
  return DTMF_EVENTS[event];
}

export interface DetectedDigit {
  digit: string;
  durationMs: number;
  source: 'rfc4733' | 'inband';
}

/**
 * Turns a stream of telephone-event packets into digits. One event is identified by its RTP timestamp
 * (§2.5.1.2: all packets of one event carry the event's start timestamp), so retransmitted updates
 * and the three redundant end packets (§2.5.1.4) yield one digit.
 */
export class TelephoneEventReceiver {
  private lastKey: string | undefined;
  private reported = new Set<string>();
  private order: string[] = [];

  /** Returns a digit the first time an event reaches its end (or when a new event starts before an end was seen). */
  receive(ssrc: number, timestamp: number, e: TelephoneEvent, clockRate = 8000): DetectedDigit | undefined {
    const digit = digitOf(e.event);
    if (digit === undefined) return undefined;
    const key = `${ssrc}:${timestamp}:${e.event}`;
    if (this.reported.has(key)) return undefined;
    if (e.end) {
      this.remember(key);
      return { digit, durationMs: (e.duration * 1000) / clockRate, source: 'rfc4733' };
    }
    this.lastKey = key;
    return undefined;
  }

  /** A digit whose end packets were all lost is reported when the next event or audio arrives. */
  flushUnended(): DetectedDigit | undefined {
    const key = this.lastKey;
    this.lastKey = undefined;
    if (!key || this.reported.has(key)) return undefined;
    this.remember(key);
    const event = Number(key.split(':')[2]);
    const digit = digitOf(event);
    return digit ? { digit, durationMs: 0, source: 'rfc4733' } : undefined;
  }

  private remember(key: string): void {
    this.reported.add(key);
    this.order.push(key);
    if (this.lastKey === key) this.lastKey = undefined;
    if (this.order.length > 64) this.reported.delete(this.order.shift()!);
  }
}

/**
 * Produces the packets of one outgoing digit, one per packet interval (§2.5.1): the first has the
 * marker bit, updates grow the duration, and the end packet is sent three times (§2.5.1.4).
 */
export function* telephoneEventPackets(digit: string, durationMs: number, ptimeMs = 20, volume = 10): Generator<{ payload: Uint8Array; marker: boolean; end: boolean }> {
  const event = DTMF_EVENTS.indexOf(digit.toUpperCase());
  if (event < 0) return;
  const step = ptimeMs * 8;
  const total = Math.max(step, Math.round((durationMs * 8) / step) * step);
  for (let d = step; d < total; d += step) {
    yield { payload: serializeTelephoneEvent({ event, end: false, volume, duration: d }), marker: d === step, end: false };
  }
  for (let i = 0; i < 3; i++) {
    yield { payload: serializeTelephoneEvent({ event, end: true, volume, duration: total }), marker: total === step && i === 0, end: true };
  }
}

/** One block of an RFC 2198 redundant payload. */
export interface RedBlock {
  payloadType: number;
  /** How far before the packet's timestamp this block's data was generated. */
  timestampOffset: number;
  data: Uint8Array;
}

/**
 * Splits an RFC 2198 §3 payload: 4-byte headers (F=1, PT, 14-bit offset, 10-bit length) for the
 * redundant blocks, then a 1-byte header (F=0, PT) for the primary block, then the block data in
 * the same order. Returns undefined when the headers overrun the payload.
 */
export function parseRedPayload(payload: Uint8Array): RedBlock[] | undefined {
  const heads: { payloadType: number; timestampOffset: number; length: number }[] = [];
  let o = 0;
  for (;;) {
    if (o >= payload.length) return undefined;
    const b0 = payload[o]!;
    if ((b0 & 0x80) === 0) {
      heads.push({ payloadType: b0 & 0x7f, timestampOffset: 0, length: -1 });
      o += 1;
      break;
    }
    if (o + 4 > payload.length) return undefined;
    const word = ((payload[o + 1]! << 16) | (payload[o + 2]! << 8) | payload[o + 3]!) >>> 0;
    heads.push({ payloadType: b0 & 0x7f, timestampOffset: word >>> 10, length: word & 0x3ff });
    o += 4;
  }
  const blocks: RedBlock[] = [];
  for (const h of heads) {
    const len = h.length < 0 ? payload.length - o : h.length;
    if (o + len > payload.length) return undefined;
    blocks.push({ payloadType: h.payloadType, timestampOffset: h.timestampOffset, data: payload.subarray(o, o + len) });
    o += len;
  }
  return blocks;
}
