// Generated knowledge-base articles for the benchmark: English from the SGD banking dialogues and the ABCD
// guideline intents, Chinese from a vocabulary of contact-center topics. A seeded generator keeps runs
// comparable.
import fs from 'node:fs';
import path from 'node:path';

export interface BenchArticle {
  language: 'zh-CN' | 'en';
  title: string;
  body: string;
  tags: string[];
}

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const subjects = '宽带 光猫 路由器 手机 信用卡 储蓄卡 订单 快递 退款 发票 会员 积分 账号 密码 套餐 话费 流量 电视 机顶盒 保险 贷款 理财 优惠券 退货 换货 维修 安装 预约 充值 提现 转账 余额 验证码 实名认证 合同 押金 违约金 发货 物流 售后'.split(' ');
const problems = '无法使用 连不上 网速慢 扣费异常 没有到账 被锁定 已过期 收不到 显示错误 申请失败 重复扣款 无法登录 信号不好 频繁掉线 金额不对 查不到记录 需要变更 想要取消 办理流程 收费标准'.split(' ');
const steps = [
  '请先核实客户身份，确认手机号和证件号后四位。',
  '在系统中查询{s}的当前状态，记录工单号。',
  '如果{s}{p}，建议客户重启设备后再试一次。',
  '超过 {n} 个工作日仍未处理，请升级给二线支持。',
  '客户情绪激动时先致歉，说明处理时限为 {n} 小时。',
  '{s}相关费用按月结算，具体以账单为准。',
  '办理{s}变更需要客户本人携带身份证到营业厅。',
  '系统提示错误码 {c} 时，请清除缓存并重新登录。',
  '型号 {m} 的设备需要先升级固件再进行设置。',
  '涉及{s}退款的，审核通过后原路退回。',
  '告知客户可以通过 App 自助查询{s}进度。',
  '如客户要求投诉，创建投诉工单并在 {n} 小时内回访。',
];
const codes = () => `${['E', 'ERR', 'ORA', 'HTTP', 'SYS'][Math.floor(r() * 5)]}-${String(Math.floor(r() * 99999)).padStart(5, '0')}`;
const models = () => `${['HG', 'TL', 'XR', 'MI', 'ZX'][Math.floor(r() * 5)]}${Math.floor(r() * 9000 + 1000)}${['', '-V5', 'H', 'Pro'][Math.floor(r() * 4)]}`;
let r = rng(42);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function chinese(): BenchArticle {
  const s = pick(subjects);
  const p = pick(problems);
  const n = 3 + Math.floor(r() * 10);
  const sentences: string[] = [];
  for (let i = 0; i < n; i++) {
    sentences.push(pick(steps).replace(/\{s\}/g, pick([s, s, pick(subjects)])).replace('{p}', p).replace('{n}', String(1 + Math.floor(r() * 10))).replace('{c}', codes()).replace('{m}', models()));
  }
  return { language: 'zh-CN', title: `${s}${p}${pick(['怎么办', '的处理方法', '常见问题', '操作指引', ''])}`, body: sentences.join(''), tags: [s, pick(subjects)] };
}

function utterances(testdata: string): string[] {
  const file = path.join(testdata, 'dialogues/sgd-banks-dialogues.jsonl');
  const out: string[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    for (const turn of (JSON.parse(line) as { turns: { utterance: string }[] }).turns) out.push(turn.utterance);
  }
  return out;
}

export function generateCorpus(count: number, testdata: string, seed = 42): BenchArticle[] {
  r = rng(seed);
  const said = utterances(testdata);
  const intents = Object.keys(JSON.parse(fs.readFileSync(path.join(testdata, 'dialogues/abcd-sample/kb.json'), 'utf8')) as Record<string, unknown>);
  const out: BenchArticle[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      out.push(chinese());
      continue;
    }
    const intent = pick(intents).replace(/_/g, ' ');
    const lines = Array.from({ length: 4 + Math.floor(r() * 8) }, () => pick(said));
    out.push({ language: 'en', title: `${lines[0]!.slice(0, 60)} (${intent})`, body: `${lines.join(' ')} Error ${codes()} on model ${models()}.`, tags: [intent.split(' ')[0]!] });
  }
  return out;
}
