// The widget's texts in zh-CN and English. The site's visitors pick by their browser language among the languages
// the admin enabled for the widget.
const zh = {
  open: '打开在线客服',
  close: '关闭',
  name: '您的称呼',
  email: '邮箱',
  phone: '电话',
  question: '您想咨询什么？',
  start: '开始对话',
  leaveMessage: '提交留言',
  offlineNote: '我们现在不在线，请留言，我们会尽快回复您。',
  required: '必填',
  placeholder: '输入消息…',
  send: '发送',
  attach: '发送图片或文件',
  queued: '正在为您转接客服…',
  position: (n: number) => `您前面还有 ${n} 位`,
  wait: (s: number) => `预计等待 ${Math.max(1, Math.round(s / 60))} 分钟`,
  assigned: (name: string) => `客服 ${name} 为您服务`,
  offline: '已收到您的留言',
  ended: '对话已结束',
  newChat: '开始新的对话',
  end: '结束对话',
  typing: '客服正在输入…',
  sent: '已发送',
  delivered: '已送达',
  read: '已读',
  sending: '发送中…',
  reconnecting: '网络连接中断，正在重连…',
  refused: '此网站不能使用在线客服。',
  uploadFailed: '文件发送失败：',
  unread: (n: number) => `${n} 条未读消息`,
  // Voice call from the chat
  voiceCall: '语音通话',
  callInvite: '客服邀请您进行语音通话',
  callAccept: '接听',
  callDecline: '拒绝',
  callStarting: '正在打开麦克风…',
  callRinging: '正在呼叫客服…',
  callConnected: '语音通话中',
  callHangup: '挂断',
  callFailed: '无法开始语音通话：',
  // Leave a message, ticket number, transcript by email
  message: '留言内容',
  needContact: '请留下邮箱或电话（至少一项），方便我们回复您。',
  ticketCreated: (n: number) => `留言已提交，工单号 #${n}。我们会尽快回复您。`,
  transcriptCheckbox: '对话结束后把聊天记录发到我的邮箱',
  transcriptNeedsEmail: '请填写邮箱以接收聊天记录。',
  transcriptOffer: '把聊天记录发到邮箱：',
  transcriptSend: '发送',
  transcriptQueued: (email: string) => `聊天记录将发送到 ${email}`,
};

const en: typeof zh = {
  open: 'Open chat',
  close: 'Close',
  name: 'Your name',
  email: 'Email',
  phone: 'Phone',
  question: 'How can we help?',
  start: 'Start chat',
  leaveMessage: 'Leave a message',
  offlineNote: 'We are offline. Leave a message and we will get back to you.',
  required: 'required',
  placeholder: 'Type a message…',
  send: 'Send',
  attach: 'Send an image or a file',
  queued: 'Connecting you to an agent…',
  position: (n: number) => `${n} ahead of you`,
  wait: (s: number) => `About ${Math.max(1, Math.round(s / 60))} min wait`,
  assigned: (name: string) => `${name} is helping you`,
  offline: 'We have your message',
  ended: 'The chat has ended',
  newChat: 'Start a new chat',
  end: 'End chat',
  typing: 'The agent is typing…',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  sending: 'Sending…',
  reconnecting: 'Connection lost, reconnecting…',
  refused: 'This site may not use the chat.',
  uploadFailed: 'The file could not be sent: ',
  unread: (n: number) => `${n} unread messages`,
  voiceCall: 'Voice call',
  callInvite: 'The agent invites you to a voice call',
  callAccept: 'Accept',
  callDecline: 'Decline',
  callStarting: 'Opening the microphone…',
  callRinging: 'Calling the agent…',
  callConnected: 'On a voice call',
  callHangup: 'Hang up',
  callFailed: 'The voice call could not start: ',
  // Leave a message, ticket number, transcript by email
  message: 'Your message',
  needContact: 'Leave an email address or a phone number (at least one) so that we can answer.',
  ticketCreated: (n: number) => `Message received: ticket #${n}. We will get back to you soon.`,
  transcriptCheckbox: 'Email me the transcript when the chat ends',
  transcriptNeedsEmail: 'Enter your email address to receive the transcript.',
  transcriptOffer: 'Email me the transcript:',
  transcriptSend: 'Send',
  transcriptQueued: (email: string) => `The transcript will be sent to ${email}`,
};

export type Texts = typeof zh;
export type Locale = 'zh-CN' | 'en';

export function pickLocale(enabled: Locale[], browser: readonly string[]): Locale {
  for (const lang of browser) {
    const wanted: Locale = lang.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
    if (enabled.includes(wanted)) return wanted;
  }
  return enabled[0] ?? 'zh-CN';
}

export const texts = (locale: Locale): Texts => (locale === 'en' ? en : zh);
