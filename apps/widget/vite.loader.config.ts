import { defineConfig } from 'vite';

// The loader a site's <script> tag loads: one small IIFE file (kept under 10 KB gzipped; a test measures it).
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    target: 'es2017',
    minify: true,
    lib: { entry: 'src/loader/loader.ts', formats: ['iife'], name: 'KefuChatLoader', fileName: () => 'loader.js' },
  },
});
