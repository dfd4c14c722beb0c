// Turning spreadsheet rows into contact records: the column mapping (chosen by the user, or guessed from
// common Chinese and English headers) and the per-row validation that decides, before anything is written,
// whether a row is imported whole or reported and skipped whole.
import { checkCustomFields, type CustomValues, type FieldDefinition } from '../custom-fields.ts';
import { normalizeIdentity, type IdentityKind, type NormalizedIdentity } from '../identities.ts';
import type { PhoneOptions } from '../phone/phone-normalize.ts';

export const importTargets = [
  'displayName', 'familyName', 'givenName', 'company', 'tags', 'vipLevel', 'preferredLanguage', 'note',
  'phone', 'email', 'wechat_openid', 'wechat_unionid', 'visitor', 'external', 'ignore',
] as const;
export type ImportTarget = (typeof importTargets)[number] | `custom.${string}`;

/** Column header → target. Several columns may map to `phone` (mobile, office) or `email`. */
export type ColumnMapping = Record<string, ImportTarget>;

const guesses: Record<string, ImportTarget> = {
  name: 'displayName', displayname: 'displayName', fullname: 'displayName', 姓名: 'displayName', 名称: 'displayName', 客户名称: 'displayName', 客户姓名: 'displayName', 联系人: 'displayName',
  familyname: 'familyName', lastname: 'familyName', surname: 'familyName', 姓: 'familyName',
  givenname: 'givenName', firstname: 'givenName', 名: 'givenName',
  company: 'company', organization: 'company', 公司: 'company', 单位: 'company', 公司名称: 'company',
  tags: 'tags', tag: 'tags', 标签: 'tags',
  vip: 'vipLevel', viplevel: 'vipLevel', vip等级: 'vipLevel', 会员等级: 'vipLevel',
  language: 'preferredLanguage', preferredlanguage: 'preferredLanguage', 语言: 'preferredLanguage',
  note: 'note', notes: 'note', 备注: 'note',
  phone: 'phone', mobile: 'phone', tel: 'phone', telephone: 'phone', 手机: 'phone', 手机号: 'phone', 手机号码: 'phone', 电话: 'phone', 固话: 'phone', 座机: 'phone', 联系电话: 'phone',
  email: 'email', mail: 'email', 邮箱: 'email', 电子邮件: 'email',
  openid: 'wechat_openid', wechatopenid: 'wechat_openid', unionid: 'wechat_unionid', wechatunionid: 'wechat_unionid',
  externalid: 'external', id: 'external', customerid: 'external', 客户编号: 'external', 编号: 'external', 会员号: 'external',
};

const key = (header: string) => header.normalize('NFKC').toLowerCase().replace(/[\s_\-.]/g, '');

/** The mapping for headers nobody mapped: known names are guessed, the rest ignored. */
export function guessMapping(header: readonly string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  for (const column of header) mapping[column] = guesses[key(column)] ?? 'ignore';
  return mapping;
}

export function isImportTarget(value: string): value is ImportTarget {
  return (importTargets as readonly string[]).includes(value) || /^custom\.[a-z][a-z0-9_]{0,40}$/.test(value);
}

export interface ImportRecord {
  line: number;
  displayName: string;
  familyName: string | null;
  givenName: string | null;
  company: string | null;
  tags: string[];
  vipLevel: number | null;
  preferredLanguage: string | null;
  note: string | null;
  customFields: CustomValues;
  identities: NormalizedIdentity[];
}

export interface RowError {
  line: number;
  field: string;
  message: string;
}

const ASCII = /^[\x20-\x7e]*$/;
const identityTargets = new Set<string>(['phone', 'email', 'wechat_openid', 'wechat_unionid', 'visitor', 'external']);

/** Validates one row. Every problem of the row is reported (one per column), not only the first. */
export function readRow(
  line: number,
  header: readonly string[],
  fields: readonly string[],
  mapping: ColumnMapping,
  defs: readonly FieldDefinition[],
  phoneOptions: PhoneOptions = {},
): { ok: true; record: ImportRecord } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const record: ImportRecord = { line, displayName: '', familyName: null, givenName: null, company: null, tags: [], vipLevel: null, preferredLanguage: null, note: null, customFields: {}, identities: [] };
  const custom: Record<string, string> = {};
  if (fields.length > header.length) errors.push({ line, field: '(row)', message: `has ${fields.length} fields; the header has ${header.length}` });
  header.forEach((column, index) => {
    const target = mapping[column] ?? 'ignore';
    const cell = fields[index] ?? '';
    const raw = (ASCII.test(cell) ? cell : cell.normalize('NFKC')).trim();
    if (target === 'ignore' || raw === '') return;
    const tooLong = (max: number) => raw.length > max && errors.push({ line, field: column, message: `is longer than ${max} characters` });
    if (identityTargets.has(target)) {
      // A cell may hold several numbers or addresses: "13800138000 / 010-88886666".
      for (const part of raw.split(/\s*[;；,，、/|]\s*|\s{2,}/).filter(Boolean)) {
        const result = normalizeIdentity(target as IdentityKind, part, phoneOptions);
        if (result.ok) {
          if (!record.identities.some((i) => i.kind === result.identity.kind && i.value === result.identity.value)) record.identities.push(result.identity);
        } else errors.push({ line, field: column, message: `${part} ${result.reason}` });
      }
      return;
    }
    switch (target) {
      case 'displayName': if (!tooLong(120)) record.displayName = raw; return;
      case 'familyName': if (!tooLong(60)) record.familyName = raw; return;
      case 'givenName': if (!tooLong(60)) record.givenName = raw; return;
      case 'company': if (!tooLong(200)) record.company = raw; return;
      case 'tags': record.tags = [...new Set(raw.split(/[;；,，、|]/).map((t) => t.trim()).filter(Boolean))]; return;
      case 'preferredLanguage': if (!tooLong(20)) record.preferredLanguage = raw; return;
      case 'note': if (!tooLong(20000)) record.note = raw; return;
      case 'vipLevel': {
        const n = Number(raw);
        if (Number.isInteger(n) && n >= 0 && n <= 9) record.vipLevel = n;
        else errors.push({ line, field: column, message: 'must be a whole number from 0 to 9' });
        return;
      }
      default:
        custom[target.slice('custom.'.length)] = raw;
    }
  });
  if (!record.displayName) {
    const joined = [record.familyName, record.givenName].filter(Boolean).join(/[\u4e00-\u9fff]/.test(record.familyName ?? '') ? '' : ' ');
    if (joined) record.displayName = joined;
    else errors.push({ line, field: columnOf(mapping, 'displayName'), message: 'a name is required' });
  }
  if (record.identities.length === 0 && errors.every((e) => !identityTargets.has(mapping[e.field] ?? ''))) {
    errors.push({ line, field: '(row)', message: 'needs at least one phone, email or other identity' });
  }
  const checked = checkCustomFields(defs, custom, {}, false);
  if (!checked.ok) errors.push({ line, field: columnOf(mapping, `custom.${checked.field.slice('customFields.'.length)}`), message: checked.message });
  else record.customFields = checked.values;
  return errors.length ? { ok: false, errors } : { ok: true, record };
}

function columnOf(mapping: ColumnMapping, target: string): string {
  return Object.keys(mapping).find((c) => mapping[c] === target) ?? target;
}
