/**
 * One real provider per run, as a compatibility canary: the stock y-websocket WebsocketProvider
 * for Concord and the stock server, @hocuspocus/provider for Hocuspocus. It joins the document
 * like a reader; at the end its state vector must equal everyone else's.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { stateKey } from './lightClient.js';
import type { CanarySpec } from './types.js';

export interface Canary {
  doc: Y.Doc;
  /** Resolves true once the provider reports synced, false on timeout. */
  synced: Promise<boolean>;
  stateKey(): string;
  destroy(): void;
}

/** A `ws` WebSocket class that adds the target's upgrade headers (for a later login step). */
function wsWithHeaders(headers: Record<string, string>): typeof WebSocket {
  if (Object.keys(headers).length === 0) return WebSocket;
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  } as unknown as typeof WebSocket;
}

export function startCanary(
  spec: CanarySpec,
  headers: Record<string, string>,
  timeoutMs: number,
): Canary {
  const doc = new Y.Doc();
  const WS = wsWithHeaders(headers);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  if (spec.kind === 'y-websocket') {
    const provider = new WebsocketProvider(spec.serverUrl, spec.room, doc, {
      WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
      params: spec.params,
      disableBc: true,
      maxBackoffTime: 1000,
    });
    const synced = new Promise<boolean>((resolve) => {
      if (provider.synced) resolve(true);
      provider.on('sync', (s: boolean) => {
        if (s) resolve(true);
      });
    });
    return {
      doc,
      synced: Promise.race([synced, timeout]).finally(() => clearTimeout(timer)),
      stateKey: () => stateKey(doc),
      destroy: () => {
        provider.destroy();
        doc.destroy();
      },
    };
  }
  const socket = new HocuspocusProviderWebsocket({ url: spec.url, WebSocketPolyfill: WS });
  let provider: HocuspocusProvider | null = null;
  const synced = new Promise<boolean>((resolve) => {
    provider = new HocuspocusProvider({
      websocketProvider: socket,
      name: spec.name,
      token: spec.token,
      document: doc,
      onSynced: ({ state }) => {
        if (state) resolve(true);
      },
    });
    provider.attach();
  });
  return {
    doc,
    synced: Promise.race([synced, timeout]).finally(() => clearTimeout(timer)),
    stateKey: () => stateKey(doc),
    destroy: () => {
      (provider as HocuspocusProvider | null)?.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}
