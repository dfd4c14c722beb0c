// Which CRM contact a visitor is. A verified identity (HMAC-signed by the site) finds the contact by the site's
// user id (identity kind `external`), then by its email; an anonymous visitor by the visitor id. A visitor nobody
// knows gets a new contact carrying the visitor id (and, when verified, the user id and email), so the next chat
// from the same browser finds them. Unverified pre-chat emails are never used to find a contact: anyone can type
// someone else's address.
import type { ContactsService, IdentityInput } from '../../crm/contacts.service.ts';
import { systemActor } from '../../platform/auth/actor.ts';
import { AppError } from '../../platform/errors.ts';
import type { VerifiedIdentity } from './visitor-identity.ts';

export class ContactLinker {
  constructor(private readonly contacts: ContactsService) {}

  private async find(tenantId: string, kind: 'external' | 'email' | 'visitor', value: string): Promise<string | undefined> {
    try {
      return (await this.contacts.lookup(systemActor(tenantId), kind, value)).contact.id;
    } catch (err) {
      if (err instanceof AppError && (err.code === 'NOT_FOUND' || err.code === 'VALIDATION_FAILED')) return undefined;
      throw err;
    }
  }

  async link(tenantId: string, divisionId: string, visitorId: string, name: string, verified: VerifiedIdentity | undefined): Promise<string> {
    const actor = systemActor(tenantId);
    if (verified) {
      const known = (await this.find(tenantId, 'external', verified.userId)) ?? (verified.email ? await this.find(tenantId, 'email', verified.email) : undefined);
      if (known) return known;
    } else {
      const known = await this.find(tenantId, 'visitor', visitorId);
      if (known) return known;
    }
    const identities: IdentityInput[] = [{ kind: 'visitor', value: visitorId }];
    if (verified) {
      identities.push({ kind: 'external', value: verified.userId });
      if (verified.email) identities.push({ kind: 'email', value: verified.email });
      if (verified.phone) identities.push({ kind: 'phone', value: verified.phone });
    }
    const displayName = (verified?.name ?? name).trim() || 'Web visitor';
    try {
      return (await this.contacts.create(actor, { divisionId, displayName, identities })).id;
    } catch (err) {
      // A phone or email that is malformed or belongs to someone else: the contact still gets the visitor id.
      if (err instanceof AppError && (err.code === 'CONFLICT' || err.code === 'VALIDATION_FAILED') && identities.length > 1) {
        return (await this.contacts.create(actor, { divisionId, displayName, identities: identities.filter((i) => i.kind === 'visitor' || i.kind === 'external') })).id;
      }
      throw err;
    }
  }
}
