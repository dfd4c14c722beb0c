// Request bodies of the routing API and the shapes stored in jsonb columns (one zod schema each).
import { z } from 'zod';
import { taskChannel } from '@kefu/contracts';
import { strategyNames } from './strategies/index.ts';

const name = z.string().trim().min(1, 'must not be empty').max(120);
const level = z.number().int().min(1).max(5);

export const overflowRule = z.discriminatedUnion('action', [
  z.strictObject({ afterSeconds: z.number().int().min(1).max(86_400), action: z.literal('queue'), queueId: z.uuid() }),
  z.strictObject({ afterSeconds: z.number().int().min(1).max(86_400), action: z.literal('relax_skills'), by: z.number().int().min(1).max(4) }),
]);
export const priorityRule = z.strictObject({ attribute: z.string().min(1).max(64), equals: z.union([z.string().max(200), z.number(), z.boolean()]), boost: z.number().min(-1000).max(1000) });
export const skillRequirement = z.strictObject({ skill: z.string().min(1).max(64), minLevel: level, weight: z.number().min(0).max(100).default(1) });
export const wrapupCode = z.strictObject({ code: z.string().trim().min(1).max(40), label: z.string().trim().min(1).max(120) });
export const capacity = z.partialRecord(taskChannel, z.number().int().min(0).max(50));

const queueFields = {
  channels: z.array(taskChannel).min(1).max(8),
  strategy: z.enum(strategyNames),
  serviceLevelSeconds: z.number().int().min(1).max(3600),
  serviceLevelTarget: z.number().min(0).max(1),
  maxWaitSeconds: z.number().int().min(1).max(86_400).nullable(),
  overflow: z.array(overflowRule).max(10),
  priorityRules: z.array(priorityRule).max(20),
  agingPerMinute: z.number().min(0).max(100),
  acwSeconds: z.number().int().min(0).max(3600),
  offerTimeoutSeconds: z.number().int().min(1).max(300),
  announcements: z.strictObject({ positionEverySeconds: z.number().int().min(0).max(3600).optional(), estimatedWait: z.boolean().optional() }),
  callbacksOffered: z.boolean(),
  wrapupCodes: z.array(wrapupCode).max(100),
};

export const createQueueBody = z.strictObject({ name, divisionId: z.uuid(), ...Object.fromEntries(Object.entries(queueFields).map(([k, v]) => [k, v.optional()])) } as {
  name: typeof name;
  divisionId: z.ZodUUID;
} & { [K in keyof typeof queueFields]: z.ZodOptional<(typeof queueFields)[K]> });
export const updateQueueBody = createQueueBody.omit({ divisionId: true }).partial();
export type CreateQueueInput = z.infer<typeof createQueueBody>;
export type UpdateQueueInput = z.infer<typeof updateQueueBody>;

export const membershipBody = z.strictObject({ skillLevel: level.optional(), priority: z.number().int().min(1).max(9).optional() });
export const agentProfileBody = z.strictObject({
  capacity: capacity.optional(),
  callBlocksChats: z.boolean().optional(),
  skills: z.record(z.string().min(1).max(64), level).optional(),
});
export const stateBody = z.strictObject({ state: z.enum(['offline', 'available', 'away']).optional(), awayReasonId: z.uuid().nullable().optional() });
export const skillBody = z.strictObject({ name: z.string().trim().min(1).max(64), description: z.string().max(500).optional() });
export const skillPatchBody = skillBody.partial();
export const awayReasonBody = z.strictObject({ name, paid: z.boolean().optional() });
export const awayReasonPatchBody = awayReasonBody.partial();

export const enqueueBody = z.strictObject({
  queueId: z.uuid(),
  channel: taskChannel,
  priority: z.number().int().min(-1000).max(1000).optional(),
  attributes: z.record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
  requiredSkills: z.array(skillRequirement).max(10).optional(),
  previousAgentId: z.uuid().nullable().optional(),
  contactId: z.uuid().nullable().optional(),
  externalRef: z.string().max(200).nullable().optional(),
});
export type EnqueueInput = z.input<typeof enqueueBody> & { callbackNumber?: string | null; enqueuedAt?: Date };
export const callbackBody = z.strictObject({ number: z.string().regex(/^\+?[0-9]{3,20}$/, 'must be a phone number').optional() });
export const cancelBody = z.strictObject({ reason: z.enum(['abandoned', 'cancelled']).optional() });
