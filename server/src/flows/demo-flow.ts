// The demo tenant's IVR on number 4000: a business-hours check (open around the clock, closed on the listed
// holidays), then the bilingual menu — 1 sales, 2 support, 9 repeat — into the queues Sales and Support.
import type { FlowGraph } from '@kefu/contracts';

export const DEMO_MENU_PROMPT = '欢迎致电Kefu演示中心。销售请按1，技术支持请按2，重听请按9。Welcome to the Kefu demo: press 1 for sales, 2 for support, 9 to repeat.';

export function demoFlowGraph(queues: { sales: string; support: string }): FlowGraph {
  const node = (id: string, type: string, config: Record<string, unknown>, next: Record<string, string>, x: number, y: number) => ({ id, type, label: '', config, next, position: { x, y } });
  return {
    start: 'hours',
    onError: 'sorry',
    nodes: [
      node('hours', 'business_hours', {
        timezone: 'Asia/Shanghai',
        weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, from: '00:00', to: '24:00' })),
        holidays: [{ date: '2027-01-01', name: '元旦 New Year' }, { date: '2027-02-06', name: '春节 Spring Festival' }],
      }, { open: 'menu', closed: 'closed', holiday: 'closed' }, 0, 0),
      node('menu', 'menu', {
        prompt: { text: DEMO_MENU_PROMPT, language: 'auto' },
        invalidPrompt: { text: '输入有误。Sorry, that key is not valid.', language: 'auto' },
        options: [{ digit: '1', label: '销售 Sales' }, { digit: '2', label: '技术支持 Support' }, { digit: '9', label: '重听 Repeat' }],
        timeoutMs: 6000, retries: 2, variable: 'menu_choice',
      }, { key_1: 'sales', key_2: 'support', key_9: 'menu', timeout: 'support', invalid: 'support' }, 0, 160),
      node('sales', 'queue', { queueId: queues.sales, priority: 0 }, {}, -200, 340),
      node('support', 'queue', { queueId: queues.support, priority: 0 }, {}, 200, 340),
      node('closed', 'say', { prompt: { text: '现在是非工作时间，请在提示音后留言。We are closed now; please leave a message after the tone.', language: 'auto' } }, { next: 'voicemail' }, 400, 160),
      node('voicemail', 'voicemail', { maxSeconds: 120 }, {}, 400, 340),
      node('sorry', 'say', { prompt: { text: '抱歉，系统繁忙，正在为您转接人工服务。Sorry, connecting you to an agent.', language: 'auto' } }, { next: 'support' }, 600, 160),
    ],
  };
}
