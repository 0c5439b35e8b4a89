import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      // better-sqlite3 is native and stays in node_modules; the core is bundled.
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // Import and match run on worker threads; this is the worker's entry in the built app.
          'job-worker': resolve('src/main/core/jobs/worker.ts'),
          // Large CSV imports read and parse on this worker while the job inserts.
          'import-parse-worker': resolve('src/main/core/import/parse-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require npm packages, so it is one self-contained CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [react()],
    build: {
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
      minify: true,
      chunkSizeWarningLimit: 1500,
    },
  },
});
