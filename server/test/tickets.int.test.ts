// Tickets end to end on a real server and database: created from an interaction, sub-tasks for a staff member of
// another department (who is notified in real time, sees only their work and replies internally), first-contact
// ownership and tiered escalation with who-resolved-what, repeat-contact marking, SLA pauses, warnings and
// breaches on a virtual clock, views, bulk changes, macros, merge, and tickets from the help-center form.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SlaEngine } from '../src/tickets/sla.engine.ts';
import { VirtualClock } from '../src/tickets/sla-clock.ts';
import type { TicketsModule } from '../src/tickets/tickets.module.ts';
import type { ConversationsModule } from '../src/conversations/conversations.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';
import { RealtimeClient } from './realtime-client.ts';

let server: TestKefu;
let admin: TestClient;
let agent: TestClient;
let staff: TestClient;
let supervisor: TestClient;
let tenantId: string;
let divisionId: string;
let contactId: string;
let ids: { agent: string; staff: string; supervisor: string };
const sockets: RealtimeClient[] = [];

const openInteraction = async (from = '13800138000') =>
  (await (server.kefu.modules.conversations as ConversationsModule).interactions.open(tenantId, { divisionId, channel: 'voice', direction: 'inbound', from, to: '4000' })).id;

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  staff = await TestClient.login(server.baseUrl, 'staff1@demo.kefu', server.password);
  supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
  const me = (await admin.get('/api/v1/me')).body;
  tenantId = me.tenant.id;
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  contactId = (await agent.get('/api/v1/crm/lookup?value=13800138000')).body.contact.id;
  ids = {
    agent: (await agent.get('/api/v1/me')).body.user.id,
    staff: (await staff.get('/api/v1/me')).body.user.id,
    supervisor: (await supervisor.get('/api/v1/me')).body.user.id,
  };
});
afterAll(async () => {
  for (const s of sockets) s.socket.close();
  await server?.stop();
});

const groupId = async (name: string) => (await agent.get('/api/v1/ticket-groups')).body.find((g: { name: string }) => g.name.includes(name)).id as string;

describe('first-contact ownership (首问负责制)', () => {
  test('an agent creates a ticket from an interaction; a finance staff member completes a sub-task; the owner solves it', async () => {
    const staffSocket = await RealtimeClient.connect(server.baseUrl, { cookie: staff.cookie! });
    const agentSocket = await RealtimeClient.connect(server.baseUrl, { cookie: agent.cookie! });
    sockets.push(staffSocket, agentSocket);
    const interactionId = await openInteraction();

    const created = await agent.post('/api/v1/tickets', { subject: '退款未到账 Refund not received', priority: 'high', requesterId: contactId, interactionId, tags: ['refund'] });
    expect(created.status).toBe(201);
    const ticket = created.body;
    expect(ticket).toMatchObject({ source: 'interaction', status: 'open', ownerId: ids.agent, assigneeUserId: ids.agent, requesterName: '王小明', tier: 1 });
    expect(ticket.sla.map((s: { metric: string; state: string }) => `${s.metric}:${s.state}`).sort()).toEqual(['first_response:running', 'resolution:running']);
    expect((await agent.get(`/api/v1/tickets/${ticket.id}/interactions`)).body.map((i: { id: string }) => i.id)).toEqual([interactionId]);

    // Staff see nothing that is not theirs, yet.
    expect((await staff.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);

    const finance = await groupId('Finance');
    const task = await agent.post(`/api/v1/tickets/${ticket.id}/tasks`, { title: '核实退款流水 Check the refund', assigneeUserId: ids.staff });
    expect(task.status).toBe(201);
    const notice = await staffSocket.nextEvent('ticket_task.assigned', (d) => d.taskId === task.body.id);
    expect(notice).toMatchObject({ ticketId: ticket.id, number: ticket.number });
    await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'on_hold' });

    const mine = (await staff.get('/api/v1/ticket-tasks')).body;
    expect(mine.map((t: { id: string }) => t.id)).toEqual([task.body.id]);
    const staffView = (await staff.get('/api/v1/tickets')).body.items.map((t: { id: string }) => t.id);
    expect(staffView).toEqual([ticket.id]);
    expect((await staff.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(200);
    const publicReply = await staff.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '我直接回复客户', visibility: 'public' });
    expect(publicReply.status).toBe(403);
    expect((await staff.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '正在查银行流水', visibility: 'internal' })).status).toBe(201);
    expect((await staff.patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' })).status).toBe(403);
    const missingResult = await staff.patch(`/api/v1/ticket-tasks/${task.body.id}`, { status: 'done' });
    expect(missingResult.status).toBe(400);
    expect(missingResult.body.error.field).toBe('result');

    const done = await staff.patch(`/api/v1/ticket-tasks/${task.body.id}`, { status: 'done', result: '银行已退回，流水号 R20260914001' });
    expect(done.body).toMatchObject({ status: 'done', doneBy: ids.staff });
    expect(await agentSocket.nextEvent('ticket_task.completed', (d) => d.taskId === task.body.id)).toMatchObject({ ticketId: ticket.id });
    const back = (await agent.get(`/api/v1/tickets/${ticket.id}`)).body;
    expect(back).toMatchObject({ status: 'open', assigneeUserId: ids.agent, ownerId: ids.agent });
    const notes = (await agent.get(`/api/v1/tickets/${ticket.id}/comments`)).body.map((c: { body: string }) => c.body);
    expect(notes.some((b: string) => b.includes('R20260914001'))).toBe(true);

    await agent.post(`/api/v1/tickets/${ticket.id}/comments`, { body: '您好，退款已退回原卡。', visibility: 'public' });
    const solved = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' })).body;
    expect(solved).toMatchObject({ status: 'solved', resolvedBy: ids.agent, resolvedTier: 1, resolvedFirstContact: true });
    expect(solved.firstResponseAt).not.toBeNull();
    expect(solved.sla.every((s: { state: string }) => s.state === 'met')).toBe(true);
    const actions = (await agent.get(`/api/v1/tickets/${ticket.id}/activity`)).body.map((a: { action: string }) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['created', 'interaction.linked', 'task.created', 'task.updated', 'returned_to_owner', 'comment.public', 'comment.internal', 'updated']));
    expect(finance).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await server.kefu.database.withTenant(tenantId, (tx) => tx.execute<{ resolved_first_contact: boolean; contact_id: string }>(sql`SELECT resolved_first_contact, contact_id FROM interactions WHERE id = ${interactionId}`));
    expect(stored.rows[0]).toEqual({ resolved_first_contact: true, contact_id: contactId });
  });

  test('a sub-task for a department reaches its members, and escalation is refused under first-contact ownership', async () => {
    const staffSocket = await RealtimeClient.connect(server.baseUrl, { cookie: staff.cookie! });
    sockets.push(staffSocket);
    const ticket = (await agent.post('/api/v1/tickets', { subject: '发票重开 Reissue an invoice', requesterId: contactId })).body;
    const task = (await agent.post(`/api/v1/tickets/${ticket.id}/tasks`, { title: '重开发票', assigneeGroupId: await groupId('Finance') })).body;
    await staffSocket.nextEvent('ticket_task.assigned', (d) => d.taskId === task.id);
    expect((await staff.get('/api/v1/ticket-tasks')).body.map((t: { id: string }) => t.id)).toContain(task.id);
    const escalate = await agent.post(`/api/v1/tickets/${ticket.id}/escalate`, {});
    expect(escalate.status).toBe(409);
  });
});

describe('starting from an interaction', () => {
  test("an agent is offered their own recent interactions, masked, and another agent's are not shown", async () => {
    const conversations = server.kefu.modules.conversations as ConversationsModule;
    const mine = await openInteraction('13912345678');
    await conversations.interactions.update(tenantId, mine, { agentId: ids.agent });
    const others = await openInteraction('13987654321');
    const offered = (await agent.get('/api/v1/tickets/recent-interactions')).body;
    expect(offered.map((i: { id: string }) => i.id)).toContain(mine);
    expect(offered.map((i: { id: string }) => i.id)).not.toContain(others);
    expect(offered.find((i: { id: string }) => i.id === mine).from).toBe('139****5678');
    expect((await staff.get('/api/v1/tickets/recent-interactions')).status).toBe(403);
  });
});

describe('division isolation', () => {
  test("a ticket of a division an agent does not work in reads as missing on every ticket route", async () => {
    const hidden = (await admin.post('/api/v1/divisions', { name: 'Hidden 隐藏' })).body.id;
    const ticket = (await admin.post('/api/v1/tickets', { subject: 'Hidden ticket', divisionId: hidden })).body;
    const policy = (await admin.post('/api/v1/ticket-sla-policies', { divisionId: hidden, priority: 'low', resolutionMinutes: 60 })).body;
    const task = (await admin.post(`/api/v1/tickets/${ticket.id}/tasks`, { title: 'hidden task', assigneeUserId: (await admin.get('/api/v1/me')).body.user.id })).body;
    const answers = [
      await agent.get(`/api/v1/tickets/${ticket.id}`),
      await agent.patch(`/api/v1/tickets/${ticket.id}`, { priority: 'high' }),
      await agent.get(`/api/v1/tickets/${ticket.id}/comments`),
      await agent.post(`/api/v1/tickets/${ticket.id}/comments`, { body: 'peek' }),
      await agent.get(`/api/v1/tickets/${ticket.id}/activity`),
      await agent.get(`/api/v1/tickets/${ticket.id}/tasks`),
      await agent.post(`/api/v1/tickets/${ticket.id}/tasks`, { title: 'x', assigneeUserId: ids.agent }),
      await agent.patch(`/api/v1/ticket-tasks/${task.id}`, { status: 'cancelled' }),
      await agent.post(`/api/v1/tickets/${ticket.id}/escalate`, {}),
      await agent.get(`/api/v1/ticket-sla-policies/${policy.id}`),
      await agent.get(`/api/v1/ticket-settings/${hidden}`),
    ];
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 404));
    expect((await agent.get('/api/v1/tickets?limit=200')).body.items.map((t: { id: string }) => t.id)).not.toContain(ticket.id);
    expect((await agent.get('/api/v1/ticket-sla-policies')).body.map((p: { id: string }) => p.id)).not.toContain(policy.id);
    const bulk = (await agent.post('/api/v1/tickets/bulk', { ids: [ticket.id], set: { priority: 'urgent' } })).body;
    expect(bulk).toMatchObject({ updated: 0, failed: 1 });
    expect((await admin.get(`/api/v1/tickets/${ticket.id}`)).body.priority).toBe('normal');
    const crossDivision = await agent.post('/api/v1/tickets', { subject: 'x', divisionId: hidden });
    expect(crossDivision.body.error.field).toBe('divisionId');
  });
});

describe('tiered escalation', () => {
  test('the ticket moves tier 1 → 2; tier 2 resolves it and that is recorded', async () => {
    const division = (await admin.post('/api/v1/divisions', { name: 'Tiered 分层' })).body.id;
    for (const u of [ids.agent, ids.supervisor]) {
      const user = (await admin.get(`/api/v1/users/${u}`)).body;
      await admin.patch(`/api/v1/users/${u}`, { divisionIds: [...user.divisionIds, division] });
    }
    const fresh = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
    const sup = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
    expect((await admin.request('PUT', `/api/v1/ticket-settings/${division}`, { ownershipModel: 'tiered' })).body.ownershipModel).toBe('tiered');
    await admin.post('/api/v1/ticket-groups', { kind: 'team', name: 'Tier 2 tiered', divisionId: division, tier: 2, memberIds: [ids.supervisor] });
    const ticket = (await fresh.post('/api/v1/tickets', { subject: '光猫反复掉线', divisionId: division })).body;
    expect(ticket.tier).toBe(1);
    const moved = await fresh.post(`/api/v1/tickets/${ticket.id}/escalate`, { note: '已重启光猫无效' });
    expect(moved.body).toMatchObject({ tier: 2, assigneeUserId: null, assigneeGroupName: 'Tier 2 tiered' });
    expect((await sup.get('/api/v1/tickets?view=my_team')).body.items.map((t: { id: string }) => t.id)).toContain(ticket.id);
    await sup.patch(`/api/v1/tickets/${ticket.id}`, { assigneeUserId: ids.supervisor });
    const solved = (await sup.patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' })).body;
    expect(solved).toMatchObject({ resolvedBy: ids.supervisor, resolvedTier: 2, resolvedFirstContact: false });
    const again = await fresh.post(`/api/v1/tickets/${ticket.id}/escalate`, {});
    expect(again.status).toBe(409);
    for (const u of [ids.agent, ids.supervisor]) await admin.patch(`/api/v1/users/${u}`, { divisionIds: [divisionId] });
  });
});

describe('repeat contact', () => {
  test('a contact back within the window about the same matter marks the first interaction not resolved on first contact', async () => {
    const first = await openInteraction();
    const t1 = (await agent.post('/api/v1/tickets', { subject: '宽带断网', requesterId: contactId, interactionId: first, type: 'incident', tags: ['outage'] })).body;
    await agent.patch(`/api/v1/tickets/${t1.id}`, { status: 'solved' });
    const stored = async (id: string) =>
      (await server.kefu.database.withTenant(tenantId, (tx) => tx.execute<{ resolved_first_contact: boolean | null }>(sql`SELECT resolved_first_contact FROM interactions WHERE id = ${id}`))).rows[0]!.resolved_first_contact;
    expect(await stored(first)).toBe(true);
    // Another matter does not count as a repeat.
    const other = await openInteraction();
    await agent.post('/api/v1/tickets', { subject: '改套餐', requesterId: contactId, interactionId: other, type: 'question', tags: ['plan'] });
    expect(await stored(first)).toBe(true);
    const second = await openInteraction();
    const t2 = (await agent.post('/api/v1/tickets', { subject: '又断网了', requesterId: contactId, interactionId: second, type: 'incident', tags: ['outage'] })).body;
    expect(await stored(first)).toBe(false);
    expect((await agent.get(`/api/v1/tickets/${t1.id}`)).body.resolvedFirstContact).toBe(false);
    expect((await agent.get(`/api/v1/tickets/${t1.id}/activity`)).body.map((a: { action: string }) => a.action)).toContain('fcr.repeat_contact');
    expect(t2.id).not.toBe(t1.id);
    expect((await admin.request('PUT', `/api/v1/ticket-settings/${divisionId}`, { repeatWindowDays: 0 })).status).toBe(400);
  });
});

describe('SLA', () => {
  test('pending pauses the clock and answering resumes it', async () => {
    const ticket = (await agent.post('/api/v1/tickets', { subject: 'SLA pause', priority: 'urgent' })).body;
    const paused = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'pending' })).body;
    const resolution = paused.sla.find((s: { metric: string }) => s.metric === 'resolution');
    expect(resolution).toMatchObject({ state: 'paused', dueAt: null });
    expect(resolution.remainingMs).toBeGreaterThan(0);
    const resumed = (await agent.patch(`/api/v1/tickets/${ticket.id}`, { status: 'open' })).body;
    expect(resumed.sla.find((s: { metric: string }) => s.metric === 'resolution')).toMatchObject({ state: 'running' });
  });

  test('warning before the breach, then the breach escalates (priority raised, department assigned) on a virtual clock', async () => {
    const logistics = await groupId('Logistics');
    const calendarless = (await admin.post('/api/v1/divisions', { name: 'SLA 24x7' })).body.id;
    await admin.post('/api/v1/ticket-sla-policies', { divisionId: calendarless, priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 600, warnBeforeMinutes: 15, escalateGroupId: logistics, escalateRaisePriority: true });
    const ticket = (await admin.post('/api/v1/tickets', { subject: 'SLA breach', divisionId: calendarless })).body;
    const first = ticket.sla.find((s: { metric: string }) => s.metric === 'first_response');
    const due = Date.parse(first.dueAt);
    expect(due - Date.parse(ticket.createdAt)).toBeGreaterThanOrEqual(59 * 60_000);
    const clock = new VirtualClock(due - 10 * 60_000);
    const engine = new SlaEngine(server.kefu.database, clock);
    const payload = { ticketId: ticket.id, metric: 'first_response' as const, dueAt: first.dueAt };
    expect(await engine.check(tenantId, { ...payload, kind: 'warn' })).toBe('warned');
    expect(await engine.check(tenantId, { ...payload, kind: 'warn' })).toBe('stale');
    await expect(engine.check(tenantId, { ...payload, kind: 'breach' })).rejects.toThrow(/before its due time/);
    clock.set(due + 1000);
    expect(await engine.check(tenantId, { ...payload, kind: 'breach' })).toBe('breached');
    const after = (await admin.get(`/api/v1/tickets/${ticket.id}`)).body;
    expect(after).toMatchObject({ priority: 'high', assigneeGroupId: logistics });
    expect(after.sla.find((s: { metric: string }) => s.metric === 'first_response')).toMatchObject({ state: 'breached' });
    expect(await engine.check(tenantId, { ...payload, kind: 'breach' })).toBe('stale');
    const breaching = (await admin.get(`/api/v1/tickets?view=breaching_soon&divisionId=${calendarless}&withinMinutes=700`)).body.items.map((t: { id: string }) => t.id);
    expect(breaching).toContain(ticket.id);
    const jobs = await server.kefu.database.withSystem((tx) => tx.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM jobs WHERE type = 'tickets.sla' AND payload->>'ticketId' = ${ticket.id}`));
    expect(jobs.rows[0]!.n).toBeGreaterThanOrEqual(3);
  });
});

describe('SLA jobs on the job runner', () => {
  test('the warning job runs when due and tells the assignee in real time', async () => {
    const division = (await admin.post('/api/v1/divisions', { name: 'SLA jobs' })).body.id;
    await admin.post('/api/v1/ticket-sla-policies', { divisionId: division, priority: 'high', firstResponseMinutes: 120, warnBeforeMinutes: 30 });
    const adminId = (await admin.get('/api/v1/me')).body.user.id;
    const socket = await RealtimeClient.connect(server.baseUrl, { cookie: admin.cookie! });
    sockets.push(socket);
    const ticket = (await admin.post('/api/v1/tickets', { subject: 'SLA job', divisionId: division, priority: 'high', assigneeUserId: adminId })).body;
    // The warning is due 90 minutes from now; the test brings that moment forward instead of waiting.
    const moved = await server.kefu.database.withSystem((tx) =>
      tx.execute(sql`UPDATE jobs SET run_at = now() WHERE type = 'tickets.sla' AND payload->>'ticketId' = ${ticket.id} AND payload->>'kind' = 'warn'`),
    );
    expect(moved.rowCount).toBe(1);
    server.kefu.jobs.wake();
    const warning = await socket.nextEvent('ticket.sla_warning', (d) => d.ticketId === ticket.id, 15_000);
    expect(warning).toMatchObject({ metric: 'first_response', userIds: [adminId] });
    const first = (await admin.get(`/api/v1/tickets/${ticket.id}`)).body.sla.find((x: { metric: string }) => x.metric === 'first_response');
    expect(first).toMatchObject({ state: 'running' });
    expect(first.warnedAt).not.toBeNull();
  });
});

describe('views, bulk changes, macros and merge', () => {
  test('views and filters; bulk change answers per ticket; bad input names the field', async () => {
    const a = (await agent.post('/api/v1/tickets', { subject: 'Bulk A', assigneeUserId: null })).body;
    const b = (await agent.post('/api/v1/tickets', { subject: 'Bulk B', assigneeUserId: null })).body;
    expect(a.status).toBe('new');
    const unassigned = (await agent.get('/api/v1/tickets?view=unassigned&limit=200')).body.items.map((t: { id: string }) => t.id);
    expect(unassigned).toEqual(expect.arrayContaining([a.id, b.id]));
    const bulk = (await agent.post('/api/v1/tickets/bulk', { ids: [a.id, b.id, crypto.randomUUID()], set: { priority: 'urgent', assigneeUserId: ids.agent, addTags: ['vip'] } })).body;
    expect(bulk).toMatchObject({ updated: 2, failed: 1 });
    const mine = (await agent.get('/api/v1/tickets?view=mine&tag=vip')).body.items.map((t: { id: string }) => t.id);
    expect(mine.sort()).toEqual([a.id, b.id].sort());
    expect((await agent.get(`/api/v1/tickets?q=%23${a.number}`)).body.items.map((t: { id: string }) => t.id)).toEqual([a.id]);
    const bad = await agent.post('/api/v1/tickets', { subject: 'x', priority: 'whenever' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('priority');
    const stale = await agent.patch(`/api/v1/tickets/${a.id}`, { subject: 'changed', version: 1 });
    expect(stale.status).toBe(409);
    const badUser = await agent.patch(`/api/v1/tickets/${a.id}`, { assigneeUserId: crypto.randomUUID() });
    expect(badUser.body.error.field).toBe('assigneeUserId');
  });

  test('a macro sets fields and replies; merging moves comments and closes the other ticket', async () => {
    const macro = (await agent.get('/api/v1/ticket-macros')).body.find((m: { name: string }) => m.name.includes('Waiting'));
    const t = (await agent.post('/api/v1/tickets', { subject: 'Macro target', tags: ['a'] })).body;
    const applied = (await agent.post(`/api/v1/tickets/${t.id}/macros/${macro.id}`)).body;
    expect(applied.status).toBe('pending');
    expect((await agent.get(`/api/v1/tickets/${t.id}/comments`)).body.at(-1)).toMatchObject({ visibility: 'public', authorKind: 'agent' });
    const dup = (await agent.post('/api/v1/tickets', { subject: 'Duplicate', tags: ['b'] })).body;
    await agent.post(`/api/v1/tickets/${dup.id}/comments`, { body: 'note on the duplicate' });
    const merged = (await agent.post(`/api/v1/tickets/${t.id}/merge/${dup.id}`)).body;
    expect(merged.tags.sort()).toEqual(['a', 'b']);
    const bodies = (await agent.get(`/api/v1/tickets/${t.id}/comments`)).body.map((c: { body: string }) => c.body);
    expect(bodies).toContain('note on the duplicate');
    expect((await agent.get(`/api/v1/tickets/${dup.id}`)).body).toMatchObject({ status: 'closed', mergedInto: t.id });
    expect((await agent.post(`/api/v1/tickets/${t.id}/merge/${dup.id}`)).status).toBe(409);
  });
});

describe('help-center contact form', () => {
  test('a contact request becomes a ticket for the known contact, once', async () => {
    const reply = await fetch(`${server.baseUrl}/api/help/demo/contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sessionId: 'tickets-help-session-01', name: '王小明', contact: '138 0013 8000', message: '路由器指示灯一直闪红灯\n怎么办' }),
    });
    expect(reply.status).toBe(201);
    let found: any;
    for (let i = 0; i < 100 && !found; i++) {
      found = (await agent.get('/api/v1/tickets?tag=help-center')).body.items[0];
      if (!found) await new Promise((r) => setTimeout(r, 100));
    }
    expect(found).toMatchObject({ source: 'help_center', subject: '路由器指示灯一直闪红灯', requesterId: contactId, status: 'new' });
    const linked = (await agent.get(`/api/v1/tickets/${found.id}/interactions`)).body;
    expect(linked.map((i: { channel: string }) => i.channel)).toEqual(['chat']);
    await new Promise((r) => setTimeout(r, 300));
    expect((await agent.get('/api/v1/tickets?tag=help-center')).body.items).toHaveLength(1);
    // Nobody owned it yet: the first agent it is assigned to becomes its first-contact owner.
    expect(found.ownerId).toBeNull();
    const taken = (await agent.patch(`/api/v1/tickets/${found.id}`, { assigneeUserId: ids.agent })).body;
    expect(taken).toMatchObject({ ownerId: ids.agent, assigneeUserId: ids.agent, status: 'new' });
    const modules = server.kefu.modules.tickets as TicketsModule;
    expect(modules.name).toBe('tickets');
  });
});

describe('who resolved what', () => {
  test('the resolution report counts solved tickets by resolver and tier with first-contact resolution', async () => {
    const from = new Date(Date.now() - 3_600_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    expect((await agent.get(`/api/v1/tickets/reports/resolution?from=${from}&to=${to}`)).status).toBe(403);
    const report = (await supervisor.get(`/api/v1/tickets/reports/resolution?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body;
    expect(report.solved).toBeGreaterThanOrEqual(2);
    const byAgent = report.byResolver.find((r: { userId: string }) => r.userId === ids.agent);
    expect(byAgent.firstContactResolved).toBeGreaterThanOrEqual(1);
    expect(report.interactions.notResolvedOnFirstContact).toBeGreaterThanOrEqual(1);
    expect(report.interactions.resolvedOnFirstContact).toBeGreaterThanOrEqual(1);
    const bad = await supervisor.get(`/api/v1/tickets/reports/resolution?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`);
    expect(bad.body.error.field).toBe('to');
  });
});
