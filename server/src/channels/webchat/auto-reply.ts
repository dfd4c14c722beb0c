// Auto-replies after silence: a visitor whose last message has had no answer (from the agent, the bot or the
// system) for the widget's `autoReply.afterSeconds`, while the chat waits in the queue or is with an agent, gets
// the widget's text once for that message. A sweep finds them in the database, so it works whichever node holds
// the visitor's socket; the session's `auto_replied_seq` is claimed with a conditional UPDATE before the reply is
// written, so two nodes sweeping at once reply once.
import { sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.ts';
import { widgetSettings } from './widget-settings.ts';

export interface SilentChat {
  tenantId: string;
  interactionId: string;
  seq: number;
  text: string;
}

/** Chats whose visitor has waited past the widget's auto-reply delay, claimed for this sweep. */
export async function claimSilentChats(database: Database, limit = 200): Promise<SilentChat[]> {
  const candidates = await database.withSystem((tx) =>
    tx.execute<{ tenant_id: string; interaction_id: string; seq: number; locale: string | null; settings: unknown }>(sql`
      SELECT s.tenant_id, s.interaction_id, last.seq, s.locale, w.settings
      FROM webchat_sessions s
      JOIN webchat_widgets w ON w.id = s.widget_id
      CROSS JOIN LATERAL (
        SELECT m.seq, m.sender, m.created_at FROM conversation_messages m
        WHERE m.interaction_id = s.interaction_id ORDER BY m.seq DESC LIMIT 1) last
      WHERE s.status IN ('queued', 'assigned')
        AND last.sender = 'customer' AND last.seq > s.auto_replied_seq
        -- a widget saved before auto-replies existed has no key: the default (60 s) applies
        AND coalesce(w.settings -> 'autoReply', '{}'::jsonb) <> 'null'::jsonb
        AND last.created_at < clock_timestamp() - make_interval(secs => coalesce((w.settings -> 'autoReply' ->> 'afterSeconds')::int, 60))
      LIMIT ${limit}`),
  );
  const claimed: SilentChat[] = [];
  for (const c of candidates.rows) {
    const parsed = widgetSettings.safeParse(c.settings ?? {});
    const auto = parsed.success ? parsed.data.autoReply : null;
    const text = auto ? (auto.text[c.locale === 'en' ? 'en' : 'zh-CN'] ?? Object.values(auto.text)[0]) : undefined;
    if (!text) continue;
    const won = await database.withSystem((tx) =>
      tx.execute(sql`UPDATE webchat_sessions SET auto_replied_seq = ${c.seq} WHERE interaction_id = ${c.interaction_id} AND auto_replied_seq < ${c.seq}`),
    );
    if ((won.rowCount ?? 0) === 1) claimed.push({ tenantId: c.tenant_id, interactionId: c.interaction_id, seq: Number(c.seq), text });
  }
  return claimed;
}
