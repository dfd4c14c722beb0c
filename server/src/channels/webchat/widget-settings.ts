// A widget's settings as the admin console edits them (colours, texts per language, pre-chat form, business
// hours), with defaults, and the business-hours check that decides between live chat and leave-a-message.
import { z } from 'zod';

const locale = z.enum(['zh-CN', 'en']);
const hhmm = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM');
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const businessHours = z.strictObject({
  timezone: z.string().min(1).max(64).refine((tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Asia/Shanghai'),
  /** Open intervals per weekday, e.g. { mon: [["09:00", "18:00"]] }; a day without intervals is closed. */
  days: z.partialRecord(z.enum(weekdays), z.array(z.tuple([hhmm, hhmm])).max(4)),
});
export type BusinessHours = z.infer<typeof businessHours>;

export const widgetSettings = z.strictObject({
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour like #1677ff').default('#1677ff'),
  position: z.enum(['right', 'left']).default('right'),
  title: z.partialRecord(locale, z.string().trim().max(60)).default({ 'zh-CN': '在线客服', en: 'Chat with us' }),
  greeting: z.partialRecord(locale, z.string().trim().max(500)).default({ 'zh-CN': '您好！有什么可以帮您？', en: 'Hello! How can we help?' }),
  languages: z.array(locale).min(1).max(2).default(['zh-CN', 'en']),
  prechat: z
    .array(z.strictObject({ field: z.enum(['name', 'email', 'phone', 'question']), required: z.boolean() }))
    .max(4)
    .default([
      { field: 'name', required: true },
      { field: 'question', required: false },
    ]),
  businessHours: businessHours.nullable().default(null),
  /** A chat flow (bot greeting, buttons, collected fields) run before the hand-off, when the flows module has one. */
  chatFlowId: z.uuid().nullable().default(null),
  /** Who may turn an accepted chat into a voice call with its agent: nobody, the agent, or the agent and the visitor. */
  voiceCall: z.enum(['off', 'agent', 'agent_and_visitor']).default('agent'),
  /** Also offline (leave a message) when nobody in the widget's queue is staffed (available, busy or in wrap-up). */
  offlineWhenNoAgents: z.boolean().default(false),
  /**
   * Auto-reply after silence: when the visitor's last message has had no answer (agent, bot or system) for
   * `afterSeconds` while the chat waits or is with an agent, this text is posted once for that message.
   */
  autoReply: z
    .strictObject({ afterSeconds: z.number().int().min(5).max(3600), text: z.partialRecord(locale, z.string().trim().min(1).max(500)) })
    .nullable()
    .default({ afterSeconds: 60, text: { 'zh-CN': '感谢您的耐心等待，客服会尽快回复您。', en: 'Thanks for waiting — an agent will reply as soon as possible.' } }),
});
export type WidgetSettings = z.infer<typeof widgetSettings>;

/** Whether `at` falls in the open hours (no hours configured: always open). */
export function isOpen(hours: BusinessHours | null, at: Date): boolean {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = get('weekday').toLowerCase().slice(0, 3) as (typeof weekdays)[number];
  const now = `${get('hour')}:${get('minute')}`;
  return (hours.days[day] ?? []).some(([from, to]) => from <= now && now < to);
}

/** An exact web origin (scheme://host[:port], no path), as browsers send it in Origin and postMessage. */
export const exactOrigin = z.string().max(300).refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://www.example.com (scheme, host and port only)');
