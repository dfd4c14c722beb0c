// The prompt library's API and the HTTP node's allow-list (docs/flows.md): upload (the audio file as the raw
// request body, whatever its Content-Type: the type is read from the bytes), list, rename, delete, the audio
// for the browser's preview, and the tenant's HTTP allow-list. All need flows.manage.
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/access.ts';
import type { App } from '../../platform/http/server.ts';
import { idParams } from '../../platform/http/schemas.ts';
import { AppError } from '../../platform/errors.ts';
import type { HttpAllowListService } from '../http-allowlist.service.ts';
import { MAX_PROMPT_BYTES } from './prompt-audio.ts';
import type { PromptsService } from './prompts.service.ts';

const tags = ['flows'];
const promptName = z.string().trim().min(1, 'must not be empty').max(200);
const manage = { permission: 'flows.manage' } as const;
const onPrompt = { permission: 'flows.manage', resources: { id: 'flow_prompt' } } as const;
const tooLarge = () => new AppError('PAYLOAD_TOO_LARGE', `file: the audio file is larger than ${MAX_PROMPT_BYTES / 1024 / 1024} MB`, { field: 'file' });

export function promptRoutes(app: App, d: { prompts: PromptsService; allowList: HttpAllowListService }): void {
  app.get('/api/v1/flow-prompts', { config: { access: manage }, schema: { tags, summary: 'The tenant’s prompt library' } }, async (r) => d.prompts.list(actorOf(r)));
  app.get('/api/v1/flow-prompts/:id', { config: { access: onPrompt }, schema: { tags, params: idParams } }, async (r) => d.prompts.get(actorOf(r), r.params.id));
  app.patch('/api/v1/flow-prompts/:id', {
    config: { access: onPrompt },
    schema: { tags, summary: 'Rename a prompt', params: idParams, body: z.strictObject({ name: promptName }) },
  }, async (r) => d.prompts.rename(actorOf(r), r.params.id, r.body.name));
  app.delete('/api/v1/flow-prompts/:id', { config: { access: onPrompt }, schema: { tags, summary: 'Delete a prompt no published flow plays (409 otherwise)', params: idParams } }, async (r, reply) => {
    await d.prompts.remove(actorOf(r), r.params.id);
    return reply.status(204).send();
  });
  app.get('/api/v1/flow-prompts/:id/audio', {
    config: { access: onPrompt },
    schema: { tags, summary: 'The prompt as 16-bit mono WAV (16 kHz: browser and WebRTC; 8 kHz: what calls hear)', params: idParams, querystring: z.object({ rate: z.coerce.number().pipe(z.union([z.literal(8000), z.literal(16000)])).default(16000) }) },
  }, async (r, reply) => reply.type('audio/wav').header('cache-control', 'private, max-age=300').header('x-content-type-options', 'nosniff').send(await d.prompts.wav(actorOf(r), r.params.id, r.query.rate)));

  // Upload: the raw body is read here, counted as it arrives, and refused past the limit with a 413 naming `file`.
  void app.register(async (plain) => {
    const scope = plain.withTypeProvider<ZodTypeProvider>();
    const raw = (request: { headers: Record<string, unknown> }, payload: NodeJS.ReadableStream, done: (err: Error | null, body?: Buffer) => void) => {
      if (Number(request.headers['content-length'] ?? 0) > MAX_PROMPT_BYTES) return done(tooLarge());
      // Without a Content-Length (chunked), the answer goes out as soon as the limit is passed; the rest of the
      // body is read and dropped by Node, never kept.
      const chunks: Buffer[] = [];
      let size = 0;
      let finished = false;
      const finish = (err: Error | null, body?: Buffer) => {
        if (finished) return;
        finished = true;
        done(err, body);
      };
      payload.on('data', (c: Buffer) => {
        if (finished) return;
        size += c.length;
        if (size > MAX_PROMPT_BYTES) {
          chunks.length = 0;
          finish(tooLarge());
        } else chunks.push(c);
      });
      payload.on('end', () => finish(null, Buffer.concat(chunks)));
      payload.on('error', (err: Error) => finish(err));
    };
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', raw);
    scope.addContentTypeParser(['application/json', 'text/plain'], raw);
    scope.post('/api/v1/flow-prompts', {
      config: { access: manage },
      schema: { tags, summary: 'Upload a prompt: WAV (PCM, A-law, µ-law; any rate) or MP3 as the raw body', querystring: z.object({ name: promptName }) },
    }, async (request, reply) => reply.status(201).send(await d.prompts.upload(actorOf(request), request.query.name, Buffer.isBuffer(request.body) ? request.body : undefined)));
  });

  // The HTTP node's allow-list of internal destinations.
  app.get('/api/v1/flow-settings/http-allowlist', { config: { access: manage }, schema: { tags } }, async (r) => d.allowList.get(actorOf(r)));
  app.put('/api/v1/flow-settings/http-allowlist', {
    config: { access: manage },
    schema: { tags, summary: 'Hosts (crm.corp.example, *.corp.example) and CIDRs (10.20.0.0/16) the HTTP node may reach', body: z.strictObject({ entries: z.array(z.string().max(253)).max(100) }) },
  }, async (r) => d.allowList.put(actorOf(r), r.body));
}
