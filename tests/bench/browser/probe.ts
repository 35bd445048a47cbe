/**
 * What the browser benchmark runs inside the page (as an init script, before the page's own
 * code): Event Timing entries of key presses, long tasks, and the moment the editor became
 * editable with every paragraph shown. Plain JavaScript in a string: it runs in Chromium.
 */
/** `expected`: how many paragraphs make the report shown. */
export const probe = (expected: number): string => `(() => {
  const bench = { keys: [], longTasks: [], editableAt: null, expected: ${expected} };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.name !== 'keydown' && e.name !== 'keyup' && e.name !== 'keypress') continue;
        bench.keys.push({ name: e.name, id: e.interactionId, start: e.startTime,
          duration: e.duration, wait: e.processingStart - e.startTime });
      }
    }).observe({ type: 'event', durationThreshold: 16, buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  const check = () => {
    if (bench.editableAt !== null) return;
    const editor = document.querySelector('.ProseMirror[contenteditable="true"]');
    if (editor && bench.expected > 0 && editor.querySelectorAll('p.para').length >= bench.expected) {
      bench.editableAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  check();
})();`;

export interface KeyEntry {
  name: string;
  id: number;
  start: number;
  duration: number;
  wait: number;
}

export interface PageBench {
  keys: KeyEntry[];
  longTasks: Array<{ start: number; duration: number }>;
  editableAt: number | null;
}
