// Knowledge-base workflow against a real Kefu: review and approval, versions with diff and restore, scheduled
// publishing and expiry (with an injected clock), the stale list, new-business updates with acknowledgement,
// agent-assist usage, and the public help center's "did this solve your problem?" loop with the gap report.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { systemActor } from '../src/platform/auth/actor.ts';
import { ArticlesService } from '../src/kb/articles.service.ts';
import type { KbModule } from '../src/kb/kb.module.ts';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
let editor: TestClient;
let agent: TestClient;
let supervisor: TestClient;
let divisionId: string;
let internalSpace: string;
let publicSpace: string;

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  const created = await admin.post('/api/v1/users', { email: 'editor@demo.kefu', name: '编辑 Editor', password: 'editor-password-1', roles: ['knowledge_editor'], divisionIds: [divisionId] });
  expect(created.status).toBe(201);
  editor = await TestClient.login(server.baseUrl, 'editor@demo.kefu', 'editor-password-1');
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  supervisor = await TestClient.login(server.baseUrl, 'supervisor@demo.kefu', server.password);
  internalSpace = (await editor.post('/api/v1/kb/spaces', { divisionId, name: 'Workflow internal', visibility: 'internal' })).body.id;
  publicSpace = (await editor.post('/api/v1/kb/spaces', { divisionId, name: 'Workflow public', visibility: 'public' })).body.id;
}, 60_000);
afterAll(async () => server?.stop());

const agentSearch = async (q: string) => (await agent.get(`/api/v1/kb/search?q=${encodeURIComponent(q)}`)).body.results.map((r: { id: string }) => r.id);

describe('review workflow and versions', () => {
  test('an editor writes a draft in Chinese, another person approves it, and agents find it by other wording', async () => {
    const draft = await editor.post('/api/v1/kb/articles', {
      spaceId: internalSpace, language: 'zh-CN', title: '信用卡账单分期办理', body: '客户想把信用卡账单分期时，核实身份后在系统中选择 3、6、12 期。', tags: ['信用卡'],
    });
    expect(draft.status).toBe(201);
    expect(draft.body.status).toBe('draft');
    expect(await agentSearch('账单分期')).not.toContain(draft.body.id);
    expect((await agent.get(`/api/v1/kb/articles/${draft.body.id}`)).status).toBe(404);
    expect((await editor.post(`/api/v1/kb/articles/${draft.body.id}/approve`, {})).status).toBe(403);
    expect((await editor.post(`/api/v1/kb/articles/${draft.body.id}/submit`, { note: '新业务' })).body.draft.state).toBe('in_review');
    const approved = await admin.post(`/api/v1/kb/articles/${draft.body.id}/approve`, { comment: '可以' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('published');
    expect(await agentSearch('怎么给信用卡账单分期')).toContain(draft.body.id);
    expect((await agent.get(`/api/v1/kb/articles/${draft.body.id}`)).body.body).toContain('12 期');
  });

  test('nobody approves the version they submitted themselves', async () => {
    const a = (await admin.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Self review', body: 'x' })).body;
    await admin.post(`/api/v1/kb/articles/${a.id}/submit`, {});
    const reply = await admin.post(`/api/v1/kb/articles/${a.id}/approve`, {});
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('FORBIDDEN');
  });

  test('an edit makes a new draft version while the published one stays live; diff, reject and restore', async () => {
    const a = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'zh-CN', title: '积分兑换规则', body: '积分 100 分抵 1 元。\n每月最多兑换 5000 分。' })).body;
    await editor.post(`/api/v1/kb/articles/${a.id}/submit`, {});
    await admin.post(`/api/v1/kb/articles/${a.id}/approve`, {});
    const edited = await editor.patch(`/api/v1/kb/articles/${a.id}`, { body: '积分 100 分抵 1 元。\n每月最多兑换 8000 分。', note: '上限调整' });
    expect(edited.body.latestVersion).toBe(2);
    expect(edited.body.publishedVersion).toBe(1);
    expect((await agent.get(`/api/v1/kb/articles/${a.id}`)).body.body).toContain('5000');
    const diff = (await editor.get(`/api/v1/kb/articles/${a.id}/diff?from=1&to=2`)).body;
    expect(diff.body).toEqual([
      { op: 'equal', text: '积分 100 分抵 1 元。' },
      { op: 'remove', text: '每月最多兑换 5000 分。' },
      { op: 'add', text: '每月最多兑换 8000 分。' },
    ]);
    await editor.post(`/api/v1/kb/articles/${a.id}/submit`, {});
    const rejected = await admin.post(`/api/v1/kb/articles/${a.id}/reject`, { comment: '上限未确认' });
    expect(rejected.body.draft.state).toBe('rejected');
    const restored = await editor.post(`/api/v1/kb/articles/${a.id}/restore`, { version: 1 });
    expect(restored.body.latestVersion).toBe(3);
    expect(restored.body.draft.body).toContain('5000');
    const versions = (await editor.get(`/api/v1/kb/articles/${a.id}/versions`)).body;
    expect(versions.map((v: { version: number; state: string }) => `${v.version}:${v.state}`)).toEqual(['3:draft', '2:rejected', '1:published']);
    expect((await agent.get(`/api/v1/kb/articles/${a.id}/versions`)).status).toBe(403);
  });

  test('a restore without a version is a 400 naming the field', async () => {
    const a = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Restore me', body: 'x' })).body;
    const reply = await editor.post(`/api/v1/kb/articles/${a.id}/restore`, {});
    expect(reply.status).toBe(400);
    expect(reply.body.error.field ?? reply.body.error.details?.field ?? JSON.stringify(reply.body)).toContain('version');
  });

  test('zh-CN and English versions are linked; a second English version is a conflict', async () => {
    const zh = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'zh-CN', title: '开户须知', body: '携带身份证' })).body;
    const en = await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Opening an account', body: 'Bring your ID', translationOf: zh.id });
    expect(en.status).toBe(201);
    expect((await editor.get(`/api/v1/kb/articles/${zh.id}`)).body.translations).toEqual([{ id: en.body.id, language: 'en', title: 'Opening an account' }]);
    expect((await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Again', translationOf: zh.id })).status).toBe(409);
  });

  test('a template fills the body of a new article', async () => {
    const a = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'zh-CN', title: '模板文章', template: 'troubleshooting' })).body;
    expect(a.draft.body).toContain('排查步骤');
    expect((await editor.get('/api/v1/kb/templates')).body.length).toBe(6);
  });

  test('an agent cannot write articles', async () => {
    expect((await agent.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'nope' })).status).toBe(403);
  });
});

describe('schedule, expiry and the stale list', () => {
  test('an approved version scheduled for later goes live when its time comes; an expired article leaves search', async () => {
    let now = new Date('2030-01-01T08:00:00Z');
    const kb = (server.kefu.modules.kb as KbModule).services;
    const clocked = new ArticlesService(server.kefu.database, () => now);
    const tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
    const system = systemActor(tenantId);
    const a = await clocked.create(system, { spaceId: internalSpace, language: 'zh-CN', title: '春节值班安排', body: '春节期间热线 24 小时值班', expiresAt: '2030-02-01T00:00:00Z' });
    await clocked.submit(system, a.id);
    const scheduled = await clocked.approve(system, a.id, { publishAt: '2030-01-10T00:00:00Z' });
    expect(scheduled.status).toBe('draft');
    expect(scheduled.draft?.state).toBe('scheduled');
    expect(await clocked.runSchedule()).toMatchObject({ published: 0 });
    now = new Date('2030-01-10T00:00:01Z');
    expect(await clocked.runSchedule()).toMatchObject({ published: 1 });
    expect((await clocked.get(system, a.id)).status).toBe('published');
    now = new Date('2030-02-01T00:00:01Z');
    expect((await clocked.runSchedule()).expired).toBeGreaterThanOrEqual(1);
    expect((await clocked.get(system, a.id)).status).toBe('archived');
    expect((await kb.search.search(system, { q: '春节值班' })).results.map((r) => r.id)).not.toContain(a.id);
  });

  test('a published article past its review-by date is on the stale list', async () => {
    const a = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Old pricing', body: 'x', reviewBy: '2020-01-01' })).body;
    await editor.post(`/api/v1/kb/articles/${a.id}/submit`, {});
    await admin.post(`/api/v1/kb/articles/${a.id}/approve`, {});
    const stale = (await editor.get('/api/v1/kb/stale-articles')).body;
    expect(stale.map((s: { id: string }) => s.id)).toContain(a.id);
  });
});

describe('new-business updates', () => {
  test('agents see unread updates at login until they acknowledge; supervisors see who did and remind the rest', async () => {
    const update = await editor.post('/api/v1/kb/updates', { divisionId, title: '新业务：宽带提速包', body: '请阅读并确认', requiresAck: true });
    expect(update.status).toBe(201);
    const unread = (await agent.get('/api/v1/kb/updates?unread=true')).body;
    expect(unread.map((u: { id: string }) => u.id)).toContain(update.body.id);
    expect((await agent.post(`/api/v1/kb/updates/${update.body.id}/read`)).body.readAt).not.toBeNull();
    expect((await agent.get('/api/v1/kb/updates?unread=true')).body.map((u: { id: string }) => u.id)).toContain(update.body.id);
    expect((await agent.post(`/api/v1/kb/updates/${update.body.id}/acknowledge`)).body.ackedAt).not.toBeNull();
    expect((await agent.get('/api/v1/kb/updates?unread=true')).body.map((u: { id: string }) => u.id)).not.toContain(update.body.id);

    expect((await agent.get(`/api/v1/kb/updates/${update.body.id}/report`)).status).toBe(403);
    const report = (await supervisor.get(`/api/v1/kb/updates/${update.body.id}/report`)).body;
    const row = report.people.find((p: { email: string }) => p.email === 'agent1@demo.kefu');
    expect(row.ackedAt).not.toBeNull();
    expect(report.totals.acknowledged).toBe(1);
    expect(report.totals.people).toBeGreaterThanOrEqual(6);
    const reminded = (await supervisor.post(`/api/v1/kb/updates/${update.body.id}/remind`)).body.reminded;
    expect(reminded).not.toContain(row.userId);
    expect(reminded.length).toBe(report.totals.people - 1);
    const agent2 = await TestClient.login(server.baseUrl, 'agent2@demo.kefu', server.password);
    expect((await agent2.get('/api/v1/kb/updates?unread=true')).body.map((u: { id: string }) => u.id)).toContain(update.body.id);
  });
});

describe('agent assist usage', () => {
  test('records which article helped which interaction, and refuses unknown articles', async () => {
    const a = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Card blocked', body: 'Unblock after identity check' })).body;
    await editor.post(`/api/v1/kb/articles/${a.id}/submit`, {});
    await admin.post(`/api/v1/kb/articles/${a.id}/approve`, {});
    const used = await agent.post('/api/v1/kb/assist/usage', { articleId: a.id, interactionId: 'call-42', action: 'inserted_snippet' });
    expect(used.status).toBe(201);
    expect((await editor.get(`/api/v1/kb/articles/${a.id}/usage`)).body).toEqual([expect.objectContaining({ interactionId: 'call-42', action: 'inserted_snippet' })]);
    expect((await agent.post('/api/v1/kb/assist/usage', { articleId: '00000000-0000-4000-8000-000000000000', interactionId: 'x', action: 'viewed' })).status).toBe(404);
  });
});

describe('the public help center', () => {
  let publicArticle: string;
  let internalArticle: string;
  const session = 'help-session-0001';

  beforeAll(async () => {
    const pub = (await editor.post('/api/v1/kb/articles', { spaceId: publicSpace, language: 'zh-CN', title: '发票抬头写错了 <b>怎么办</b>', body: '## 处理\n\n在订单详情中点击“重开发票”。<script>alert(1)</script>' })).body;
    await editor.post(`/api/v1/kb/articles/${pub.id}/submit`, {});
    await admin.post(`/api/v1/kb/articles/${pub.id}/approve`, {});
    publicArticle = pub.id;
    const internal = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'zh-CN', title: '发票内部审批流程', body: '发票 内部' })).body;
    await editor.post(`/api/v1/kb/articles/${internal.id}/submit`, {});
    await admin.post(`/api/v1/kb/articles/${internal.id}/approve`, {});
    internalArticle = internal.id;
  });

  const api = (path: string, init?: RequestInit) => fetch(`${server.baseUrl}/api/help/demo${path}`, init);
  const post = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  test('lists and finds public articles only, without signing in', async () => {
    const home = await (await api('')).json() as any;
    const ids = home.spaces.flatMap((s: { articles: { id: string }[] }) => s.articles.map((a) => a.id));
    expect(ids).toContain(publicArticle);
    expect(ids).not.toContain(internalArticle);
    const found = await (await api(`/search?q=${encodeURIComponent('发票')}&sessionId=${session}`)).json() as any;
    expect(found.results.map((r: { id: string }) => r.id)).toContain(publicArticle);
    expect(found.results.map((r: { id: string }) => r.id)).not.toContain(internalArticle);
    expect((await api(`/articles/${internalArticle}`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/api/help/no-such-tenant`)).status).toBe(404);
  });

  test('"no" to "did this solve your problem?" opens a contact path carrying the article', async () => {
    const article = await (await api(`/articles/${publicArticle}?sessionId=${session}`)).json() as any;
    expect(article.title).toContain('发票抬头');
    const answer = await (await post(`/articles/${publicArticle}/feedback`, { helpful: false, sessionId: session })).json() as any;
    expect(answer.contact).toMatchObject({ articleId: publicArticle, form: '/api/help/demo/contact' });
    const contact = await post('/contact', { articleId: publicArticle, sessionId: session, name: '王女士', contact: '13800000000', message: '还是不会改' });
    expect(contact.status).toBe(201);
    const requests = (await agent.get('/api/v1/kb/contact-requests')).body;
    expect(requests[0]).toMatchObject({ articleId: publicArticle, name: '王女士', message: '还是不会改' });
    expect(requests[0].articleTitle).toContain('发票抬头');
  });

  test('the content-gap report shows failed searches, unhelpful articles and the deflection rate', async () => {
    await api(`/search?q=${encodeURIComponent('量子纠缠退订')}&sessionId=other-session-01`);
    await api(`/articles/${publicArticle}?sessionId=happy-session-01`);
    await post(`/articles/${publicArticle}/feedback`, { helpful: true, sessionId: 'happy-session-01' });
    const report = (await editor.get('/api/v1/kb/reports/content-gaps')).body;
    expect(report.failedSearches).toContainEqual({ query: '量子纠缠退订', channel: 'help', searches: 1 });
    expect(report.leastHelpful.map((a: { id: string }) => a.id)).toContain(publicArticle);
    expect(report.deflection).toMatchObject({ sessionsWithViews: 2, contacted: 1, deflected: 1, rate: 0.5 });
  });

  test('server-rendered pages are escaped, mobile-friendly and carry the feedback question', async () => {
    const home = await fetch(`${server.baseUrl}/help/demo`);
    expect(home.headers.get('content-type')).toContain('text/html');
    const homeHtml = await home.text();
    expect(homeHtml).toContain('name="viewport"');
    expect(homeHtml).toContain('发票抬头写错了 &lt;b&gt;怎么办&lt;/b&gt;');
    expect(homeHtml).not.toContain('发票内部审批流程');
    const page = await (await fetch(`${server.baseUrl}/help/demo/articles/${publicArticle}`)).text();
    expect(page).toContain('以上内容是否解决了您的问题？');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const search = await (await fetch(`${server.baseUrl}/help/demo/search?q=${encodeURIComponent('发票')}&lang=en`)).text();
    expect(search).toContain('<mark>发票</mark>');
    expect((await fetch(`${server.baseUrl}/help/demo/articles/${internalArticle}`)).status).toBe(404);
  });

  test('bad public input is a 400 naming the field', async () => {
    const reply = await post(`/articles/${publicArticle}/feedback`, { helpful: 'maybe', sessionId: session });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(await reply.json())).toContain('helpful');
  });
});

describe('the demo tenant', () => {
  test('has a bilingual knowledge base with an internal handbook and a public help center', async () => {
    const spaces = (await agent.get('/api/v1/kb/spaces')).body;
    expect(spaces.map((s: { visibility: string }) => s.visibility)).toEqual(expect.arrayContaining(['internal', 'public']));
    const en = await (await fetch(`${server.baseUrl}/api/help/demo/search?q=broadband`)).json() as any;
    expect(en.results[0].title).toBe('Broadband is not working');
    const zh = await (await fetch(`${server.baseUrl}/api/help/demo/search?q=${encodeURIComponent('网络连不上')}`)).json() as any;
    expect(zh.results[0].title).toBe('宽带无法上网怎么办');
    expect((await agent.get('/api/v1/kb/updates?unread=true')).body.length).toBeGreaterThanOrEqual(1);
    // The help center is organised in bilingual categories, each holding both language versions.
    const home = await (await fetch(`${server.baseUrl}/api/help/demo`)).json() as any;
    const helpSpace = home.spaces.find((s: { name: string }) => s.name === '帮助中心 Help center');
    expect(helpSpace.categories.map((c: { name: string }) => c.name)).toEqual(['宽带 Broadband', '退款 Refunds', '账号 Account']);
    const broadband = helpSpace.categories[0].id;
    expect(helpSpace.articles.filter((a: { categoryId: string }) => a.categoryId === broadband).map((a: { title: string }) => a.title).sort()).toEqual(['Broadband is not working', '宽带无法上网怎么办']);
  });
});
