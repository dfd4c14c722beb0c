// The widget's files, served by Kefu from apps/widget/dist: the loader script a site's <script> tag loads, the
// chat page the loader opens in an iframe, and their hashed assets. The chat page carries a per-widget
// `frame-ancestors` policy, so a browser refuses to show it inside a page whose origin the admin did not allow.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from '../../platform/http/server.ts';
import type { WidgetsService } from './widgets.service.ts';

export const defaultWidgetDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../apps/widget/dist');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};

export function widgetAssetRoutes(app: App, widgets: WidgetsService, dist = defaultWidgetDist): void {
  const file = (name: string) => {
    const full = path.resolve(dist, name);
    return full.startsWith(dist + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile() ? full : undefined;
  };

  app.get('/widget/loader.js', { schema: { hide: true } }, async (_r, reply) => {
    const full = file('loader.js');
    if (!full) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'the widget is not built (npm run build -w @kefu/widget)' } });
    // Sites keep the same snippet, so the loader is revalidated rather than cached for long.
    return reply.type(types['.js']!).header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*').send(fs.createReadStream(full));
  });

  app.get('/widget/assets/:file', { schema: { hide: true } }, async (r, reply) => {
    const name = (r.params as { file: string }).file;
    const full = /^[A-Za-z0-9._-]+$/.test(name) ? file(path.join('assets', name)) : undefined;
    const type = types[path.extname(name)];
    if (!full || !type) return reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'no such widget asset' } });
    return reply.type(type).header('cache-control', 'public, max-age=31536000, immutable').send(fs.createReadStream(full));
  });

  app.get('/widget/chat', { schema: { hide: true } }, async (r, reply) => {
    const widgetId = (r.query as { widget?: string }).widget ?? '';
    const widget = await widgets.byPublicId(widgetId);
    const full = file('chat.html');
    if (!widget || !widget.enabled || !full) return reply.status(404).type('text/plain; charset=utf-8').send('widget not found');
    const ancestors = ["'self'", ...widget.allowedOrigins].join(' ');
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header(
        'content-security-policy',
        `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self' ws: wss:; media-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors ${ancestors}`,
      )
      .header('referrer-policy', 'no-referrer')
      .send(fs.createReadStream(full));
  });
}
