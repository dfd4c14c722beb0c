// The contact as the API shows it, built from a row with its identities and company; phones and emails are
// masked unless the actor holds crm.reveal (or the caller asks for the revealed form after auditing it).
import { sql } from 'drizzle-orm';
import type { Actor } from '../platform/auth/actor.ts';
import { iso, type Row } from './crm-sql.ts';
import type { CustomValues } from './custom-fields.ts';
import type { IdentityKind } from './identities.ts';
import { maskIdentity } from './masking.ts';

export interface Identity {
  id: string;
  kind: IdentityKind;
  value: string;
  label: string;
  masked: boolean;
}

export interface Contact {
  id: string;
  divisionId: string;
  displayName: string;
  familyName: string | null;
  givenName: string | null;
  company: { id: string; name: string } | null;
  tags: string[];
  customFields: CustomValues;
  ownerId: string | null;
  vipLevel: number;
  preferredLanguage: string | null;
  identities: Identity[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Selects contacts with their company name and identities (JSON) — append WHERE/ORDER clauses. */
export const contactSelect = sql`
  SELECT c.*, c.created_at::text AS created_key, co.name AS company_name,
         COALESCE((SELECT jsonb_agg(jsonb_build_object('id', i.id, 'kind', i.kind, 'value', i.value, 'label', i.label) ORDER BY i.created_at, i.id)
                   FROM crm_identities i WHERE i.contact_id = c.id), '[]'::jsonb) AS identities
  FROM crm_contacts c LEFT JOIN crm_companies co ON co.id = c.company_id`;

export const canReveal = (actor: Actor): boolean => actor.kind === 'system' || actor.permissions.has('crm.reveal');

export function toContact(r: Row, reveal: boolean): Contact {
  const identities = (r.identities as { id: string; kind: IdentityKind; value: string; label: string }[]).map((i) => {
    const shown = reveal ? i.value : maskIdentity(i.kind, i.value);
    return { ...i, value: shown, masked: shown !== i.value };
  });
  return {
    id: r.id as string,
    divisionId: r.division_id as string,
    displayName: r.display_name as string,
    familyName: (r.family_name as string | null) ?? null,
    givenName: (r.given_name as string | null) ?? null,
    company: r.company_id ? { id: r.company_id as string, name: r.company_name as string } : null,
    tags: r.tags as string[],
    customFields: r.custom_fields as CustomValues,
    ownerId: (r.owner_id as string | null) ?? null,
    vipLevel: Number(r.vip_level),
    preferredLanguage: (r.preferred_language as string | null) ?? null,
    identities,
    version: Number(r.version),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** What fuzzy name search compares: every name part, lower-cased and NFKC-folded. */
export function searchName(parts: (string | null | undefined)[]): string {
  return parts
    .filter((p): p is string => !!p)
    .map((p) => p.normalize('NFKC').toLowerCase().trim())
    .join(' ');
}
