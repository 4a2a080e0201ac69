import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { fetchLatencyHeatmap, fetchLatencyHistogram, fetchPercentiles, fetchSpansIn } from '../api/latency-api';
import type { CoveredWindow, LatencySpan, SpanPage } from '../api/latency-types';
import { formatDuration } from '../model/duration';
import { formatTimestamp } from '../model/format-time';
import { cellsOfSelection, countCells, selectionOfCells } from '../model/heatmap-selection';
import { bucketsOfSelection, countBuckets, histogramSelection } from '../model/histogram-selection';
import { operationPath, operationsPath, slowPath } from '../model/latency-routes';
import { DEFAULT_WINDOW, pickWindow, resolveWindow, windowLabel, type ResolvedWindow } from '../model/latency-window';
import { nanosToMillis } from '../model/nanos';
import { formatPercent, formatRate } from '../model/operation-rows';
import type { LatencySelection, OperationViewQuery } from '../model/operations-query';
import { percentileLabel, quantileMatches } from '../model/percentile';
import { DEFAULT_SLOW_QUERY } from '../model/slow-query';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { serviceStyle } from '../components/common/service-style';
import type { TlLatencySelectEvent, TlTimeWindowEvent } from '../components/latency/latency-events';
import '../components/latency/tl-window-select';
import '../components/latency/tl-latency-histogram';
import '../components/latency/tl-latency-heatmap';
import '../components/latency/tl-span-list';
import '../components/common/tl-error-state';
import '../components/profiles/tl-operation-profile';
import { formatCount } from '../model/format-count';

const PAGE_SIZE = 50;
const STAT_PERCENTILES = ['50', '90', '99', '99.9'] as const;

interface MoreSpans {
  spans: LatencySpan[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
}

/** Inclusive end of a covered window [start, end). */
function sameSelection(a: LatencySelection, b: LatencySelection): boolean {
  return a.startNs === b.startNs && a.endNs === b.endNs && a.minNs === b.minNs && a.maxNs === b.maxNs;
}

function coveredWindow(result: CoveredWindow): ResolvedWindow {
  return { startNs: result.startTimeUnixNano, endNs: (BigInt(result.endTimeUnixNano) - 1n).toString() };
}

/**
 * `/operations/{service}/{operation}?window=…`: one operation's latency distribution as a
 * histogram and a time × latency heatmap. A box on the heatmap or a range on the
 * histogram lists the spans inside it (in the URL, so a selection can be shared).
 */
export class TlOperationPage extends LitElement {
  static override properties = { query: { attribute: false }, refreshedAt: { state: true }, more: { state: true } };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      .charts {
        display: grid;
        grid-template-columns: minmax(0, 2fr) minmax(0, 3fr);
        gap: 1rem;
      }
      @media (max-width: 1000px) {
        .charts {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      .selection-head {
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        gap: 0.4rem 0.8rem;
      }
      .selection-head h2 {
        margin: 0;
        font-size: 1rem;
      }
      .selection-head .actions {
        margin-left: auto;
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      .check {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
      }
      .more {
        display: flex;
        justify-content: center;
        padding-top: 0.6rem;
      }
    `,
  ];

  declare query: OperationViewQuery;
  declare refreshedAt: number;
  declare more: MoreSpans;

  private readonly summary = new Task(this, {
    task: async ([service, operation, window], { signal }) => fetchPercentiles(service, operation, window, STAT_PERCENTILES, signal),
    args: () => [this.query.service, this.query.operation, this.resolved()] as const,
    argsEqual: ([a, b, c], [x, y, z]) => a === x && b === y && c.startNs === z.startNs && c.endNs === z.endNs,
  });

  private readonly histogram = new Task(this, {
    task: async ([service, operation, window], { signal }) => fetchLatencyHistogram(service, operation, window, signal),
    args: () => [this.query.service, this.query.operation, this.resolved()] as const,
    argsEqual: ([a, b, c], [x, y, z]) => a === x && b === y && c.startNs === z.startNs && c.endNs === z.endNs,
  });

  private readonly heatmap = new Task(this, {
    task: async ([service, operation, window], { signal }) => fetchLatencyHeatmap(service, operation, window, signal),
    args: () => [this.query.service, this.query.operation, this.resolved()] as const,
    argsEqual: ([a, b, c], [x, y, z]) => a === x && b === y && c.startNs === z.startNs && c.endNs === z.endNs,
  });

  private readonly spans = new Task(this, {
    task: async ([service, operation, selection, errorsOnly], { signal }): Promise<SpanPage | null> => {
      this.more = { spans: [], nextCursor: null, loading: false, error: null };
      if (!selection) return null;
      const page = await fetchSpansIn(service, operation, selection, errorsOnly, PAGE_SIZE, null, signal);
      this.more = { ...this.more, nextCursor: page.nextCursor };
      return page;
    },
    args: () => [this.query.service, this.query.operation, this.query.selection, this.query.errorsOnly] as const,
    argsEqual: ([a, b, c, d], [w, x, y, z]) =>
      a === w &&
      b === x &&
      d === z &&
      (c === y || (c !== null && y !== null && c.startNs === y.startNs && c.endNs === y.endNs && c.minNs === y.minNs && c.maxNs === y.maxNs)),
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_WINDOW, service: '', operation: '', selection: null, errorsOnly: false };
    this.refreshedAt = Date.now();
    this.more = { spans: [], nextCursor: null, loading: false, error: null };
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const previous = changed.get('query') as OperationViewQuery | undefined;
    if (
      changed.has('query') &&
      (previous?.service !== this.query.service || previous?.operation !== this.query.operation || previous?.window !== this.query.window)
    ) {
      this.refreshedAt = Date.now();
    }
  }

  /** The shown window: a relative one stays pinned to when it was opened (or refreshed), so a selection keeps its place. */
  private resolved(): ResolvedWindow {
    return resolveWindow(this.query, this.refreshedAt);
  }

  private go(changes: Partial<OperationViewQuery>, replace = false): void {
    const q = { ...this.query, ...changes };
    navigate(operationPath(q.service, q.operation, { window: pickWindow(q), selection: q.selection, errorsOnly: q.errorsOnly }), { replace });
  }

  private onWindow(event: TlTimeWindowEvent): void {
    // A selection is a place in the old window's data; it would point at nothing in the new one.
    this.go({ ...event.window, selection: null });
  }

  private onSelect(event: TlLatencySelectEvent): void {
    this.go({ selection: event.selection }, true);
  }

  private async loadMore(): Promise<void> {
    const selection = this.query.selection;
    const cursor = this.more.nextCursor;
    if (!selection || !cursor || this.more.loading) return;
    this.more = { ...this.more, loading: true, error: null };
    try {
      const page = await fetchSpansIn(this.query.service, this.query.operation, selection, this.query.errorsOnly, PAGE_SIZE, cursor);
      this.more = { spans: [...this.more.spans, ...page.spans], nextCursor: page.nextCursor, loading: false, error: null };
    } catch (error) {
      this.more = { ...this.more, loading: false, error };
    }
  }

  private renderStats() {
    return this.summary.render({
      pending: () => html`<div class="skeleton line" style="height:2.6rem;width:32rem"></div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="percentiles"></tl-error-state>`,
      complete: (stats) => {
        const seconds = Number(BigInt(this.resolved().endNs) - BigInt(this.resolved().startNs)) / 1e9;
        const valueOf = (p: string): number | undefined => stats.quantiles.find((q) => quantileMatches(q.q, p))?.durationNano;
        return html`<div class="stats" data-testid="operation-stats">
          <div class="stat"><span class="value" data-testid="operation-count">${formatCount(stats.count)}</span><span class="label">spans</span></div>
          <div class="stat"><span class="value">${formatRate(stats.count / seconds)}</span><span class="label">rate</span></div>
          <div class="stat">
            <span class=${`value${stats.errorCount > 0 ? ' error-text' : ''}`}>${formatPercent(stats.count > 0 ? stats.errorCount / stats.count : 0)}</span>
            <span class="label">errors</span>
          </div>
          ${STAT_PERCENTILES.map((p) => {
            const value = valueOf(p);
            return html`<div class="stat" data-testid=${`operation-quantile-${p}`}>
              <span class="value">${value === undefined ? '–' : formatDuration(value)}</span><span class="label">${percentileLabel(p)}</span>
            </div>`;
          })}
        </div>`;
      },
    });
  }

  private renderHistogram() {
    return this.histogram.render({
      pending: () => html`<div class="skeleton block"></div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="latency histogram"></tl-error-state>`,
      complete: (result) => html`<tl-latency-histogram
        .buckets=${result.buckets}
        .window=${coveredWindow(result)}
        .selection=${this.query.selection}
        ?errors-only=${this.query.errorsOnly}
        @tl-latency-select=${this.onSelect}
      ></tl-latency-histogram>`,
    });
  }

  private renderHeatmap() {
    return this.heatmap.render({
      pending: () => html`<div class="skeleton block"></div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="latency heatmap"></tl-error-state>`,
      complete: (grid) => html`<tl-latency-heatmap
        .grid=${grid}
        .selection=${this.query.selection}
        ?errors-only=${this.query.errorsOnly}
        @tl-latency-select=${this.onSelect}
      ></tl-latency-heatmap>`,
    });
  }

  private describeSelection(selection: LatencySelection): string {
    const min = Number(selection.minNs);
    const max = Number(selection.maxNs);
    const from = formatTimestamp(nanosToMillis(selection.startNs));
    const to = formatTimestamp(nanosToMillis(BigInt(selection.endNs) + 1n));
    return `${formatDuration(min)} – ${formatDuration(max)}, started ${from} – ${to.slice(to.indexOf(' ') + 1)}`;
  }

  /**
   * How many spans the selection holds, from the heatmap's cells or the histogram's bars
   * when it is exactly a block of them (a selection made on them, not one from another window).
   */
  private expectedCount(selection: LatencySelection): number | null {
    const pick = (counts: { count: number; errorCount: number }): number => (this.query.errorsOnly ? counts.errorCount : counts.count);
    const grid = this.heatmap.status === TaskStatus.COMPLETE ? this.heatmap.value : undefined;
    const cells = grid ? cellsOfSelection(selection, grid) : null;
    if (grid && cells && sameSelection(selectionOfCells(cells, grid), selection)) return pick(countCells(cells, grid));
    const histogram = this.histogram.status === TaskStatus.COMPLETE ? this.histogram.value : undefined;
    const bars = histogram ? bucketsOfSelection(selection, histogram.buckets) : null;
    if (histogram && bars && sameSelection(histogramSelection(bars[0], bars[1], histogram.buckets, coveredWindow(histogram)), selection)) {
      return pick(countBuckets(bars[0], bars[1], histogram.buckets));
    }
    return null;
  }

  private renderSelection() {
    const selection = this.query.selection;
    const errorsToggle = html`<label class="check">
      <input
        type="checkbox"
        data-testid="operation-errors-only"
        .checked=${this.query.errorsOnly}
        @change=${(e: Event) => this.go({ errorsOnly: (e.target as HTMLInputElement).checked }, true)}
      />
      Failed spans only
    </label>`;
    if (!selection) {
      return html`<div class="selection-head">
          <h2>Spans</h2>
          <span class="muted">Drag a box on the heatmap, or across bars of the histogram, to list the spans inside it.</span>
          <span class="actions">${errorsToggle}</span>
        </div>`;
    }
    const expected = this.expectedCount(selection);
    return html`<div class="selection-head">
        <h2 data-testid="selection-title">${expected === null ? 'Spans in the selection' : `${formatCount(expected)} span${expected === 1 ? '' : 's'} in the selection`}</h2>
        <span class="muted" data-testid="selection-range">${this.describeSelection(selection)}</span>
        <span class="actions">
          ${errorsToggle}
          <button type="button" data-testid="selection-clear" @click=${() => this.go({ selection: null }, true)}>Clear</button>
        </span>
      </div>
      ${this.spans.render({
        pending: () => html`<div aria-busy="true" data-testid="selection-loading">${[0, 1, 2].map(() => html`<div class="skeleton line"></div>`)}</div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="spans"></tl-error-state>`,
        complete: (page) => {
          if (!page) return nothing;
          const spans = [...page.spans, ...this.more.spans];
          if (spans.length === 0) return html`<p class="placeholder" data-testid="selection-empty">No span in this selection.</p>`;
          return html`<tl-span-list .spans=${spans}></tl-span-list>
            ${this.more.error ? html`<tl-error-state .error=${this.more.error} subject="more spans"></tl-error-state>` : nothing}
            ${this.more.nextCursor
              ? html`<div class="more">
                  <button type="button" data-testid="selection-more" ?disabled=${this.more.loading} @click=${() => void this.loadMore()}>
                    ${this.more.loading ? 'Loading…' : `Show ${PAGE_SIZE} more`}
                  </button>
                </div>`
              : nothing}`;
        },
      })}`;
  }

  /** The heatmap selection's time range when there is one, else the page's window. */
  private profileWindow(): ResolvedWindow {
    const selection = this.query.selection;
    return selection ? { startNs: selection.startNs, endNs: (BigInt(selection.endNs) + 1n).toString() } : this.resolved();
  }

  override render() {
    const q = this.query;
    const window = pickWindow(q);
    return html`<div class="page">
      <div>
        <div class="crumbs"><a href=${operationsPath({ service: q.service, ...window })} data-testid="operation-crumb">Operations of ${q.service}</a> ›</div>
        <div class="toolbar">
          <h1 data-testid="operation-title"><span class="swatch" style=${serviceStyle(q.service)}></span>${q.service}: ${q.operation}</h1>
          <tl-window-select test-id="operation-window" .value=${window} @tl-time-window=${this.onWindow}></tl-window-select>
          <button type="button" data-testid="operation-refresh" @click=${() => (this.refreshedAt = Date.now())}>Refresh</button>
          <a class="end" href=${slowPath({ ...DEFAULT_SLOW_QUERY, ...window, service: q.service, operation: q.operation })} data-testid="operation-slow-link"
            >Spans above p99 →</a
          >
        </div>
      </div>
      ${this.renderStats()}
      <div class="charts">
        <section class="card" aria-label="Latency histogram">
          <h2>Latency distribution <span class="hint">log scale · drag across bars to select</span></h2>
          ${this.renderHistogram()}
        </section>
        <section class="card" aria-label="Latency heatmap">
          <h2>Latency over time <span class="hint">${windowLabel(q)} · drag a box to select</span></h2>
          ${this.renderHeatmap()}
        </section>
      </div>
      <section class="card" aria-label="Spans in the selection" data-testid="selection">${this.renderSelection()}</section>
      <section class="card" aria-label="CPU profile" data-testid="operation-profile">
        <tl-operation-profile service=${q.service} operation=${q.operation} .window=${this.profileWindow()}></tl-operation-profile>
      </section>
    </div>`;
  }
}

customElements.define('tl-operation-page', TlOperationPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-operation-page': TlOperationPage;
  }
}
