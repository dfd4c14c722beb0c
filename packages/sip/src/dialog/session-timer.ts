// Session timers (RFC 4028 §10): the refresher re-sends at half the interval; the other side gives up at
// interval - min(32, interval/3) seconds and ends the session.
import type { SipRequest, SipResponse } from '../message/message.ts';
import type { Clock } from '../transaction/timers.ts';

export class SessionTimer {
  interval = 0;
  refresher: 'local' | 'remote' = 'remote';
  private handle: unknown;

  constructor(
    private readonly clock: Clock,
    /** Sends a refresh (re-INVITE or UPDATE); a rejection ends the session. */
    private readonly refresh: () => Promise<unknown>,
    private readonly expire: () => void,
  ) {}

  start(interval: number, refresher: 'local' | 'remote'): void {
    this.interval = interval;
    this.refresher = refresher;
    this.arm();
  }

  private arm(): void {
    this.stop();
    if (!this.interval) return;
    const s = this.interval;
    if (this.refresher === 'local') {
      this.handle = this.clock.setTimeout(() => {
        this.refresh().then(() => this.arm(), () => this.expire());
      }, (s * 1000) / 2);
    } else {
      this.handle = this.clock.setTimeout(() => this.expire(), (s - Math.min(32, s / 3)) * 1000);
    }
  }

  /** A refresh arrived from the peer (re-INVITE or UPDATE): restart, with its interval if it names one. */
  touch(req: SipRequest): void {
    if (!this.interval) return;
    const n = parseInt(req.get('Session-Expires') ?? '', 10);
    if (n > 0) this.interval = n;
    this.arm();
  }

  /** Session-Expires and Require: timer for a 2xx we send (RFC 4028 §9). */
  addHeaders(res: SipResponse, role: 'uac' | 'uas'): void {
    if (!this.interval) return;
    const who = this.refresher === 'local' ? role : role === 'uas' ? 'uac' : 'uas';
    res.set('Session-Expires', `${this.interval};refresher=${who}`);
    res.set('Require', 'timer');
  }

  stop(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }
}
