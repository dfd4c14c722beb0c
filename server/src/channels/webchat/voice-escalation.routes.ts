// The agent's side of a chat's voice call: invite the visitor (`POST /api/v1/chats/:id/call`) and hang up
// (`POST /api/v1/chats/:id/call/hangup`). Only the chat's assigned agent may do either; progress arrives as
// `chat.call` on the chat's realtime topic.
import { z } from 'zod';
import { actorOf } from '../../platform/http/access.ts';
import type { App } from '../../platform/http/server.ts';
import type { VoiceEscalation } from './voice-escalation.ts';
import type { WebchatService } from './webchat.service.ts';

const chatParams = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export function voiceEscalationRoutes(app: App, d: { chats: WebchatService; voice: VoiceEscalation }): void {
  app.post('/api/v1/chats/:id/call', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams },
  }, async (r, reply) => reply.status(202).send(await d.voice.invite(await d.chats.forAgent(actorOf(r), r.params.id, true))));
  app.post('/api/v1/chats/:id/call/hangup', {
    config: { access: { permission: 'agent.desktop', resources: { id: 'interaction' } } },
    schema: { tags: ['webchat'], params: chatParams },
  }, async (r) => {
    await d.voice.agentHangup(await d.chats.forAgent(actorOf(r), r.params.id, true));
    return { ok: true };
  });
}
