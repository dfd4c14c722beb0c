// Toll-fraud protection for outbound calls: a division's rules say which trunk may carry which numbers. A number
// goes out through the first rule whose allowed prefixes match (an empty list allows any) and whose denied
// prefixes do not, while the division's calls in the last hour stay under that rule's limit.
export interface OutboundRule {
  id: string;
  trunkId: string;
  allowedPrefixes: string[];
  deniedPrefixes: string[];
  maxCallsPerHour: number;
}

export type OutboundDecision = { ok: true; rule: OutboundRule } | { ok: false; reason: 'barred' | 'limit' };

/** Digits and a leading + only (what a number is compared as). */
export function normalizeDialled(dialled: string): string | undefined {
  const n = dialled.replace(/[\s().-]/g, '');
  return /^\+?[0-9]{2,20}$/.test(n) ? n : undefined;
}

export function decideOutbound(rules: readonly OutboundRule[], dialled: string, callsLastHour: number): OutboundDecision {
  const number = normalizeDialled(dialled);
  if (!number) return { ok: false, reason: 'barred' };
  const matching = rules.filter(
    (r) => (r.allowedPrefixes.length === 0 || r.allowedPrefixes.some((p) => number.startsWith(p))) && !r.deniedPrefixes.some((p) => number.startsWith(p)),
  );
  if (!matching.length) return { ok: false, reason: 'barred' };
  const rule = matching.find((r) => callsLastHour < r.maxCallsPerHour);
  return rule ? { ok: true, rule } : { ok: false, reason: 'limit' };
}
