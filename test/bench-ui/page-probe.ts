/**
 * In-page measurement scripts, as strings (tsx's keepNames helpers do not exist in the page).
 *
 * PROBE_INIT runs before any page script. It wraps attachShadow so a MutationObserver watches
 * every shadow root as Lit creates it, and records, in performance.now() time (0 = navigation
 * start of the document):
 *   dom   – the first `[data-testid="span-row"]` is in the DOM;
 *   paint – the first frame holding it has been painted: a rAF callback runs just before that
 *           frame's paint, and a message posted from it is delivered right after the paint.
 * and then calls PAINTED_BINDING, if the harness exposed it (so that it need not poll the page
 * while the page loads: each poll is a DevTools round trip through both processes, on the cores
 * the load is measured on).
 */
export const PAINTED_BINDING = '__tlBenchPainted';

export const PROBE_INIT = `(() => {
  const bench = (window.__tlBench = {});
  const waterfallRoot = () => {
    const app = document.querySelector('tl-app');
    const page = app && app.shadowRoot && app.shadowRoot.querySelector('tl-trace-page');
    const waterfall = page && page.shadowRoot && page.shadowRoot.querySelector('tl-waterfall');
    return waterfall ? waterfall.shadowRoot : null;
  };
  const observers = [];
  const onMutation = () => {
    if (bench.dom !== undefined) return;
    const root = waterfallRoot();
    if (!root || !root.querySelector('[data-testid="span-row"]')) return;
    bench.dom = performance.now();
    for (const observer of observers) observer.disconnect();
    requestAnimationFrame(() => {
      bench.frame = performance.now();
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        bench.paint = performance.now();
        bench.rowsAtPaint = waterfallRoot().querySelectorAll('[data-testid="span-row"]').length;
        if (typeof window.${PAINTED_BINDING} === 'function') window.${PAINTED_BINDING}();
      };
      channel.port2.postMessage(null);
    });
  };
  const observe = (root) => {
    const observer = new MutationObserver(onMutation);
    observer.observe(root, { childList: true, subtree: true });
    observers.push(observer);
  };
  // Main-thread tasks over 50 ms (the Long Tasks API), to find what blocks the page after the first paint.
  bench.longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    observe(root);
    return root;
  };
  observe(document);
})()`;

/** After the first paint: the trace API request's timing and the rendered rows against the viewport. */
export const COLLECT_AFTER_PAINT = `new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => {
  const bench = window.__tlBench;
  const api = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/traces/'));
  const root = document.querySelector('tl-app').shadowRoot.querySelector('tl-trace-page').shadowRoot.querySelector('tl-waterfall').shadowRoot;
  const viewport = root.querySelector('.viewport');
  const row = root.querySelector('[data-testid="span-row"]');
  const ruler = root.querySelector('.ruler-row');
  const rowHeight = row ? row.getBoundingClientRect().height : 0;
  const rowsArea = viewport.clientHeight - (ruler ? ruler.getBoundingClientRect().height : 0);
  resolve({
    dom: bench.dom,
    frame: bench.frame,
    paint: bench.paint,
    rowsAtPaint: bench.rowsAtPaint,
    apiRequestStart: api ? api.requestStart : null,
    apiResponseStart: api ? api.responseStart : null,
    apiResponseEnd: api ? api.responseEnd : null,
    apiTransferBytes: api ? api.transferSize : null,
    apiBodyBytes: api ? api.decodedBodySize : null,
    rows: root.querySelectorAll('[data-testid="span-row"]').length,
    rowsInViewport: rowHeight > 0 ? Math.ceil(rowsArea / rowHeight) : 0,
    rowHeight,
  });
})))`;

/**
 * Jumps the waterfall to its last row and measures, as above, the time until the frame
 * showing it is painted: what a long scroll costs once the trace is open.
 */
export const SCROLL_TO_END = `new Promise((resolve) => {
  const root = document.querySelector('tl-app').shadowRoot.querySelector('tl-trace-page').shadowRoot.querySelector('tl-waterfall').shadowRoot;
  const viewport = root.querySelector('.viewport');
  const start = performance.now();
  viewport.scrollTop = viewport.scrollHeight;
  // The scroll event, and the re-render it triggers, come before this frame's rAF callbacks.
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const rows = root.querySelectorAll('[data-testid="span-row"]');
      const last = rows[rows.length - 1];
      resolve({ ms: performance.now() - start, rows: rows.length, lastRow: last ? Number(last.dataset.row) : -1 });
    };
    channel.port2.postMessage(null);
  });
})`;

/** The longest main-thread task that started after the first waterfall paint (0 when none took over 50 ms). */
export const LONGEST_TASK_AFTER_PAINT = `(() => {
  const bench = window.__tlBench;
  return bench.longTasks.filter((t) => t.start >= bench.paint).reduce((max, t) => Math.max(max, t.duration), 0);
})()`;
