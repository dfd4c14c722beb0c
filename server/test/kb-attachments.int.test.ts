// Files and images in articles against a real Kefu and its blob store: types are detected from the bytes (SVG,
// HTML and archives refused with the field named), files are served with safe headers, people see the files of
// articles they may read, and the public help center serves only files of live public articles.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
let editor: TestClient;
let agent: TestClient;
let publicSpace: string;
let internalSpace: string;

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

beforeAll(async () => {
  server = await startKefu();
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  const divisionId = (await admin.get('/api/v1/divisions')).body[0].id;
  await admin.post('/api/v1/users', { email: 'files-editor@demo.kefu', name: 'Files editor', password: 'editor-password-1', roles: ['knowledge_editor'], divisionIds: [divisionId] });
  editor = await TestClient.login(server.baseUrl, 'files-editor@demo.kefu', 'editor-password-1');
  agent = await TestClient.login(server.baseUrl, 'agent1@demo.kefu', server.password);
  publicSpace = (await editor.post('/api/v1/kb/spaces', { divisionId, name: 'Files public', visibility: 'public' })).body.id;
  internalSpace = (await editor.post('/api/v1/kb/spaces', { divisionId, name: 'Files internal', visibility: 'internal' })).body.id;
}, 60_000);
afterAll(async () => server?.stop());

async function upload(client: TestClient, articleId: string, name: string, bytes: Buffer) {
  const response = await fetch(`${server.baseUrl}/api/v1/kb/articles/${articleId}/attachments?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { cookie: client.cookie!, 'x-csrf-token': client.csrfToken!, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, body: (await response.json()) as any };
}

const publish = async (id: string) => {
  await editor.post(`/api/v1/kb/articles/${id}/submit`, {});
  expect((await admin.post(`/api/v1/kb/articles/${id}/approve`, {})).status).toBe(200);
};

describe('attachments', () => {
  test('an image goes into a public article and the help center shows it; other types are checked by their bytes', async () => {
    const article = (await editor.post('/api/v1/kb/articles', { spaceId: publicSpace, language: 'zh-CN', title: '光猫指示灯说明', body: '见下图。' })).body;
    const image = await upload(editor, article.id, '光猫 指示灯.png', PNG);
    expect(image.status).toBe(201);
    expect(image.body).toMatchObject({ fileName: '光猫 指示灯.png', contentType: 'image/png', inline: true, size: PNG.length, markdown: `![光猫 指示灯.png](attachment:${image.body.id})` });

    // Refused by their bytes, whatever the name says; the error names the field.
    for (const [name, bytes] of [
      ['logo.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')],
      ['page.txt', Buffer.from('<!doctype html><script>alert(1)</script>')],
      ['bundle.docx', Buffer.from('PK\u0003\u0004 not an office document')],
      ['blob.bin', Buffer.from([0, 1, 2, 3, 0xff, 0xfe])],
    ] as const) {
      const refused = await upload(editor, article.id, name, bytes);
      expect(refused.status, name).toBe(400);
      expect(refused.body.error.field, name).toBe('file');
    }
    const text = await upload(editor, article.id, 'notes.txt', Buffer.from('重启光猫前请先拔掉电源。'));
    expect(text.body).toMatchObject({ contentType: 'text/plain; charset=utf-8', inline: false });
    expect((await agent.post(`/api/v1/kb/articles/${article.id}/attachments?name=x.txt`, 'x')).status).toBe(403);

    // Served to people with safe headers; an agent cannot see files of a draft.
    const served = await fetch(`${server.baseUrl}/api/v1/kb/attachments/${image.body.id}`, { headers: { cookie: editor.cookie! } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
    const download = await fetch(`${server.baseUrl}/api/v1/kb/attachments/${text.body.id}`, { headers: { cookie: editor.cookie! } });
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="notes.txt"/);
    expect((await agent.get(`/api/v1/kb/attachments/${image.body.id}`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/help/demo/files/${image.body.id}`)).status).toBe(404);

    // Published: the help center renders the image from its own URL and serves it without sign-in.
    await editor.patch(`/api/v1/kb/articles/${article.id}`, { body: `见下图。\n\n${image.body.markdown}` });
    await publish(article.id);
    const page = await (await fetch(`${server.baseUrl}/help/demo/articles/${article.id}`)).text();
    expect(page).toContain(`<img alt="光猫 指示灯.png" src="/help/demo/files/${image.body.id}"`);
    const pub = await fetch(`${server.baseUrl}/help/demo/files/${image.body.id}`);
    expect(pub.status).toBe(200);
    expect(pub.headers.get('content-type')).toBe('image/png');
    expect((await agent.get(`/api/v1/kb/attachments/${image.body.id}`)).status).toBe(200);
    expect((await editor.get(`/api/v1/kb/articles/${article.id}/attachments`)).body.map((a: { fileName: string }) => a.fileName)).toEqual(['光猫 指示灯.png', 'notes.txt']);
  });

  test('files of internal articles never reach the help center; deleting removes the file', async () => {
    const article = (await editor.post('/api/v1/kb/articles', { spaceId: internalSpace, language: 'en', title: 'Internal wiring diagram', body: 'x' })).body;
    const image = await upload(editor, article.id, 'wiring.png', PNG);
    await publish(article.id);
    expect((await agent.get(`/api/v1/kb/attachments/${image.body.id}`)).status).toBe(200);
    expect((await fetch(`${server.baseUrl}/help/demo/files/${image.body.id}`)).status).toBe(404);
    expect((await agent.get(`/api/v1/kb/attachments/${image.body.id}/info`)).body).toMatchObject({ fileName: 'wiring.png', contentType: 'image/png', articleId: article.id });
    expect((await editor.delete(`/api/v1/kb/attachments/${image.body.id}`)).status).toBe(204);
    expect((await agent.get(`/api/v1/kb/attachments/${image.body.id}`)).status).toBe(404);
  });
});
