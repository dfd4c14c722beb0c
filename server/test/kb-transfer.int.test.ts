// Import and export of a space against a real Kefu: a Markdown zip keeps categories (and sections),
// translations and images; a CSV keeps categories and translations; bad input is reported per item.
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let editor: TestClient;
let divisionId: string;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  server = await startKefu();
  const admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  await admin.post('/api/v1/users', { email: 'transfer@demo.kefu', name: 'Transfer editor', password: 'editor-password-1', roles: ['knowledge_editor'], divisionIds: [divisionId] });
  editor = await TestClient.login(server.baseUrl, 'transfer@demo.kefu', 'editor-password-1');
}, 60_000);
afterAll(async () => server?.stop());

const raw = async (method: string, url: string, body?: Buffer) => {
  const response = await fetch(`${server.baseUrl}${url}`, {
    method,
    headers: { cookie: editor.cookie!, 'x-csrf-token': editor.csrfToken!, 'content-type': 'application/octet-stream' },
    ...(body ? { body } : {}),
  });
  return { status: response.status, headers: response.headers, data: Buffer.from(await response.arrayBuffer()) };
};
const space = async (name: string) => (await editor.post('/api/v1/kb/spaces', { divisionId, name, visibility: 'both' })).body.id as string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const articlesOf = async (spaceId: string): Promise<any[]> => {
  const list = (await editor.get(`/api/v1/kb/articles?spaceId=${spaceId}`)).body as { id: string }[];
  return Promise.all(list.map(async (a) => (await editor.get(`/api/v1/kb/articles/${a.id}`)).body));
};

describe('import and export', () => {
  test('a Markdown zip round trip keeps categories, sections, translations and images', async () => {
    const source = await space('Transfer source');
    const category = (await editor.post('/api/v1/kb/categories', { spaceId: source, name: '宽带' })).body.id;
    const section = (await editor.post('/api/v1/kb/categories', { spaceId: source, parentId: category, name: '故障' })).body.id;
    const zh = (await editor.post('/api/v1/kb/articles', { spaceId: source, categoryId: section, language: 'zh-CN', title: '光猫红灯怎么办', body: '重启光猫。', tags: ['宽带', '光猫'], audience: 'public' })).body;
    const image = await fetch(`${server.baseUrl}/api/v1/kb/articles/${zh.id}/attachments?name=modem.png`, { method: 'POST', headers: { cookie: editor.cookie!, 'x-csrf-token': editor.csrfToken! }, body: PNG });
    const stored = (await image.json()) as { id: string; markdown: string };
    await editor.patch(`/api/v1/kb/articles/${zh.id}`, { body: `重启光猫。\n\n${stored.markdown}` });
    await editor.post('/api/v1/kb/articles', { spaceId: source, categoryId: section, language: 'en', title: 'Modem light is red', body: 'Restart the modem.', translationOf: zh.id, audience: 'public' });

    const exported = await raw('GET', `/api/v1/kb/export?spaceId=${source}&format=zip`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toBe('application/zip');
    const zip = await JSZip.loadAsync(exported.data);
    const names = Object.keys(zip.files).filter((n) => !zip.files[n]!.dir);
    expect(names.filter((n) => n.endsWith('.md'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('files/'))).toHaveLength(1);
    const zhFile = await zip.file(names.find((n) => n.endsWith('.zh-CN.md'))!)!.async('string');
    expect(zhFile).toContain('title: "光猫红灯怎么办"');
    expect(zhFile).toContain('category: "宽带 / 故障"');
    expect(zhFile).toMatch(/!\[modem\.png\]\(\.\.\/files\/[0-9a-f-]{36}-modem\.png\)/);

    const target = await space('Transfer target');
    const imported = await raw('POST', `/api/v1/kb/import?spaceId=${target}&format=zip`, exported.data);
    expect(imported.status).toBe(200);
    expect(JSON.parse(imported.data.toString())).toEqual({ created: 2, categoriesCreated: 2, files: 1, errors: [] });
    const copies = await articlesOf(target);
    const zhCopy = copies.find((a) => a.language === 'zh-CN');
    const enCopy = copies.find((a) => a.language === 'en');
    expect(zhCopy.status).toBe('draft');
    expect(zhCopy.draft.tags).toEqual(['宽带', '光猫']);
    expect(zhCopy.translations.map((t: { id: string }) => t.id)).toEqual([enCopy.id]);
    const categories = (await editor.get(`/api/v1/kb/spaces/${target}`)).body.categories as { id: string; name: string; parentId: string | null }[];
    const top = categories.find((c) => c.name === '宽带' && c.parentId === null)!;
    expect(categories.find((c) => c.id === zhCopy.categoryId)).toMatchObject({ name: '故障', parentId: top.id });
    const [, newId] = /attachment:([0-9a-f-]{36})/.exec(zhCopy.draft.body)!;
    expect(newId).not.toBe(stored.id);
    const copiedImage = await raw('GET', `/api/v1/kb/attachments/${newId}`);
    expect(copiedImage.data.equals(PNG)).toBe(true);
  });

  test('CSV export and import keep categories and translations; bad rows are reported, a bad file is refused', async () => {
    const source = await space('CSV source');
    const category = (await editor.post('/api/v1/kb/categories', { spaceId: source, name: 'Refunds' })).body.id;
    const en = (await editor.post('/api/v1/kb/articles', { spaceId: source, categoryId: category, language: 'en', title: 'Refund times', body: 'Line one, "quoted"\nline two', tags: ['refund'] })).body;
    await editor.post('/api/v1/kb/articles', { spaceId: source, categoryId: category, language: 'zh-CN', title: '退款时间', body: '一到三天', translationOf: en.id });
    const csv = await raw('GET', `/api/v1/kb/export?spaceId=${source}&format=csv`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const text = csv.data.toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\ufeffid,language,title,category,tags,translation_group,audience,status,body');

    const target = await space('CSV target');
    const withBadRow = Buffer.from(`${text}x,fr,Bonjour,Refunds,,,,,texte\r\n`, 'utf8');
    const imported = JSON.parse((await raw('POST', `/api/v1/kb/import?spaceId=${target}&format=csv`, withBadRow)).data.toString());
    expect(imported.created).toBe(2);
    expect(imported.categoriesCreated).toBe(1);
    expect(imported.errors).toEqual([{ source: 'line 5', message: 'language must be zh-CN or en, not "fr"' }]);
    const copies = await articlesOf(target);
    const enCopy = copies.find((a) => a.language === 'en');
    expect(enCopy.draft.body).toBe('Line one, "quoted"\nline two');
    expect(enCopy.translations).toHaveLength(1);

    // With Accept: application/x-ndjson the import reports its progress line by line, then the report.
    const streamed = await fetch(`${server.baseUrl}/api/v1/kb/import?spaceId=${await space('CSV streamed')}&format=csv`, {
      method: 'POST',
      headers: { cookie: editor.cookie!, 'x-csrf-token': editor.csrfToken!, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: text,
    });
    expect(streamed.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await streamed.text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.progress).map((l) => l.progress)).toEqual([{ done: 0, total: 2 }, { done: 1, total: 2 }, { done: 2, total: 2 }]);
    expect(lines.at(-1)).toEqual({ report: { created: 2, categoriesCreated: 1, files: 0, errors: [] } });
    const streamedError = await fetch(`${server.baseUrl}/api/v1/kb/import?spaceId=${target}&format=csv`, {
      method: 'POST',
      headers: { cookie: editor.cookie!, 'x-csrf-token': editor.csrfToken!, 'content-type': 'text/csv', accept: 'application/x-ndjson' },
      body: 'title,body\r\nx,y\r\n',
    });
    expect(JSON.parse((await streamedError.text()).trim())).toEqual({ error: { code: 'VALIDATION_FAILED', message: 'the CSV has no "language" column', field: 'file' } });

    const refused = await raw('POST', `/api/v1/kb/import?spaceId=${target}&format=csv`, Buffer.from('title,body\r\nx,y\r\n'));
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.data.toString()).error).toMatchObject({ field: 'file', message: 'the CSV has no "language" column' });
    const notZip = await raw('POST', `/api/v1/kb/import?spaceId=${target}&format=zip`, Buffer.from('not a zip'));
    expect(JSON.parse(notZip.data.toString()).error).toMatchObject({ field: 'file', message: 'the file is not a zip archive' });
  });
});
