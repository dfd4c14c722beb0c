// The knowledge-base search fixture: Chinese articles about broadband, refunds, accounts and orders, English
// articles built from the ABCD agent guideline (testdata/dialogues/abcd-sample/kb.json: the actions an agent
// takes per intent), and queries with the article they should find (MRR@5 in kb-search.int.test.ts and the
// benchmark). Queries deliberately use other wording than the titles, mixed text, codes and synonyms.
import fs from 'node:fs';
import path from 'node:path';

export interface FixtureArticle {
  key: string;
  language: 'zh-CN' | 'en';
  title: string;
  body: string;
  tags: string[];
}

export interface FixtureQuery {
  q: string;
  expect: string;
}

const zh: FixtureArticle[] = [
  { key: 'bb-down', language: 'zh-CN', title: '宽带无法上网的排查步骤', tags: ['宽带', '故障'], body: '客户反映家里宽带连不上，先确认光猫指示灯状态。LOS 灯红色闪烁表示光纤信号中断，请检查光纤是否弯折；PON 灯不亮请重启光猫。以上无效，创建报修工单，工程师 24 小时内上门。' },
  { key: 'bb-slow', language: 'zh-CN', title: '宽带网速慢怎么处理', tags: ['宽带', '网速'], body: '网速慢时请客户用网线直连电脑测速。若直连正常，多为无线路由器位置或信道干扰问题，建议将路由器放在房屋中央，或使用 5G 频段。直连也慢，查询端口是否限速，并核对套餐带宽。' },
  { key: 'bb-move', language: 'zh-CN', title: '搬家后宽带如何移机', tags: ['宽带', '移机'], body: '客户搬家需要移机时，核实新地址是否在覆盖范围内。覆盖范围内免费移机一次，预约上门时间；不在覆盖范围请办理拆机，剩余费用按月退还。' },
  { key: 'bb-upgrade', language: 'zh-CN', title: '宽带提速与套餐升级', tags: ['宽带', '套餐'], body: '现有用户可以升级到 500M 或 1000M 套餐，升级当天生效，费用按天折算。千兆套餐需要更换支持千兆的光猫和路由器，可免费更换光猫。' },
  { key: 'bb-modem', language: 'zh-CN', title: '光猫型号 HG8245H-V5 恢复出厂设置', tags: ['光猫', '设备'], body: 'HG8245H-V5 光猫背面有 RESET 孔，用针按住 10 秒后松开，设备重启后恢复出厂设置。恢复后需要重新注册 LOID，请提前向客户确认宽带账号。' },
  { key: 'refund-time', language: 'zh-CN', title: '退款到账时间说明', tags: ['退款'], body: '退款审核通过后原路退回。微信和支付宝 1 到 3 个工作日到账，银行卡 3 到 7 个工作日到账。超过 7 个工作日未到账，请客户提供订单号，由客服提交查询。' },
  { key: 'refund-apply', language: 'zh-CN', title: '如何申请退货退款', tags: ['退款', '退货'], body: '签收后 7 天内可申请无理由退货。在订单详情页点击“申请售后”，选择退货退款并填写原因，审核通过后按页面地址寄回商品。商品寄回并验收后退款。' },
  { key: 'refund-partial', language: 'zh-CN', title: '部分退款与运费退还规则', tags: ['退款', '运费'], body: '订单中只退其中一件商品时按实付金额部分退款，优惠券分摊后计算。因质量问题退货的运费由商家承担，无理由退货的运费由客户承担。' },
  { key: 'acct-password', language: 'zh-CN', title: '忘记登录密码如何重置', tags: ['账号', '密码'], body: '在登录页点击“忘记密码”，输入注册手机号获取验证码，验证通过后设置新密码。新密码至少 8 位，须包含字母和数字。连续输错 5 次账号锁定 30 分钟。' },
  { key: 'acct-phone', language: 'zh-CN', title: '更换账号绑定的手机号', tags: ['账号', '手机号'], body: '原手机号还能收短信时，在“账号安全”中验证原手机号后绑定新号码。原手机号已停用，需要上传身份证照片人工审核，1 个工作日内完成。' },
  { key: 'acct-cancel', language: 'zh-CN', title: '注销账号的条件和流程', tags: ['账号', '注销'], body: '注销前需要结清欠费、没有进行中的订单。注销后数据无法恢复，余额和积分清零。客户确认后在“设置-账号注销”提交申请，15 天冷静期后完成注销。' },
  { key: 'acct-2fa', language: 'zh-CN', title: '两步验证收不到验证码', tags: ['账号', '验证码'], body: '收不到短信验证码时，请确认手机没有开启短信拦截，信号良好。60 秒后可以重新发送。仍收不到可改用语音验证码，或由客服核实身份后临时关闭两步验证。' },
  { key: 'order-track', language: 'zh-CN', title: '查询订单物流进度', tags: ['订单', '物流'], body: '在订单详情中可以查看快递单号和物流轨迹。发货后 48 小时物流没有更新，请联系快递公司核实；超过 5 天未送达可以申请补发或退款。' },
  { key: 'order-change', language: 'zh-CN', title: '修改订单收货地址', tags: ['订单', '地址'], body: '订单未发货前可以在订单详情中修改收货地址，一个订单只能修改一次。已经发货的订单请联系快递公司改派，可能产生额外费用。' },
  { key: 'order-invoice', language: 'zh-CN', title: '如何开具电子发票', tags: ['订单', '发票'], body: '订单完成后在订单详情中点击“申请发票”，填写抬头和税号，电子发票 24 小时内发送到邮箱。需要增值税专用发票请联系客服提交资质。' },
  { key: 'ora', language: 'zh-CN', title: '数据库报错 ORA-01555 快照过旧', tags: ['数据库', '错误码'], body: '报表查询出现 ORA-01555 snapshot too old 时，说明回滚段被覆盖。请调大 undo_retention，或把长查询拆小，避开批量更新时段。' },
  { key: 'phone-screen', language: 'zh-CN', title: 'iPhone15 屏幕碎裂的保修与维修', tags: ['手机', '维修'], body: 'iPhone15 系列屏幕碎裂属于人为损坏，不在免费保修范围。购买了碎屏险的客户可以免费更换一次屏幕，请核对保单号后预约门店维修。' },
  { key: 'tw-phrase', language: 'zh-CN', title: '网络电话软件下载安装', tags: ['软件'], body: '客户可以在官网下载网络电话软件，支持 Windows 和 macOS。安装后使用账号登录即可拨打电话，首次使用需要允许麦克风权限。' },
];

const englishTitles: Record<string, [string, string[]]> = {
  recover_username: ['Recover a forgotten username', ['account', 'login']],
  recover_password: ['Reset a forgotten password', ['account', 'password']],
  reset_2fa: ['Reset two-factor authentication', ['account', 'security']],
  status_service_added: ['Charged for a service the customer did not add', ['billing']],
  status_credit_missing: ['Store credit is missing from the account', ['billing', 'credit']],
  manage_change_address: ['Change the shipping address on the account', ['account', 'address']],
  manage_change_phone: ['Change the phone number on file', ['account', 'phone']],
  manage_payment_method: ['Update the payment method', ['billing', 'payment']],
  status_mystery_fee: ['Unknown fee on an order', ['order', 'fee']],
  status_delivery_time: ['When will my order arrive', ['order', 'shipping']],
  manage_cancel: ['Cancel an order', ['order']],
  refund_initiate: ['Start a refund for a product', ['refund']],
  refund_status: ['Check the status of a refund', ['refund']],
  return_size: ['Return an item that does not fit', ['return']],
  bad_price_competitor: ['Competitor has a lower price (price match)', ['price']],
  promo_code_invalid: ['Promo code does not work', ['promotion']],
  out_of_stock_one_item: ['An item is out of stock', ['stock']],
  membership: ['Membership levels and benefits', ['membership']],
  manage_pay_bill: ['Pay a subscription bill', ['subscription', 'billing']],
  manage_extension: ['Ask for more time to pay a bill', ['subscription', 'billing']],
  shopping_cart: ['Items disappear from the shopping cart', ['website']],
  slow_speed: ['The website is slow to load', ['website']],
};

const actionText: Record<string, string> = {
  'pull-up-account': 'Pull up the customer account.',
  'verify-identity': 'Verify the identity with full name, account ID, order ID and zip code.',
  'enter-details': 'Enter the details the customer gives: username, email or PIN number.',
  'make-password': 'Generate a new temporary password.',
  'send-link': 'Send the customer a link to finish the steps.',
  'record-reason': 'Record the reason for the request.',
  'ask-the-oracle': 'Check the system to see whether the customer is right.',
  'update-account': 'Update the account with the new information.',
  'offer-refund': 'Offer a refund for the amount.',
  'promo-code': 'Offer a promo code as an apology.',
  membership: 'Check the membership level: guest, bronze, silver or gold.',
  'shipping-status': 'Check the shipping status of the order.',
  'update-order': 'Update the order.',
  'validate-purchase': 'Validate the purchase with username, email and order ID.',
  'make-purchase': 'Make the purchase for the customer.',
  'subscription-status': 'Check the subscription status.',
  'search-faq': 'Search the FAQ for the answer.',
  'try-again': 'Ask the customer to try again.',
  'log-out-in': 'Ask the customer to log out and log back in.',
  'instructions': 'Give the customer instructions.',
  'notify-team': 'Notify the responsible team.',
  'select-faq': 'Select the FAQ answer.',
  'clear-cookies': 'Ask the customer to clear the browser cookies.',
};

function englishArticles(): FixtureArticle[] {
  const kb = JSON.parse(fs.readFileSync(path.join(testdata(), 'dialogues/abcd-sample/kb.json'), 'utf8')) as Record<string, string[]>;
  return Object.entries(englishTitles).map(([intent, [title, tags]]) => ({
    key: intent,
    language: 'en' as const,
    title,
    tags,
    body: `Guideline for “${intent.replace(/_/g, ' ')}”. ${(kb[intent] ?? []).map((a, i) => `${i + 1}. ${actionText[a] ?? a.replace(/-/g, ' ')}`).join(' ')}`,
  }));
}

export function testdata(): string {
  return process.env.KEFU_TESTDATA ?? path.resolve(import.meta.dirname, '../../../shared/testdata');
}

export const fixtureArticles = (): FixtureArticle[] => [...zh, ...englishArticles()];

/** Synonym sets an editor would define for this corpus. */
export const fixtureSynonyms = [['宽带', '网络', '上网'], ['refund', 'money back'], ['退款', '退钱'], ['光猫', '猫', '调制解调器'], ['two-factor', '2fa']];

export const fixtureQueries: FixtureQuery[] = [
  { q: '家里网络连不上了', expect: 'bb-down' },
  { q: '光猫红灯一直闪', expect: 'bb-down' },
  { q: '上网特别慢', expect: 'bb-slow' },
  { q: '搬家了宽带怎么办', expect: 'bb-move' },
  { q: '想换千兆套餐', expect: 'bb-upgrade' },
  { q: 'HG8245H 怎么恢复出厂', expect: 'bb-modem' },
  { q: 'hg8245h-v5 reset', expect: 'bb-modem' },
  { q: '退钱多久能到', expect: 'refund-time' },
  { q: '支付宝退款几天到账', expect: 'refund-time' },
  { q: '不想要了怎么退货', expect: 'refund-apply' },
  { q: '退货运费谁出', expect: 'refund-partial' },
  { q: '密码忘了', expect: 'acct-password' },
  { q: '换手机号', expect: 'acct-phone' },
  { q: '账号怎么注销', expect: 'acct-cancel' },
  { q: '收不到验证码', expect: 'acct-2fa' },
  { q: '快递到哪了', expect: 'order-track' },
  { q: '地址填错了要改', expect: 'order-change' },
  { q: '开发票', expect: 'order-invoice' },
  { q: 'ORA-01555', expect: 'ora' },
  { q: 'ora01555 snapshot', expect: 'ora' },
  { q: 'iPhone 15 碎屏', expect: 'phone-screen' },
  { q: '網路電話軟體下載', expect: 'tw-phrase' },
  { q: '寬頻連不上', expect: 'bb-down' },
  { q: 'forgot my username', expect: 'recover_username' },
  { q: 'reset password', expect: 'recover_password' },
  { q: '2fa reset', expect: 'reset_2fa' },
  { q: 'I want my money back', expect: 'refund_initiate' },
  { q: 'where is my refund', expect: 'refund_status' },
  { q: 'change shipping address', expect: 'manage_change_address' },
  { q: 'new credit card payment method', expect: 'manage_payment_method' },
  { q: 'strange fee on my order', expect: 'status_mystery_fee' },
  { q: 'promo code not working', expect: 'promo_code_invalid' },
  { q: 'price match competitor', expect: 'bad_price_competitor' },
  { q: 'website slow', expect: 'slow_speed' },
  { q: 'cart empty items gone', expect: 'shopping_cart' },
  { q: 'gold membership benefits', expect: 'membership' },
  { q: 'refnud status', expect: 'refund_status' },
];

/** Mean reciprocal rank of the expected article within the top 5. */
export function mrrAt5(ranked: readonly (readonly string[])[], expected: readonly string[]): number {
  let sum = 0;
  ranked.forEach((list, i) => {
    const at = list.slice(0, 5).indexOf(expected[i]!);
    if (at >= 0) sum += 1 / (at + 1);
  });
  return sum / expected.length;
}
