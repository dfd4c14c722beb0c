// TCP and TLS transports (RFC 3261 §18.3, §26.2): Content-Length framing, CRLF keep-alive, connection reuse.
import net from 'node:net';
import tls from 'node:tls';
import { StreamFramer } from '../message/framer.ts';
import { TransportError, type Destination, type RawIncoming, type Transport } from './transport.ts';

export interface StreamOptions {
  host?: string;
  port?: number;
  /** TLS only: server certificate and key (PEM), and what to trust when connecting out. */
  tls?: { cert: string | Buffer; key: string | Buffer; ca?: string | Buffer; rejectUnauthorized?: boolean };
  maxMessageBytes?: number;
  maxConnections?: number;
  /** Close connections with no traffic for this long (ms). */
  idleTimeoutMs?: number;
}

interface Conn {
  id: string;
  socket: net.Socket;
  remote: string;
}

export class StreamTransport implements Transport {
  readonly reliable = true;
  private handler: (m: RawIncoming) => void = () => {};
  private readonly conns = new Map<string, Conn>();
  private readonly byRemote = new Map<string, string>();
  private readonly pending = new Map<string, Promise<Conn>>();
  private nextId = 0;
  private closed = false;

  private constructor(
    readonly protocol: 'TCP' | 'TLS',
    private readonly server: net.Server,
    readonly localAddress: string,
    readonly localPort: number,
    private readonly opts: StreamOptions,
  ) {
    server.on('error', () => {});
  }

  static async listen(protocol: 'TCP' | 'TLS', opts: StreamOptions = {}): Promise<StreamTransport> {
    const host = opts.host ?? '127.0.0.1';
    let onConn: (s: net.Socket) => void = () => {};
    const server =
      protocol === 'TLS'
        ? tls.createServer({ cert: opts.tls?.cert, key: opts.tls?.key }, (s) => onConn(s))
        : net.createServer((s) => onConn(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as net.AddressInfo).port;
    const t = new StreamTransport(protocol, server, host, port, opts);
    onConn = (s) => t.adopt(s);
    return t;
  }

  onData(handler: (m: RawIncoming) => void): void {
    this.handler = handler;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  private adopt(socket: net.Socket): Conn {
    const id = `${this.protocol}-${++this.nextId}`;
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = socket.remotePort ?? 0;
    const conn: Conn = { id, socket, remote: `${address}:${port}` };
    if (this.conns.size >= (this.opts.maxConnections ?? 10000)) {
      socket.destroy();
      return conn;
    }
    this.conns.set(id, conn);
    this.byRemote.set(conn.remote, id);
    socket.setNoDelay(true);
    if (this.opts.idleTimeoutMs) socket.setTimeout(this.opts.idleTimeoutMs, () => socket.destroy());
    const framer = new StreamFramer(
      {
        message: (_msg, raw) => this.handler({ data: raw, framed: true, address, port, connectionId: id }),
        invalid: (_err, raw) => this.handler({ data: raw, framed: true, address, port, connectionId: id }),
        ping: () => socket.write('\r\n'),
        fatal: (error) => {
          // RFC 4475 §3.1.2.3, §3.3.9: answer what can be answered, then close (framing is lost).
          this.handler({ data: Buffer.alloc(0), framed: true, address, port, connectionId: id, error });
          setImmediate(() => socket.end());
        },
      },
      this.opts.maxMessageBytes ?? 1024 * 1024,
    );
    socket.on('data', (chunk: Buffer) => framer.push(chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      this.conns.delete(id);
      if (this.byRemote.get(conn.remote) === id) this.byRemote.delete(conn.remote);
    });
    return conn;
  }

  private connect(dest: Destination): Promise<Conn> {
    const key = `${dest.address}:${dest.port}`;
    const existing = this.pending.get(key);
    if (existing) return existing;
    const p = new Promise<Conn>((resolve, reject) => {
      const t = this.opts.tls;
      const socket =
        this.protocol === 'TLS'
          ? tls.connect({
              host: dest.address,
              port: dest.port,
              ca: t?.ca,
              rejectUnauthorized: t?.rejectUnauthorized ?? true,
              servername: net.isIP(dest.address) ? undefined : dest.address,
            })
          : net.connect({ host: dest.address, port: dest.port });
      const ready = this.protocol === 'TLS' ? 'secureConnect' : 'connect';
      socket.once(ready, () => {
        socket.off('error', onError);
        const conn = this.adopt(socket);
        this.byRemote.set(key, conn.id);
        resolve(conn);
      });
      const onError = (err: Error): void => reject(new TransportError('SEND_FAILED', err.message, true));
      socket.once('error', onError);
    }).finally(() => this.pending.delete(key));
    this.pending.set(key, p);
    return p;
  }

  async send(dest: Destination, data: Buffer): Promise<void> {
    if (this.closed) throw new TransportError('CLOSED', 'transport closed');
    let conn = dest.connectionId ? this.conns.get(dest.connectionId) : undefined;
    if (!conn) {
      const id = this.byRemote.get(`${dest.address}:${dest.port}`);
      conn = id ? this.conns.get(id) : undefined;
    }
    // RFC 3261 §18.2.2: if the connection a request came on is gone, a new one is opened to the Via address.
    if (!conn) conn = await this.connect(dest);
    const c = conn;
    await new Promise<void>((resolve, reject) => {
      c.socket.write(data, (err) => (err ? reject(new TransportError('SEND_FAILED', err.message, true)) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) c.socket.destroy();
    this.conns.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
