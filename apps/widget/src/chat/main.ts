// The chat page inside the widget iframe: launcher button with unread badge, pre-chat form (or leave-a-message
// outside business hours), the conversation with receipts, typing, queue position, images and files (pasted
// screenshots too). It talks to the embedding page only through postMessage with that page's exact origin.
import type { ChatMessage, ChatStatus, VisitorServerMessage, WidgetAppearance } from '@kefu/contracts';
import { VisitorCall, type CallUiState } from './call.ts';
import { Connection, newId } from './connection.ts';
import { clear, el } from './dom.ts';
import { pickLocale, texts, type Locale, type Texts } from './i18n.ts';
import { checkForm, offlineFields, ticketNotice, transcriptFields, transcriptOffer } from './leave-message.ts';
import './chat.css';

const params = new URLSearchParams(location.search);
const widgetId = params.get('widget') ?? '';
const embedded = window.parent !== window;
/** The embedding page's origin, read from the browser (not from the URL, which the page could choose). */
const parentOrigin = embedded ? (location.ancestorOrigins?.[0] ?? (document.referrer ? new URL(document.referrer).origin : '')) : location.origin;

const toParent = (message: Record<string, unknown>) => {
  if (embedded && parentOrigin) window.parent.postMessage({ kefu: 1, ...message }, parentOrigin);
};

let locale: Locale = pickLocale(['zh-CN', 'en'], navigator.languages);
let t: Texts = texts(locale);
let widget: WidgetAppearance | undefined;
let status: ChatStatus = 'none';
let agentName: string | null = null;
let isOpen = false;
let unread = 0;
let deliveredUpTo = 0;
let readUpTo = 0;
let context: Record<string, string> | null = null;
let queueInfo: { position: number | null; estimatedWaitSeconds: number | null } | null = null;
let connectionState: 'connecting' | 'open' | 'closed' | 'refused' = 'connecting';

const app = document.getElementById('app')!;
const launcher = el('button', { class: 'launcher', type: 'button', 'aria-label': t.open });
const badge = el('span', { class: 'badge', hidden: true });
launcher.append(el('span', { class: 'launcher-icon', 'aria-hidden': 'true', text: '💬' }), badge);
const panel = el('section', { class: 'panel', hidden: true, role: 'dialog' });
const title = el('h1', { class: 'title' });
const subtitle = el('div', { class: 'subtitle', role: 'status' });
const endButton = el('button', { class: 'end', type: 'button', hidden: true });
const closeButton = el('button', { class: 'close', type: 'button', 'aria-label': t.close, text: '×' });
const banner = el('div', { class: 'banner', hidden: true, role: 'alert' });
const log = el('ol', { class: 'log', 'aria-live': 'polite' });
// The voice call bar (invitation, ringing, on a call) and the visitor's own "voice call" button where allowed.
const callBar = el('div', { class: 'call', hidden: true, role: 'region' });
const callText = el('span', { class: 'call-text', role: 'status' });
const callAccept = el('button', { type: 'button', class: 'call-accept' });
const callDecline = el('button', { type: 'button', class: 'call-decline' });
const callHangup = el('button', { type: 'button', class: 'call-hangup' });
const callButton = el('button', { type: 'button', class: 'call-start', hidden: true });
const typingLine = el('div', { class: 'typing', hidden: true });
const form = el('form', { class: 'prechat', hidden: true });
/** The ticket number of a left message, and where the transcript of this chat goes (issue 9 follow-up). */
let ticketNumber: number | null = null;
let transcriptTo: string | null = null;
const composer = el('form', { class: 'composer', hidden: true });
const input = el('textarea', { rows: '2', maxlength: '4000' });
const fileInput = el('input', { type: 'file', hidden: true, accept: 'image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,text/plain' });
const attachButton = el('button', { type: 'button', class: 'attach', text: '📎' });
const sendButton = el('button', { type: 'submit', class: 'send' });
composer.append(fileInput, attachButton, input, sendButton);
panel.append(el('header', {}, el('div', {}, title, subtitle), callButton, endButton, closeButton), banner, callBar, log, typingLine, form, composer);
app.append(panel, launcher);

let callState: CallUiState = 'idle';
const call = new VisitorCall(
  (message) => conn.raw(message),
  (state, error) => {
    callState = state;
    if (error) showError(`${t.callFailed}${error}`);
    renderCall();
  },
);
callBar.append(callText, callAccept, callDecline, callHangup, call.speaker);

const conn = new Connection(
  { widgetId, hostOrigin: parentOrigin, identity: null, page: '', referrer: '', locale },
  {
    onState(state) {
      connectionState = state;
      renderBanner();
    },
    onMessage(message) {
      renderMessage(message);
      if (message.sender !== 'customer') {
        if (!message.deliveredAt) conn.ack(message.seq);
        if (isOpen && document.visibilityState === 'visible') conn.read(message.seq);
        else if (!message.readAt) {
          unread += 1;
          beep();
          renderLauncher();
        }
      } else {
        if (message.readAt) readUpTo = Math.max(readUpTo, message.seq);
        if (message.deliveredAt) deliveredUpTo = Math.max(deliveredUpTo, message.seq);
        renderReceipts();
      }
    },
    onServer: onServer,
  },
);

function onServer(message: VisitorServerMessage): void {
  switch (message.type) {
    case 'welcome':
      widget = message.widget;
      locale = pickLocale(widget.languages, navigator.languages);
      t = texts(locale);
      document.documentElement.lang = locale;
      document.documentElement.style.setProperty('--kefu-color', widget.color);
      if (message.conversation) {
        status = message.conversation.status;
        agentName = message.conversation.agentName;
        ticketNumber = message.conversation.ticketNumber ?? null;
      } else {
        status = 'none';
      }
      if (!message.conversation || message.conversation.interactionId !== conn.interactionId) clear(log);
      renderAll();
      return;
    case 'status':
      status = message.status;
      agentName = message.agentName;
      if (status !== 'queued') queueInfo = null;
      if (status === 'ended' && callState !== 'idle') call.hangup();
      renderAll();
      return;
    case 'ticket':
      ticketNumber = message.number;
      renderAll();
      return;
    case 'transcript':
      transcriptTo = message.email;
      renderAll();
      return;
    case 'queue':
      queueInfo = { position: message.position, estimatedWaitSeconds: message.estimatedWaitSeconds };
      renderSubtitle();
      return;
    case 'receipt':
      if (message.kind === 'read') readUpTo = Math.max(readUpTo, message.seq);
      deliveredUpTo = Math.max(deliveredUpTo, message.seq);
      renderReceipts();
      return;
    case 'typing':
      typingLine.hidden = !message.on;
      typingLine.textContent = t.typing;
      return;
    case 'error':
      call.failed();
      showError(message.message);
      return;
    case 'call':
      call.onServerState(message.state, message.reason);
      return;
    case 'call.answer':
      void call.onAnswer(message.sdp).catch(() => call.hangup());
      return;
    default:
      return;
  }
}

// Rendering

function renderAll(): void {
  title.textContent = widget?.title[locale] ?? '';
  closeButton.setAttribute('aria-label', t.close);
  endButton.textContent = t.end;
  sendButton.textContent = t.send;
  attachButton.setAttribute('aria-label', t.attach);
  attachButton.title = t.attach;
  input.placeholder = t.placeholder;
  const active = status === 'queued' || status === 'assigned' || status === 'bot' || status === 'offline';
  endButton.hidden = !(status === 'queued' || status === 'assigned' || status === 'bot');
  composer.hidden = !active;
  form.hidden = active;
  if (!active) renderForm();
  if (!log.querySelector('.greeting') && widget?.greeting[locale]) log.prepend(el('li', { class: 'msg system greeting' }, el('p', { text: widget.greeting[locale] })));
  renderSubtitle();
  renderLauncher();
  renderBanner();
  renderCall();
}

function renderCall(): void {
  callBar.hidden = callState === 'idle';
  callText.textContent = { idle: '', invited: t.callInvite, starting: t.callStarting, ringing: t.callRinging, connected: t.callConnected }[callState];
  callAccept.textContent = t.callAccept;
  callDecline.textContent = t.callDecline;
  callHangup.textContent = t.callHangup;
  callAccept.hidden = callDecline.hidden = callState !== 'invited';
  callHangup.hidden = callState !== 'ringing' && callState !== 'connected';
  callButton.textContent = `📞 ${t.voiceCall}`;
  callButton.hidden = !(widget?.voiceCall === 'agent_and_visitor' && status === 'assigned' && callState === 'idle');
}

function renderSubtitle(): void {
  const parts: string[] = [];
  if (status === 'queued') {
    parts.push(t.queued);
    if (queueInfo?.position) parts.push(t.position(queueInfo.position));
    if (queueInfo?.estimatedWaitSeconds) parts.push(t.wait(queueInfo.estimatedWaitSeconds));
  } else if (status === 'assigned' && agentName) parts.push(t.assigned(agentName));
  else if (status === 'offline') parts.push(t.offline);
  else if (status === 'ended') parts.push(t.ended);
  subtitle.textContent = parts.join(' · ');
}

function renderBanner(): void {
  if (connectionState === 'refused') {
    banner.textContent = t.refused;
    banner.hidden = false;
  } else if (connectionState === 'closed') {
    banner.textContent = t.reconnecting;
    banner.hidden = false;
  } else if (banner.dataset.error !== '1') banner.hidden = true;
}

function showError(text: string): void {
  banner.textContent = text;
  banner.dataset.error = '1';
  banner.hidden = false;
  window.setTimeout(() => {
    banner.dataset.error = '';
    renderBanner();
  }, 6000);
}

function renderLauncher(): void {
  badge.hidden = unread === 0;
  badge.textContent = String(unread);
  launcher.setAttribute('aria-label', unread ? `${t.open} (${t.unread(unread)})` : t.open);
  launcher.hidden = isOpen;
  panel.hidden = !isOpen;
  document.body.dataset.position = widget?.position ?? 'right';
  toParent({ type: 'layout', open: isOpen, position: widget?.position ?? 'right', unread });
}

function renderForm(): void {
  clear(form);
  const offline = widget && !widget.online;
  // What the last conversation left behind: the ticket number of a left message, or the transcript offer.
  if (status === 'ended' && ticketNumber) form.append(ticketNotice(t, ticketNumber));
  else if (status === 'ended' && widget?.transcript) form.append(transcriptOffer(t, transcriptTo, (email) => conn.raw({ type: 'transcript', email })));
  if (offline) {
    form.append(...offlineFields(t), el('button', { type: 'submit', class: 'primary', text: t.leaveMessage }));
    return;
  }
  for (const field of widget?.prechat ?? []) {
    const label = `${t[field.field]}${field.required ? ` (${t.required})` : ''}`;
    const control =
      field.field === 'question'
        ? el('textarea', { name: field.field, rows: '3', maxlength: '2000', required: field.required })
        : el('input', { name: field.field, type: field.field === 'email' ? 'email' : field.field === 'phone' ? 'tel' : 'text', maxlength: '120', required: field.required });
    form.append(el('label', {}, el('span', { text: label }), control));
  }
  form.append(...transcriptFields(t, widget));
  form.append(el('button', { type: 'submit', class: 'primary', text: offline ? t.leaveMessage : t.start }));
}

function receiptText(message: ChatMessage): string {
  if (message.seq <= readUpTo) return t.read;
  if (message.seq <= deliveredUpTo) return t.delivered;
  return t.sent;
}

function renderReceipts(): void {
  for (const item of log.querySelectorAll<HTMLElement>('li.customer[data-seq]')) {
    const seq = Number(item.dataset.seq);
    const receipt = item.querySelector('.receipt');
    if (receipt) receipt.textContent = receiptText({ seq } as ChatMessage);
  }
}

function attachmentNode(message: ChatMessage): Node | null {
  const a = message.attachment;
  if (!a) return null;
  const url = conn.attachmentUrl(a.id);
  if (a.contentType.startsWith('image/')) {
    return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, el('img', { src: url, alt: a.fileName, class: 'image' }));
  }
  return el('a', { href: url, download: a.fileName, class: 'file', text: `📄 ${a.fileName}` });
}

/** A chat flow's choices: a click sends the label as the visitor's answer. */
function buttonsNode(buttons: { id: string; label: string }[]): Node {
  const box = el('div', { class: 'choices' });
  for (const b of buttons) {
    const button = el('button', { type: 'button', text: b.label });
    button.addEventListener('click', () => {
      box.remove();
      renderPending(conn.send(b.label), b.label);
    });
    box.append(button);
  }
  return box;
}

function renderMessage(message: ChatMessage): void {
  if (message.clientMessageId) log.querySelector(`li[data-client-id="${CSS.escape(message.clientMessageId)}"]`)?.remove();
  if (log.querySelector(`li[data-seq="${message.seq}"]`)) return;
  const item = el(
    'li',
    { class: `msg ${message.sender}`, 'data-seq': String(message.seq) },
    message.sender === 'agent' || message.sender === 'bot' ? el('span', { class: 'who', text: message.senderName }) : null,
    message.body ? el('p', { text: message.buttons?.length ? message.body.split('\n').slice(0, -message.buttons.length).join('\n') : message.body }) : null,
    attachmentNode(message),
    message.buttons?.length ? buttonsNode(message.buttons) : null,
    message.sender === 'customer' ? el('span', { class: 'receipt', text: receiptText(message) }) : null,
  );
  // Keep sequence order even when a replay fills a gap before later messages.
  const after = [...log.querySelectorAll<HTMLElement>('li[data-seq]')].find((li) => Number(li.dataset.seq) > message.seq);
  if (after) log.insertBefore(item, after);
  else log.insertBefore(item, log.querySelector('li.pending'));
  log.scrollTop = log.scrollHeight;
}

function renderPending(clientMessageId: string, text: string): void {
  log.append(el('li', { class: 'msg customer pending', 'data-client-id': clientMessageId }, el('p', { text }), el('span', { class: 'receipt', text: t.sending })));
  log.scrollTop = log.scrollHeight;
}

let audio: AudioContext | undefined;
function beep(): void {
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    gain.gain.value = 0.05;
    osc.frequency.value = 880;
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.12);
  } catch {
    /* no audio: the badge still shows */
  }
}

// Actions

function setOpen(open: boolean): void {
  isOpen = open;
  if (open) {
    unread = 0;
    if (conn.lastSeq) conn.read(conn.lastSeq);
    window.setTimeout(() => (composer.hidden ? form.querySelector<HTMLElement>('input,textarea') : input)?.focus(), 0);
  }
  renderLauncher();
}

launcher.addEventListener('click', () => setOpen(true));
closeButton.addEventListener('click', () => setOpen(false));
endButton.addEventListener('click', () => conn.end());
callAccept.addEventListener('click', () => void call.start());
callDecline.addEventListener('click', () => call.decline());
callHangup.addEventListener('click', () => call.hangup());
callButton.addEventListener('click', () => void call.start());

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  const value = (k: string) => {
    const v = data.get(k);
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const prechat = { name: value('name'), email: value('email'), phone: value('phone'), question: value('question'), ...(data.get('transcript') === 'on' ? { transcript: true } : {}), ...(context ? { context } : {}) };
  const problem = checkForm(t, Boolean(widget && !widget.online), prechat);
  if (problem) return showError(problem);
  if (status === 'ended') clear(log);
  ticketNumber = null;
  transcriptTo = prechat.transcript ? (prechat.email ?? null) : null;
  conn.adopt(null);
  conn.start(prechat);
});

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) return;
  input.value = '';
  stopTyping();
  renderPending(conn.send(text), text);
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

let typingTimer: number | undefined;
let typingOn = false;
function stopTyping(): void {
  window.clearTimeout(typingTimer);
  if (typingOn) conn.typing(false);
  typingOn = false;
}
input.addEventListener('input', () => {
  if (!typingOn) conn.typing(true);
  typingOn = true;
  window.clearTimeout(typingTimer);
  typingTimer = window.setTimeout(stopTyping, 3000);
});

async function sendFile(file: Blob, name: string): Promise<void> {
  const clientId = newId();
  renderPending(clientId, `📎 ${name}`);
  try {
    const { id } = await conn.upload(file, name);
    log.querySelector(`li[data-client-id="${clientId}"]`)?.remove();
    renderPending(conn.send('', id), `📎 ${name}`);
  } catch (err) {
    log.querySelector(`li[data-client-id="${clientId}"]`)?.remove();
    showError(`${t.uploadFailed}${(err as Error).message}`);
  }
}
attachButton.addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  for (const file of fileInput.files ?? []) void sendFile(file, file.name);
  fileInput.value = '';
});
// Screenshots pasted from the clipboard arrive as image files without a useful name.
input.addEventListener('paste', (event) => {
  for (const item of event.clipboardData?.items ?? []) {
    if (item.kind !== 'file') continue;
    const file = item.getAsFile();
    if (!file) continue;
    event.preventDefault();
    void sendFile(file, file.name && file.name !== 'image.png' ? file.name : `screenshot-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.png`);
  }
});

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && isOpen && conn.lastSeq) conn.read(conn.lastSeq);
});

// The embedding page: `init` brings the page address and a verified identity; `open` may bring a context.
let started = false;
const startConnection = (init?: { page?: string; referrer?: string; identity?: { payload: string; signature: string } | null }) => {
  if (started) return;
  started = true;
  conn.info.page = init?.page ?? (embedded ? '' : location.href);
  conn.info.referrer = init?.referrer ?? '';
  conn.info.identity = init?.identity ?? null;
  conn.connect();
  // The browser knows the network is gone before the socket times out: drop it then and resume when it is back.
  conn.watchNetwork();
};
window.addEventListener('message', (event: MessageEvent) => {
  if (!embedded || event.source !== window.parent || event.origin !== parentOrigin) return;
  const data = event.data as { kefu?: number; type?: string; page?: string; referrer?: string; identity?: { payload: string; signature: string } | null; context?: Record<string, string> | null };
  if (!data || data.kefu !== 1) return;
  if (data.type === 'init') startConnection(data);
  else if (data.type === 'open') {
    if (data.context) context = data.context;
    setOpen(true);
  } else if (data.type === 'close') setOpen(false);
});

renderAll();
if (embedded) {
  toParent({ type: 'ready' });
  // A page that never answers (an old loader) still gets a working chat.
  window.setTimeout(() => startConnection(), 1500);
} else {
  setOpen(true);
  startConnection();
}
