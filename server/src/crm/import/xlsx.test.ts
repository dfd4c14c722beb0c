import ExcelJS from 'exceljs';
import { describe, expect, test } from 'vitest';
import { readXlsx } from './xlsx.ts';

async function workbook(rows: ExcelJS.CellValue[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('客户');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('reading Excel workbooks', () => {
  test('numbers, dates, formulas and rich text become the text a person reads', async () => {
    const data = await workbook([
      ['姓名', '手机', '生日', '合计', '备注'],
      ['王小明', 13800138000, new Date(Date.UTC(1990, 4, 1)), { formula: '1+1', result: 2 }, { richText: [{ text: '重要' }, { text: '客户' }] }],
      [],
      ['李娜', '139-1234-5678', null, 3.5, ''],
    ]);
    const table = await readXlsx(data);
    expect(table.header).toEqual(['姓名', '手机', '生日', '合计', '备注']);
    expect(table.records).toEqual([
      { line: 2, fields: ['王小明', '13800138000', '1990-05-01', '2', '重要客户'] },
      { line: 4, fields: ['李娜', '139-1234-5678', '', '3.5', ''] },
    ]);
  });

  test('a file that is not a workbook is refused', async () => {
    await expect(readXlsx(Buffer.from('name,phone\n'))).rejects.toThrow('not an Excel');
  });
});
