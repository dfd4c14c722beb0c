// Contact identities: how a customer is recognised on each channel. Values are normalized before they are
// stored or looked up, so that "138-0013-8000" and "+86 138 0013 8000" are one identity.
import { invalid } from '../platform/errors.ts';
import { normalizePhone, phoneIdentityValue, type PhoneOptions } from './phone/phone-normalize.ts';

export const identityKinds = ['phone', 'email', 'wechat_openid', 'wechat_unionid', 'visitor', 'external'] as const;
export type IdentityKind = (typeof identityKinds)[number];

export interface NormalizedIdentity {
  kind: IdentityKind;
  value: string;
  /** What duplicate detection compares: a phone without its extension, a mailbox without its +tag. */
  matchKey: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

export type IdentityResult = { ok: true; identity: NormalizedIdentity } | { ok: false; reason: string };

export function normalizeIdentity(kind: IdentityKind, raw: string, phoneOptions: PhoneOptions = {}): IdentityResult {
  const text = (/^[\x20-\x7e]*$/.test(raw) ? raw : raw.normalize('NFKC')).trim();
  if (!text) return { ok: false, reason: 'must not be empty' };
  switch (kind) {
    case 'phone': {
      const phone = normalizePhone(text, phoneOptions);
      if (!phone.ok) return { ok: false, reason: `is not a phone number (${phone.reason})` };
      return { ok: true, identity: { kind, value: phoneIdentityValue(phone), matchKey: phone.e164 } };
    }
    case 'email': {
      const value = text.toLowerCase();
      if (!EMAIL.test(value) || value.length > 254) return { ok: false, reason: 'is not an email address' };
      const [local, domain] = value.split('@') as [string, string];
      return { ok: true, identity: { kind, value, matchKey: `${local.replace(/\+.*$/, '')}@${domain}` } };
    }
    default:
      if (text.length > 200) return { ok: false, reason: 'is longer than 200 characters' };
      return { ok: true, identity: { kind, value: text, matchKey: text } };
  }
}

/** Normalizes or throws a 400 naming `field`. */
export function requireIdentity(kind: IdentityKind, raw: string, field: string): NormalizedIdentity {
  const result = normalizeIdentity(kind, raw);
  if (!result.ok) throw invalid(field, `${kind} ${result.reason}`);
  return result.identity;
}
