// Hocuspocus as a benchmark target: @hocuspocus/server with no extensions, on 127.0.0.1.
// Plain JavaScript so the server process runs without a TypeScript loader.
//
// BENCH_PORT: port. BENCH_HP_STORE=memory: only for the coldload scenario, keep unloaded
// documents in an in-process Map through the onStoreDocument/onLoadDocument hooks, the smallest
// "storage" that lets Hocuspocus unload a document and load it again (without it an unloaded
// document is simply gone), and GET /bench/docs answers how many documents are loaded, so the
// harness can check that a cold load really starts unloaded.
import { Server } from '@hocuspocus/server';
import * as Y from 'yjs';

const port = Number(process.env.BENCH_PORT);
const store = process.env.BENCH_HP_STORE === 'memory' ? new Map() : null;

const server = new Server({
  port,
  address: '127.0.0.1',
  quiet: true,
  stopOnSignals: true,
  ...(store
    ? {
        async onStoreDocument({ documentName, document }) {
          store.set(documentName, Y.encodeStateAsUpdate(document));
        },
        async onLoadDocument({ documentName, document }) {
          const saved = store.get(documentName);
          if (saved) Y.applyUpdate(document, saved);
        },
        onRequest({ request, response, instance }) {
          if (request.url !== '/bench/docs') return Promise.resolve();
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ documents: instance.getDocumentsCount() }));
          // Rejecting without an error is how a hook stops Hocuspocus' default answer.
          return Promise.reject();
        },
      }
    : {}),
});

await server.listen();
