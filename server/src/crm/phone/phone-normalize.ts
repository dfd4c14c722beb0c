// Phone numbers to E.164 (ITU-T E.164; RFC 3966 for the `;ext=` form), written for a Chinese contact center:
// mobiles (1[3-9] + 9 digits), landlines with two- or three-digit area codes with or without the trunk 0,
// +86 / 0086 / 86 prefixes, 400/800 service numbers, carrier IP-dialing prefixes (17951…) that CDRs keep,
// extensions (转 / 分机 / ext / x / #), full-width digits and separators; other countries after + or 00.
import { countryInfo, splitCountryCode } from './country-codes.ts';

export type PhoneKind = 'mobile' | 'landline' | 'service' | 'international';

export interface NormalizedPhone {
  /** E.164 without extension, e.g. +8613800138000. */
  e164: string;
  extension: string | null;
  kind: PhoneKind;
  /** ISO region when known (CN for Chinese numbers). */
  region: string | null;
  /** The Chinese area code (10, 21, 755, …) of a landline. */
  areaCode: string | null;
}

export type PhoneResult = ({ ok: true } & NormalizedPhone) | { ok: false; reason: string };

export interface PhoneOptions {
  /** Area code for 7–8 digit local landline numbers dialled without one (e.g. '10' for Beijing). */
  defaultAreaCode?: string;
}

/** Full-width forms (U+FF01–FF5E) to ASCII, ideographic space to space. */
function toHalfWidth(input: string): string {
  return input.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

/** Extension markers: 转 (transfer), 分机 (extension), ext, x, #, or a trailing dash group after a full number. */
const EXTENSION = /(?:\s*(?:转|轉|分机|分機|ext\.?|extension|x|#|;ext=)\s*)(\d{1,6})\s*$/i;

/** Separators people and systems put inside numbers. */
const SEPARATORS = /[\s\-–—‐‑−._/·()[\]]/g;

/** Chinese carriers' IP long-distance dialling prefixes, found in front of numbers in PBX and carrier CDRs. */
const IP_PREFIXES = ['17951', '17911', '17901', '12593', '17909', '10193'];

const MOBILE = /^1[3-9]\d{9}$/;
const SERVICE = /^[48]00\d{7}$/;
const TWO_DIGIT_AREA = /^(10|2\d)$/;

/** A Chinese national significant number (no trunk 0) classified, or null when it is none of the known forms. */
function chineseNsn(nsn: string): Omit<NormalizedPhone, 'extension'> | null {
  if (MOBILE.test(nsn)) return { e164: `+86${nsn}`, kind: 'mobile', region: 'CN', areaCode: null };
  if (SERVICE.test(nsn)) return { e164: `+86${nsn}`, kind: 'service', region: 'CN', areaCode: null };
  // Landline: area code 10/2x with an 8-digit subscriber number, or 3xx–9xx with 7 or 8 digits. Subscriber
  // numbers never start with 0 or 1.
  const two = nsn.slice(0, 2);
  if (TWO_DIGIT_AREA.test(two) && /^[2-9]\d{7}$/.test(nsn.slice(2))) return { e164: `+86${nsn}`, kind: 'landline', region: 'CN', areaCode: two };
  const three = nsn.slice(0, 3);
  if (/^[3-9]\d\d$/.test(three) && /^[2-9]\d{6,7}$/.test(nsn.slice(3))) return { e164: `+86${nsn}`, kind: 'landline', region: 'CN', areaCode: three };
  return null;
}

function international(digits: string): Omit<NormalizedPhone, 'extension'> | string {
  const split = splitCountryCode(digits);
  if (!split) return 'unknown country code';
  if (split.cc === '86') {
    const nsn = split.nsn.startsWith('0') ? split.nsn.slice(1) : split.nsn; // "+86 (0)10 …" keeps the trunk 0
    return chineseNsn(nsn) ?? 'not a valid Chinese number';
  }
  const info = countryInfo(split.cc);
  // "+44 (0)20 …": a national trunk 0 written after the country code is dropped (Italy keeps it: it is part
  // of the Italian number).
  const nsn = split.cc === '39' ? split.nsn : split.nsn.replace(/^0/, '');
  if (info.nsnLengths ? !info.nsnLengths.includes(nsn.length) : nsn.length < 4 || nsn.length > 14) return `wrong length for country code +${split.cc}`;
  if (split.cc.length + nsn.length > 15) return 'longer than E.164 allows (15 digits)';
  return { e164: `+${split.cc}${nsn}`, kind: 'international', region: info.region, areaCode: null };
}

export function normalizePhone(raw: string, options: PhoneOptions = {}): PhoneResult {
  let text = (/^[\x20-\x7e]*$/.test(raw) ? raw : toHalfWidth(raw.normalize('NFKC'))).trim();
  if (!text) return { ok: false, reason: 'empty' };
  let extension: string | null = null;
  const ext = EXTENSION.exec(text);
  if (ext && ext.index > 0) {
    extension = ext[1]!;
    text = text.slice(0, ext.index);
  }
  text = text.replace(/^tel:/i, '').replace(SEPARATORS, '');
  const plus = text.startsWith('+');
  if (plus) text = text.slice(1);
  if (!/^\d+$/.test(text)) return { ok: false, reason: 'contains characters that are not digits' };

  let result: Omit<NormalizedPhone, 'extension'> | string;
  if (plus) result = international(text);
  else if (text.startsWith('00')) result = international(text.slice(2));
  else result = national(text, options);
  if (typeof result === 'string' && !plus && extension === null) {
    // "010-12345678-801": a dash-separated trailing group after a complete number is an extension.
    const dashed = /^(.*\d)[-－—](\d{1,6})$/.exec(toHalfWidth(raw).trim());
    if (dashed) {
      const again = normalizePhone(dashed[1]!, options);
      if (again.ok && again.extension === null) return { ...again, extension: dashed[2]! };
    }
  }
  if (typeof result === 'string') return { ok: false, reason: result };
  return { ok: true, ...result, extension };
}

function national(digits: string, options: PhoneOptions): Omit<NormalizedPhone, 'extension'> | string {
  for (const prefix of IP_PREFIXES) {
    if (digits.length > prefix.length + 9 && digits.startsWith(prefix)) {
      const rest = national(digits.slice(prefix.length), options);
      if (typeof rest !== 'string') return rest;
    }
  }
  // 86 + mobile or landline written without + or 00 (13 digits for a mobile).
  if (digits.startsWith('86') && digits.length >= 12) {
    const found = chineseNsn(digits.slice(2).replace(/^0/, ''));
    if (found) return found;
  }
  if (digits.startsWith('0')) return chineseNsn(digits.slice(1)) ?? 'not a valid Chinese number';
  const direct = chineseNsn(digits);
  if (direct) return direct;
  if (/^[2-9]\d{6,7}$/.test(digits)) {
    if (!options.defaultAreaCode) return 'a local number needs its area code';
    return chineseNsn(options.defaultAreaCode + digits) ?? 'not a valid number for the default area code';
  }
  return 'not a valid Chinese number';
}

/** The RFC 3966 form used as the identity value: E.164 plus `;ext=` when there is an extension. */
export function phoneIdentityValue(phone: NormalizedPhone): string {
  return phone.extension ? `${phone.e164};ext=${phone.extension}` : phone.e164;
}

/** Groups a Chinese number the way it is written at home (138 0013 8000, 010 1234 5678, 400 123 4567). */
export function formatNational(phone: NormalizedPhone): string {
  const ext = phone.extension ? ` 转 ${phone.extension}` : '';
  if (phone.region !== 'CN') return phone.e164 + ext;
  const nsn = phone.e164.slice(3);
  if (phone.kind === 'mobile') return `${nsn.slice(0, 3)} ${nsn.slice(3, 7)} ${nsn.slice(7)}${ext}`;
  if (phone.kind === 'service') return `${nsn.slice(0, 3)} ${nsn.slice(3, 6)} ${nsn.slice(6)}${ext}`;
  const area = phone.areaCode ?? '';
  const sub = nsn.slice(area.length);
  return `0${area} ${sub.slice(0, sub.length - 4)} ${sub.slice(-4)}${ext}`;
}
