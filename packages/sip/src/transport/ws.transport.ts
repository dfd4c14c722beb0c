// SIP over WebSocket (RFC 7118): subprotocol "sip", one SIP message per WebSocket message (§5.1).
import { WebSocketServer, type WebSocket } from 'ws';
import https from 'node:https';
import http from 'node:http';
import type net from 'node:net';
import { TransportError, type Destination, type RawIncoming, type Transport } from './transport.ts';

export interface WsOptions {
  host?: string;
  port?: number;
  tls?: { cert: string | Buffer; key: string | Buffer };
  maxMessageBytes?: number;
}

export class WsTransport implements Transport {
  readonly reliable = true;
  private handler: (m: RawIncoming) => void = () => {};
  private readonly conns = new Map<string, WebSocket>();
  private nextId = 0;

  private constructor(
    readonly protocol: 'WS' | 'WSS',
    private readonly server: http.Server,
    private readonly wss: WebSocketServer,
    readonly localAddress: string,
    readonly localPort: number,
  ) {}

  static async listen(opts: WsOptions = {}): Promise<WsTransport> {
    const host = opts.host ?? '127.0.0.1';
    const server = opts.tls ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }) : http.createServer();
    const wss = new WebSocketServer({
      server,
      maxPayload: opts.maxMessageBytes ?? 1024 * 1024,
      // RFC 7118 §4: the "sip" subprotocol is required.
      handleProtocols: (protocols) => (protocols.has('sip') ? 'sip' : false),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as net.AddressInfo).port;
    const t = new WsTransport(opts.tls ? 'WSS' : 'WS', server, wss, host, port);
    wss.on('connection', (ws, req) => t.adopt(ws, req.socket));
    return t;
  }

  onData(handler: (m: RawIncoming) => void): void {
    this.handler = handler;
  }

  private adopt(ws: WebSocket, socket: net.Socket): void {
    if (ws.protocol !== 'sip') {
      ws.close(1002, 'sip subprotocol required');
      return;
    }
    const id = `${this.protocol}-${++this.nextId}`;
    this.conns.set(id, ws);
    const address = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const port = socket.remotePort ?? 0;
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.handler({ data: buf, framed: false, address, port, connectionId: id });
    });
    ws.on('error', () => {});
    ws.on('close', () => this.conns.delete(id));
  }

  async send(dest: Destination, data: Buffer): Promise<void> {
    // RFC 7118 §5: a WebSocket server cannot open connections; responses and requests use an existing one.
    const ws = dest.connectionId ? this.conns.get(dest.connectionId) : undefined;
    if (!ws) throw new TransportError('NO_CONNECTION', 'no WebSocket connection to the destination');
    await new Promise<void>((resolve, reject) =>
      ws.send(data.toString('utf8'), (err) => (err ? reject(new TransportError('SEND_FAILED', err.message)) : resolve())),
    );
  }

  async close(): Promise<void> {
    for (const ws of this.conns.values()) ws.terminate();
    this.conns.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
