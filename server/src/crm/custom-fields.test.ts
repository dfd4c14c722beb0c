import { describe, expect, test } from 'vitest';
import { checkCustomFields, type FieldDefinition } from './custom-fields.ts';

const defs: FieldDefinition[] = [
  { key: 'plan', label: '套餐', type: 'select', options: ['基础', '高级'], required: false },
  { key: 'interests', label: 'Interests', type: 'multi_select', options: ['宽带', 'IPTV', '手机'], required: false },
  { key: 'birthday', label: '生日', type: 'date', options: [], required: false },
  { key: 'spend', label: 'Spend', type: 'number', options: [], required: false },
  { key: 'memo', label: 'Memo', type: 'text', options: [], required: false },
  { key: 'idcard_tail', label: '证件尾号', type: 'text', options: [], required: true },
];

describe('custom field validation', () => {
  test('values of every type are accepted and coerced from CSV text', () => {
    const result = checkCustomFields(defs, { plan: '高级', interests: '宽带，IPTV', birthday: '1990/05/01', spend: '1,280.50', memo: 42, idcard_tail: '1234' }, {}, true);
    expect(result).toEqual({ ok: true, values: { plan: '高级', interests: ['宽带', 'IPTV'], birthday: '1990-05-01', spend: 1280.5, memo: '42', idcard_tail: '1234' } });
  });

  test.each([
    [{ plan: '至尊' }, 'customFields.plan', 'must be one of 基础, 高级'],
    [{ interests: ['宽带', '卫星'] }, 'customFields.interests', 'must be a list of 宽带, IPTV, 手机'],
    [{ birthday: '1990-02-30' }, 'customFields.birthday', 'must be a date (YYYY-MM-DD)'],
    [{ spend: 'lots' }, 'customFields.spend', 'must be a number'],
    [{ colour: 'red' }, 'customFields.colour', 'is not a custom field of this division'],
    [{ memo: { nested: true } }, 'customFields.memo', 'must be text'],
  ])('%j is refused on %s: %s', (patch, field, message) => {
    expect(checkCustomFields(defs, patch)).toEqual({ ok: false, field, message });
  });

  test('a required field must be present in a complete record, and null clears an optional one', () => {
    expect(checkCustomFields(defs, { plan: '基础' }, {}, true)).toEqual({ ok: false, field: 'customFields.idcard_tail', message: 'is required' });
    expect(checkCustomFields(defs, { plan: null }, { plan: '基础', idcard_tail: '9' })).toEqual({ ok: true, values: { idcard_tail: '9' } });
  });
});
