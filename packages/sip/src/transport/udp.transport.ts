// UDP transport (RFC 3261 §18.1.1, §18.2.1): one datagram is one message, at most 64 KB.
import dgram from 'node:dgram';
import { lookup as dnsLookup } from 'node:dns';
import { isIP } from 'node:net';
import { TransportError, type Destination, type RawIncoming, type Transport } from './transport.ts';

export interface UdpOptions {
  host?: string;
  port?: number;
}

/**
 * dgram's address lookup for bind and every send. The default (dns.lookup) answers even an IP literal on the next
 * tick, so a datagram left only after the handler that sent it had returned: a 100 Trying went out after the
 * application's INVITE handler (and the 200 it built) had run. Destinations reaching this transport are always
 * addresses (the transport layer resolves names first and never sends responses to names), so a literal is answered
 * at once and send() hands the datagram to the kernel before it returns. A name (only a bind host can be one) still
 * goes to the system resolver.
 */
function literalFirst(host: string, family: number, callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const f = isIP(host);
  if (f) callback(null, host, f);
  else dnsLookup(host, { family }, callback);
}

export class UdpTransport implements Transport {
  readonly protocol = 'UDP' as const;
  readonly reliable = false;
  private handler: (m: RawIncoming) => void = () => {};
  private constructor(
    private readonly socket: dgram.Socket,
    readonly localAddress: string,
    readonly localPort: number,
  ) {
    socket.on('message', (data, rinfo) => {
      this.handler({ data, framed: false, address: rinfo.address, port: rinfo.port });
    });
    socket.on('error', () => {});
  }

  static async listen(opts: UdpOptions = {}): Promise<UdpTransport> {
    const host = opts.host ?? '127.0.0.1';
    const socket = dgram.createSocket({
      type: isIP(host) === 6 ? 'udp6' : 'udp4',
      recvBufferSize: 4 * 1024 * 1024,
      lookup: literalFirst as NonNullable<dgram.SocketOptions['lookup']>,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(opts.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      /* kernel limits apply */
    }
    return new UdpTransport(socket, host, socket.address().port);
  }

  onData(handler: (m: RawIncoming) => void): void {
    this.handler = handler;
  }

  send(dest: Destination, data: Buffer): Promise<void> {
    if (data.length > 65507) return Promise.reject(new TransportError('TOO_LARGE', 'datagram larger than 64 KB'));
    return new Promise((resolve, reject) => {
      this.socket.send(data, dest.port, dest.address, (err) => {
        if (err) reject(new TransportError('SEND_FAILED', err.message, true));
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
