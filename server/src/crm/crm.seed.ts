// Demo contacts for the demo tenant: Chinese names, mobiles and landlines, a company, orders, a note.
import { sql } from 'drizzle-orm';
import { systemActor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import type { DemoTenant } from '../module.ts';
import { one } from './crm-sql.ts';
import { searchName } from './contact-model.ts';
import { insertIdentities } from './contacts.service.ts';
import { requireIdentity } from './identities.ts';
import { addTimelineEntry } from './timeline.service.ts';

const people = [
  { name: '王小明', family: '王', given: '小明', phones: ['138 0013 8000'], email: 'wang.xiaoming@example.com', vip: 3, tags: ['宽带', '老客户'] },
  { name: '李娜', family: '李', given: '娜', phones: ['139-1234-5678', '010-8888 6666 转 801'], email: 'lina@example.cn', vip: 0, tags: ['IPTV'] },
  { name: '张伟', family: '张', given: '伟', phones: ['+86 186 0000 1234'], email: null, vip: 1, tags: [] },
  { name: '陈静 Jenny Chen', family: '陈', given: '静', phones: ['+852 9123 4567'], email: 'jenny.chen@example.hk', vip: 5, tags: ['VIP'] },
];

export async function seedCrmDemo(database: Database, demo: DemoTenant): Promise<void> {
  const actor = systemActor(demo.tenantId);
  await database.withTenant(demo.tenantId, async (tx) => {
    const company = await one<{ id: string }>(
      tx,
      sql`INSERT INTO crm_companies (tenant_id, division_id, name) VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, '星河宽带有限公司') RETURNING id`,
    );
    const ids: string[] = [];
    for (const p of people) {
      const row = await one<{ id: string }>(
        tx,
        sql`INSERT INTO crm_contacts (tenant_id, division_id, display_name, family_name, given_name, company_id, tags, vip_level, preferred_language, search_name)
            VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, ${p.name}, ${p.family}, ${p.given}, ${p.vip >= 3 ? company!.id : null},
                    ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(p.tags)}::jsonb)), ${p.vip}, 'zh-CN', ${searchName([p.name, p.family, p.given])})
            RETURNING id`,
      );
      const identities = [...p.phones.map((v) => requireIdentity('phone', v, 'phone')), ...(p.email ? [requireIdentity('email', p.email, 'email')] : [])];
      await insertIdentities(tx, actor.tenantId, row!.id, identities, 'identities');
      ids.push(row!.id);
    }
    const orders = [
      { contact: ids[0]!, ext: 'SO-20260001', status: 'shipped', amount: '299.00', items: [{ sku: 'BB-500M', name: '500M 宽带年费', quantity: 1, unitPrice: '299.00' }], daysAgo: 3 },
      { contact: ids[0]!, ext: 'SO-20250877', status: 'delivered', amount: '1280.00', items: [{ sku: 'RT-AX3000', name: '路由器 AX3000', quantity: 2, unitPrice: '640.00' }], daysAgo: 40 },
      { contact: ids[1]!, ext: 'SO-20260002', status: 'paid', amount: '99.00', items: [{ sku: 'IPTV-M', name: 'IPTV 月包', quantity: 1, unitPrice: '99.00' }], daysAgo: 1 },
    ];
    for (const o of orders) {
      const at = new Date(Date.now() - o.daysAgo * 86_400_000);
      const row = await one<{ id: string }>(
        tx,
        sql`INSERT INTO crm_orders (tenant_id, contact_id, external_id, status, currency, amount, items, ordered_at)
            VALUES (${demo.tenantId}, ${o.contact}, ${o.ext}, ${o.status}, 'CNY', ${o.amount}::numeric, ${JSON.stringify(o.items)}::jsonb, ${at}) RETURNING id`,
      );
      await addTimelineEntry(tx, demo.tenantId, { contactId: o.contact, kind: 'order', at, source: { type: 'order', id: row!.id }, summary: `${o.ext} · ${o.amount} CNY · ${o.status}`, data: { orderId: row!.id, externalId: o.ext, amount: o.amount, currency: 'CNY', status: o.status } });
    }
    await addTimelineEntry(tx, demo.tenantId, { contactId: ids[0]!, kind: 'note', summary: '客户反映晚上网速慢，已建议更换路由器信道。', data: { text: '客户反映晚上网速慢，已建议更换路由器信道。' } });
  });
}
