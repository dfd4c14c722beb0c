import { describe, expect, test } from 'vitest';
import type { ConversationMessage } from '../../conversations/messages.service.ts';
import { escapeHtml, transcriptMail } from './transcript-mail.ts';

const message = (seq: number, over: Partial<ConversationMessage>): ConversationMessage => ({
  id: `m${seq}`,
  interactionId: 'i1',
  seq,
  sender: 'customer',
  senderUserId: null,
  senderName: '',
  clientMessageId: null,
  body: '',
  attachment: null,
  createdAt: '2026-11-23T02:03:04.000Z',
  deliveredAt: null,
  readAt: null,
  ...over,
});

describe('transcript mail', () => {
  const messages = [
    message(1, { senderName: '李雷 <b>', body: '路由器闪红灯 <script>alert(1)</script>' }),
    message(2, { sender: 'agent', senderName: '王芳', body: '请重启一下' }),
    message(3, { senderName: '李雷 <b>', body: '', attachment: { id: 'a', fileName: '"><img src=x>.png', contentType: 'image/png', size: 1, imageWidth: 1, imageHeight: 1 } }),
    message(4, { sender: 'system', body: '客服结束了对话。' }),
  ];

  test('zh-CN: Chinese subject, times in the widget zone, senders and attachments by name in the text part', () => {
    const mail = transcriptMail({ title: '在线客服', locale: 'zh-CN', timeZone: 'Asia/Shanghai', visitorName: '李雷', messages });
    expect(mail.subject).toBe('您的对话记录 — 在线客服');
    expect(mail.text).toContain('[2026/11/23 10:03:04] 李雷 <b>:\n路由器闪红灯 <script>alert(1)</script>');
    expect(mail.text).toContain('] 王芳:\n请重启一下');
    expect(mail.text).toContain('附件: "><img src=x>.png');
    expect(mail.text).toContain('] 系统:\n客服结束了对话。');
    expect(mail.text).toContain('时间均为 Asia/Shanghai 时间。');
  });

  test('everything typed is escaped in the HTML part', () => {
    const { html } = transcriptMail({ title: 'Shop', locale: 'en', timeZone: 'UTC', visitorName: '<i>Li</i>', messages });
    expect(html).toContain('路由器闪红灯 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<b>李雷 &lt;b&gt;</b>');
    expect(html).toContain('Attachment: &quot;&gt;&lt;img src=x&gt;.png');
    expect(html).toContain('Hello &lt;i&gt;Li&lt;/i&gt;');
    expect(html).not.toMatch(/<script|<img|<i>Li/);
  });

  test('escapeHtml covers the five characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
