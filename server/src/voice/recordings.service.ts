// Call recordings: written by the media engine to a spool file while the call lives, moved into the platform
// blob store when it ends, listed on the interaction and streamed (with byte ranges) to people who may listen.
// Every playback is audited. After a crash, spool files of unfinished recordings are repaired and kept ('partial').
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { sql, type SQL } from 'drizzle-orm';
import { canSeeDivision, requirePermission, type Actor } from '../platform/auth/actor.ts';
import { recordAudit } from '../platform/audit/audit.service.ts';
import type { BlobStore } from '../platform/blob/blob-store.ts';
import type { Database, Tx } from '../platform/db/database.ts';
import { notFound } from '../platform/errors.ts';
import { repairWavHeader } from './wav-repair.ts';

type Row = Record<string, unknown>;
const rows = async (tx: Tx, q: SQL): Promise<Row[]> => (await tx.execute(q)).rows as Row[];
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

export interface Recording {
  id: string;
  interactionId: string;
  divisionId: string;
  state: 'recording' | 'stored' | 'partial' | 'failed';
  /** `call`: the conversation (stereo, customer left); `voicemail`: the caller's message alone (mono). */
  kind: 'call' | 'voicemail';
  channels: number;
  durationMs: number | null;
  sizeBytes: number | null;
  startedAt: string;
  endedAt: string | null;
}

const toRecording = (r: Row): Recording => ({
  id: r.id as string,
  interactionId: r.interaction_id as string,
  divisionId: r.division_id as string,
  state: r.state as Recording['state'],
  kind: (r.kind as Recording['kind'] | undefined) ?? 'call',
  channels: Number(r.channels),
  durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
  sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
  startedAt: iso(r.started_at)!,
  endedAt: iso(r.ended_at),
});

/** Passes bytes [start, end] of a stream through (the blob store reads whole objects). */
function slice(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}

export class RecordingsService {
  readonly spoolDir: string;

  constructor(private readonly database: Database, private readonly blobs: BlobStore, dataDir: string) {
    this.spoolDir = path.join(dataDir, 'voice', 'spool');
  }

  /** Registers a recording that is starting; the media engine writes to the returned spool path. */
  async start(tenantId: string, divisionId: string, interactionId: string, channels = 2, kind: Recording['kind'] = 'call'): Promise<{ id: string; spoolPath: string }> {
    await fs.mkdir(this.spoolDir, { recursive: true, mode: 0o750 });
    return this.database.withTenant(tenantId, async (tx) => {
      const [row] = await rows(tx, sql`INSERT INTO voice_recordings (tenant_id, division_id, interaction_id, channels, kind)
        VALUES (${tenantId}, ${divisionId}, ${interactionId}, ${channels}, ${kind}) RETURNING id`);
      const id = row!.id as string;
      const spoolPath = path.join(this.spoolDir, `${id}.wav`);
      await tx.execute(sql`UPDATE voice_recordings SET spool_path = ${spoolPath} WHERE tenant_id = ${tenantId} AND id = ${id}`);
      return { id, spoolPath };
    });
  }

  /**
   * A recording whose media starts before its row is written (voicemail: the caller speaks right after the beep,
   * while the database may be slow): the id and spool path first, `register` in parallel with the recorder.
   */
  async prepare(): Promise<{ id: string; spoolPath: string }> {
    await fs.mkdir(this.spoolDir, { recursive: true, mode: 0o750 });
    const id = randomUUID();
    return { id, spoolPath: path.join(this.spoolDir, `${id}.wav`) };
  }

  async register(tenantId: string, divisionId: string, interactionId: string, prepared: { id: string; spoolPath: string }, channels: number, kind: Recording['kind']): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`INSERT INTO voice_recordings (id, tenant_id, division_id, interaction_id, channels, kind, spool_path)
        VALUES (${prepared.id}, ${tenantId}, ${divisionId}, ${interactionId}, ${channels}, ${kind}, ${prepared.spoolPath})`));
  }

  private blobKey(tenantId: string, id: string, at = new Date()): string {
    return `${tenantId}/recordings/${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${id}.wav`;
  }

  /** Moves a finished (or repaired) spool file into the blob store. */
  async store(tenantId: string, id: string, spoolPath: string, state: 'stored' | 'partial', durationMs: number): Promise<void> {
    const key = this.blobKey(tenantId, id);
    const { createReadStream } = await import('node:fs');
    const info = await this.blobs.put(key, createReadStream(spoolPath));
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE voice_recordings SET state = ${state}, blob_key = ${key}, size_bytes = ${info.size}, sha256 = ${info.sha256},
        duration_ms = ${durationMs}, ended_at = coalesce(ended_at, clock_timestamp()), spool_path = NULL
        WHERE tenant_id = ${tenantId} AND id = ${id}`),
    );
    await fs.rm(spoolPath, { force: true });
  }

  async fail(tenantId: string, id: string): Promise<void> {
    await this.database.withTenant(tenantId, (tx) =>
      tx.execute(sql`UPDATE voice_recordings SET state = 'failed', ended_at = clock_timestamp() WHERE tenant_id = ${tenantId} AND id = ${id}`));
  }

  /**
   * Crash safety (system path): recordings still marked 'recording' belong to calls that died with the process.
   * Their spool files are repaired and stored as 'partial'; a missing or unreadable spool marks them 'failed'.
   */
  async recover(): Promise<{ partial: number; failed: number }> {
    const open = await this.database.withSystem((tx) => rows(tx, sql`SELECT id, tenant_id, spool_path FROM voice_recordings WHERE state = 'recording'`));
    let partial = 0;
    let failed = 0;
    for (const r of open) {
      const tenantId = r.tenant_id as string;
      const id = r.id as string;
      const spool = r.spool_path as string | null;
      const repaired = spool ? await repairWavHeader(spool).catch(() => undefined) : undefined;
      if (spool && repaired) {
        await this.store(tenantId, id, spool, 'partial', repaired.durationMs);
        partial++;
      } else {
        await this.fail(tenantId, id);
        failed++;
      }
    }
    return { partial, failed };
  }

  /**
   * Retention (system path): deletes recordings older than their division's `retentionDays` (default 90), blob
   * first, then the row. Returns how many went. Runs at start and every hour.
   */
  async purgeExpired(now = new Date()): Promise<number> {
    const expired = await this.database.withSystem((tx) =>
      rows(tx, sql`SELECT r.id, r.tenant_id, r.blob_key FROM voice_recordings r
        LEFT JOIN voice_division_settings s ON s.division_id = r.division_id
        WHERE r.state IN ('stored', 'partial', 'failed')
          AND r.started_at < ${now.toISOString()}::timestamptz - make_interval(days => coalesce(s.retention_days, 90))
        LIMIT 1000`));
    for (const r of expired) {
      if (r.blob_key) await this.blobs.delete(r.blob_key as string);
      await this.database.withTenant(r.tenant_id as string, (tx) =>
        tx.execute(sql`DELETE FROM voice_recordings WHERE tenant_id = ${r.tenant_id as string} AND id = ${r.id as string}`));
    }
    return expired.length;
  }

  private async visibleInteraction(tx: Tx, actor: Actor, interactionId: string): Promise<void> {
    const [i] = await rows(tx, sql`SELECT division_id FROM interactions WHERE tenant_id = ${actor.tenantId} AND id = ${interactionId}`);
    if (!i || !canSeeDivision(actor, i.division_id as string)) throw notFound('interaction');
  }

  async listForInteraction(actor: Actor, interactionId: string): Promise<Recording[]> {
    requirePermission(actor, 'recordings.listen');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      await this.visibleInteraction(tx, actor, interactionId);
      const list = await rows(tx, sql`SELECT * FROM voice_recordings WHERE tenant_id = ${actor.tenantId} AND interaction_id = ${interactionId} ORDER BY started_at, id`);
      return list.map(toRecording);
    });
  }

  async get(actor: Actor, id: string): Promise<Recording & { blobKey: string | null }> {
    requirePermission(actor, 'recordings.listen');
    return this.database.withTenant(actor.tenantId, async (tx) => {
      const [r] = await rows(tx, sql`SELECT * FROM voice_recordings WHERE tenant_id = ${actor.tenantId} AND id = ${id}`);
      if (!r || !canSeeDivision(actor, r.division_id as string)) throw notFound('recording');
      return { ...toRecording(r), blobKey: (r.blob_key as string | null) ?? null };
    });
  }

  /** Opens a stored recording for playback (whole, or bytes start..end) and audits the access. */
  async open(actor: Actor, id: string, range: (size: number) => { start: number; end: number } | 'unsatisfiable' | undefined):
    Promise<{ size: number; range: { start: number; end: number } | 'unsatisfiable' | undefined; stream: Readable | undefined }> {
    const rec = await this.get(actor, id);
    const stat = rec.blobKey ? await this.blobs.stat(rec.blobKey) : undefined;
    if (!rec.blobKey || !stat) throw notFound('recording audio');
    const r = range(stat.size);
    await this.database.withTenant(actor.tenantId, (tx) =>
      recordAudit(tx, actor, {
        action: 'recording.played',
        targetType: 'recording',
        targetId: id,
        details: { interactionId: rec.interactionId, range: r && r !== 'unsatisfiable' ? `${r.start}-${r.end}` : null },
      }),
    );
    if (r === 'unsatisfiable') return { size: stat.size, range: r, stream: undefined };
    const whole = await this.blobs.get(rec.blobKey);
    return { size: stat.size, range: r, stream: r ? whole.pipe(slice(r.start, r.end)) : whole };
  }
}
