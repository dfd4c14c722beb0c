// Run variables: `{{name}}` templates, dotted paths into JSON (HTTP responses), and the comparisons of the
// condition node. Values are strings: what a caller typed or said, or what an HTTP response held.
import type { Vars } from './flow-types.ts';

export function fill(text: string, vars: Vars): string {
  return text.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g, (_, name: string) => vars[name] ?? '');
}

/** `order.items.0.name` into a parsed JSON value; objects and arrays come back as JSON text. */
export function jsonPath(value: unknown, path: string): string | undefined {
  let cur: unknown = value;
  for (const part of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined) return undefined;
  if (cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

export function compare(op: string, actual: string | undefined, expected: string): boolean {
  const a = actual ?? '';
  switch (op) {
    case 'eq': return a === expected;
    case 'ne': return a !== expected;
    case 'gt': return a !== '' && Number(a) > Number(expected);
    case 'lt': return a !== '' && Number(a) < Number(expected);
    case 'contains': return a.includes(expected);
    case 'matches': return safeRegex(expected)?.test(a) ?? false;
    case 'empty': return a === '';
    case 'not_empty': return a !== '';
    default: return false;
  }
}

export function safeRegex(source: string): RegExp | undefined {
  try {
    return new RegExp(source, 'u');
  } catch {
    return undefined;
  }
}
