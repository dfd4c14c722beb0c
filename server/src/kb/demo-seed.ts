// A small bilingual knowledge base for the demo tenant: an internal space for agents and a public help
// center, a few articles in Chinese with English versions, synonyms and one new-business update.
import { sql } from 'drizzle-orm';
import type { DemoTenant } from '../module.ts';
import { systemActor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import type { ArticlesService } from './articles.service.ts';
import { one, textArray } from './kb-sql.ts';

interface SeedArticle {
  /** The help-center category (bilingual name). */
  category: string;
  zh: { title: string; body: string; tags: string[] };
  en: { title: string; body: string; tags: string[] };
}

const publicArticles: SeedArticle[] = [
  {
    category: '宽带 Broadband',
    zh: {
      title: '宽带无法上网怎么办',
      body: '## 现象\n\n家里宽带连不上网，光猫 LOS 灯红灯闪烁。\n\n## 排查步骤\n\n1. 检查光纤是否弯折或松动。\n2. 将光猫断电 30 秒后重启。\n3. 仍然红灯请拨打客服热线报修，工程师 24 小时内上门。',
      tags: ['宽带', '故障', '光猫'],
    },
    en: {
      title: 'Broadband is not working',
      body: '## Symptom\n\nNo internet at home; the LOS light on the optical modem blinks red.\n\n## Steps\n\n1. Check that the fibre cable is not bent or loose.\n2. Power the modem off for 30 seconds and restart it.\n3. Still red? Call us to book a repair; an engineer visits within 24 hours.',
      tags: ['broadband', 'outage', 'modem'],
    },
  },
  {
    category: '退款 Refunds',
    zh: {
      title: '退款多久到账',
      body: '退款审核通过后，原路退回：\n\n- 微信、支付宝：1–3 个工作日\n- 银行卡：3–7 个工作日\n\n超过 7 个工作日未到账，请提供订单号联系客服。',
      tags: ['退款', '订单'],
    },
    en: {
      title: 'When will I get my refund?',
      body: 'Once a refund is approved, the money goes back the way you paid:\n\n- WeChat Pay, Alipay: 1–3 working days\n- Bank card: 3–7 working days\n\nNot received after 7 working days? Contact us with your order number.',
      tags: ['refund', 'order'],
    },
  },
  {
    category: '账号 Account',
    zh: {
      title: '忘记密码如何重置',
      body: '在登录页点击“忘记密码”，输入注册手机号，收到验证码后设置新密码。新密码至少 8 位，需包含字母和数字。',
      tags: ['账号', '密码'],
    },
    en: {
      title: 'How to reset a forgotten password',
      body: 'On the sign-in page choose “Forgot password”, enter your registered phone number, then set a new password with the code we text you. At least 8 characters, letters and digits.',
      tags: ['account', 'password'],
    },
  },
];

const internalArticle = {
  title: '话术：客户要求退款但已超过 7 天无理由期限',
  body: '1. 先致歉并确认订单号。\n2. 说明已超过 7 天无理由退货期限。\n3. 如商品有质量问题，可走售后维修或换货流程，创建工单并选择“质量问题”。\n4. 不要承诺退款，升级给主管审批。',
  tags: ['退款', '话术', '内部'],
};

export async function seedKnowledgeBase(database: Database, articles: ArticlesService, demo: DemoTenant): Promise<void> {
  const system = systemActor(demo.tenantId);
  const { publicSpace, internalSpace, categories } = await database.withTenant(demo.tenantId, async (tx) => {
    const space = (name: string, visibility: string, description: string) =>
      one<{ id: string }>(
        tx,
        sql`INSERT INTO kb_spaces (tenant_id, division_id, name, description, visibility)
          VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, ${name}, ${description}, ${visibility}) RETURNING id`,
      );
    const publicSpace = (await space('帮助中心 Help center', 'public', '客户自助 / Self-service for customers'))!.id;
    const internalSpace = (await space('坐席知识库 Agent handbook', 'internal', '仅内部 / Internal only'))!.id;
    for (const terms of [['宽带', '网络', '上网'], ['refund', 'money back'], ['退款', '退钱']]) {
      await tx.execute(sql`INSERT INTO kb_synonyms (tenant_id, terms) VALUES (${demo.tenantId}, ${textArray(terms)})`);
    }
    const categories = new Map<string, string>();
    for (const [position, name] of [...new Set(publicArticles.map((a) => a.category))].entries()) {
      const row = await one<{ id: string }>(
        tx,
        sql`INSERT INTO kb_categories (tenant_id, space_id, name, position) VALUES (${demo.tenantId}, ${publicSpace}, ${name}, ${position}) RETURNING id`,
      );
      categories.set(name, row!.id);
    }
    return { publicSpace, internalSpace, categories };
  });
  const publish = async (id: string) => {
    await articles.submit(system, id);
    await articles.approve(system, id, {});
  };
  const reviewBy = new Date(Date.now() + 180 * 86_400_000).toISOString().slice(0, 10);
  let first: string | undefined;
  for (const a of publicArticles) {
    const categoryId = categories.get(a.category) ?? null;
    const zh = await articles.create(system, { spaceId: publicSpace, categoryId, language: 'zh-CN', ...a.zh, reviewBy });
    await publish(zh.id);
    const en = await articles.create(system, { spaceId: publicSpace, categoryId, language: 'en', ...a.en, translationOf: zh.id, reviewBy });
    await publish(en.id);
    first ??= zh.id;
  }
  const internal = await articles.create(system, { spaceId: internalSpace, language: 'zh-CN', ...internalArticle, relatedIds: first ? [first] : [], reviewBy });
  await publish(internal.id);
  await database.withTenant(demo.tenantId, (tx) =>
    tx.execute(sql`INSERT INTO kb_updates (tenant_id, division_id, title, body, requires_ack, article_id)
      VALUES (${demo.tenantId}, ${demo.defaultDivisionId}, '新业务上线：宽带提速包', '即日起，宽带用户可办理 500M 提速包，每月 20 元。办理方式与话术见帮助中心“宽带 Broadband”分类。请阅读后确认。', true, ${first ?? null})`),
  );
}
