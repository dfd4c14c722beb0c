import { describe, expect, test } from 'vitest';
import type { ConversationMessage } from '../../conversations/messages.service.ts';
import type { ChatSession } from './chat-sessions.ts';
import { checkOfflineMessage, leaveMessageTicket } from './offline-message.ts';

const fieldOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { field?: string; options?: { field?: string } }).options?.field ?? (err as { field?: string }).field;
  }
};

describe('the leave-a-message form', () => {
  test('needs a name, a message and an email or a phone, each named when missing or malformed', () => {
    expect(fieldOf(() => checkOfflineMessage({ question: 'x', email: 'a@b.cn' }, undefined))).toBe('prechat.name');
    expect(fieldOf(() => checkOfflineMessage({ name: '王', email: 'a@b.cn' }, undefined))).toBe('prechat.question');
    expect(fieldOf(() => checkOfflineMessage({ name: '王', question: 'x' }, undefined))).toBe('prechat.email');
    expect(fieldOf(() => checkOfflineMessage({ name: '王', question: 'x', email: 'nope' }, undefined))).toBe('prechat.email');
    expect(fieldOf(() => checkOfflineMessage({ name: '王', question: 'x', phone: 'call me' }, undefined))).toBe('prechat.phone');
    expect(fieldOf(() => checkOfflineMessage({ name: '王', question: 'x', phone: '+86 (138) 0013-8000' }, undefined))).toBeUndefined();
    expect(fieldOf(() => checkOfflineMessage({ question: 'x' }, { userId: 'u1', name: '王', email: 'w@x.cn' }))).toBeUndefined();
  });
});

describe('the ticket of a left message', () => {
  const session = {
    tenantId: 't', divisionId: 'd', interactionId: 'i', contactId: 'c', visitorName: '王小明', verifiedUserId: null, locale: 'zh-CN', pageUrl: 'https://shop.example/plans',
    prechat: { name: '王小明', email: 'w@x.cn', phone: '+86 138', question: '宽带掉线\n晚上尤其严重' },
  } as unknown as ChatSession;
  const said = [
    { sender: 'customer', body: '宽带掉线\n晚上尤其严重', attachment: null },
    { sender: 'system', body: '我们现在不在线', attachment: null },
    { sender: 'customer', body: '', attachment: { fileName: 'speed.png' } },
  ] as unknown as ConversationMessage[];

  test('subject from the first line, everything the visitor wrote and how to answer in the description, webchat source and tags', () => {
    const ticket = leaveMessageTicket(session, said, 'offline');
    expect(ticket).toMatchObject({ source: 'webchat', interactionId: 'i', contactId: 'c', divisionId: 'd', subject: '宽带掉线', tags: ['webchat', 'offline-message'] });
    expect(ticket.description).toContain('宽带掉线\n晚上尤其严重\n\n[speed.png]');
    expect(ticket.description).not.toContain('我们现在不在线');
    expect(ticket.description).toContain('Email: w@x.cn\nPhone: +86 138\nPage: https://shop.example/plans');
    expect(leaveMessageTicket(session, said, 'unanswered').tags).toEqual(['webchat', 'unanswered-chat']);
  });
});
