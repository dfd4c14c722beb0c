import type { ReportBlock } from './rtcp-packet.ts';

const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * Receiver statistics for one source: RFC 3550 Appendix A.1 (sequence tracking),
 * A.3 (loss), A.8 (interarrival jitter).
 */
export class ReceiveStats {
  ssrc = 0;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** §A.8 jitter in timestamp units. */
  jitter = 0;
  private transit: number | undefined;
  private started = false;
  /** Largest |D| seen, in timestamp units (for added-jitter figures). */
  maxTransitDelta = 0;
  lastSrNtpMiddle = 0;
  lastSrArrivalMs = 0;

  constructor(private readonly clockRate = 8000) {}

  /** Returns false for a packet that §A.1 says to discard (e.g. a jump not yet confirmed). */
  update(seq: number, rtpTimestamp: number, arrivalMs: number, ssrc: number): boolean {
    if (!this.started || ssrc !== this.ssrc) {
      this.started = true;
      this.ssrc = ssrc;
      this.initSeq(seq);
      this.received = 1;
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.transit = undefined;
      this.jitter = 0;
      this.updateJitter(rtpTimestamp, arrivalMs);
      return true;
    }
    const udelta = (seq - this.maxSeq + RTP_SEQ_MOD) % RTP_SEQ_MOD;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: accept after two sequential packets (§A.1).
      if (seq === this.badSeq) {
        this.initSeq(seq);
      } else {
        this.badSeq = (seq + 1) & (RTP_SEQ_MOD - 1);
        return false;
      }
    }
    // else: duplicate or reordered packet, counted.
    this.received++;
    this.updateJitter(rtpTimestamp, arrivalMs);
    return true;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.received = 0;
  }

  private updateJitter(rtpTimestamp: number, arrivalMs: number): void {
    const arrival = (arrivalMs * this.clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.transit !== undefined) {
      let d = transit - this.transit;
      // Timestamps wrap at 2^32; keep the difference small.
      if (d > 0x80000000) d -= 0x100000000;
      if (d < -0x80000000) d += 0x100000000;
      d = Math.abs(d);
      if (d > this.maxTransitDelta && d < this.clockRate) this.maxTransitDelta = d;
      this.jitter += (d - this.jitter) / 16;
    }
    this.transit = transit;
  }

  get extendedMaxSeq(): number {
    return this.cycles + this.maxSeq;
  }
  get expected(): number {
    return this.started ? this.extendedMaxSeq - this.baseSeq + 1 : 0;
  }
  get cumulativeLost(): number {
    return this.expected - this.received;
  }
  get jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate;
  }

  /** Builds a report block and advances the interval counters (§A.3). */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.received - this.receivedPrior;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fraction = expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    const dlsr = this.lastSrArrivalMs ? Math.round(((nowMs - this.lastSrArrivalMs) / 1000) * 65536) : 0;
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fraction),
      cumulativeLost: this.cumulativeLost,
      highestSeq: this.extendedMaxSeq,
      jitter: this.jitter,
      lastSr: this.lastSrNtpMiddle,
      delaySinceLastSr: dlsr,
    };
  }
}
