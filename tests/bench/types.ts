/**
 * Types shared by the harness (tests/bench/harness.ts) and the load generator
 * (tests/bench/loadgen.ts), which runs as a separate child process and talks to the harness over
 * the Node IPC channel.
 */

/** How a light client frames its messages. */
export type Framing =
  /** y-websocket: [type][payload]. Concord and the stock y-websocket server. */
  | 'y-websocket'
  /** Hocuspocus: [varString documentName][type][payload], and an Auth message before anything. */
  | 'hocuspocus';

/** The real provider used as a compatibility canary in each run. */
export type CanarySpec =
  | { kind: 'y-websocket'; serverUrl: string; room: string; params: Record<string, string> }
  | { kind: 'hocuspocus'; url: string; name: string; token: string };

/**
 * Everything a client needs to reach one document of one target. Made by the target's
 * `prepare()` (which is where a login step goes once Concord has authentication: put the
 * session cookie or bearer token into `headers`).
 */
export interface ConnSpec {
  target: string;
  framing: Framing;
  /** Full websocket URL that light clients open. */
  wsUrl: string;
  /** Extra HTTP headers for the websocket upgrade (Cookie, Authorization, Origin …). */
  headers: Record<string, string>;
  /** Document name; only sent on the wire by the Hocuspocus framing. */
  docName: string;
  /** Hocuspocus auth token ('' when the server has no onAuthenticate hook). */
  token: string;
  canary: CanarySpec;
}

export interface FanoutParams {
  kind: 'fanout';
  readers: number;
  editsPerSec: number;
  durationMs: number;
  /** After the last edit: how long to wait for every reader to have every edit. */
  drainMs: number;
  connectConcurrency: number;
  /** Threads of the load generator the readers are spread over (tests/bench/part.ts). */
  loadThreads: number;
  /** Edits at the same pace before the measured window (not counted). */
  warmupMs: number;
}

export interface StormParams {
  kind: 'storm';
  clients: number;
  writers: number;
  editsPerSecPerWriter: number;
  durationMs: number;
  drainMs: number;
  connectConcurrency: number;
  /** Threads of the load generator the clients are spread over (tests/bench/part.ts). */
  loadThreads: number;
  /** Edits at the same pace before the measured window (not counted). */
  warmupMs: number;
}

export interface PresenceParams {
  kind: 'presence';
  clients: number;
  /** Clients that decode every awareness message and measure latency (the rest only receive). */
  observers: number;
  intervalMs: number;
  durationMs: number;
  drainMs: number;
  connectConcurrency: number;
}

export interface ColdloadParams {
  kind: 'coldload';
  edits: number;
  editChars: number;
  /** Edits merged into one update message while building the document. */
  batch: number;
  /** Cold loads measured per run. */
  loads: number;
  /** Wait after the last client left, so the target unloads the document. */
  unloadWaitMs: number;
  syncTimeoutMs: number;
}

export interface ConnectParams {
  kind: 'connect';
  clients: number;
  concurrency: number;
  /** Edits a seeding client puts in the document first (it stays connected). */
  seedEdits: number;
  settleMs: number;
}

export type ScenarioParams =
  | FanoutParams
  | StormParams
  | PresenceParams
  | ColdloadParams
  | ConnectParams;

export type ScenarioKind = ScenarioParams['kind'];

export interface Scenario {
  /** e.g. 'fanout:100', 'storm'. */
  id: string;
  params: ScenarioParams;
  /** Hard limit for one run of this scenario on one target, load process included. */
  budgetMs: number;
}

/** Config handed to the load generator through the BENCH_LOAD environment variable. */
export interface LoadConfig {
  scenario: Scenario;
  conn: ConnSpec;
  /** Per-socket timeout for connecting and first sync. */
  syncTimeoutMs: number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** What the load generator reports at the end of a run. */
export interface LoadResult {
  delivered: number;
  expected: number;
  converged: boolean;
  convergenceDetail: string;
  canaryOk: boolean;
  canaryDetail: string;
  latency: LatencySummary | null;
  /** Scenario-specific numbers (e.g. deliveriesPerSec, bytesReceived, coldLoadMs.0 …). */
  extra: Record<string, number>;
  /** Scenario-specific notes that go into the table. */
  notes: string[];
  errors: string[];
}

/** Load generator → harness. */
export type LoadMessage =
  | { type: 'mark'; name: string }
  | { type: 'result'; result: LoadResult }
  | { type: 'log'; text: string };

/** Harness → load generator. */
export type HarnessMessage = { type: 'ack'; name: string };
