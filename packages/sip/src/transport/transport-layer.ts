// The transport layer (RFC 3261 §18): parses and checks what arrives, answers broken requests statelessly,
// stamps received/rport (§18.2.1, RFC 3581 §4), routes responses back (§18.2.2) and picks a transport for requests.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { createResponse } from '../message/builders.ts';
import { SipParseError } from '../message/errors.ts';
import { formatVia, parseVia, type Via } from '../message/headers.ts';
import { splitOutside } from '../message/grammar.ts';
import type { SipMessage, SipRequest, SipResponse, Source, TransportName } from '../message/message.ts';
import { parseMessage } from '../message/parser.ts';
import { serialize } from '../message/serializer.ts';
import { bareHost, type SipUri } from '../message/uri.ts';
import { validateRequest, validateResponse } from '../message/validate.ts';
import { DEFAULT_PORTS, TransportError, type Destination, type RawIncoming, type Transport } from './transport.ts';

/** A response already serialized, with the transport and address it goes to. */
export interface PreparedResponse {
  readonly transport: Transport;
  readonly dest: Destination;
  readonly data: Buffer;
}

export interface TransportLayerOptions {
  /** Always answer to the packet's source port as if the request had `;rport` (RFC 3581), for NAT'd peers. */
  forceRport?: boolean;
  /**
   * Turns a host name into an address for outgoing requests. The default uses the system resolver; tests pass one
   * that refuses names so that no host taken from a message is ever looked up.
   */
  resolve?: (host: string) => Promise<string>;
  /** Called for every dropped or rejected message (diagnostics). */
  onDrop?: (reason: string, raw: Buffer) => void;
}

export interface TransportEntry {
  transport: Transport;
  /** The host:port written into Via and Contact (defaults to the bound address). */
  advertise: { host: string; port: number };
}

export class TransportLayer {
  private readonly entries: TransportEntry[] = [];
  private requestHandler: (req: SipRequest) => void = () => {};
  private responseHandler: (res: SipResponse) => void = () => {};
  constructor(private readonly opts: TransportLayerOptions = {}) {}

  add(transport: Transport, advertise?: { host: string; port: number }): this {
    const entry: TransportEntry = {
      transport,
      advertise: advertise ?? { host: formatHost(transport.localAddress), port: transport.localPort },
    };
    this.entries.push(entry);
    transport.onData((raw) => this.receive(entry, raw));
    return this;
  }

  get transports(): readonly TransportEntry[] {
    return this.entries;
  }

  entryFor(protocol: TransportName): TransportEntry | undefined {
    return this.entries.find((e) => e.transport.protocol === protocol);
  }

  isReliable(protocol: TransportName): boolean {
    return this.entryFor(protocol)?.transport.reliable ?? protocol !== 'UDP';
  }

  onRequest(handler: (req: SipRequest) => void): void {
    this.requestHandler = handler;
  }

  onResponse(handler: (res: SipResponse) => void): void {
    this.responseHandler = handler;
  }

  private receive(entry: TransportEntry, raw: RawIncoming): void {
    const t = entry.transport;
    const source: Source = {
      transport: t.protocol,
      address: raw.address,
      port: raw.port,
      localAddress: t.localAddress,
      localPort: t.localPort,
      ...(raw.connectionId ? { connectionId: raw.connectionId } : {}),
    };
    if (raw.error) return this.rejectBroken(raw.error, source, raw.data);
    if (raw.data.length > 65535 && !raw.framed) return this.opts.onDrop?.('datagram too large', raw.data);
    // A datagram of only CRLFs is a keep-alive (RFC 5626 §4.4.1).
    if (raw.data.length <= 4 && raw.data.every((b) => b === 0x0d || b === 0x0a)) return;
    let msg: SipMessage;
    try {
      msg = parseMessage(raw.data, { datagram: !raw.framed });
    } catch (e) {
      if (e instanceof SipParseError) return this.rejectBroken(e, source, raw.data);
      return this.opts.onDrop?.(`parser bug: ${String(e)}`, raw.data);
    }
    msg.source = source;
    if (msg.kind === 'response') {
      if (validateResponse(msg)) return this.opts.onDrop?.('invalid response', raw.data);
      return this.responseHandler(msg);
    }
    const err = validateRequest(msg);
    if (err) return this.rejectBroken(err, source, raw.data, msg);
    this.stampVia(msg, source);
    this.requestHandler(msg);
  }

  /** Answers a request that cannot be processed with the status the error names (400, 416, 505); drops the rest. */
  private rejectBroken(err: SipParseError, source: Source, raw: Buffer, msg?: SipMessage): void {
    const req = msg ?? err.partial;
    if (!req || req.kind !== 'request' || req.method === 'ACK' || !req.has('Via')) {
      return this.opts.onDrop?.(err.message, raw);
    }
    req.source = source;
    const res = createResponse(req, err.status);
    if (err.status === 505) res.set('Warning', '399 - "only SIP/2.0 is supported"');
    try {
      this.stampVia(res, source);
    } catch {
      /* an unparsable Via: the response goes back to the source */
    }
    this.sendResponse(res, source).catch(() => {});
  }

  /** RFC 3261 §18.2.1 and RFC 3581 §4: record where the request really came from in its top Via. */
  private stampVia(msg: SipMessage, source: Source): void {
    const idx = msg.headers.findIndex((h) => h.name === 'Via');
    if (idx < 0) return;
    const header = msg.headers[idx]!;
    const values = splitOutside(header.value, ',');
    const via = parseVia(values[0]!);
    if (bareHost(via.host) !== source.address) via.params.set('received', source.address);
    if (via.params.has('rport') || this.opts.forceRport) {
      via.params.set('rport', String(source.port));
      via.params.set('received', source.address);
    }
    values[0] = formatVia(via);
    header.value = values.map((v) => v.trim()).join(', ');
  }

  /**
   * Sends a response (RFC 3261 §18.2.2): on the connection the request came on, else to `received` at the
   * `rport` or sent-by port. Never to a name that would need DNS, never to `maddr` (no multicast).
   */
  async sendResponse(res: SipResponse, source?: Source): Promise<void> {
    await this.sendPrepared(this.prepareResponse(res, source));
  }

  /**
   * Serializes a response and picks where it goes, once. A transaction that only has to repeat its final response
   * for retransmitted requests keeps these bytes instead of the parsed message (see TransactionLayer.retire).
   */
  prepareResponse(res: SipResponse, source?: Source): PreparedResponse {
    const data = serialize(res);
    let dest: Destination | undefined;
    let via: Via | undefined;
    try {
      via = res.topVia;
    } catch {
      via = undefined;
    }
    const protocol = source?.transport ?? (via?.transport as TransportName | undefined) ?? 'UDP';
    const entry = this.entryFor(protocol) ?? this.entries[0];
    if (!entry) throw new TransportError('NO_TRANSPORT', 'no transport');
    if (source && (entry.transport.reliable || !via)) {
      dest = { transport: protocol, address: source.address, port: source.port, ...(source.connectionId ? { connectionId: source.connectionId } : {}) };
    } else if (via) {
      const received = via.params.get('received');
      const address = received ? bareHost(received) : bareHost(via.host);
      const rport = via.params.get('rport');
      const port = rport ? Number(rport) : (via.port ?? DEFAULT_PORTS[protocol]);
      if (!isIP(address)) throw new TransportError('UNRESOLVABLE', 'response Via names a host, not an address');
      dest = { transport: protocol, address, port };
    }
    if (!dest) throw new TransportError('NO_TRANSPORT', 'no route for the response');
    return { transport: entry.transport, dest, data };
  }

  async sendPrepared(prepared: PreparedResponse): Promise<void> {
    await prepared.transport.send(prepared.dest, prepared.data);
  }

  /** Where a request goes (RFC 3263 reduced: no NAPTR/SRV): the first loose Route, else the Request-URI. */
  async resolve(target: SipUri): Promise<Destination> {
    const tp = target.params.get('transport');
    const transport: TransportName = tp
      ? (tp.toUpperCase() as TransportName)
      : target.scheme === 'sips'
        ? 'TLS'
        : 'UDP';
    const maddr = target.params.get('maddr');
    const host = bareHost(maddr ?? target.host);
    let address = host;
    if (!isIP(host)) {
      if (!this.opts.resolve) {
        try {
          address = (await lookup(host)).address;
        } catch (e) {
          throw new TransportError('UNRESOLVABLE', `cannot resolve ${host}: ${String(e)}`, true);
        }
      } else address = await this.opts.resolve(host);
    }
    return { transport, address, port: target.port ?? DEFAULT_PORTS[transport] };
  }

  /** The Via sent-by for requests leaving through `protocol` (RFC 3261 §18.1.1); rport asked for (RFC 3581). */
  viaFor(protocol: TransportName, branch: string): Via {
    const entry = this.entryFor(protocol);
    if (!entry) throw new TransportError('NO_TRANSPORT', `no ${protocol} transport`);
    return {
      protocol: 'SIP/2.0',
      transport: protocol,
      host: entry.advertise.host,
      port: entry.advertise.port,
      params: new Map<string, string | null>([['branch', branch], ['rport', null]]),
    };
  }

  async send(dest: Destination, data: Buffer): Promise<void> {
    const entry = this.entryFor(dest.transport);
    if (!entry) throw new TransportError('NO_TRANSPORT', `no ${dest.transport} transport`);
    await entry.transport.send(dest, data);
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.transport.close()));
  }
}

export function formatHost(address: string): string {
  return isIP(address) === 6 ? `[${address}]` : address;
}
