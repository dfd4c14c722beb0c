// Server-rendered help-center pages at /help/<tenant-slug>/…: plain HTML (no script needed to read), every
// value escaped, mobile-friendly, indexable, in zh-CN or English (?lang=en). The "did this solve your problem?"
// buttons post to the JSON API with a few lines of script; "no" opens a contact form carrying the article.
import { z } from 'zod';
import type { App } from '../platform/http/server.ts';
import type { AttachmentsService } from './attachments.service.ts';
import type { HelpCenterService } from './help-center.service.ts';
import { sendKbFile } from './kb.routes.ts';
import { escapeHtml as e } from './search/snippet.ts';
import { renderMarkdown } from '@kefu/contracts';

type Lang = 'zh-CN' | 'en';
const text = {
  'zh-CN': {
    search: '搜索', placeholder: '请输入您的问题', results: '搜索结果', none: '没有找到相关内容，换个说法试试，或联系我们。',
    solved: '以上内容是否解决了您的问题？', yes: '是', no: '否', thanks: '感谢您的反馈！', contact: '联系我们', name: '称呼',
    reach: '手机号或邮箱', message: '问题描述', send: '提交', sent: '已收到，我们会尽快联系您。', about: '关于这篇文章：', chat: '在线咨询客服', orLeave: '或者留言，我们会联系您：', related: '相关文章', other: 'English',
  },
  en: {
    search: 'Search', placeholder: 'Describe your question', results: 'Results', none: 'Nothing found. Try other words, or contact us.',
    solved: 'Did this solve your problem?', yes: 'Yes', no: 'No', thanks: 'Thank you for your feedback!', contact: 'Contact us', name: 'Name',
    reach: 'Phone or email', message: 'Your question', send: 'Send', sent: 'Received. We will get back to you soon.', about: 'About this article:', chat: 'Chat with us', orLeave: 'Or leave a message and we will get back to you:', related: 'Related articles', other: '中文',
  },
} as const;

const slugParams = z.object({ slug: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/) });
const langQuery = { lang: z.enum(['zh-CN', 'en']).default('zh-CN') };

function page(lang: Lang, title: string, slug: string, tenantName: string, main: string): string {
  const t = text[lang];
  const other = lang === 'en' ? 'zh-CN' : 'en';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${e(title)} · ${e(tenantName)}</title><style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2328;line-height:1.6}
header{background:#1677ff;color:#fff;padding:16px}header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:760px;margin:0 auto;padding:16px}form.search{display:flex;gap:8px;margin:16px 0}input,textarea{font:inherit;padding:8px;border:1px solid #ccc;border-radius:6px;width:100%;box-sizing:border-box}
button{font:inherit;padding:8px 16px;border:0;border-radius:6px;background:#1677ff;color:#fff}mark{background:#ffe58f}
li{margin:6px 0}.muted{color:#666;font-size:.9em}.feedback{border-top:1px solid #eee;margin-top:24px;padding-top:16px}
</style></head><body><header><a href="/help/${e(slug)}?lang=${lang}">${e(tenantName)}</a> <a style="float:right;font-weight:400" href="/help/${e(slug)}?lang=${other}">${t.other}</a></header>
<main><form class="search" action="/help/${e(slug)}/search" method="get"><input type="hidden" name="lang" value="${lang}"><input name="q" placeholder="${t.placeholder}" aria-label="${t.search}"><button>${t.search}</button></form>
${main}</main></body></html>`;
}

export function helpPages(app: App, help: HelpCenterService, attachments: AttachmentsService): void {
  const html = 'text/html; charset=utf-8';
  // Files and images of live public articles (Markdown `attachment:<id>` links point here in the help center).
  app.get('/help/:slug/files/:id', { schema: { hide: true, params: slugParams.extend({ id: z.uuid() }) } }, async (request, reply) => {
    const tenant = await help.tenant(request.params.slug);
    return sendKbFile(reply, await attachments.openPublic(tenant.id, request.params.id), 'public');
  });
  app.get('/help/:slug', { schema: { hide: true, params: slugParams, querystring: z.object(langQuery) } }, async (request, reply) => {
    const { slug } = request.params;
    const lang = request.query.lang;
    const home = await help.home(slug, lang);
    const body = home.spaces
      .map((s) => {
        const cats = [...s.categories.map((c) => ({ id: c.id as string | null, name: c.name })), { id: null, name: '' }];
        const sections = cats
          .map((c) => ({ c, list: s.articles.filter((a) => a.categoryId === c.id) }))
          .filter((x) => x.list.length > 0)
          .map((x) => `${x.c.name ? `<h3>${e(x.c.name)}</h3>` : ''}<ul>${x.list.map((a) => `<li><a href="/help/${e(slug)}/articles/${a.id}?lang=${lang}">${e(a.title)}</a></li>`).join('')}</ul>`)
          .join('');
        return `<section><h2>${e(s.name)}</h2><p class="muted">${e(s.description)}</p>${sections}</section>`;
      })
      .join('');
    return reply.type(html).header('cache-control', 'public, max-age=60').send(page(lang, home.tenant.name, slug, home.tenant.name, body));
  });

  app.get('/help/:slug/search', { schema: { hide: true, params: slugParams, querystring: z.object({ ...langQuery, q: z.string().max(200).default('') }) } }, async (request, reply) => {
    const { slug } = request.params;
    const { lang, q } = request.query;
    const t = text[lang];
    const tenant = await help.tenant(slug);
    const found = q.trim() ? (await help.search(slug, { q })).results : [];
    const list = found.length
      ? `<ul>${found.map((r) => `<li><a href="/help/${e(slug)}/articles/${r.id}?lang=${lang}">${r.titleHtml}</a><div class="muted">${r.snippet}</div></li>`).join('')}</ul>`
      : `<p>${t.none}</p>`;
    return reply.type(html).header('x-robots-tag', 'noindex').send(page(lang, `${t.results}: ${q}`, slug, tenant.name, `<h1>${t.results}: ${e(q)}</h1>${list}`));
  });

  app.get('/help/:slug/articles/:id', {
    schema: { hide: true, params: slugParams.extend({ id: z.uuid() }), querystring: z.object(langQuery) },
  }, async (request, reply) => {
    const { slug, id } = request.params;
    const tenant = await help.tenant(slug);
    const a = await help.article(slug, id);
    const lang: Lang = a.language === 'en' ? 'en' : 'zh-CN';
    const t = text[lang];
    const related = a.related.length ? `<h3>${t.related}</h3><ul>${a.related.map((r) => `<li><a href="/help/${e(slug)}/articles/${r.id}">${e(r.title)}</a></li>`).join('')}</ul>` : '';
    const translations = a.translations.map((r) => `<a hreflang="${e(r.language)}" href="/help/${e(slug)}/articles/${r.id}">${e(r.title)}</a>`).join(' · ');
    const api = `/api/help/${slug}`;
    // With a web-chat widget, "no" opens the chat carrying the article; the form stays as the way to leave a message.
    const widgetId = await help.chatWidget(tenant.id);
    const chat = widgetId
      ? `<p><button type="button" id="chat">${t.chat}</button></p><p class="muted">${t.orLeave}</p><script src="/widget/loader.js" data-widget="${e(widgetId)}" async></script>`
      : '';
    const feedback = `<div class="feedback" id="fb"><p>${t.solved}</p><button data-v="1">${t.yes}</button> <button data-v="0">${t.no}</button></div>
<form id="contact" hidden aria-label="${t.contact}"><h3>${t.contact}</h3><p class="muted">${t.about} <strong>${e(a.title)}</strong></p>${chat}
<p><input name="name" required placeholder="${t.name}" aria-label="${t.name}"></p><p><input name="contact" required placeholder="${t.reach}" aria-label="${t.reach}"></p>
<p><textarea name="message" required rows="4" placeholder="${t.message}" aria-label="${t.message}"></textarea></p><button>${t.send}</button></form>
<script>(()=>{const s=sessionStorage.kefuHelp||(sessionStorage.kefuHelp=Array.from(crypto.getRandomValues(new Uint8Array(12)),b=>b.toString(16).padStart(2,'0')).join(''));
const post=(u,b)=>fetch(${JSON.stringify(api)}+u,{method:'POST',headers:{'content-type':'application/json'},body:JSON.stringify(b)}).then(r=>r.json());
fetch(${JSON.stringify(`${api}/articles/${id}`)}+'?sessionId='+s);
document.querySelectorAll('#fb button').forEach(b=>b.onclick=async()=>{const r=await post(${JSON.stringify(`/articles/${id}/feedback`)},{helpful:b.dataset.v==='1',sessionId:s});
document.getElementById('fb').textContent=${JSON.stringify(t.thanks)};if(r.contact){document.getElementById('contact').hidden=false;openChat();}});
const ctx=${JSON.stringify({ kbArticleId: id, kbArticleTitle: a.title, source: 'help_center' }).replace(/</g, '\u003c')};
function openChat(){if(window.KefuChat)window.KefuChat.open({context:Object.assign({url:location.href},ctx)});}
const cb=document.getElementById('chat');if(cb)cb.onclick=openChat;
document.getElementById('contact').onsubmit=async(ev)=>{ev.preventDefault();const f=new FormData(ev.target);
await post('/contact',{articleId:${JSON.stringify(id)},sessionId:s,name:f.get('name'),contact:f.get('contact'),message:f.get('message')});ev.target.textContent=${JSON.stringify(t.sent)};};})();</script>`;
    const main = `<article><h1>${e(a.title)}</h1><p class="muted">${translations}</p>${renderMarkdown(a.body, { attachmentUrl: (id) => `/help/${slug}/files/${id}` })}</article>${related}${feedback}`;
    return reply.type(html).header('cache-control', 'public, max-age=60').send(page(lang, a.title, slug, tenant.name, main));
  });
}
