// Erlang C (M/M/N queue): the probability that a call waits, the average speed of answer and the service
// level, for staffing, estimated wait times and the simulation test. Computed through the Erlang B recursion
// B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which stays stable for hundreds of agents, then
// C = N·B / (N − A·(1 − B)).

export interface ErlangInput {
  /** Arrivals per second. */
  arrivalRate: number;
  /** Average handle time in seconds. */
  handleSeconds: number;
  agents: number;
}

/** Offered traffic in erlangs. */
export const trafficErlangs = (i: ErlangInput): number => i.arrivalRate * i.handleSeconds;

/** P(wait > 0); 1 when the agents cannot keep up (A ≥ N). */
export function probabilityOfWait(i: ErlangInput): number {
  const a = trafficErlangs(i);
  const n = i.agents;
  if (a <= 0) return 0;
  if (n <= a) return 1;
  let b = 1;
  for (let k = 1; k <= n; k++) b = (a * b) / (k + a * b);
  return (n * b) / (n - a * (1 - b));
}

/** Average speed of answer in seconds (mean wait over all calls). */
export function averageSpeedOfAnswer(i: ErlangInput): number {
  const a = trafficErlangs(i);
  if (i.agents <= a) return Infinity;
  return (probabilityOfWait(i) * i.handleSeconds) / (i.agents - a);
}

/** Share of calls answered within `seconds`. */
export function serviceLevel(i: ErlangInput, seconds: number): number {
  const a = trafficErlangs(i);
  if (i.agents <= a) return 0;
  return 1 - probabilityOfWait(i) * Math.exp((-(i.agents - a) * seconds) / i.handleSeconds);
}

/** The fewest agents that reach `target` (0..1) answered within `seconds`. */
export function agentsForServiceLevel(arrivalRate: number, handleSeconds: number, target: number, seconds: number): number {
  let agents = Math.max(1, Math.floor(arrivalRate * handleSeconds) + 1);
  while (serviceLevel({ arrivalRate, handleSeconds, agents }, seconds) < target) agents++;
  return agents;
}
