// Calls the customer's own system (order status, balance): the URL, headers and body take `{{variables}}`,
// headers take `{{secret.NAME}}` from the tenant's secrets (never stored in the flow), JSON paths of the response
// become variables. Exits: `success` (2xx), `failure` (another status or no connection after the retries),
// `timeout` (the last attempt ran out of time).
import type { FlowNodeImpl } from '../../engine/flow-types.ts';
import { jsonPath } from '../../engine/variables.ts';

const SECRET = /\{\{\s*secret\.([A-Za-z0-9_-]+)\s*\}\}/g;

export const httpRequestNode: FlowNodeImpl<'http_request'> = {
  type: 'http_request',
  async run(ctx) {
    const c = ctx.config;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(c.headers)) {
      let out = value;
      for (const m of value.matchAll(SECRET)) {
        const secret = await ctx.services.secret(ctx.state.tenantId, m[1]!);
        if (secret === undefined) throw new Error(`secret ${m[1]} is not defined`);
        out = out.replace(m[0], secret);
      }
      headers[name] = ctx.fill(out);
    }
    const body = c.body === undefined ? undefined : ctx.fill(c.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    let outcome: 'failure' | 'timeout' = 'failure';
    for (let attempt = 0; attempt <= c.retries; attempt++) {
      const timeout = AbortSignal.timeout(c.timeoutMs);
      try {
        const res = await ctx.services.fetch(ctx.fill(c.url), { method: c.method, headers, body: body ?? null, signal: AbortSignal.any([timeout, ctx.signal]) });
        const text = await res.text();
        if (c.statusVariable) ctx.state.vars[c.statusVariable] = String(res.status);
        if (!res.ok) {
          outcome = 'failure';
          // A client error will not change on a retry; a server error may.
          if (res.status < 500) break;
          continue;
        }
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        for (const a of c.assign) ctx.state.vars[a.variable] = jsonPath(json, a.path) ?? '';
        return { port: 'success', input: String(res.status) };
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        outcome = timeout.aborted ? 'timeout' : 'failure';
      }
    }
    return { port: outcome };
  },
  timeoutMs: (c) => (c.timeoutMs + 500) * (c.retries + 1) + 1000,
};
