// Text conversations with a flow: the simulator (an admin types digits or words, sees the prompts as text) and
// chat flows (the web chat channel feeds customer messages). The engine's state is saved in flow_sessions
// after every turn, so a conversation resumes on any node, hours later. A turn takes the row lock: two messages
// of one conversation never advance it at once.
import { sql } from 'drizzle-orm';
import type { FlowOutput } from '@kefu/contracts';
import type { Database } from '../platform/db/database.ts';
import { invalid, notFound } from '../platform/errors.ts';
import type { AdvanceResult, FlowRunner } from './engine/flow-runner.ts';
import type { FlowEnd, FlowInput, RunState, Vars, WaitSpec } from './engine/flow-types.ts';
import { iso, one } from './flows-sql.ts';

export interface TranscriptEntry {
  from: 'flow' | 'user';
  output?: FlowOutput;
  text?: string;
  at: string;
}

interface SessionRow {
  id: string;
  flow_id: string;
  kind: 'simulation' | 'chat';
  interaction_id: string | null;
  status: 'waiting' | 'ended';
  state: { run: RunState; transcript: TranscriptEntry[] };
  outcome: FlowEnd | null;
  created_at: string;
}

/** What the client sees of a wait: what kind of answer the flow expects. */
const waitView = (w: WaitSpec) =>
  w.kind === 'digits' ? { kind: 'digits' as const, min: w.min, max: w.max, terminator: w.terminator ?? null }
    : w.kind === 'speech' ? { kind: 'speech' as const, phrases: w.phrases }
      : { kind: 'text' as const, buttons: w.output?.kind === 'buttons' ? w.output.buttons : null };

export interface TurnView {
  id: string;
  flowId: string;
  status: 'waiting' | 'ended';
  /** What the flow said this turn (prompts as text, messages, buttons). */
  outputs: FlowOutput[];
  waiting: ReturnType<typeof waitView> | null;
  outcome: FlowEnd | null;
  vars: Vars;
}

export class FlowSessionsService {
  constructor(private readonly database: Database, private readonly runner: FlowRunner) {}

  private async turn(r: AdvanceResult, outputs: FlowOutput[]): Promise<void> {
    // The wait's prompt is part of what the flow says this turn.
    if (r.status === 'waiting') {
      if (r.wait.kind !== 'text' && r.wait.prompt) outputs.push({ kind: 'say', text: r.wait.prompt.text, language: r.wait.prompt.language });
      if (r.wait.kind === 'text' && r.wait.output) outputs.push(r.wait.output);
    }
  }

  private view(row: Pick<SessionRow, 'id' | 'flow_id'>, run: RunState, r: AdvanceResult, outputs: FlowOutput[]): TurnView {
    return {
      id: row.id, flowId: row.flow_id, status: r.status === 'waiting' ? 'waiting' : 'ended', outputs,
      waiting: r.status === 'waiting' ? waitView(r.wait) : null, outcome: r.status === 'ended' ? r.end : null, vars: run.vars,
    };
  }

  /** Starts a conversation at the flow's start node and runs it to the first wait. */
  async start(tenantId: string, input: { flowId: string; divisionId: string; version: number | 'draft' | 'published'; kind: 'simulation' | 'chat'; interactionId?: string | undefined; createdBy?: string | null; vars?: Vars }): Promise<TurnView> {
    const run = await this.runner.begin({ tenantId, divisionId: input.divisionId, flowId: input.flowId, version: input.version, interactionId: input.interactionId, vars: input.vars ?? {} });
    const outputs: FlowOutput[] = [];
    const r = await this.runner.advance(run, { output: async (o) => void outputs.push(o) });
    await this.turn(r, outputs);
    const now = new Date().toISOString();
    const transcript: TranscriptEntry[] = outputs.map((output) => ({ from: 'flow', output, at: now }));
    const row = await this.database.withTenant(tenantId, (tx) => one<SessionRow>(tx, sql`INSERT INTO flow_sessions (id, tenant_id, flow_id, kind, interaction_id, status, state, outcome, created_by)
      VALUES (${run.runId}, ${tenantId}, ${input.flowId}, ${input.kind}, ${input.interactionId ?? null}, ${r.status === 'waiting' ? 'waiting' : 'ended'},
        ${JSON.stringify({ run, transcript })}::jsonb, ${r.status === 'ended' ? JSON.stringify(r.end) : null}::jsonb, ${input.createdBy ?? null}) RETURNING id, flow_id`));
    return this.view(row!, run, r, outputs);
  }

  /** Feeds one answer (typed digits, words, a button, or `timeout`) to a waiting conversation. */
  async input(tenantId: string, id: string, answer: { text?: string | undefined; timeout?: boolean | undefined }, kind?: 'simulation' | 'chat'): Promise<TurnView> {
    return this.database.withTenant(tenantId, async (tx) => {
      const row = await one<SessionRow>(tx, sql`SELECT * FROM flow_sessions WHERE tenant_id = ${tenantId} AND id = ${id} ${kind ? sql`AND kind = ${kind}` : sql``} FOR UPDATE`);
      if (!row) throw notFound('flow session');
      if (row.status === 'ended') throw invalid('text', 'the conversation has ended');
      const run = row.state.run;
      const wait = run.waiting!;
      let input: FlowInput;
      if (answer.timeout || answer.text === undefined) input = { kind: 'timeout' };
      else if (wait.kind === 'digits') {
        if (!/^[0-9*#]{1,32}$/.test(answer.text.trim())) throw invalid('text', 'the flow waits for keys: type digits, * or #');
        input = { kind: 'digits', digits: answer.text.trim() };
      } else if (wait.kind === 'speech') input = { kind: 'speech', text: answer.text };
      else input = { kind: 'text', text: answer.text };
      const outputs: FlowOutput[] = [];
      const r = await this.runner.advance(run, { output: async (o) => void outputs.push(o) }, input);
      await this.turn(r, outputs);
      const now = new Date().toISOString();
      const transcript = [...row.state.transcript, { from: 'user' as const, text: answer.timeout ? '(no answer)' : (answer.text ?? ''), at: now }, ...outputs.map((output) => ({ from: 'flow' as const, output, at: now }))];
      await tx.execute(sql`UPDATE flow_sessions SET state = ${JSON.stringify({ run, transcript })}::jsonb, status = ${r.status === 'waiting' ? 'waiting' : 'ended'},
        outcome = ${r.status === 'ended' ? JSON.stringify(r.end) : null}::jsonb, updated_at = clock_timestamp() WHERE tenant_id = ${tenantId} AND id = ${id}`);
      return this.view(row, run, r, outputs);
    });
  }

  async get(tenantId: string, id: string, kind?: 'simulation' | 'chat') {
    const row = await this.database.withTenant(tenantId, (tx) => one<SessionRow>(tx, sql`SELECT * FROM flow_sessions WHERE tenant_id = ${tenantId} AND id = ${id} ${kind ? sql`AND kind = ${kind}` : sql``}`));
    if (!row) throw notFound('flow session');
    const run = row.state.run;
    return {
      id: row.id, flowId: row.flow_id, kind: row.kind, status: row.status, interactionId: row.interaction_id, createdAt: iso(row.created_at)!,
      waiting: run.waiting ? waitView(run.waiting) : null, outcome: row.outcome, vars: run.vars, transcript: row.state.transcript,
    };
  }

  /** The newest waiting session of an interaction (a chat resumes with it after a restart). */
  async waitingOf(tenantId: string, interactionId: string, kind: 'simulation' | 'chat'): Promise<string | undefined> {
    return (await this.database.withTenant(tenantId, (tx) => one<{ id: string }>(tx, sql`SELECT id FROM flow_sessions
      WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND kind = ${kind} AND status = 'waiting' ORDER BY created_at DESC LIMIT 1`)))?.id;
  }

  /** The flow a session belongs to (for access checks). */
  async flowOf(tenantId: string, id: string): Promise<string | undefined> {
    return (await this.database.withTenant(tenantId, (tx) => one<{ flow_id: string }>(tx, sql`SELECT flow_id FROM flow_sessions WHERE tenant_id = ${tenantId} AND id = ${id}`)))?.flow_id;
  }
}
