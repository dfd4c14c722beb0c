/**
 * Simplified E-model (ITU-T G.107 §3, with G.113 Appendix I values for G.711):
 * R = R0 - Is - Id - Ie,eff + A, with defaults folded into 93.2.
 */
export interface QualityInput {
  /** Packet loss in percent (0..100). */
  lossPercent: number;
  /** One-way mouth-to-ear delay in ms (network + jitter buffer + packetization). */
  oneWayDelayMs: number;
  /** Loss robustness factor Bpl: 25.1 for G.711 with PLC, 4.3 without (G.113 I). */
  bpl?: number;
  /** Equipment impairment Ie: 0 for G.711. */
  ie?: number;
}

export function rFactor(q: QualityInput): number {
  const ie = q.ie ?? 0;
  const bpl = q.bpl ?? 25.1;
  const ppl = Math.max(0, Math.min(100, q.lossPercent));
  // G.107 (7-29): Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl + Bpl), random loss (BurstR = 1).
  const ieEff = ie + ((95 - ie) * ppl) / (ppl + bpl);
  const d = Math.max(0, q.oneWayDelayMs);
  // Delay impairment, the common linearisation of G.107 Idd (Cole & Rosenbluth 2001).
  const id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
  return Math.max(0, Math.min(100, 93.2 - id - ieEff));
}

/** G.107 Annex B (B-4): MOS from R. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}
