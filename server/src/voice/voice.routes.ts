// Voice API (docs/voice.md): provisioning (trunks, numbers, extensions, SIP domain, division policy), live
// registrations, and recordings (listed on the interaction, streamed with byte ranges, every playback audited).
import { z } from 'zod';
import { actorOf } from '../platform/http/access.ts';
import type { App } from '../platform/http/server.ts';
import { idParams } from '../platform/http/schemas.ts';
import type { CallControlService } from './call-control.service.ts';
import type { ProvisioningService } from './provisioning.service.ts';
import type { RecordingsService } from './recordings.service.ts';
import type { SipService } from './sip-service.ts';
import { parseRange } from './wav-repair.ts';

const name = z.string().trim().min(1).max(100);
const digits = z.string().regex(/^\+?[0-9*#]{2,32}$/, 'must be 2-32 digits (an optional leading +)');
const extension = z.string().regex(/^[0-9]{2,10}$/, 'must be 2-10 digits');
const sipPassword = z.string().min(8, 'must be at least 8 characters').max(64);
const host = z.string().regex(/^[A-Za-z0-9.:[\]-]{1,253}$/, 'must be a host name or IP address');
const codecs = z.array(z.enum(['PCMU', 'PCMA'])).min(1).max(2);
const divisionId = z.uuid({ message: 'must be a division id' });

const trunkFields = {
  name,
  inboundAddresses: z.array(z.string().max(50)).max(50).optional(),
  host: z.union([host, z.literal('')]).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  transport: z.enum(['udp', 'tcp']).optional(),
  username: z.string().max(100).optional(),
  password: z.string().max(200).optional(),
  codecs: codecs.optional(),
  callerId: z.string().max(32).optional(),
  enabled: z.boolean().optional(),
};

export function voiceRoutes(app: App, d: { provisioning: ProvisioningService; recordings: RecordingsService; callControl: CallControlService; sip: () => SipService | undefined }): void {
  const manage = { permission: 'voice.manage' } as const;
  const p = d.provisioning;

  app.get('/api/v1/voice/settings', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) => {
    const sip = d.sip();
    return { ...(await p.getSettings(actorOf(r))), sipPort: sip?.port ?? null };
  });
  app.put('/api/v1/voice/settings', {
    config: { access: manage },
    schema: { tags: ['voice'], body: z.strictObject({ sipDomain: host }) },
  }, async (r) => p.setSettings(actorOf(r), r.body));

  app.get('/api/v1/voice/registrations', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) =>
    d.sip()?.registrar.registrations(actorOf(r).tenantId) ?? []);

  app.get('/api/v1/voice/divisions/:id/policy', {
    config: { access: { permission: 'voice.manage', resources: { id: 'division' } } },
    schema: { tags: ['voice'], params: idParams },
  }, async (r) => p.getPolicy(actorOf(r), r.params.id));
  app.patch('/api/v1/voice/divisions/:id/policy', {
    config: { access: { permission: 'voice.manage', resources: { id: 'division' } } },
    schema: {
      tags: ['voice'], params: idParams,
      body: z.strictObject({ recording: z.enum(['always', 'on_demand', 'never']).optional(), retentionDays: z.number().int().min(1).max(3650).optional(), callerId: z.string().max(32).optional() }),
    },
  }, async (r) => p.setPolicy(actorOf(r), r.params.id, r.body));

  // Trunks
  app.get('/api/v1/voice/trunks', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) => p.listTrunks(actorOf(r)));
  app.post('/api/v1/voice/trunks', {
    config: { access: manage },
    schema: { tags: ['voice'], body: z.strictObject({ divisionId, kind: z.enum(['inbound_ip', 'register']), ...trunkFields }) },
  }, async (r, reply) => {
    const trunk = await p.createTrunk(actorOf(r), r.body);
    await d.sip()?.syncTrunks();
    return reply.status(201).send(trunk);
  });
  app.get('/api/v1/voice/trunk-registrations', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) =>
    d.sip()?.trunkStates((await p.listTrunks(actorOf(r))).map((t) => t.id)) ?? []);
  app.get('/api/v1/voice/trunks/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_trunk' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r) => p.getTrunk(actorOf(r), r.params.id));
  app.patch('/api/v1/voice/trunks/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_trunk' } } },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ ...trunkFields, name: name.optional() }) },
  }, async (r) => {
    const trunk = await p.updateTrunk(actorOf(r), r.params.id, r.body);
    await d.sip()?.syncTrunks();
    return trunk;
  });
  app.delete('/api/v1/voice/trunks/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_trunk' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r, reply) => {
    await p.deleteTrunk(actorOf(r), r.params.id);
    await d.sip()?.syncTrunks();
    return reply.status(204).send();
  });

  // Numbers
  app.get('/api/v1/voice/numbers', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) => p.listNumbers(actorOf(r)));
  app.post('/api/v1/voice/numbers', {
    config: { access: manage },
    schema: { tags: ['voice'], body: z.strictObject({ divisionId, number: digits, name: z.string().max(100).optional(), flowId: z.uuid().nullable().optional() }) },
  }, async (r, reply) => reply.status(201).send(await p.createNumber(actorOf(r), r.body)));
  app.get('/api/v1/voice/numbers/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_number' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r) => p.getNumber(actorOf(r), r.params.id));
  app.patch('/api/v1/voice/numbers/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_number' } } },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ divisionId: divisionId.optional(), name: z.string().max(100).optional(), flowId: z.uuid().nullable().optional() }) },
  }, async (r) => p.updateNumber(actorOf(r), r.params.id, r.body));
  app.delete('/api/v1/voice/numbers/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_number' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r, reply) => {
    await p.deleteNumber(actorOf(r), r.params.id);
    return reply.status(204).send();
  });

  // Extensions (the digest password is part of the answer: admins hand it to the agent's phone)
  app.get('/api/v1/voice/extensions', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) => p.listExtensions(actorOf(r)));
  app.post('/api/v1/voice/extensions', {
    config: { access: manage },
    schema: { tags: ['voice'], body: z.strictObject({ divisionId, extension, userId: z.uuid().nullable().optional(), password: sipPassword.optional(), enabled: z.boolean().optional() }) },
  }, async (r, reply) => reply.status(201).send(await p.createExtension(actorOf(r), r.body)));
  app.get('/api/v1/voice/extensions/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_extension' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r) => p.getExtension(actorOf(r), r.params.id));
  app.patch('/api/v1/voice/extensions/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_extension' } } },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ userId: z.uuid().nullable().optional(), password: sipPassword.optional(), regeneratePassword: z.boolean().optional(), enabled: z.boolean().optional() }) },
  }, async (r) => p.updateExtension(actorOf(r), r.params.id, r.body));
  app.delete('/api/v1/voice/extensions/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_extension' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r, reply) => {
    await p.deleteExtension(actorOf(r), r.params.id);
    return reply.status(204).send();
  });

  // Outbound rules
  const prefixes = z.array(z.string().regex(/^\+?[0-9]{1,20}$/, 'must be digits with an optional leading +')).max(100);
  app.get('/api/v1/voice/outbound-rules', { config: { access: manage }, schema: { tags: ['voice'] } }, async (r) => p.listRules(actorOf(r)));
  app.post('/api/v1/voice/outbound-rules', {
    config: { access: manage },
    schema: { tags: ['voice'], body: z.strictObject({ divisionId, trunkId: z.uuid(), allowedPrefixes: prefixes.optional(), deniedPrefixes: prefixes.optional(), maxCallsPerHour: z.number().int().min(1).max(100_000).optional() }) },
  }, async (r, reply) => reply.status(201).send(await p.createRule(actorOf(r), r.body)));
  app.delete('/api/v1/voice/outbound-rules/:id', {
    config: { access: { permission: 'voice.manage', resources: { id: 'voice_outbound_rule' } } }, schema: { tags: ['voice'], params: idParams },
  }, async (r, reply) => {
    await p.deleteRule(actorOf(r), r.params.id);
    return reply.status(204).send();
  });

  // Call control (the agent desktop): the call's agent or a supervisor; 409 when the call is not live here.
  const controlAccess = { permission: 'agent.desktop', resources: { id: 'interaction' } } as const;
  const agentTarget = z.strictObject({ kind: z.literal('agent'), userId: z.uuid() });
  const extensionTarget = z.strictObject({ kind: z.literal('extension'), extension });
  const numberTarget = z.strictObject({ kind: z.literal('number'), number: digits });
  const transferTarget = z.discriminatedUnion('kind', [
    agentTarget, extensionTarget, numberTarget,
    z.strictObject({ kind: z.literal('queue'), queueId: z.uuid(), priority: z.number().int().min(-1000).max(1000).optional() }),
    z.strictObject({ kind: z.literal('flow'), flowId: z.uuid() }),
  ]);
  app.get('/api/v1/interactions/:id/voice', { config: { access: controlAccess }, schema: { tags: ['voice'], params: idParams } }, async (r) =>
    d.callControl.state(actorOf(r), r.params.id));
  const actions = {
    hold: 'hold', unhold: 'unhold', mute: 'mute', unmute: 'unmute', hangup: 'hangup',
    'recording/start': 'recording.start', 'recording/stop': 'recording.stop', 'recording/pause': 'recording.pause', 'recording/resume': 'recording.resume',
  } as const;
  for (const [path, action] of Object.entries(actions)) {
    app.post(`/api/v1/interactions/:id/voice/${path}`, {
      config: { access: controlAccess }, schema: { tags: ['voice'], params: idParams, body: z.strictObject({}).optional() },
    }, async (r) => d.callControl.act(actorOf(r), r.params.id, action));
  }
  app.post('/api/v1/interactions/:id/voice/dtmf', {
    config: { access: controlAccess },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ digits: z.string().regex(/^[0-9*#A-D]{1,32}$/, 'must be 1-32 of 0-9 * # A-D') }) },
  }, async (r) => d.callControl.sendDtmf(actorOf(r), r.params.id, r.body.digits));
  app.post('/api/v1/interactions/:id/voice/transfer', {
    config: { access: controlAccess }, schema: { tags: ['voice'], params: idParams, body: z.strictObject({ target: transferTarget }) },
  }, async (r) => d.callControl.blindTransfer(actorOf(r), r.params.id, r.body.target));
  app.post('/api/v1/interactions/:id/voice/consult', {
    config: { access: controlAccess },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ target: z.discriminatedUnion('kind', [agentTarget, extensionTarget, numberTarget]) }) },
  }, async (r) => d.callControl.consult(actorOf(r), r.params.id, r.body.target));
  for (const how of ['complete', 'cancel'] as const) {
    app.post(`/api/v1/interactions/:id/voice/consult/${how}`, {
      config: { access: controlAccess }, schema: { tags: ['voice'], params: idParams, body: z.strictObject({}).optional() },
    }, async (r) => d.callControl.finishConsult(actorOf(r), r.params.id, how));
  }
  app.post('/api/v1/interactions/:id/voice/monitor', {
    config: { access: { permission: 'supervisor.console', resources: { id: 'interaction' } } },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ mode: z.enum(['listen', 'whisper', 'barge']) }) },
  }, async (r) => d.callControl.monitor(actorOf(r), r.params.id, r.body.mode));
  app.post('/api/v1/voice/calls', {
    config: { access: { permission: 'agent.desktop' } },
    schema: { tags: ['voice'], body: z.strictObject({ number: digits }) },
  }, async (r, reply) => reply.status(201).send(await d.callControl.dial(actorOf(r), r.body.number)));
  app.post('/api/v1/interactions/:id/voice/colleagues', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['voice'], params: idParams, body: z.strictObject({ extension: extension.optional(), userId: z.uuid().optional() }) },
  }, async (r) => d.callControl.addColleague(actorOf(r), r.params.id, r.body));

  // Recordings
  app.get('/api/v1/interactions/:id/recordings', {
    config: { access: { permission: 'recordings.listen', resources: { id: 'interaction' } } }, schema: { tags: ['recordings'], params: idParams },
  }, async (r) => d.recordings.listForInteraction(actorOf(r), r.params.id));
  app.get('/api/v1/recordings/:id', {
    config: { access: { permission: 'recordings.listen', resources: { id: 'recording' } } }, schema: { tags: ['recordings'], params: idParams },
  }, async (r) => {
    const { blobKey: _key, ...recording } = await d.recordings.get(actorOf(r), r.params.id);
    return recording;
  });
  app.get('/api/v1/recordings/:id/audio', {
    config: { access: { permission: 'recordings.listen', resources: { id: 'recording' } } }, schema: { tags: ['recordings'], params: idParams },
  }, async (r, reply) => {
    const header = r.headers.range;
    const opened = await d.recordings.open(actorOf(r), r.params.id, (size) => parseRange(header, size));
    reply.header('accept-ranges', 'bytes').header('cache-control', 'private, no-store');
    if (opened.range === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${opened.size}`).send();
    reply.type('audio/wav');
    if (!opened.range) return reply.header('content-length', opened.size).send(opened.stream);
    const { start, end } = opened.range;
    return reply.status(206).header('content-range', `bytes ${start}-${end}/${opened.size}`).header('content-length', end - start + 1).send(opened.stream);
  });
}
