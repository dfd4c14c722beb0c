// The Kefu chat loader: the one file a site's <script> tag loads. It opens the chat page (served by Kefu) in an
// iframe at a corner of the page and only resizes it when the chat page asks; everything else — the launcher
// button, the chat, the visitor's data — lives inside the iframe on Kefu's origin. Messages between the two use
// postMessage with the exact other origin on both ends, and are ignored unless they come from the iframe's window.
//
//   <script src="https://kefu.example.com/widget/loader.js" data-widget="<widget id>" async></script>
//
// Optional, set before the script: window.KefuChatSettings = { identity: { payload, signature } } (a verified
// identity signed on the site's server with the widget's HMAC secret). After loading: window.KefuChat.open({ context }).

interface Settings {
  identity?: { payload: string; signature: string };
}

interface LayoutMessage {
  kefu: 1;
  type: 'layout';
  open: boolean;
  position: 'right' | 'left';
  unread: number;
}

(() => {
  const w = window as unknown as { KefuChatSettings?: Settings; KefuChat?: unknown };
  if (w.KefuChat) return; // the snippet was pasted twice
  const script = document.currentScript as HTMLScriptElement | null;
  const widgetId = script?.dataset.widget;
  if (!script || !widgetId) {
    console.error('Kefu chat: the script tag needs data-widget="<widget id>"');
    return;
  }
  const kefuOrigin = new URL(script.src, location.href).origin;
  const frame = document.createElement('iframe');
  frame.src = `${kefuOrigin}/widget/chat?widget=${encodeURIComponent(widgetId)}`;
  frame.title = 'Chat';
  frame.setAttribute('allow', 'microphone; autoplay; clipboard-read; clipboard-write');
  const closedSize = 88;
  const style = frame.style;
  style.cssText = `position:fixed;bottom:12px;right:12px;width:${closedSize}px;height:${closedSize}px;border:0;margin:0;padding:0;background:transparent;color-scheme:normal;z-index:2147483000;max-width:100vw;max-height:100vh`;

  const post = (message: Record<string, unknown>) => frame.contentWindow?.postMessage({ kefu: 1, ...message }, kefuOrigin);
  const pending: Record<string, unknown>[] = [];
  let ready = false;
  const send = (message: Record<string, unknown>) => (ready ? post(message) : pending.push(message));

  const layout = (m: LayoutMessage) => {
    const left = m.position === 'left';
    style.left = left ? '12px' : '';
    style.right = left ? '' : '12px';
    if (m.open) {
      style.width = `${Math.min(380, innerWidth - 24)}px`;
      style.height = `${Math.min(620, innerHeight - 24)}px`;
    } else {
      style.width = `${closedSize}px`;
      style.height = `${closedSize}px`;
    }
  };

  addEventListener('message', (event: MessageEvent) => {
    if (event.origin !== kefuOrigin || event.source !== frame.contentWindow) return;
    const data = event.data as { kefu?: number; type?: string };
    if (!data || data.kefu !== 1) return;
    if (data.type === 'ready') {
      ready = true;
      post({ type: 'init', page: location.href, referrer: document.referrer, identity: w.KefuChatSettings?.identity ?? null });
      for (const m of pending.splice(0)) post(m);
    } else if (data.type === 'layout') {
      layout(data as LayoutMessage);
    }
  });

  w.KefuChat = {
    open: (options?: { context?: Record<string, string> }) => send({ type: 'open', context: options?.context ?? null }),
    close: () => send({ type: 'close' }),
  };

  const mount = () => document.body.appendChild(frame);
  if (document.body) mount();
  else addEventListener('DOMContentLoaded', mount);
})();
