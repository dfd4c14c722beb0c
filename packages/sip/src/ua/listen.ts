// Convenience: open the transports a UA listens on.
import { StreamTransport, type StreamOptions } from '../transport/stream.transport.ts';
import type { Transport } from '../transport/transport.ts';
import { UdpTransport, type UdpOptions } from '../transport/udp.transport.ts';
import { WsTransport, type WsOptions } from '../transport/ws.transport.ts';
import { UserAgent, type UserAgentOptions } from './user-agent.ts';

export interface ListenOptions extends UserAgentOptions {
  udp?: UdpOptions | boolean;
  tcp?: StreamOptions | boolean;
  tls?: StreamOptions & { tls: NonNullable<StreamOptions['tls']> };
  ws?: WsOptions | boolean;
}

/** Creates a UserAgent listening on the given transports (UDP on 127.0.0.1, free port, by default). */
export async function createUserAgent(opts: ListenOptions = {}): Promise<UserAgent> {
  const transports: Transport[] = [];
  try {
    const udp = opts.udp ?? (opts.tcp || opts.tls || opts.ws ? false : true);
    if (udp) transports.push(await UdpTransport.listen(udp === true ? {} : udp));
    if (opts.tcp) transports.push(await StreamTransport.listen('TCP', opts.tcp === true ? {} : opts.tcp));
    if (opts.tls) transports.push(await StreamTransport.listen('TLS', opts.tls));
    if (opts.ws) transports.push(await WsTransport.listen(opts.ws === true ? {} : opts.ws));
  } catch (e) {
    await Promise.allSettled(transports.map((t) => t.close()));
    throw e;
  }
  return new UserAgent(transports, opts);
}
