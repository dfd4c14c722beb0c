// Flow node specs (docs/flows.md): one zod schema per node type for its `config`, and the ports (named exits) a
// node of that config has. The server validates and runs flows with these; the editor generates its inspector
// forms from the same schemas, so a field is described once.
import { z } from 'zod';

/** Spoken languages of prompts and recognizers (TTS voices: cmn-latn-pinyin, en-us, yue). */
export const speechLanguage = z.enum(['zh', 'en', 'yue']);
export type SpeechLanguage = z.infer<typeof speechLanguage>;

/** Text spoken with TTS; `{{variable}}` is replaced at run time. `auto` splits mixed zh/en text by script. */
export const promptSchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty').max(2000),
  language: z.enum(['auto', 'zh', 'en', 'yue']).default('auto'),
});
export type Prompt = z.infer<typeof promptSchema>;

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]{0,63}$/, 'must be a variable name (letters, digits, _ and .)');
const digit = z.string().regex(/^[0-9*#]$/, 'must be one key: 0-9, * or #');
const ms = (def: number, max = 600_000) => z.number().int().min(100).max(max).default(def);
const portId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be letters, digits, _ or - (at most 40)');

export const nodeConfigs = {
  // Voice
  // A prompt of the tenant's library (`promptId`, uploaded in the admin console), or — as before the library —
  // a WAV file an operator put in the tenant's prompt directory (`file`). Exactly one of the two.
  play: z.strictObject({
    promptId: z.uuid('must be a prompt of the library').optional(),
    file: z.string().regex(/^[A-Za-z0-9_.-]{1,100}\.wav$/, 'must be a prompt file name ending in .wav').optional(),
  }).refine((c) => (c.promptId === undefined) !== (c.file === undefined), { message: 'choose a prompt from the library', path: ['promptId'] }),
  say: z.strictObject({ prompt: promptSchema }),
  menu: z.strictObject({
    prompt: promptSchema,
    options: z.array(z.strictObject({ digit, label: z.string().max(100).default('') })).min(1, 'needs at least one option').max(12),
    timeoutMs: ms(5000, 60_000),
    retries: z.number().int().min(0).max(5).default(2),
    invalidPrompt: promptSchema.optional(),
    variable: variableName.optional(),
  }),
  collect_digits: z.strictObject({
    prompt: promptSchema,
    variable: variableName,
    minLength: z.number().int().min(1).max(32).default(1),
    maxLength: z.number().int().min(1).max(32).default(10),
    terminator: z.enum(['#', '*', 'none']).default('#'),
    /** A regular expression the digits must match (e.g. an 18-digit ID: ^\d{17}[\dX]$ with * as X). */
    pattern: z.string().max(200).optional(),
    timeoutMs: ms(5000, 60_000),
    retries: z.number().int().min(0).max(5).default(2),
    invalidPrompt: promptSchema.optional(),
  }),
  ask: z.strictObject({
    prompt: promptSchema,
    choices: z.array(z.strictObject({ value: portId, phrases: z.array(z.string().trim().min(1).max(100)).min(1).max(20) })).min(1).max(20),
    variable: variableName.optional(),
    listenMs: ms(5000, 30_000),
    retries: z.number().int().min(0).max(5).default(1),
  }),
  http_request: z.strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: z.string().regex(/^https?:\/\/\S+$/, 'must be an http(s) URL').max(2000),
    /** Header values may reference tenant secrets as {{secret.NAME}}; secrets are never stored in the flow. */
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name'), z.string().max(2000)).default({}),
    body: z.string().max(20_000).optional(),
    timeoutMs: ms(3000, 30_000),
    retries: z.number().int().min(0).max(3).default(0),
    /** JSON → variables: `path` is a dotted path into the response body (e.g. `order.status`, `items.0.name`). */
    assign: z.array(z.strictObject({ variable: variableName, path: z.string().max(200) })).max(30).default([]),
    statusVariable: variableName.optional(),
  }),
  switch: z.strictObject({
    cases: z.array(z.strictObject({
      port: portId,
      variable: variableName,
      op: z.enum(['eq', 'ne', 'gt', 'lt', 'contains', 'matches', 'empty', 'not_empty']),
      value: z.string().max(500).default(''),
    })).min(1).max(30),
  }),
  set_variable: z.strictObject({ assignments: z.array(z.strictObject({ variable: variableName, value: z.string().max(2000) })).min(1).max(30) }),
  business_hours: z.strictObject({
    timezone: z.string().min(1).max(64).default('Asia/Shanghai'),
    /** Opening hours per weekday (0 = Sunday … 6 = Saturday) as [from, to] pairs "HH:MM". */
    weekly: z.array(z.strictObject({
      day: z.number().int().min(0).max(6),
      from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM'),
      to: z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, 'must be HH:MM'),
    })).max(50),
    holidays: z.array(z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD'), name: z.string().max(100).default('') })).max(400).default([]),
  }),
  language_select: z.strictObject({
    prompt: promptSchema,
    options: z.array(z.strictObject({ digit, language: speechLanguage })).min(1).max(9),
    timeoutMs: ms(5000, 60_000),
    default: speechLanguage.default('zh'),
  }),
  queue: z.strictObject({
    queueId: z.uuid('must be a queue id'),
    priority: z.number().int().min(0).max(100).default(0),
    skills: z.array(z.strictObject({ skill: z.string().min(1).max(64), minLevel: z.number().int().min(1).max(5).default(1) })).max(10).default([]),
    maxWaitSeconds: z.number().int().min(10).max(86_400).optional(),
    /** Tell the waiting caller their place in line and the estimated wait (routing's figures), between music. */
    announcePosition: z.boolean().default(false),
    /** Offer a callback with the announcements (from `callbackAfterSeconds` of waiting on): the key ends the wait. */
    offerCallback: z.boolean().default(false),
    /** Seconds of music between announcements (and before the first one). */
    announceEverySeconds: z.number().int().min(5).max(600).default(30),
    callbackAfterSeconds: z.number().int().min(0).max(3600).default(0),
    callbackDigit: digit.default('1'),
    /** What the caller hears while waiting: the music on hold, or ringback as if the phone still rang. */
    music: z.enum(['hold', 'ringback']).default('hold'),
  }),
  transfer: z.strictObject({
    target: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('number'), number: z.string().regex(/^\+?[0-9*#]{2,32}$/, 'must be a phone number') }),
      z.strictObject({ kind: z.literal('agent'), userId: z.uuid() }),
      z.strictObject({ kind: z.literal('extension'), extension: z.string().regex(/^[0-9]{2,10}$/) }),
      z.strictObject({ kind: z.literal('flow'), flowId: z.uuid() }),
    ]),
  }),
  voicemail: z.strictObject({ greeting: promptSchema.optional(), maxSeconds: z.number().int().min(5).max(600).default(120) }),
  /** A callback request: said back to the caller, then a callback task in the queue; the call ends. */
  callback: z.strictObject({
    queueId: z.uuid('must be a queue id'),
    /** The variable holding the number to call (e.g. from collect digits); empty or unset = the caller's number. */
    numberVariable: variableName.optional(),
    prompt: promptSchema.optional(),
  }),
  sub_flow: z.strictObject({ flowId: z.uuid('must be a flow id') }),
  hangup: z.strictObject({ prompt: promptSchema.optional() }),
  return: z.strictObject({}),
  // Chat
  message: z.strictObject({ text: z.string().trim().min(1).max(4000) }),
  buttons: z.strictObject({
    text: z.string().trim().min(1).max(4000),
    buttons: z.array(z.strictObject({ id: portId, label: z.string().trim().min(1).max(60) })).min(1).max(10),
    variable: variableName.optional(),
  }),
  collect: z.strictObject({
    text: z.string().trim().min(1).max(4000),
    variable: variableName,
    pattern: z.string().max(200).optional(),
    retries: z.number().int().min(0).max(5).default(2),
    invalidText: z.string().max(4000).optional(),
  }),
  /** Self-service from the public knowledge base: the best articles for the customer's words, with links. */
  kb_answer: z.strictObject({
    query: z.string().trim().min(1).max(500).default('{{last_input}}'),
    language: z.enum(['zh-CN', 'en']).optional(),
    maxResults: z.number().int().min(1).max(3).default(1),
    intro: z.string().max(500).optional(),
  }),
  hand_off: z.strictObject({ queueId: z.uuid('must be a queue id'), text: z.string().max(4000).optional(), priority: z.number().int().min(0).max(100).default(0) }),
  // Surveys (both channels)
  /**
   * Post-contact survey hand-off: placed before the queue, it marks the interaction so that when the agent ends the
   * conversation the customer is handed to `surveyFlowId` (a published flow of the same channel) instead of being
   * dropped. `sampleRate`: the percentage of interactions that are offered the survey.
   */
  survey: z.strictObject({
    surveyFlowId: z.uuid('must be a survey flow id'),
    sampleRate: z.number().int().min(0).max(100).default(100),
  }),
  /**
   * Stores one survey answer of the interaction: a score on a scale (from a menu, collected digits or a button
   * variable), and/or a choice and a comment. `question` is the stable key reports aggregate by.
   */
  survey_answer: z.strictObject({
    question: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'must be a lower-case key: letters, digits and _ (at most 40)'),
    /** The question as people read it in reports (e.g. 本次服务满意度 / overall satisfaction). */
    text: z.string().max(500).default(''),
    /** A template giving the score, e.g. {{last_input}} or {{rating}}; empty = no score (a choice or comment only). */
    score: z.string().max(200).default('{{last_input}}'),
    scaleMin: z.number().int().min(0).max(10).default(1),
    scaleMax: z.number().int().min(1).max(100).default(5),
    choice: z.string().max(200).optional(),
    comment: z.string().max(200).optional(),
  }).refine((c) => c.scaleMax > c.scaleMin, { message: 'scaleMax must be above scaleMin', path: ['scaleMax'] }),
} as const;

export type NodeType = keyof typeof nodeConfigs;
export const nodeTypes = Object.keys(nodeConfigs) as NodeType[];
export type NodeConfig<T extends NodeType> = z.output<(typeof nodeConfigs)[T]>;

export interface NodeSpecInfo<T extends NodeType> {
  channels: readonly ('voice' | 'chat')[];
  /** Ends the flow (hands the call or chat on); such nodes have only their optional ports. */
  terminal: boolean;
  /** The node's exits for a config: required ones must be connected before publishing. */
  ports(config: NodeConfig<T>): { required: string[]; optional: string[] };
  label: { en: string; zh: string };
}

const both = ['voice', 'chat'] as const;
const voice = ['voice'] as const;
const chat = ['chat'] as const;
const next = () => ({ required: ['next'], optional: [] as string[] });

/** Every node also has the optional `error` port (not listed): unconnected, the flow's error node takes over. */
export const nodeSpecs: { [T in NodeType]: NodeSpecInfo<T> } = {
  play: { channels: voice, terminal: false, ports: next, label: { en: 'Play file', zh: '播放录音' } },
  say: { channels: voice, terminal: false, ports: next, label: { en: 'Say', zh: '语音播报' } },
  menu: {
    channels: voice, terminal: false, label: { en: 'Menu', zh: '按键菜单' },
    ports: (c) => ({ required: c.options.map((o) => `key_${o.digit}`), optional: ['timeout', 'invalid'] }),
  },
  collect_digits: { channels: voice, terminal: false, label: { en: 'Collect digits', zh: '收号' }, ports: () => ({ required: ['next'], optional: ['timeout', 'invalid'] }) },
  ask: {
    channels: both, terminal: false, label: { en: 'Ask (speech)', zh: '语音识别' },
    ports: (c) => ({ required: c.choices.map((ch) => ch.value), optional: ['nomatch', 'timeout'] }),
  },
  http_request: { channels: both, terminal: false, label: { en: 'HTTP request', zh: 'HTTP 请求' }, ports: () => ({ required: ['success'], optional: ['failure', 'timeout'] }) },
  switch: { channels: both, terminal: false, label: { en: 'Condition', zh: '条件分支' }, ports: (c) => ({ required: [...new Set(c.cases.map((k) => k.port)), 'default'], optional: [] }) },
  set_variable: { channels: both, terminal: false, ports: next, label: { en: 'Set variable', zh: '设置变量' } },
  business_hours: { channels: both, terminal: false, label: { en: 'Business hours', zh: '工作时间' }, ports: () => ({ required: ['open', 'closed'], optional: ['holiday'] }) },
  language_select: { channels: voice, terminal: false, label: { en: 'Language', zh: '语言选择' }, ports: () => ({ required: ['next'], optional: [] }) },
  queue: { channels: voice, terminal: true, label: { en: 'Queue', zh: '排队' }, ports: (c) => (c.maxWaitSeconds ? { required: ['overflow'], optional: [] } : { required: [], optional: [] }) },
  transfer: { channels: voice, terminal: true, label: { en: 'Transfer', zh: '转接' }, ports: () => ({ required: [], optional: [] }) },
  voicemail: { channels: voice, terminal: true, label: { en: 'Voicemail', zh: '语音信箱' }, ports: () => ({ required: [], optional: [] }) },
  callback: { channels: voice, terminal: true, label: { en: 'Callback', zh: '预约回电' }, ports: () => ({ required: [], optional: [] }) },
  sub_flow: { channels: both, terminal: false, ports: next, label: { en: 'Sub-flow', zh: '子流程' } },
  hangup: { channels: voice, terminal: true, label: { en: 'Hang up', zh: '挂机' }, ports: () => ({ required: [], optional: [] }) },
  return: { channels: both, terminal: true, label: { en: 'Return', zh: '返回' }, ports: () => ({ required: [], optional: [] }) },
  message: { channels: chat, terminal: false, ports: next, label: { en: 'Message', zh: '消息' } },
  buttons: { channels: chat, terminal: false, label: { en: 'Buttons', zh: '按钮' }, ports: (c) => ({ required: c.buttons.map((b) => b.id), optional: ['timeout'] }) },
  collect: { channels: chat, terminal: false, label: { en: 'Collect', zh: '收集信息' }, ports: () => ({ required: ['next'], optional: ['invalid', 'timeout'] }) },
  kb_answer: { channels: chat, terminal: false, label: { en: 'KB answer', zh: '知识库答复' }, ports: () => ({ required: ['found', 'not_found'], optional: [] }) },
  hand_off: { channels: chat, terminal: true, label: { en: 'Hand off', zh: '转人工' }, ports: () => ({ required: [], optional: [] }) },
  survey: { channels: both, terminal: false, ports: next, label: { en: 'Survey hand-off', zh: '满意度调查' } },
  survey_answer: { channels: both, terminal: false, label: { en: 'Survey answer', zh: '记录评价' }, ports: () => ({ required: ['next'], optional: ['invalid'] }) },
};
