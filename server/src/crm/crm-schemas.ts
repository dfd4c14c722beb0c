// Request schemas of the CRM routes. Bodies are strict objects (an unknown field is a 400 naming it). Bodies of
// routes that take an id accept `{}` at the schema level and the service reports a missing field by name after
// it has found the object, so that a foreign id is a 404 before anything else.
import { z } from 'zod';
import { consentPurposes } from './consents.service.ts';
import { fieldTypes } from './custom-fields.ts';
import { identityKinds } from './identities.ts';

export const identityInput = z.strictObject({
  kind: z.enum(identityKinds),
  value: z.string().min(1).max(300),
  label: z.string().max(60).optional(),
});

const name = z.string().max(120);
const tags = z.array(z.string().max(40)).max(50);
const customFields = z.record(z.string().max(41), z.union([z.string().max(2000), z.number(), z.array(z.string().max(200)).max(50), z.null()]));

export const contactCreateBody = z.strictObject({
  divisionId: z.uuid().optional(),
  displayName: name,
  familyName: name.nullable().optional(),
  givenName: name.nullable().optional(),
  companyId: z.uuid().nullable().optional(),
  tags: tags.optional(),
  customFields: customFields.optional(),
  ownerId: z.uuid().nullable().optional(),
  vipLevel: z.number().int().min(0).max(9).optional(),
  preferredLanguage: z.string().max(20).nullable().optional(),
  identities: z.array(identityInput).max(50).optional(),
});

export const contactPatchBody = z.strictObject({
  displayName: name.optional(),
  familyName: name.nullable().optional(),
  givenName: name.nullable().optional(),
  companyId: z.uuid().nullable().optional(),
  tags: tags.optional(),
  customFields: customFields.optional(),
  ownerId: z.uuid().nullable().optional(),
  vipLevel: z.number().int().min(0).max(9).optional(),
  preferredLanguage: z.string().max(20).nullable().optional(),
  addIdentities: z.array(identityInput).max(50).optional(),
  removeIdentities: z.array(identityInput).max(50).optional(),
  version: z.number().int().optional(),
});

export const noteBody = z.strictObject({ text: z.string().max(20000).optional() });

export const consentBody = z.strictObject({
  purpose: z.enum(consentPurposes).optional(),
  granted: z.boolean().optional(),
  source: z.string().max(200).optional(),
});
export const withdrawBody = z.strictObject({ purpose: z.enum(consentPurposes).optional(), source: z.string().max(200).optional() });

export const companyCreateBody = z.strictObject({
  divisionId: z.uuid().optional(),
  name: z.string().trim().min(1, 'must not be empty').max(200),
  externalId: z.string().max(200).nullable().optional(),
  notes: z.string().max(5000).optional(),
});
export const companyPatchBody = z.strictObject({
  name: z.string().max(200).optional(),
  externalId: z.string().max(200).nullable().optional(),
  notes: z.string().max(5000).optional(),
});

export const fieldCreateBody = z.strictObject({
  divisionId: z.uuid().optional(),
  key: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'must be lowercase letters, digits and _ (starting with a letter)'),
  label: z.string().trim().min(1).max(80),
  type: z.enum(fieldTypes),
  options: z.array(z.string().max(100)).max(200).optional(),
  required: z.boolean().optional(),
});
export const fieldPatchBody = z.strictObject({
  label: z.string().trim().min(1).max(80).optional(),
  options: z.array(z.string().max(100)).max(200).optional(),
  required: z.boolean().optional(),
});

const orderItem = z.strictObject({
  sku: z.string().max(100).optional(),
  name: z.string().max(300),
  quantity: z.number().positive().max(1e9),
  unitPrice: z.string().regex(/^-?\d{1,12}(\.\d{1,4})?$/, 'must be a decimal amount'),
});
const orderFields = {
  externalId: z.string().max(200).nullable().optional(),
  status: z.string().max(40).optional(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY').optional(),
  amount: z.union([z.string().max(20), z.number()]).optional(),
  items: z.array(orderItem).max(500).optional(),
  orderedAt: z.iso.datetime({ offset: true }).optional(),
  shippedAt: z.iso.datetime({ offset: true }).nullable().optional(),
  deliveredAt: z.iso.datetime({ offset: true }).nullable().optional(),
};
export const orderCreateBody = z.strictObject({ contactId: z.uuid(), ...orderFields, status: z.string().trim().min(1).max(40), currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as CNY'), amount: z.union([z.string().max(20), z.number()]) });
export const orderPatchBody = z.strictObject(orderFields);

export const importBody = z.strictObject({
  divisionId: z.uuid().optional(),
  fileName: z.string().max(200).optional(),
  format: z.enum(['csv', 'xlsx']).optional(),
  /** The CSV text (format csv). */
  content: z.string().min(1, 'must not be empty').optional(),
  /** The workbook, base64 (format xlsx). */
  contentBase64: z.base64({ message: 'must be base64' }).optional(),
  mapping: z.record(z.string().max(200), z.string().max(60)).optional(),
  dryRun: z.boolean().optional(),
});
