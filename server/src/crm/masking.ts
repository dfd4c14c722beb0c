// Partial masking of phone numbers and emails for people without crm.reveal (the unmasked value is an audited
// reveal). Enough stays visible to tell numbers apart on a screen pop: 138****8000, w***g@example.com.
import { splitCountryCode } from './phone/country-codes.ts';

export function maskPhone(value: string): string {
  const [number, ext] = value.split(';ext=') as [string, string | undefined];
  const split = number.startsWith('+') ? splitCountryCode(number.slice(1)) : null;
  const cc = split ? `+${split.cc}` : '';
  const nsn = number.slice(cc.length);
  const keepHead = nsn.length >= 10 ? 3 : 2;
  const masked = nsn.length <= 6 ? '*'.repeat(nsn.length) : `${nsn.slice(0, keepHead)}${'*'.repeat(nsn.length - keepHead - 4)}${nsn.slice(-4)}`;
  return `${cc}${masked}${ext ? `;ext=${ext}` : ''}`;
}

export function maskEmail(value: string): string {
  const at = value.lastIndexOf('@');
  if (at < 1) return '***';
  const local = value.slice(0, at);
  const shown = local.length <= 2 ? `${local[0]}*` : `${local[0]}***${local[local.length - 1]}`;
  return `${shown}${value.slice(at)}`;
}

export function maskIdentity(kind: string, value: string): string {
  if (kind === 'phone') return maskPhone(value);
  if (kind === 'email') return maskEmail(value);
  return value;
}
