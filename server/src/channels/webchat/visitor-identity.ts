// Who a visitor is. Anonymous visitors get a random id signed with a key derived from the installation key
// (bound to tenant and widget), so a widget can keep it across reloads but nobody can claim another visitor's
// history by guessing ids. A site that knows its user signs { userId, name, email, phone } with the widget's HMAC
// secret (from the admin console); a valid signature links the visitor to that user's CRM contact.
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { safeEqual } from '../../platform/crypto/tokens.ts';

export class VisitorTokens {
  constructor(private readonly key: string) {}

  private mac(tenantId: string, widgetId: string, visitorId: string): string {
    return createHmac('sha256', this.key).update(`${tenantId}/${widgetId}/${visitorId}`).digest('base64url');
  }

  issue(tenantId: string, widgetId: string): { visitorId: string; token: string } {
    const visitorId = randomUUID();
    return { visitorId, token: `${visitorId}.${this.mac(tenantId, widgetId, visitorId)}` };
  }

  /** The visitor id of a valid token for this widget, or undefined. */
  verify(tenantId: string, widgetId: string, token: string): string | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0) return undefined;
    const visitorId = token.slice(0, dot);
    if (!z.uuid().safeParse(visitorId).success) return undefined;
    return safeEqual(token.slice(dot + 1), this.mac(tenantId, widgetId, visitorId)) ? visitorId : undefined;
  }
}

export const verifiedIdentity = z.object({
  userId: z.string().trim().min(1).max(200),
  name: z.string().trim().max(120).optional(),
  email: z.string().trim().max(254).optional(),
  phone: z.string().trim().max(40).optional(),
});
export type VerifiedIdentity = z.infer<typeof verifiedIdentity>;

/** What a site computes on its server: hex(HMAC-SHA256(secret, payload)) with payload = base64url(JSON). */
export function signIdentity(secret: string, identity: VerifiedIdentity): { payload: string; signature: string } {
  const payload = Buffer.from(JSON.stringify(identity)).toString('base64url');
  return { payload, signature: createHmac('sha256', secret).update(payload).digest('hex') };
}

export function verifyIdentity(secret: string, signed: { payload: string; signature: string }): VerifiedIdentity | undefined {
  const expected = createHmac('sha256', secret).update(signed.payload).digest('hex');
  if (!safeEqual(signed.signature, expected)) return undefined;
  try {
    const parsed = verifiedIdentity.safeParse(JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
