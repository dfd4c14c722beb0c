// CSV import as a background job: a 10k-row file with bad rows gives an exact per-row report and writes none of
// the bad rows; a dry run writes nothing; a second import of the same file creates nothing new.
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TestClient } from './http-client.ts';
import { startKefu, type TestKefu } from './kefu-server.ts';

let server: TestKefu;
let admin: TestClient;
let tenantId: string;

beforeAll(async () => {
  server = await startKefu({ jobs: { pollMs: 100 } });
  admin = await TestClient.login(server.baseUrl, server.adminEmail, server.password);
  tenantId = (await admin.get('/api/v1/me')).body.tenant.id;
  expect((await admin.post('/api/v1/crm/fields', { key: 'plan', label: '套餐', type: 'select', options: ['基础', '高级'] })).status).toBe(201);
});
afterAll(async () => server?.stop());

const ROWS = 10_000;
/** Data row i (0-based) is on line i + 2; these rows are bad, each for one stated reason. */
const bad: Record<number, { column: string; message: string; cells: Partial<Record<'id' | 'name' | 'phone' | 'email' | 'plan', string>> }> = {
  17: { column: '手机', message: '12345 is not a phone number (not a valid Chinese number)', cells: { phone: '12345' } },
  2500: { column: '姓名', message: 'a name is required', cells: { name: '' } },
  4999: { column: '邮箱', message: 'not-mail is not an email address', cells: { email: 'not-mail' } },
  7777: { column: '套餐', message: 'must be one of 基础, 高级', cells: { plan: '至尊' } },
  9998: { column: '(row)', message: 'needs at least one phone, email or other identity', cells: { id: '', phone: '', email: '' } },
};

function csv(): string {
  const lines = ['客户编号,姓名,手机,邮箱,公司,标签,套餐'];
  for (let i = 0; i < ROWS; i++) {
    const cells = {
      id: `C${String(i).padStart(6, '0')}`,
      name: `客户${i}`,
      phone: `139${String(i).padStart(8, '0')}`,
      email: `c${i}@example.com`,
      plan: i % 2 ? '基础' : '高级',
      ...bad[i]?.cells,
    };
    lines.push(`${cells.id},${cells.name},${cells.phone},${cells.email},"公司${i % 50}, 有限",vip;宽带,${cells.plan}`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

async function runImport(body: Record<string, unknown>) {
  const started = await admin.post('/api/v1/crm/imports', body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  for (let n = 0; n < 1800; n++) {
    const state = (await admin.get(`/api/v1/crm/imports/${started.body.id}`)).body;
    if (state.status === 'done' || state.status === 'failed') return state;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('import did not finish');
}

const countContacts = async () =>
  (await server.kefu.database.withTenant(tenantId, (tx) => tx.execute(sql`SELECT count(*)::int AS n FROM crm_contacts WHERE display_name LIKE '客户%'`))).rows[0] as { n: number };

describe('CSV import', () => {
  const file = csv();
  const mapping = { 套餐: 'custom.plan' };
  const expectedReport = Object.entries(bad).map(([i, b]) => ({ line: Number(i) + 2, field: b.column, message: b.message }));

  test('a dry run reports exactly what the import would do and writes nothing', async () => {
    const done = await runImport({ content: file, fileName: 'contacts.csv', dryRun: true, mapping });
    expect(done).toMatchObject({ status: 'done', dryRun: true, totalRows: ROWS, processedRows: ROWS, created: ROWS - 5, updated: 0, errors: 5 });
    expect((await admin.get(`/api/v1/crm/imports/${done.id}/errors?limit=50`)).body.items).toEqual(expectedReport);
    expect((await countContacts()).n).toBe(0);
  }, 180_000);

  test('a 10k-row file imports every good row whole and none of the bad ones', async () => {
    const done = await runImport({ content: file, fileName: 'contacts.csv', mapping });
    expect(done).toMatchObject({ status: 'done', totalRows: ROWS, created: ROWS - 5, updated: 0, errors: 5 });
    expect((await admin.get(`/api/v1/crm/imports/${done.id}/errors?limit=50`)).body.items).toEqual(expectedReport);
    expect((await countContacts()).n).toBe(ROWS - 5);
    // No trace of a bad row: neither its contact nor its good identities.
    expect((await admin.get('/api/v1/crm/lookup?kind=email&value=c17@example.com')).status).toBe(404);
    expect((await admin.get('/api/v1/crm/lookup?value=13900004999')).status).toBe(404);
    const pop = (await admin.get('/api/v1/crm/lookup?value=139-0000-0042')).body.contact;
    expect(pop).toMatchObject({ displayName: '客户42', tags: ['vip', '宽带'], customFields: { plan: '高级' }, company: { name: '公司42, 有限' } });
    expect(pop.identities.map((i: { kind: string }) => i.kind).sort()).toEqual(['email', 'external', 'phone']);
  }, 180_000);

  test('importing the same file again creates nothing and updates the matched contacts', async () => {
    const done = await runImport({ content: file, mapping });
    expect(done).toMatchObject({ status: 'done', created: 0, updated: ROWS - 5, errors: 5 });
    expect((await countContacts()).n).toBe(ROWS - 5);
  }, 180_000);

  test('a re-import matched by external id adds the new phone to the existing contact', async () => {
    const done = await runImport({ content: '客户编号,姓名,手机\nC000042,客户42 新名,010-6234 0042\n' });
    expect(done).toMatchObject({ created: 0, updated: 1, errors: 0 });
    const pop = (await admin.get('/api/v1/crm/lookup?value=01062340042')).body.contact;
    expect(pop.displayName).toBe('客户42 新名');
    expect(pop.identities.filter((i: { kind: string }) => i.kind === 'phone')).toHaveLength(2);
  });

  test('a row whose identities belong to two contacts is reported, not guessed', async () => {
    const done = await runImport({ content: 'name,phone,email\n混合,13900000001,c2@example.com\n' });
    expect(done).toMatchObject({ created: 0, updated: 0, errors: 1 });
    expect((await admin.get(`/api/v1/crm/imports/${done.id}/errors`)).body.items).toEqual([{ line: 2, field: '(row)', message: 'its identities belong to different contacts (merge them first)' }]);
  });

  test('the column mapping is checked when the import starts', async () => {
    const unknownColumn = await admin.post('/api/v1/crm/imports', { content: 'a,b\n1,2\n', mapping: { c: 'phone' } });
    expect(unknownColumn.body.error.field).toBe('mapping.c');
    const unknownTarget = await admin.post('/api/v1/crm/imports', { content: 'a,b\n1,2\n', mapping: { a: 'shoe_size' } });
    expect(unknownTarget.body.error.field).toBe('mapping.a');
    const nothing = await admin.post('/api/v1/crm/imports', { content: 'a,b\n1,2\n' });
    expect(nothing.body.error.field).toBe('mapping');
    const mapped = await runImport({ content: 'a,b\nMapped Person,13912345600\n', mapping: { a: 'displayName', b: 'phone' } });
    expect(mapped).toMatchObject({ created: 1, errors: 0 });
  });

  test('an Excel workbook is imported the same way, with phone numbers stored as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('客户');
    sheet.addRow(['姓名', '手机', '邮箱', '套餐']);
    sheet.addRow(['表格客户甲', 15012345601, 'xlsx1@example.com', '基础']);
    sheet.addRow(['表格客户乙', '010-6234 5602', 'not-an-email', '高级']);
    sheet.addRow(['表格客户丙', 15012345603, '', '至尊']);
    const contentBase64 = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
    const done = await runImport({ format: 'xlsx', contentBase64, fileName: '客户.xlsx', mapping: { 套餐: 'custom.plan' } });
    expect(done).toMatchObject({ status: 'done', totalRows: 3, created: 1, errors: 2 });
    expect((await admin.get(`/api/v1/crm/imports/${done.id}/errors`)).body.items).toEqual([
      { line: 3, field: '邮箱', message: 'not-an-email is not an email address' },
      { line: 4, field: '套餐', message: 'must be one of 基础, 高级' },
    ]);
    expect((await admin.get('/api/v1/crm/lookup?value=15012345601')).body.contact.customFields).toEqual({ plan: '基础' });
  });

  test('a workbook whose mapping names a missing column fails with the reason', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('s').addRow(['name', 'phone']);
    const done = await runImport({ format: 'xlsx', contentBase64: Buffer.from(await wb.xlsx.writeBuffer()).toString('base64'), mapping: { mobile: 'phone' } });
    expect(done).toMatchObject({ status: 'failed', failure: 'mapping.mobile is not a column of the file' });
  });
});
