import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env['CONCORD_DEV_API'] ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root,
  // Relative asset URLs would break under #/ routing only if we used paths; hash routing keeps '/' fine.
  base: '/',
  // Components are TSX for Preact (client/src/ui/README in the project README): Vite's own Oxc
  // transform compiles the JSX to Preact's automatic runtime; no plugin is needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/client', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  resolve: {
    // Exactly one copy of each: two copies of yjs break `instanceof` checks ("Yjs was already
    // imported"), two copies of prosemirror-model break schema identity.
    dedupe: [
      'preact',
      '@preact/signals',
      'yjs',
      'y-prosemirror',
      'prosemirror-state',
      'prosemirror-view',
      'prosemirror-model',
    ],
  },
  server: {
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/sync': { target: apiTarget, ws: true, changeOrigin: false },
    },
  },
});
