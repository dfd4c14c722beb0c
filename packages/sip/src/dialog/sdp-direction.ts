// Media direction in offer/answer (RFC 3264 §6.1): what an answer says for a given offer (hold = sendonly/inactive).
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export function sdpDirection(sdp: string): Direction {
  const m = /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp);
  return (m?.[1] as Direction | undefined) ?? 'sendrecv';
}

/** The direction an answer must use for an offer (RFC 3264 §6.1). */
export function answerDirection(offer: Direction, local: Direction = 'sendrecv'): Direction {
  const wantSend = offer === 'sendrecv' || offer === 'recvonly';
  const wantRecv = offer === 'sendrecv' || offer === 'sendonly';
  const send = wantSend && (local === 'sendrecv' || local === 'sendonly');
  const recv = wantRecv && (local === 'sendrecv' || local === 'recvonly');
  return send && recv ? 'sendrecv' : send ? 'sendonly' : recv ? 'recvonly' : 'inactive';
}

/** Rewrites every direction attribute (adds one per media section when absent) and bumps the o= version. */
export function withDirection(sdp: string, dir: Direction, bumpVersion = true): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/).filter((l) => !/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l));
  const out: string[] = [];
  let inMedia = false;
  for (const line of lines) {
    if (line.startsWith('m=')) {
      if (inMedia) out.push(`a=${dir}`);
      inMedia = true;
    }
    if (line === '' && inMedia) {
      out.push(`a=${dir}`);
      inMedia = false;
    }
    if (bumpVersion && line.startsWith('o=')) {
      const parts = line.split(' ');
      if (parts.length >= 3 && /^\d+$/.test(parts[2]!)) parts[2] = String(BigInt(parts[2]!) + 1n);
      out.push(parts.join(' '));
      continue;
    }
    out.push(line);
  }
  if (inMedia) out.push(`a=${dir}`);
  let text = out.join(eol);
  if (!text.endsWith(eol)) text += eol;
  return text;
}
