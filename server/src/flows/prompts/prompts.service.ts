// The tenant's prompt library (docs/flows.md "Prompt library"): audio an admin uploads for `play` nodes, checked by
// content and transcoded by sox (prompt-audio.ts), kept in the blob store as 8 kHz and 16 kHz WAV, listed,
// renamed, previewed, and deleted unless a published flow plays it. Every query names the tenant.
import { sql } from 'drizzle-orm';
import { requirePermission, type Actor } from '../../platform/auth/actor.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { BlobStore } from '../../platform/blob/blob-store.ts';
import type { Database } from '../../platform/db/database.ts';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.ts';
import { wavOf } from '../../speech/tts.ts';
import { iso, one, rows } from '../flows-sql.ts';
import { MAX_PROMPT_BYTES, PromptAudioError, pcmOfStoredWav, transcodePrompt, type PromptRate } from './prompt-audio.ts';

interface PromptRow {
  id: string;
  name: string;
  source_format: string;
  source_bytes: number;
  duration_ms: number;
  blob_8k: string;
  blob_16k: string;
  created_at: string;
  updated_at: string;
}

const toPrompt = (p: PromptRow) => ({
  id: p.id, name: p.name, sourceFormat: p.source_format, sourceBytes: p.source_bytes, durationMs: p.duration_ms,
  createdAt: iso(p.created_at)!, updatedAt: iso(p.updated_at)!,
});
export type PromptView = ReturnType<typeof toPrompt>;

/** A JSON path over a graph: the play nodes that reference `$id`. */
const USES_PROMPT = '$.nodes[*] ? (@.type == "play" && @.config.promptId == $id)';
/** Decoded prompts kept for calls (a menu repeated by many callers reads the blob once). */
const CACHE_ENTRIES = 64;

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

export class PromptsService {
  private readonly cache = new Map<string, Int16Array>();

  constructor(private readonly database: Database, private readonly blobs: BlobStore) {}

  async list(actor: Actor): Promise<PromptView[]> {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => (await rows<PromptRow>(tx, sql`SELECT * FROM flow_prompts WHERE tenant_id = ${actor.tenantId} ORDER BY name`)).map(toPrompt));
  }

  async get(actor: Actor, id: string): Promise<PromptView> {
    requirePermission(actor, 'flows.manage');
    const p = await this.database.withTenant(actor.tenantId, (tx) => one<PromptRow>(tx, sql`SELECT * FROM flow_prompts WHERE tenant_id = ${actor.tenantId} AND id = ${id}`));
    if (!p) throw notFound('prompt');
    return toPrompt(p);
  }

  /** Checks the bytes (type by content, then a sox decode), transcodes, stores both copies, adds the row. */
  async upload(actor: Actor, name: string, data: Buffer | undefined): Promise<PromptView> {
    requirePermission(actor, 'flows.manage');
    if (!data || data.length === 0) throw invalid('file', 'send the audio file as the request body');
    if (data.length > MAX_PROMPT_BYTES) throw new AppError('PAYLOAD_TOO_LARGE', `file: the audio file is larger than ${MAX_PROMPT_BYTES / 1024 / 1024} MB`, { field: 'file' });
    let audio;
    try {
      audio = await transcodePrompt(data);
    } catch (err) {
      if (!(err instanceof PromptAudioError)) throw err;
      throw new AppError(err.reason === 'unsupported_type' ? 'UNSUPPORTED_MEDIA_TYPE' : 'VALIDATION_FAILED', `file: ${err.message}`, { field: 'file' });
    }
    return this.database.withTenant(actor.tenantId, async (tx) => {
      if (await one(tx, sql`SELECT 1 FROM flow_prompts WHERE tenant_id = ${actor.tenantId} AND name = ${name}`)) throw conflict(`a prompt named ${name} exists`, 'name');
      const id = (await one<{ id: string }>(tx, sql`SELECT gen_random_uuid() AS id`))!.id;
      const key = (rate: PromptRate) => `flow-prompts/${actor.tenantId}/${id}-${rate / 1000}k.wav`;
      // Blobs first: a row never points at audio that is not there (an orphan blob after a failed insert is harmless).
      await this.blobs.put(key(8000), wavOf(audio.pcm[8000], 8000));
      await this.blobs.put(key(16000), wavOf(audio.pcm[16000], 16000));
      const p = await one<PromptRow>(tx, sql`INSERT INTO flow_prompts (id, tenant_id, name, source_format, source_bytes, duration_ms, blob_8k, blob_16k, created_by)
        VALUES (${id}, ${actor.tenantId}, ${name}, ${audio.format.description}, ${data.length}, ${audio.durationMs}, ${key(8000)}, ${key(16000)}, ${actor.userId})
        ON CONFLICT (tenant_id, name) DO NOTHING RETURNING *`);
      if (!p) throw conflict(`a prompt named ${name} exists`, 'name');
      await recordAudit(tx, actor, { action: 'flow_prompt.uploaded', targetType: 'flow_prompt', targetId: id, details: { name, format: audio.format.description, bytes: data.length } });
      return toPrompt(p);
    });
  }

  async rename(actor: Actor, id: string, name: string): Promise<PromptView> {
    requirePermission(actor, 'flows.manage');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const p = await one<PromptRow>(tx, sql`UPDATE flow_prompts SET name = ${name}, updated_at = clock_timestamp() WHERE tenant_id = ${actor.tenantId} AND id = ${id} RETURNING *`).catch((err: unknown) => {
        if ((err as { cause?: { code?: string } }).cause?.code === '23505') throw conflict(`a prompt named ${name} exists`, 'name');
        throw err;
      });
      if (!p) throw notFound('prompt');
      await recordAudit(tx, actor, { action: 'flow_prompt.renamed', targetType: 'flow_prompt', targetId: id, details: { name } });
      return toPrompt(p);
    });
  }

  /** Deletes a prompt no published flow plays; 409 naming the flows otherwise. */
  async remove(actor: Actor, id: string): Promise<void> {
    requirePermission(actor, 'flows.manage');
    const p = await this.database.withTenant(actor.tenantId, async (tx) => {
      // The row lock orders this against a publish that checks the prompt with FOR SHARE (flows.service.ts):
      // either the publish sees the prompt gone, or this check sees the published version.
      const p = await one<PromptRow>(tx, sql`SELECT * FROM flow_prompts WHERE tenant_id = ${actor.tenantId} AND id = ${id} FOR UPDATE`);
      if (!p) throw notFound('prompt');
      const users = await rows<{ name: string }>(tx, sql`SELECT f.name FROM flows f
        JOIN flow_versions v ON v.tenant_id = f.tenant_id AND v.flow_id = f.id AND v.version = f.published_version
        WHERE f.tenant_id = ${actor.tenantId} AND jsonb_path_exists(v.graph, ${USES_PROMPT}::jsonpath, jsonb_build_object('id', ${id}::text))
        ORDER BY f.name`);
      if (users.length) throw conflict(`the prompt is played by the published flow${users.length > 1 ? 's' : ''} ${users.map((u) => u.name).join(', ')}: publish ${users.length > 1 ? 'them' : 'it'} without the prompt first`, 'id');
      await tx.execute(sql`DELETE FROM flow_prompts WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      await recordAudit(tx, actor, { action: 'flow_prompt.deleted', targetType: 'flow_prompt', targetId: id, details: { name: p.name } });
      return p;
    });
    this.cache.delete(`${actor.tenantId}/${id}/8000`);
    this.cache.delete(`${actor.tenantId}/${id}/16000`);
    await Promise.all([this.blobs.delete(p.blob_8k), this.blobs.delete(p.blob_16k)]);
  }

  /** The stored WAV of a prompt at a rate (the browser's preview: 16 kHz). */
  async wav(actor: Actor, id: string, rate: PromptRate): Promise<Buffer> {
    requirePermission(actor, 'flows.manage');
    const p = await this.database.withTenant(actor.tenantId, (tx) => one<PromptRow>(tx, sql`SELECT * FROM flow_prompts WHERE tenant_id = ${actor.tenantId} AND id = ${id}`));
    if (!p) throw notFound('prompt');
    return readAll(await this.blobs.get(rate === 8000 ? p.blob_8k : p.blob_16k));
  }

  /** The PCM a call plays (the engine's side: no actor, the run's tenant). */
  async pcm(tenantId: string, id: string, rate: PromptRate): Promise<Int16Array> {
    const cacheKey = `${tenantId}/${id}/${rate}`;
    const hit = this.cache.get(cacheKey);
    if (hit) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit);
      return hit;
    }
    const p = await this.database.withTenant(tenantId, (tx) => one<PromptRow>(tx, sql`SELECT * FROM flow_prompts WHERE tenant_id = ${tenantId} AND id = ${id}`));
    if (!p) throw new Error(`prompt ${id} does not exist`);
    const pcm = pcmOfStoredWav(await readAll(await this.blobs.get(rate === 8000 ? p.blob_8k : p.blob_16k)));
    this.cache.set(cacheKey, pcm);
    if (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    return pcm;
  }
}
