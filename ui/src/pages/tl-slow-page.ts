import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { fetchPercentiles, fetchSlowSpans } from '../api/latency-api';
import type { LatencySpan, PercentilesResult, SlowSpansResult } from '../api/latency-types';
import { fetchServices } from '../api/threadline-api';
import { formatDuration } from '../model/duration';
import { operationPath, operationsPath, slowPath } from '../model/latency-routes';
import { resolveWindow, windowLabel, pickWindow, type ResolvedWindow } from '../model/latency-window';
import { formatPercent } from '../model/operation-rows';
import { PERCENTILE_CHOICES, percentileLabel, quantileMatches } from '../model/percentile';
import { DEFAULT_SLOW_QUERY, type SlowQuery } from '../model/slow-query';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { serviceStyle } from '../components/common/service-style';
import type { TlSlowSubmitEvent } from '../components/slow/slow-events';
import '../components/slow/tl-slow-form';
import '../components/latency/tl-span-list';
import '../components/common/tl-error-state';
import { formatCount } from '../model/format-count';

const PAGE_SIZE = 50;

interface MorePages {
  spans: LatencySpan[];
  nextCursor: string | null;
  loading: boolean;
  error: unknown;
}

/**
 * `/slow?service=&operation=&window=&percentile=99&tag=&errorsOnly=`: the latency at a
 * percentile of a service or operation, and the spans at or above it, slowest first,
 * each opening its trace with the span selected.
 */
export class TlSlowPage extends LitElement {
  static override properties = {
    query: { attribute: false },
    submitted: { type: Boolean },
    resolved: { state: true },
    more: { state: true },
  };

  static override styles = [
    controlStyles,
    pageStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: 19rem minmax(0, 1fr);
        overflow: hidden;
      }
      aside {
        padding: 1rem;
        border-right: 1px solid var(--tl-border);
        background: var(--tl-bg-raised);
        overflow-y: auto;
      }
      .results {
        overflow-y: auto;
      }
      .results .page {
        max-width: none;
      }
      .summary {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        justify-content: space-between;
        gap: 0.8rem 1.5rem;
      }
      .summary p {
        margin: 0.3rem 0 0;
      }
      .quantile.current .value {
        color: var(--tl-accent);
      }
      .list-head {
        display: flex;
        align-items: baseline;
        gap: 0.8rem;
      }
      .list-head h2 {
        margin: 0;
        font-size: 1rem;
      }
      .list-head > a {
        margin-left: auto;
      }
      .more {
        display: flex;
        justify-content: center;
        padding: 0.4rem 0;
      }
      @media (max-width: 760px) {
        :host {
          grid-template-columns: 1fr;
          grid-template-rows: auto 1fr;
        }
      }
    `,
  ];

  declare query: SlowQuery;
  declare submitted: boolean;
  /** The window the current results are for: relative windows are pinned when a search runs, so pages agree. */
  declare resolved: ResolvedWindow;
  declare more: MorePages;

  private readonly services = new Task(this, {
    task: async (_args, { signal }) => fetchServices(signal),
    args: () => [],
  });

  private readonly percentiles = new Task(this, {
    task: async ([query, submitted, window], { signal }): Promise<PercentilesResult | null> => {
      if (!submitted || !query.service) return null;
      const wanted = [...new Set<string>([...PERCENTILE_CHOICES, query.percentile])];
      return fetchPercentiles(query.service, query.operation, window, wanted, signal);
    },
    args: () => [this.query, this.submitted, this.resolved] as const,
  });

  private readonly slow = new Task(this, {
    task: async ([query, submitted, window], { signal }): Promise<SlowSpansResult | null> => {
      this.more = { spans: [], nextCursor: null, loading: false, error: null };
      if (!submitted || !query.service) return null;
      const page = await fetchSlowSpans(query, window, PAGE_SIZE, null, signal);
      this.more = { ...this.more, nextCursor: page.nextCursor };
      return page;
    },
    args: () => [this.query, this.submitted, this.resolved] as const,
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_SLOW_QUERY };
    this.submitted = false;
    this.resolved = resolveWindow(this.query, Date.now());
    this.more = { spans: [], nextCursor: null, loading: false, error: null };
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query') || changed.has('submitted')) this.resolved = resolveWindow(this.query, Date.now());
  }

  private onSubmit(event: TlSlowSubmitEvent): void {
    const path = slowPath(event.query);
    // The same query again means "refresh": a relative window moves on to now.
    if (path === `${location.pathname}${location.search}`) this.resolved = resolveWindow(this.query, Date.now());
    else navigate(path);
  }

  private async loadMore(): Promise<void> {
    const cursor = this.more.nextCursor;
    if (!cursor || this.more.loading) return;
    this.more = { ...this.more, loading: true, error: null };
    try {
      const page = await fetchSlowSpans(this.query, this.resolved, PAGE_SIZE, cursor);
      this.more = { spans: [...this.more.spans, ...page.spans], nextCursor: page.nextCursor, loading: false, error: null };
    } catch (error) {
      this.more = { ...this.more, loading: false, error };
    }
  }

  private subject(): string {
    return this.query.operation ? `${this.query.service}: ${this.query.operation}` : `${this.query.service} (all operations)`;
  }

  private renderSummary(result: SlowSpansResult) {
    const q = this.query;
    const stats = this.percentiles.status === TaskStatus.COMPLETE ? this.percentiles.value : null;
    const shown = [...new Set<string>([...PERCENTILE_CHOICES, q.percentile])].sort((a, b) => Number(a) - Number(b));
    const valueOf = (p: string): number | undefined => stats?.quantiles.find((entry) => quantileMatches(entry.q, p))?.durationNano;
    return html`<section class="card summary" data-testid="slow-summary" aria-label="Percentiles">
      <div>
        <h1><span class="swatch" style=${serviceStyle(q.service)}></span>${this.subject()}</h1>
        <p class="muted">
          ${percentileLabel(q.percentile)} over ${windowLabel(q)}${stats
            ? html` · <span data-testid="slow-count">${formatCount(stats.count)}</span> spans,
                ${formatPercent(stats.count > 0 ? stats.errorCount / stats.count : 0)} errors`
            : nothing}
          ${q.tags.length > 0 ? html` · spans tagged ${q.tags.join(', ')}` : nothing}
          ${q.errorsOnly ? html` · failed spans only` : nothing}
        </p>
      </div>
      <div class="stats">
        <div class="stat threshold">
          <span class="value" data-testid="slow-threshold" data-threshold-nano=${result.thresholdNano ?? ''}>
            ${result.thresholdNano === null ? '–' : formatDuration(result.thresholdNano)}
          </span>
          <span class="label">${percentileLabel(q.percentile)} threshold</span>
        </div>
        ${shown
          .filter((p) => p !== q.percentile)
          .map((p) => {
            const value = valueOf(p);
            return html`<div class="stat quantile" data-testid=${`slow-quantile-${p}`}>
              <span class="value">${value === undefined ? '–' : formatDuration(value)}</span>
              <span class="label">${percentileLabel(p)}</span>
            </div>`;
          })}
      </div>
    </section>`;
  }

  private renderList(result: SlowSpansResult) {
    const q = this.query;
    const spans = [...result.spans, ...this.more.spans];
    const link = q.operation
      ? html`<a href=${operationPath(q.service, q.operation, { window: pickWindow(q) })} data-testid="slow-operation-link">Latency histogram and heatmap →</a>`
      : html`<a href=${operationsPath({ service: q.service, ...pickWindow(q) })} data-testid="slow-operations-link">All operations of ${q.service} →</a>`;
    if (spans.length === 0) {
      return html`<div class="list-head"><h2 data-testid="slow-span-count">No spans</h2>${link}</div>
        <p class="placeholder">
          No span of ${this.subject()} ${q.tags.length > 0 || q.errorsOnly ? 'matching the filters ' : ''}started in ${windowLabel(q)}.
          Widen the window or check that the service is sending spans.
        </p>`;
    }
    return html`<div class="list-head">
        <h2 data-testid="slow-span-count">${spans.length}${this.more.nextCursor ? '+' : ''} span${spans.length === 1 ? '' : 's'} at or above ${percentileLabel(q.percentile)}</h2>
        <span class="muted">slowest first</span>
        ${link}
      </div>
      <tl-span-list .spans=${spans} .thresholdNano=${result.thresholdNano} ?show-operation=${!q.operation}></tl-span-list>
      ${this.more.error ? html`<tl-error-state .error=${this.more.error} subject="more spans"></tl-error-state>` : nothing}
      ${this.more.nextCursor
        ? html`<div class="more">
            <button type="button" data-testid="slow-more" ?disabled=${this.more.loading} @click=${() => void this.loadMore()}>
              ${this.more.loading ? 'Loading…' : `Show ${PAGE_SIZE} more`}
            </button>
          </div>`
        : nothing}`;
  }

  private renderResults() {
    if (!this.submitted || !this.query.service) {
      return html`<p class="placeholder">
        Choose a service (and an operation, or all of them), a window and a percentile, then press <strong>Find slow spans</strong>: you get
        the latency at that percentile and every span at or above it, slowest first.
      </p>`;
    }
    return this.slow.render({
      pending: () => html`<div aria-busy="true" data-testid="slow-loading">
        <div class="skeleton line" style="height:5rem"></div>
        ${[0, 1, 2, 3, 4, 5].map(() => html`<div class="skeleton line"></div>`)}
      </div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="slow spans"></tl-error-state>`,
      complete: (result) => (result === null ? nothing : html`${this.renderSummary(result)}${this.renderList(result)}`),
    });
  }

  override render() {
    return html`<aside>
        <tl-slow-form .query=${this.query} .services=${this.services.value ?? []} @tl-slow-submit=${this.onSubmit}></tl-slow-form>
        ${this.services.status === TaskStatus.ERROR
          ? html`<tl-error-state .error=${this.services.error} subject="services"></tl-error-state>`
          : nothing}
      </aside>
      <section class="results" aria-label="Slow spans"><div class="page">${this.renderResults()}</div></section>`;
  }
}

customElements.define('tl-slow-page', TlSlowPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-slow-page': TlSlowPage;
  }
}
