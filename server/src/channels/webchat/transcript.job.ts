// Transcript by email, as a durable job (platform jobs: stored in PostgreSQL, retried with backoff, shared by
// nodes). The chat has ended before the job exists, so a mail server that is down never holds up or loses the
// chat; the session records the outcome (queued with the last error while retrying, sent, or failed with the
// reason) for the agent and the admin to see.
import { sql } from 'drizzle-orm';
import type { MessagesService } from '../../conversations/messages.service.ts';
import type { Database } from '../../platform/db/database.ts';
import { enqueueJob, type JobHandler } from '../../platform/jobs/job-runner.ts';
import { MailError, sendMail, type MailSenderOptions } from '../../platform/mail/mail-sender.ts';
import type { MailSettingsService } from '../../platform/mail/mail-settings.service.ts';
import type { ChatSessions } from './chat-sessions.ts';
import { transcriptMail } from './transcript-mail.ts';
import type { WidgetsService } from './widgets.service.ts';

export const TRANSCRIPT_JOB = 'webchat.transcript';
export interface TranscriptJobPayload {
  interactionId: string;
}

/** Takes a requested transcript (requested → queued) and stores its job in the same transaction. */
export async function enqueueTranscript(database: Database, tenantId: string, interactionId: string, maxAttempts = 6): Promise<boolean> {
  return database.withSystem(async (tx) => {
    const claimed = await tx.execute(sql`UPDATE webchat_sessions SET transcript_status = 'queued', transcript_error = NULL
      WHERE tenant_id = ${tenantId} AND interaction_id = ${interactionId} AND transcript_status = 'requested' AND transcript_email IS NOT NULL`);
    if ((claimed.rowCount ?? 0) !== 1) return false;
    await enqueueJob(tx, { type: TRANSCRIPT_JOB, tenantId, payload: { interactionId } satisfies TranscriptJobPayload, maxAttempts });
    return true;
  });
}

export function transcriptJobHandler(deps: {
  sessions: ChatSessions;
  messages: MessagesService;
  widgets: WidgetsService;
  mail: MailSettingsService;
  sender?: MailSenderOptions;
}): JobHandler<TranscriptJobPayload> {
  return async (job) => {
    const tenantId = job.tenantId!;
    const { interactionId } = job.payload;
    const session = await deps.sessions.get(tenantId, interactionId);
    if (!session?.transcriptEmail || session.transcriptStatus === 'sent') return;
    const smtp = await deps.mail.forSending(tenantId);
    if (!smtp) {
      await deps.sessions.transcriptOutcome(tenantId, interactionId, 'failed', 'email is not set up or is turned off');
      return;
    }
    const widget = await deps.widgets.byPublicId(session.widgetId);
    const locale = session.locale === 'en' ? 'en' : 'zh-CN';
    const mail = transcriptMail({
      title: widget?.settings.title[locale] || widget?.name || 'Kefu',
      locale,
      timeZone: widget?.settings.businessHours?.timezone ?? 'UTC',
      visitorName: session.visitorName,
      messages: await deps.messages.after(tenantId, interactionId, 0, 10_000),
    });
    try {
      await sendMail(smtp, { to: session.transcriptEmail, ...mail, headers: { 'X-Kefu-Interaction': interactionId } }, deps.sender);
      await deps.sessions.transcriptOutcome(tenantId, interactionId, 'sent', null);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // A 5xx answer (recipient refused, login refused) will not change on retry; anything else may.
      const final = job.attempt >= job.maxAttempts || (err instanceof MailError && err.permanent);
      await deps.sessions.transcriptOutcome(tenantId, interactionId, final ? 'failed' : 'queued', message);
      if (final && err instanceof MailError && err.permanent) return;
      throw err;
    }
  };
}
