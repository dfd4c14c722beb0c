import dgram from 'node:dgram';

/**
 * A tiny SIP UAS for media tests (not a SIP stack): answers each INVITE with 200 OK carrying
 * the SDP from `onOffer`, answers BYE with 200 OK, ignores ACK. Enough to drive sipp's UAC.
 */
export class TinyUas {
  readonly calls: { callId: string; offer: string }[] = [];
  byes = 0;

  private constructor(private readonly socket: dgram.Socket, readonly port: number, private readonly onOffer: (offer: string, callId: string) => Promise<string>) {
    socket.on('message', (msg, rinfo) => void this.handle(msg.toString('utf8'), rinfo));
  }

  static async start(onOffer: (offer: string, callId: string) => Promise<string>): Promise<TinyUas> {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return new TinyUas(s, s.address().port, onOffer);
  }

  private async handle(text: string, rinfo: dgram.RemoteInfo): Promise<void> {
    const [head = '', body = ''] = text.split(/\r?\n\r?\n/, 2).length === 2 ? [text.slice(0, text.search(/\r?\n\r?\n/)), text.slice(text.search(/\r?\n\r?\n/)).replace(/^\r?\n\r?\n/, '')] : [text, ''];
    const lines = head.split(/\r?\n/);
    const method = lines[0]!.split(' ')[0]!;
    if (method.startsWith('SIP/') || method === 'ACK') return;
    const h = (name: string) => lines.filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
    const callId = h('Call-ID')[0]?.slice(8).trim() ?? '';
    let sdp = '';
    if (method === 'INVITE') {
      if (!this.calls.find((c) => c.callId === callId)) {
        this.calls.push({ callId, offer: body });
        sdp = await this.onOffer(body, callId);
      } else return;
    } else if (method === 'BYE') {
      this.byes++;
    }
    const to = h('To')[0]!;
    const resp = [
      'SIP/2.0 200 OK',
      ...h('Via'),
      ...h('From'),
      /tag=/.test(to) ? to : `${to};tag=kefu${Math.floor(Math.random() * 1e6)}`,
      ...h('Call-ID'),
      ...h('CSeq'),
      `Contact: <sip:media@127.0.0.1:${this.port}>`,
      ...(sdp ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(sdp)}`,
      '',
      sdp,
    ].join('\r\n');
    this.socket.send(resp, rinfo.port, rinfo.address);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
