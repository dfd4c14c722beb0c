import { defineConfig } from 'vite';

// The Kefu server serves dist/ (SPA fallback for every non-/api path). In development, `vite` proxies the API to a
// running server so that the session cookie stays same-origin.
const apiPort = process.env['KEFU_HTTP_PORT'] ?? '8080';

export default defineConfig({
  // JSX without a plugin: Oxc compiles .tsx with React's automatic runtime.
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // antd marks its modules "use client" (a React Server Components hint); it means nothing in an SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: `http://127.0.0.1:${apiPort}`, changeOrigin: false },
    },
  },
});
