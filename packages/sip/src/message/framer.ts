// Stream framing (RFC 3261 §18.3) with CRLF keep-alives (RFC 5626 §3.5.1) and bounded buffers.
import { parseError } from './errors.ts';
import { contentLengthOf, findHeaderEnd, parseMessage } from './parser.ts';
import type { SipMessage } from './message.ts';
import { SipParseError } from './errors.ts';

export interface FramerEvents {
  message(msg: SipMessage, raw: Buffer): void;
  /** A double-CRLF ping arrived; the transport answers with a single CRLF pong. */
  ping(): void;
  /** Framing is lost (bad or repeated Content-Length, oversize): the transport closes the connection. */
  fatal(err: SipParseError): void;
  /** A message framed correctly but did not parse (the connection stays usable). */
  invalid(err: SipParseError, raw: Buffer): void;
}

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);
  private dead = false;
  private crlfRun = 0;
  constructor(
    private readonly events: FramerEvents,
    private readonly maxMessage = 1024 * 1024,
    private readonly maxHeaderSection = 65536,
  ) {}

  push(chunk: Buffer): void {
    if (this.dead) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      // Leading CRLFs: "\r\n\r\n" is a keep-alive ping, a lone "\r\n" a pong (RFC 5626 §3.5.1).
      // The run of CRLFs is counted across pushes, so a ping split over several reads is still seen.
      let skip = 0;
      while (skip + 1 < this.buf.length && this.buf[skip] === 0x0d && this.buf[skip + 1] === 0x0a) {
        skip += 2;
        this.crlfRun += 2;
        if (this.crlfRun >= 4) {
          this.crlfRun = 0;
          this.events.ping();
        }
      }
      if (skip) this.buf = this.buf.subarray(skip);
      if (this.buf.length === 0) return;
      if (this.buf[0] !== 0x0d) this.crlfRun = 0;
      const end = findHeaderEnd(this.buf);
      if (!end) {
        if (this.buf.length > this.maxHeaderSection) return this.fail(parseError('TOO_LARGE', 'header section too large'));
        return;
      }
      let probe: SipMessage;
      try {
        probe = parseMessage(this.buf.subarray(0, end[1]), { datagram: false, headersOnly: true });
      } catch (e) {
        const err = e as SipParseError;
        if (err.code === 'TOO_LARGE') return this.fail(err);
        // The header section is broken; its extent is known only if Content-Length is readable.
        let len: number | undefined;
        try {
          len = err.partial ? (contentLengthOf(err.partial) ?? 0) : undefined;
        } catch {
          len = undefined;
        }
        if (len === undefined) return this.fail(err);
        if (this.buf.length < end[1] + len) return;
        const raw = this.buf.subarray(0, end[1] + len);
        this.buf = this.buf.subarray(end[1] + len);
        this.events.invalid(err, raw);
        continue;
      }
      let cl: number;
      try {
        cl = contentLengthOf(probe) ?? 0;
      } catch (e) {
        // RFC 4475 §3.1.2.3, §3.3.9: a bad or repeated Content-Length loses the framing of the stream.
        const err = e as SipParseError;
        err.partial = probe;
        return this.fail(err);
      }
      if (end[1] + cl > this.maxMessage) return this.fail(parseError('TOO_LARGE', 'message too large'));
      if (this.buf.length < end[1] + cl) return; // wait for more octets (RFC 4475 §3.1.2.2)
      const raw = this.buf.subarray(0, end[1] + cl);
      this.buf = this.buf.subarray(end[1] + cl);
      try {
        this.events.message(parseMessage(raw, { datagram: false }), raw);
      } catch (e) {
        this.events.invalid(e as SipParseError, raw);
      }
    }
  }

  private fail(err: SipParseError): void {
    this.dead = true;
    this.buf = Buffer.alloc(0);
    this.events.fatal(err);
  }
}
