// Demo data for tickets: departments (customer service, finance, logistics) with a staff member in finance who
// signs in with the demo password, a China office-hours calendar with SLA policies for the default division, two
// macros and one open ticket.
import { sql } from 'drizzle-orm';
import { systemActor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import { UsersService } from '../platform/tenancy/users.service.ts';
import type { DemoTenant } from '../module.ts';
import { one } from '../crm/crm-sql.ts';
import { chinaOfficeHours } from './sla-clock.ts';
import type { TicketsService } from './tickets.service.ts';

export const DEMO_STAFF_EMAIL = 'staff1@demo.kefu';

export async function seedTicketsDemo(database: Database, tickets: TicketsService, demo: DemoTenant): Promise<void> {
  const actor = systemActor(demo.tenantId);
  await database.withTenant(demo.tenantId, async (tx) => {
    const admin = demo.userIds['admin@demo.kefu'];
    // The staff member signs in with the demo password: the seed does not know it, so it copies its hash.
    const staff = await UsersService.insert(tx, actor, { email: DEMO_STAFF_EMAIL, name: '财务 刘芳 Finance staff', password: crypto.randomUUID(), roles: ['staff'], divisionIds: [demo.defaultDivisionId] });
    if (admin) await tx.execute(sql`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = ${admin}) WHERE id = ${staff.id}`);
    demo.logins.push(DEMO_STAFF_EMAIL);
    const group = async (kind: string, name: string, members: Array<string | undefined>, tier: number | null = null) => {
      const row = await one<{ id: string }>(tx, sql`INSERT INTO ticket_groups (tenant_id, kind, name, division_id, tier) VALUES (${demo.tenantId}, ${kind}, ${name}, ${tier ? demo.defaultDivisionId : null}, ${tier}) RETURNING id`);
      for (const m of members) if (m) await tx.execute(sql`INSERT INTO ticket_group_members (tenant_id, group_id, user_id) VALUES (${demo.tenantId}, ${row!.id}, ${m})`);
      return row!.id;
    };
    const agents = ['agent1@demo.kefu', 'agent2@demo.kefu', 'agent3@demo.kefu'].map((e) => demo.userIds[e]);
    await group('department', '客服部 Customer service', agents);
    await group('department', '财务部 Finance', [staff.id]);
    await group('department', '物流部 Logistics', []);
    await group('team', '二线支持 Tier 2', [demo.userIds['supervisor@demo.kefu']], 2);
    const calendar = await one<{ id: string }>(
      tx,
      sql`INSERT INTO ticket_calendars (tenant_id, name, time_zone, hours, holidays, workdays)
          VALUES (${demo.tenantId}, '中国工作日 China office hours', 'Asia/Shanghai', ${JSON.stringify(chinaOfficeHours.hours)}::jsonb,
                  ${'{2026-10-01,2026-10-02,2026-10-05,2026-10-06,2026-10-07}'}::text[], ${'{2026-10-10}'}::text[]) RETURNING id`,
    );
    const policies: Array<[string, number, number, number]> = [['urgent', 30, 60, 240], ['high', 60, 120, 480], ['normal', 240, 480, 1440], ['low', 480, 960, 2880]];
    for (const [priority, first, next, resolution] of policies) {
      await tx.execute(sql`INSERT INTO ticket_sla_policies (tenant_id, division_id, priority, calendar_id, first_response_minutes, next_response_minutes, resolution_minutes, warn_before_minutes, escalate_raise_priority)
        VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, ${priority}, ${calendar!.id}, ${first}, ${next}, ${resolution}, 30, ${priority !== 'urgent'})`);
    }
    await tx.execute(sql`INSERT INTO ticket_macros (tenant_id, name, actions) VALUES
      (${demo.tenantId}, '等待客户回复 Waiting for the customer', ${JSON.stringify({ set: { status: 'pending' }, reply: { body: '您好，我们需要您补充一些信息，请回复此工单。/ We need a little more information from you; please reply to this ticket.', visibility: 'public' } })}::jsonb),
      (${demo.tenantId}, '已解决 Solved with thanks', ${JSON.stringify({ set: { status: 'solved' }, reply: { body: '问题已解决，感谢您的耐心。/ This is solved; thank you for your patience.', visibility: 'public' } })}::jsonb)`);
    const contact = await one<{ id: string }>(tx, sql`SELECT id FROM crm_contacts WHERE tenant_id = ${demo.tenantId} AND display_name = '王小明' LIMIT 1`);
    await tickets.createIn(
      tx,
      { ...actor, kind: 'user', userId: agents[0] ?? null },
      { subject: '宽带晚上网速慢 Slow broadband in the evening', description: '客户反映每晚 8 点后网速明显下降。', priority: 'high', type: 'incident', divisionId: demo.defaultDivisionId, requesterId: contact?.id, tags: ['broadband'] },
    );
  });
}
