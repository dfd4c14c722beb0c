import { defineConfig } from 'vite';

// The chat page the loader opens in an iframe: served by Kefu at /widget/chat?widget=<id>, assets under /widget/assets/.
export default defineConfig({
  base: '/widget/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    rolldownOptions: { input: { chat: 'chat.html' } },
  },
});
