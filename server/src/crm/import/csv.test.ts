import { describe, expect, test } from 'vitest';
import { csvField, csvLine, parseCsv } from './csv.ts';

describe('CSV reading', () => {
  test('a spreadsheet export with BOM, CRLF, quotes and a line break inside quotes is read', () => {
    const table = parseCsv('\uFEFF姓名,手机,备注\r\n王小明,13800138000,"说 ""你好"""\r\n"李, 四",139 0013 9000,"两行\n备注"\r\n');
    expect(table.header).toEqual(['姓名', '手机', '备注']);
    expect(table.records).toEqual([
      { line: 2, fields: ['王小明', '13800138000', '说 "你好"'] },
      { line: 3, fields: ['李, 四', '139 0013 9000', '两行\n备注'] },
    ]);
  });

  test('line numbers count the lines inside quoted fields, and blank lines are skipped', () => {
    const table = parseCsv('a,b\n"x\ny",1\n\nz,2');
    expect(table.records.map((r) => r.line)).toEqual([2, 5]);
  });

  test('tab-separated files are recognised from the header', () => {
    expect(parseCsv('name\tphone\nA\t1').records[0]!.fields).toEqual(['A', '1']);
  });

  test('an unclosed quote is an error naming the line', () => {
    expect(() => parseCsv('a,b\n1,"oops\n')).toThrow('a quoted field is not closed');
  });

  test('writing quotes what needs quoting and defuses formulas but not phone numbers', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+8613800138000')).toBe('+8613800138000');
    expect(csvLine(['王', 1, null])).toBe('王,1,\r\n');
  });

  test('what is written reads back the same', () => {
    const values = ['x,y', 'multi\nline', '"q"', '普通'];
    expect(parseCsv(`h1,h2,h3,h4\r\n${csvLine(values)}`).records[0]!.fields).toEqual(values);
  });
});
