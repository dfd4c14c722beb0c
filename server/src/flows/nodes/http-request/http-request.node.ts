// Calls the customer's own system (order status, balance): the URL, headers and body take `{{variables}}`,
// headers take `{{secret.NAME}}` from the tenant's secrets (never stored in the flow), JSON paths of the response
// become variables. Exits: `success` (2xx), `failure` (another status or no connection after the retries),
// `timeout` (the last attempt ran out of time). Destinations that are not public addresses (loopback, private,
// link-local, …) are refused unless the tenant's allow-list names them (guarded-request.ts): the node then
// fails with the reason, which the path log keeps, and the error exit is followed.
import type { FlowNodeImpl } from '../../engine/flow-types.ts';
import { jsonPath } from '../../engine/variables.ts';
import { compileAllowList } from './egress-policy.ts';
import { EgressRefusedError, guardedRequest } from './guarded-request.ts';

const SECRET = /\{\{\s*secret\.([A-Za-z0-9_-]+)\s*\}\}/g;

export const httpRequestNode: FlowNodeImpl<'http_request'> = {
  type: 'http_request',
  async run(ctx) {
    const c = ctx.config;
    const headers: Record<string, string> = {};
    const secretHeaders = new Set<string>();
    for (const [name, value] of Object.entries(c.headers)) {
      let out = value;
      for (const m of value.matchAll(SECRET)) {
        secretHeaders.add(name.toLowerCase());
        const secret = await ctx.services.secret(ctx.state.tenantId, m[1]!);
        if (secret === undefined) throw new Error(`secret ${m[1]} is not defined`);
        out = out.replace(m[0], secret);
      }
      headers[name] = ctx.fill(out);
    }
    const body = c.body === undefined ? undefined : ctx.fill(c.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const allow = compileAllowList(await ctx.services.httpAllowList(ctx.state.tenantId));
    const url = ctx.fill(c.url);
    let outcome: 'failure' | 'timeout' = 'failure';
    for (let attempt = 0; attempt <= c.retries; attempt++) {
      const timeout = AbortSignal.timeout(c.timeoutMs);
      try {
        const res = await guardedRequest(url, { method: c.method, headers, body, signal: AbortSignal.any([timeout, ctx.signal]), secretHeaders }, { allow, resolve: ctx.services.resolveHost });
        const text = res.body;
        if (c.statusVariable) ctx.state.vars[c.statusVariable] = String(res.status);
        if (res.status < 200 || res.status > 299) {
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
        // A refused destination will not be allowed on a retry: the node fails (error exit) with the reason.
        if (ctx.signal.aborted || err instanceof EgressRefusedError) throw err;
        outcome = timeout.aborted ? 'timeout' : 'failure';
      }
    }
    return { port: outcome };
  },
  timeoutMs: (c) => (c.timeoutMs + 500) * (c.retries + 1) + 1000,
};
