import { describe, expect, test } from 'vitest';
import type { FieldDefinition } from '../custom-fields.ts';
import { guessMapping, readRow } from './import-rows.ts';

const header = ['客户编号', '姓名', '手机', '邮箱', '公司', '标签', '套餐'];
const mapping = { ...guessMapping(header), 套餐: 'custom.plan' as const };
const defs: FieldDefinition[] = [{ key: 'plan', label: '套餐', type: 'select', options: ['基础', '高级'], required: false }];
const row = (cells: string[]) => readRow(7, header, cells, mapping, defs);

describe('reading an import row', () => {
  test('Chinese and English headers are guessed', () => {
    expect(guessMapping(['姓名', 'Mobile', 'E-mail', '客户编号', 'Shoe size'])).toEqual({ 姓名: 'displayName', Mobile: 'phone', 'E-mail': 'email', 客户编号: 'external', 'Shoe size': 'ignore' });
  });

  test('a good row becomes a record with normalized identities, tags and custom values', () => {
    const result = row(['C1', '王小明', '138 0013 8000 / 010-88886666', 'W@X.cn', '星河', 'vip;宽带', '高级']);
    expect(result).toEqual({
      ok: true,
      record: expect.objectContaining({
        line: 7,
        displayName: '王小明',
        company: '星河',
        tags: ['vip', '宽带'],
        customFields: { plan: '高级' },
        identities: [
          { kind: 'external', value: 'C1', matchKey: 'C1' },
          { kind: 'phone', value: '+8613800138000', matchKey: '+8613800138000' },
          { kind: 'phone', value: '+861088886666', matchKey: '+861088886666' },
          { kind: 'email', value: 'w@x.cn', matchKey: 'w@x.cn' },
        ],
      }),
    });
  });

  test.each([
    [['C1', '', '13800138000', '', '', '', ''], [{ line: 7, field: '姓名', message: 'a name is required' }]],
    [['C1', '王', '12345', '', '', '', ''], [{ line: 7, field: '手机', message: '12345 is not a phone number (not a valid Chinese number)' }]],
    [['', '王', '', '', '', '', ''], [{ line: 7, field: '(row)', message: 'needs at least one phone, email or other identity' }]],
    [['C1', '王', '', 'bad', '', '', '至尊'], [{ line: 7, field: '邮箱', message: 'bad is not an email address' }, { line: 7, field: '套餐', message: 'must be one of 基础, 高级' }]],
  ])('a bad row %j reports every problem', (cells, errors) => {
    expect(row(cells)).toEqual({ ok: false, errors });
  });
});
