// The leave-a-message form (outside business hours, or with nobody staffed when the widget says so) and the
// ticket it becomes: name, message and a way to answer (email and/or phone) are required; the ticket carries what
// the visitor wrote, how to reach them and the page they were on. The typed email and phone are not used to find
// an existing CRM contact (anyone can type anyone's address): the requester is the visitor's own contact.
import type { PrechatAnswers } from '@kefu/contracts';
import { z } from 'zod';
import type { ConversationMessage } from '../../conversations/messages.service.ts';
import { invalid } from '../../platform/errors.ts';
import type { ConversationTicket } from '../conversation-intake.ts';
import type { ChatSession } from './chat-sessions.ts';
import type { VerifiedIdentity } from './visitor-identity.ts';

const phonePattern = /^\+?[0-9][0-9 ()-]{3,30}$/;

export function checkOfflineMessage(prechat: PrechatAnswers, verified: VerifiedIdentity | undefined): void {
  if (!(verified?.name ?? prechat.name)?.trim()) throw invalid('prechat.name', 'is required');
  if (!prechat.question?.trim()) throw invalid('prechat.question', 'is required (the message)');
  const email = prechat.email?.trim();
  const phone = prechat.phone?.trim();
  if (email && !z.email().safeParse(email).success) throw invalid('prechat.email', 'must be an email address');
  if (phone && !phonePattern.test(phone)) throw invalid('prechat.phone', 'must be a phone number (digits, spaces, + ( ) -)');
  if (!email && !phone && !verified?.email && !verified?.phone) throw invalid('prechat.email', 'an email address or a phone number is required so that we can answer');
}

/** The ticket of an offline message or of a chat nobody took, from the session and what the customer wrote. */
export function leaveMessageTicket(session: ChatSession, messages: ConversationMessage[], why: 'offline' | 'unanswered'): ConversationTicket {
  const p = session.prechat;
  const said = messages
    .filter((m) => m.sender === 'customer')
    .map((m) => [m.body.trim(), m.attachment ? `[${m.attachment.fileName}]` : ''].filter(Boolean).join(' '))
    .filter(Boolean);
  const first = (p.question?.trim() || said[0] || '').split('\n')[0]!.trim();
  const zh = session.locale !== 'en';
  const subject = first.slice(0, 120) || (zh ? '网页留言' : 'Web chat message');
  const reach = [p.email?.trim() && `Email: ${p.email.trim()}`, p.phone?.trim() && `Phone: ${p.phone.trim()}`].filter(Boolean);
  const description = [
    said.join('\n\n') || p.question?.trim() || '',
    '',
    `— ${session.visitorName}${session.verifiedUserId ? ' (verified)' : ''}`,
    ...reach,
    ...(session.pageUrl ? [`Page: ${session.pageUrl}`] : []),
    why === 'offline' ? 'Left in the chat widget while it was offline.' : 'Nobody could take this chat in time; the visitor was told this ticket number.',
  ].join('\n');
  return {
    tenantId: session.tenantId,
    divisionId: session.divisionId,
    interactionId: session.interactionId,
    contactId: session.contactId,
    source: 'webchat',
    subject,
    description,
    tags: ['webchat', why === 'offline' ? 'offline-message' : 'unanswered-chat'],
  };
}
