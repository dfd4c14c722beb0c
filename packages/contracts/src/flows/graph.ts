// A flow's graph as stored, versioned and edited: nodes with a typed config and named exits (`next`: port → node
// id), a start node, and an optional error node that takes over when a node fails and has no `error` exit.
import { z } from 'zod';

export const nodeId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters, digits, _ or - (at most 64)');

export const flowNodeSchema = z.strictObject({
  id: nodeId,
  type: z.string().min(1).max(40),
  label: z.string().max(200).default(''),
  config: z.record(z.string(), z.unknown()).default({}),
  next: z.record(z.string().max(40), nodeId).default({}),
  position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
});

export const flowChannel = z.enum(['voice', 'chat']);

export const flowGraphSchema = z.strictObject({
  start: nodeId,
  onError: nodeId.optional(),
  nodes: z.array(flowNodeSchema).min(1, 'needs at least one node').max(500),
});

export type FlowNode = z.infer<typeof flowNodeSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;
export type FlowChannel = z.infer<typeof flowChannel>;

/** One problem that blocks publishing; `nodeId` and `field` point the editor at it. */
export interface FlowProblem {
  code: 'unknown_type' | 'invalid_config' | 'missing_branch' | 'unknown_target' | 'unreachable' | 'wrong_channel' | 'unknown_queue' | 'unknown_flow' | 'unknown_secret' | 'unknown_prompt' | 'no_start' | 'duplicate_id';
  nodeId?: string;
  field?: string;
  message: string;
}

/** What the engine shows in a text conversation (simulator, chat): prompts as text, buttons, and waits. */
export type FlowOutput =
  | { kind: 'say'; text: string; language: string }
  | { kind: 'play'; file?: string | undefined; promptId?: string | undefined }
  | { kind: 'text'; text: string }
  | { kind: 'buttons'; text: string; buttons: { id: string; label: string }[] };
