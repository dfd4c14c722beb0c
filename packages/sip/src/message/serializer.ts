// Serialization (RFC 3261 §7): Content-Length is always written from the body so that stream framing holds.
import type { SipMessage } from './message.ts';

export function serialize(msg: SipMessage): Buffer {
  let head =
    msg.kind === 'request' ? `${msg.method} ${msg.uri} ${msg.version}\r\n` : `${msg.version} ${msg.status} ${msg.reason}\r\n`;
  for (const h of msg.headers) {
    if (h.name === 'Content-Length') continue;
    head += `${h.name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${msg.body.length}\r\n\r\n`;
  const headBuf = Buffer.from(head, 'utf8');
  return msg.body.length ? Buffer.concat([headBuf, msg.body]) : headBuf;
}

export function serializeToString(msg: SipMessage): string {
  return serialize(msg).toString('utf8');
}
