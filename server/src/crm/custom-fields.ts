// Typed custom fields per division: text, number, date, select, multi-select. Values are validated against the
// definitions of the contact's division before they are stored; an unknown key or a wrong type is a 400 that
// names the field (`customFields.<key>`).
export const fieldTypes = ['text', 'number', 'date', 'select', 'multi_select'] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface FieldDefinition {
  key: string;
  label: string;
  type: FieldType;
  options: string[];
  required: boolean;
}

export type CustomValues = Record<string, string | number | string[] | null>;

export type FieldCheck = { ok: true; values: CustomValues } | { ok: false; field: string; message: string };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** Coerces one value (strings from CSV become numbers, dates, lists) and checks it against its definition. */
export function checkValue(def: FieldDefinition, value: unknown): { ok: true; value: CustomValues[string] } | { ok: false; message: string } {
  if (value === null || value === undefined || value === '') {
    return def.required ? { ok: false, message: 'is required' } : { ok: true, value: null };
  }
  switch (def.type) {
    case 'text':
      if (typeof value !== 'string' && typeof value !== 'number') return { ok: false, message: 'must be text' };
      if (String(value).length > 2000) return { ok: false, message: 'must be at most 2000 characters' };
      return { ok: true, value: String(value) };
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(/,/g, '')) : Number.NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'must be a number' };
    }
    case 'date': {
      const text = typeof value === 'string' ? value.trim().replace(/\//g, '-') : '';
      return validDate(text) ? { ok: true, value: text } : { ok: false, message: 'must be a date (YYYY-MM-DD)' };
    }
    case 'select':
      return typeof value === 'string' && def.options.includes(value.trim())
        ? { ok: true, value: value.trim() }
        : { ok: false, message: `must be one of ${def.options.join(', ')}` };
    case 'multi_select': {
      const list = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[;,，；|]/).map((v) => v.trim()).filter(Boolean) : null;
      if (!list || list.some((v) => typeof v !== 'string' || !def.options.includes(v))) return { ok: false, message: `must be a list of ${def.options.join(', ')}` };
      return { ok: true, value: [...new Set(list as string[])] };
    }
  }
}

/**
 * Validates a patch of custom values against the definitions and merges it over `current`. A null value clears
 * a field. With `complete`, required fields missing from the result are reported too.
 */
export function checkCustomFields(defs: readonly FieldDefinition[], patch: Record<string, unknown>, current: CustomValues = {}, complete = false): FieldCheck {
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const values: CustomValues = { ...current };
  for (const [key, raw] of Object.entries(patch)) {
    const def = byKey.get(key);
    if (!def) return { ok: false, field: `customFields.${key}`, message: 'is not a custom field of this division' };
    const checked = checkValue(def, raw);
    if (!checked.ok) return { ok: false, field: `customFields.${key}`, message: checked.message };
    if (checked.value === null) delete values[key];
    else values[key] = checked.value;
  }
  if (complete) {
    for (const def of defs) if (def.required && values[def.key] === undefined) return { ok: false, field: `customFields.${def.key}`, message: 'is required' };
  }
  return { ok: true, values };
}
