import { LitElement, css, html, nothing, unsafeCSS } from 'lit';
import { Task } from '@lit/task';
import { loadTraceView } from '../api/load-trace-view';
import { fetchProfileMarkers } from '../api/profiles-api';
import { NO_MARKERS, toMarkerMap, type ProfileMarkers } from '../model/profile-markers';
import { comparePath, tracePath, type SkewMode, type TraceSource, type TraceTab } from '../model/route';
import type { TraceView } from '../model/trace-view';
import type { ErrorGroup } from '../model/error-summary';
import { traceTitle } from '../model/page-title';
import { normalizeHexId, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import type { TraceFile } from '../model/trace-file';
import { buildTraceView } from '../model/trace-view';
import { controlStyles } from '../components/common/shared-styles';
import { navigate } from '../components/router/navigate';
import { TRACE_HEADER_HEIGHT } from '../components/trace/tl-trace-header';
import type { TlFindChangeEvent, TlSkewModeEvent, TlSpanSelectEvent } from '../components/waterfall/waterfall-events';
import '../components/trace/tl-trace-header';
import '../components/trace/tl-error-summary';
import '../components/trace/tl-trace-stats';
import '../components/trace/tl-flame-graph';
import '../components/waterfall/tl-waterfall';
import '../components/span-detail/tl-span-detail';
import '../components/common/tl-error-state';

/** A trace file opened in this tab, kept only in memory. */
export interface LocalTraceFile {
  readonly name: string;
  readonly file: TraceFile;
}

/** `/trace/{traceId}?span={spanId}` and `/trace/local`: header, waterfall and span details. */
export class TlTracePage extends LitElement {
  static override properties = {
    source: { attribute: false },
    spanId: { attribute: false },
    skew: {},
    find: {},
    tab: {},
    localFile: { attribute: false },
    detailOpen: { state: true },
    localIndex: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
      }
      .body {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr);
      }
      .body.with-detail {
        grid-template-columns: minmax(0, 1fr) minmax(20rem, 30%);
      }
      /* Phones: the details go below the waterfall instead of squeezing it. */
      @media (max-width: 760px) {
        .body.with-detail {
          grid-template-columns: minmax(0, 1fr);
          grid-template-rows: minmax(0, 1fr) minmax(0, 45%);
        }
      }
      tl-waterfall,
      tl-span-detail {
        min-height: 0;
      }
      /* Stands in for <tl-trace-header> at exactly its size. */
      .header-skeleton {
        box-sizing: border-box;
        height: ${unsafeCSS(TRACE_HEADER_HEIGHT)}px;
        padding: 0.6rem 0.75rem;
        border-bottom: 1px solid var(--tl-border);
        display: flex;
        flex-direction: column;
        gap: 0.6rem;
      }
      .header-skeleton .skeleton:first-child {
        height: 1.4rem;
        width: 40%;
      }
      .header-skeleton .skeleton:last-child {
        height: 1rem;
        width: 75%;
      }
      .loading {
        padding: 0.75rem;
        display: flex;
        flex-direction: column;
        gap: 6px;
      }
      .loading .skeleton {
        height: 20px;
      }
      .tabs {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        gap: 0.2rem;
        padding: 0.3rem 0.75rem 0;
        border-bottom: 1px solid var(--tl-border);
        font-size: 0.9rem;
      }
      .tabs a {
        padding: 0.25rem 0.7rem;
        color: var(--tl-fg-muted);
        text-decoration: none;
        border-bottom: 2px solid transparent;
      }
      .tabs form {
        margin-left: auto;
        display: flex;
        gap: 0.3rem;
        padding-bottom: 0.25rem;
      }
      .tabs form input {
        width: min(17rem, 40vw);
        font-family: var(--tl-mono);
        font-size: 0.8rem;
      }
      .tabs a[aria-current='page'] {
        color: var(--tl-fg);
        border-bottom-color: var(--tl-accent);
        font-weight: 600;
      }
      tl-trace-stats,
      tl-flame-graph {
        flex: 1;
        min-height: 0;
      }
      .picker {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.4rem 0.75rem;
        font-size: 0.85rem;
        border-bottom: 1px solid var(--tl-border);
      }
    `,
  ];

  declare source: TraceSource;
  declare spanId: string | null;
  declare skew: SkewMode;
  declare find: string;
  declare tab: TraceTab;
  declare localFile: LocalTraceFile | null;
  declare detailOpen: boolean;
  /** Which trace of a multi-trace file is shown. */
  declare localIndex: number;

  private readonly trace = new Task(this, {
    task: async ([key, local, index], { signal }) => {
      if (key === 'local') {
        const trace = local?.file.traces[index];
        if (!trace) throw new Error('No trace file is open in this tab. Use "Open JSON" in the header to view one.');
        return buildTraceView(trace.traceId, trace.spans);
      }
      const view = await loadTraceView(key, signal);
      const { rootService, rootOperation } = view.timelines.adjusted.summary;
      document.title = traceTitle(rootService, rootOperation, view.traceId);
      return view;
    },
    // The source object is new on every URL change (selecting a span); only its identity matters.
    args: () => [this.sourceKey(), this.localFile, this.localIndex] as const,
  });

  /** Spans with a Go CPU profile or execution trace; none for local files, and none when the lookup fails. */
  private readonly profileMarkers = new Task(this, {
    task: async ([key], { signal }): Promise<ProfileMarkers> => (key === 'local' ? NO_MARKERS : toMarkerMap(await fetchProfileMarkers(key, signal).catch(() => []))),
    args: () => [this.sourceKey()] as const,
  });

  constructor() {
    super();
    this.source = { kind: 'local' };
    this.spanId = null;
    this.skew = 'adjusted';
    this.find = '';
    this.tab = 'waterfall';
    this.localFile = null;
    this.detailOpen = false;
    this.localIndex = 0;
  }

  private sourceKey(): string {
    return this.source.kind === 'local' ? 'local' : this.source.traceId;
  }

  private shownSourceKey = '';

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Opening a trace (not selecting within it) shows the details only when the link names a span.
    if (changed.has('source') && this.sourceKey() !== this.shownSourceKey) {
      this.shownSourceKey = this.sourceKey();
      this.detailOpen = this.spanId !== null;
    }
    if (changed.has('localFile')) this.localIndex = 0;
  }

  private path(changes: { spanId?: string | null; skew?: SkewMode; find?: string; tab?: TraceTab }): string {
    return tracePath(this.source, changes.spanId !== undefined ? changes.spanId : this.spanId, changes.skew ?? this.skew, {
      find: changes.find ?? this.find,
      tab: changes.tab ?? this.tab,
    });
  }

  private onSelect(event: TlSpanSelectEvent): void {
    if (event.openDetail) this.detailOpen = true;
    navigate(this.path({ spanId: event.spanId }), { replace: true });
  }

  private onSkewMode(event: TlSkewModeEvent): void {
    navigate(this.path({ skew: event.mode }), { replace: true });
  }

  private onFindChange(event: TlFindChangeEvent): void {
    navigate(this.path({ find: event.text }), { replace: true });
  }

  private readonly flameHref = (spanId: string): string => this.path({ spanId, tab: 'waterfall' });

  private compareWith(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('other') as HTMLInputElement;
    const other = normalizeHexId(input.value, TRACE_ID_HEX_LENGTH);
    if (this.source.kind !== 'server' || other === null) {
      input.setCustomValidity('A trace ID is up to 32 hex digits.');
      input.reportValidity();
      return;
    }
    navigate(comparePath(this.source.traceId, other));
  }

  private renderTabs() {
    const tabs: ReadonlyArray<[TraceTab, string]> = [
      ['waterfall', 'Waterfall'],
      ['stats', 'Statistics'],
      ['flame', 'Flame graph'],
    ];
    return html`<nav class="tabs" aria-label="Trace views">
      ${tabs.map(
        ([tab, label]) =>
          html`<a href=${this.path({ tab })} data-testid=${`trace-tab-${tab}`} aria-current=${tab === this.tab ? 'page' : 'false'}>${label}</a>`,
      )}
      ${this.source.kind === 'server'
        ? html`<form @submit=${this.compareWith} aria-label="Compare with another trace">
            <input
              name="other"
              data-testid="compare-input"
              placeholder="Compare with trace ID"
              aria-label="Trace ID to compare with"
              autocomplete="off"
              spellcheck="false"
              @input=${(e: Event) => (e.target as HTMLInputElement).setCustomValidity('')}
            />
            <button type="submit" data-testid="compare-submit">Compare</button>
          </form>`
        : nothing}
    </nav>`;
  }

  private renderWaterfall(view: TraceView) {
    const selectedRow = this.spanId ? view.rowBySpanId.get(this.spanId) : undefined;
    const showDetail = this.detailOpen && selectedRow !== undefined;
    return html`<div class=${`body${showDetail ? ' with-detail' : ''}`}>
      <tl-waterfall
        .view=${view}
        .mode=${this.skew}
        .selectedSpanId=${this.spanId}
        .find=${this.find}
        .profileMarkers=${this.profileMarkers.value ?? NO_MARKERS}
        @tl-span-select=${this.onSelect}
        @tl-find-change=${this.onFindChange}
        @tl-detail-close=${() => (this.detailOpen = false)}
      ></tl-waterfall>
      ${showDetail
        ? html`<tl-span-detail
            .view=${view}
            .row=${selectedRow}
            .mode=${this.skew}
            .profileMarkers=${this.profileMarkers.value ?? NO_MARKERS}
            @tl-span-select=${this.onSelect}
            @tl-detail-close=${() => (this.detailOpen = false)}
          ></tl-span-detail>`
        : nothing}
    </div>`;
  }

  private renderTab(view: TraceView) {
    switch (this.tab) {
      case 'stats':
        return html`<tl-trace-stats .view=${view} .mode=${this.skew}></tl-trace-stats>`;
      case 'flame':
        return html`<tl-flame-graph .view=${view} .mode=${this.skew} .hrefFor=${this.flameHref}></tl-flame-graph>`;
      case 'waterfall':
        return this.renderWaterfall(view);
    }
  }

  private readonly errorHref = (group: ErrorGroup): string => {
    const view = this.trace.value;
    const spanId = view?.rows[group.firstRow]?.node.span.spanId ?? null;
    return this.path({ spanId, find: group.message || 'status=error', tab: 'waterfall' });
  };

  private renderPicker() {
    const traces = this.localFile?.file.traces ?? [];
    if (this.source.kind !== 'local' || traces.length < 2) return nothing;
    return html`<div class="picker">
      <label for="pick">This file holds ${traces.length} traces:</label>
      <select id="pick" data-testid="local-trace-select" @change=${(e: Event) => (this.localIndex = Number((e.target as HTMLSelectElement).value))}>
        ${traces.map((t, i) => html`<option value=${i} ?selected=${i === this.localIndex}>${t.traceId} (${t.spans.length} spans)</option>`)}
      </select>
    </div>`;
  }

  private renderLoading() {
    return html`<div class="header-skeleton" aria-busy="true" data-testid="trace-loading">
        <div class="skeleton"></div>
        <div class="skeleton"></div>
      </div>
      <div class="loading">${Array.from({ length: 12 }, (_, i) => html`<div class="skeleton" style=${`width:${90 - i * 5}%;margin-left:${i * 2}%`}></div>`)}</div>`;
  }

  override render() {
    const subject = this.source.kind === 'local' ? 'trace file' : `trace ${this.source.traceId}`;
    return html`${this.renderPicker()}
    ${this.trace.render({
      initial: () => this.renderLoading(),
      pending: () => this.renderLoading(),
      error: (error) => html`<tl-error-state .error=${error} .subject=${subject}></tl-error-state>`,
      complete: (view) =>
        html`<tl-trace-header
            .view=${view}
            .mode=${this.skew}
            .sourceLabel=${this.source.kind === 'local' ? `file ${this.localFile?.name ?? ''}` : ''}
            @tl-skew-mode=${this.onSkewMode}
          ></tl-trace-header>
          ${view.errors.length > 0
            ? html`<tl-error-summary data-testid="error-summary" .groups=${view.errors} .hrefFor=${this.errorHref}></tl-error-summary>`
            : nothing}
          ${this.renderTabs()} ${this.renderTab(view)}`,
    })}`;
  }
}

customElements.define('tl-trace-page', TlTracePage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-trace-page': TlTracePage;
  }
}
