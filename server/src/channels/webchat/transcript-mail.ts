// The transcript of a chat as an email: every message with its time and sender, attachments by name, in a
// plain-text part and an HTML part. Everything a person typed is escaped in the HTML part (names, messages, file
// names): the mail reader shows it as text, the way the widget does.
import type { ConversationMessage } from '../../conversations/messages.service.ts';

export interface TranscriptInput {
  /** The widget's title in the chat's language (the company's chat name). */
  title: string;
  locale: 'zh-CN' | 'en';
  /** Times are written in this zone (the widget's business-hours zone, else UTC) and the zone is named. */
  timeZone: string;
  visitorName: string;
  messages: ConversationMessage[];
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const labels = {
  'zh-CN': { subject: (t: string) => `您的对话记录 — ${t}`, intro: (n: string) => `${n}，您好！以下是您与我们的对话记录。`, system: '系统', bot: '机器人', customer: '您', attachment: '附件', times: (z: string) => `时间均为 ${z} 时间。` },
  en: { subject: (t: string) => `Your chat transcript — ${t}`, intro: (n: string) => `Hello ${n}, here is the transcript of your chat with us.`, system: 'System', bot: 'Bot', customer: 'You', attachment: 'Attachment', times: (z: string) => `Times are in ${z}.` },
} as const;

export function transcriptMail(input: TranscriptInput): { subject: string; text: string; html: string } {
  const l = labels[input.locale];
  const when = new Intl.DateTimeFormat(input.locale, { timeZone: input.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const who = (m: ConversationMessage) =>
    m.sender === 'customer' ? m.senderName || l.customer : m.sender === 'system' ? l.system : m.senderName || (m.sender === 'bot' ? l.bot : '');
  const lines = input.messages.map((m) => ({
    time: when.format(new Date(m.createdAt)),
    who: who(m),
    body: m.body,
    attachment: m.attachment ? `${l.attachment}: ${m.attachment.fileName}` : null,
  }));
  const text = [
    l.intro(input.visitorName),
    '',
    ...lines.flatMap((x) => [`[${x.time}] ${x.who}:`, ...(x.body ? [x.body] : []), ...(x.attachment ? [x.attachment] : []), '']),
    l.times(input.timeZone),
  ].join('\n');
  const html = [
    '<!doctype html><html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">',
    `<p>${escapeHtml(l.intro(input.visitorName))}</p>`,
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...lines.map(
      (x) =>
        `<tr><td style="color:#888;white-space:nowrap;vertical-align:top">${escapeHtml(x.time)}</td><td style="vertical-align:top"><b>${escapeHtml(x.who)}</b></td>` +
        `<td style="white-space:pre-wrap">${escapeHtml(x.body)}${x.attachment ? `${x.body ? '<br>' : ''}<i>${escapeHtml(x.attachment)}</i>` : ''}</td></tr>`,
    ),
    '</table>',
    `<p style="color:#888">${escapeHtml(l.times(input.timeZone))}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: l.subject(input.title), text, html };
}
