// The parts of the chat page around the conversation (issue 9 follow-up): the leave-a-message form while the
// widget is offline (name, email and/or phone, message), the confirmation with the ticket number it became, the
// "email me the transcript" checkbox of the pre-chat form, and the transcript offer once a chat has ended. All
// built with el() (text only), like the rest of the widget.
import type { PrechatAnswers, WidgetAppearance } from '@kefu/contracts';
import { el } from './dom.ts';
import type { Texts } from './i18n.ts';

const field = (label: string, control: HTMLElement) => el('label', {}, el('span', { text: label }), control);

/** The leave-a-message form's fields (the pre-chat fields are not asked: these are what a ticket needs). */
export function offlineFields(t: Texts): HTMLElement[] {
  return [
    el('p', { class: 'note', text: t.offlineNote }),
    field(`${t.name} (${t.required})`, el('input', { name: 'name', type: 'text', maxlength: '120', required: true, autocomplete: 'name' })),
    field(t.email, el('input', { name: 'email', type: 'email', maxlength: '254', autocomplete: 'email' })),
    field(t.phone, el('input', { name: 'phone', type: 'tel', maxlength: '40', autocomplete: 'tel' })),
    el('p', { class: 'hint', text: t.needContact }),
    field(`${t.message} (${t.required})`, el('textarea', { name: 'question', rows: '4', maxlength: '2000', required: true })),
  ];
}

/** The transcript checkbox of the pre-chat form, with an email field when the form has none. */
export function transcriptFields(t: Texts, widget: WidgetAppearance | undefined): HTMLElement[] {
  if (!widget?.transcript) return [];
  const hasEmail = widget.prechat.some((f) => f.field === 'email');
  return [
    ...(hasEmail ? [] : [field(t.email, el('input', { name: 'email', type: 'email', maxlength: '254', autocomplete: 'email' }))]),
    el('label', { class: 'check' }, el('input', { type: 'checkbox', name: 'transcript' }), el('span', { text: t.transcriptCheckbox })),
  ];
}

/** Checks the form before it goes out; answers the text to show, or null when it may be sent. */
export function checkForm(t: Texts, offline: boolean, prechat: PrechatAnswers): string | null {
  if (offline && !prechat.email && !prechat.phone) return t.needContact;
  if (prechat.transcript && !prechat.email) return t.transcriptNeedsEmail;
  return null;
}

/** The confirmation of a left message: its ticket number. */
export function ticketNotice(t: Texts, number: number): HTMLElement {
  return el('p', { class: 'notice', role: 'status', text: t.ticketCreated(number) });
}

/** After a chat: "email me the transcript" (an address and a button), or what was asked already. */
export function transcriptOffer(t: Texts, requestedTo: string | null, request: (email: string) => void): HTMLElement {
  if (requestedTo) return el('p', { class: 'notice', role: 'status', text: t.transcriptQueued(requestedTo) });
  const email = el('input', { type: 'email', name: 'transcriptEmail', maxlength: '254', 'aria-label': t.email, placeholder: t.email });
  // A div, not a form: it sits inside the pre-chat form, and forms do not nest.
  const send = el('button', { type: 'button', text: t.transcriptSend });
  const box = el('div', { class: 'transcript', role: 'group' }, el('span', { text: t.transcriptOffer }), email, send);
  const go = () => {
    if (email.value.trim() && email.checkValidity()) request(email.value.trim());
    else email.reportValidity();
  };
  send.addEventListener('click', go);
  email.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // not the pre-chat form's submit
    go();
  });
  return box;
}
