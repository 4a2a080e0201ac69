import { LitElement, css, html, nothing } from 'lit';
import { formatDuration } from '../../model/duration';
import { formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { toOtlpJson } from '@threadline/shared';
import type { SkewMode } from '../../model/route';
import type { TraceView } from '../../model/trace-view';
import { downloadJson } from '../common/download';
import { controlStyles } from '../common/shared-styles';
import { serviceStyle } from '../common/service-style';
import { TlSkewModeEvent } from '../waterfall/waterfall-events';
import '../common/tl-copy-button';
import { formatCount } from '../../model/format-count';

/** Fixed so the page does not jump when the skeleton is replaced by the real header. */
export const TRACE_HEADER_HEIGHT = 92;


/** The trace page's header: what the trace is, its numbers, the skew toggle and the download. */
export class TlTraceHeader extends LitElement {
  static override properties = { view: { attribute: false }, mode: {}, sourceLabel: {} };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        box-sizing: border-box;
        height: ${TRACE_HEADER_HEIGHT}px;
        padding: 0.6rem 0.75rem 0.5rem;
        border-bottom: 1px solid var(--tl-border);
        overflow: hidden;
      }
      /* Narrow screens: the facts wrap onto more lines; keep them all reachable. */
      @media (max-width: 760px) {
        :host {
          height: auto;
          max-height: 40vh;
          overflow-y: auto;
        }
        .title {
          flex-wrap: wrap;
        }
      }
      .title {
        display: flex;
        align-items: center;
        gap: 0.6rem;
      }
      h1 {
        flex: 1;
        min-width: 0;
        margin: 0;
        font-size: 1.15rem;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      h1 .service {
        color: var(--tl-fg-muted);
        font-weight: 400;
      }
      .facts {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.25rem 1.1rem;
        margin-top: 0.35rem;
        font-size: 0.85rem;
      }
      .fact .label {
        color: var(--tl-fg-muted);
        margin-right: 0.3rem;
      }
      .services {
        display: inline-flex;
        flex-wrap: wrap;
        gap: 0.1rem 0.6rem;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 0.3em;
      }
      .skew {
        display: inline-flex;
        align-items: center;
        gap: 0.35rem;
        padding: 0.2rem 0.55rem;
        border: 1px solid var(--tl-border-strong);
        border-radius: var(--tl-radius);
        cursor: pointer;
        white-space: nowrap;
      }
      .skew.has-skew {
        border-color: var(--tl-warn);
        background: var(--tl-warn-bg);
      }
    `,
  ];

  declare view: TraceView;
  declare mode: SkewMode;
  /** Where the trace came from when it is not the server, e.g. "file trace.json". */
  declare sourceLabel: string;

  constructor() {
    super();
    this.mode = 'adjusted';
    this.sourceLabel = '';
  }

  private download(): void {
    downloadJson(`trace-${this.view.traceId}.json`, toOtlpJson(this.view.spans));
  }

  override render() {
    const summary = this.view.timelines[this.mode].summary;
    const skewed = this.view.skew.skewedCount;
    return html`<div class="title">
        <h1 data-testid="trace-title">
          <span class="service">${summary.rootService}:</span> ${summary.rootOperation}
        </h1>
        ${this.sourceLabel ? html`<span class="badge warn" data-testid="trace-source">${this.sourceLabel}</span>` : nothing}
        <label class=${`skew${skewed > 0 ? ' has-skew' : ''}`} title="Shift spans from other hosts into their parents (Jaeger's clock-skew adjustment)">
          <input
            type="checkbox"
            data-testid="skew-toggle"
            .checked=${this.mode === 'adjusted'}
            @change=${(e: Event) => this.dispatchEvent(new TlSkewModeEvent((e.target as HTMLInputElement).checked ? 'adjusted' : 'raw'))}
          />
          Adjust clock skew
          <span class="muted" data-testid="skew-count">(${skewed} span${skewed === 1 ? '' : 's'})</span>
        </label>
        <button type="button" data-testid="download-otlp" @click=${this.download}>Download OTLP JSON</button>
      </div>
      <div class="facts">
        <span class="fact">
          <span class="label">Trace</span><span class="mono" data-testid="trace-id">${this.view.traceId}</span>
          <tl-copy-button .value=${this.view.traceId} label="Copy" data-testid="copy-trace-id"></tl-copy-button>
        </span>
        <span class="fact"><span class="label">Start</span>${formatTimestamp(nanosToMillis(summary.startNanos))}</span>
        <span class="fact"><span class="label">Duration</span><strong data-testid="trace-duration">${formatDuration(summary.durationNanos)}</strong></span>
        <span class="fact"><span class="label">Spans</span><span data-testid="trace-span-count">${formatCount(summary.spanCount)}</span></span>
        <span class="fact"><span class="label">Depth</span>${summary.depth}</span>
        <span class="fact">
          <span class="label">Errors</span>${summary.errorCount > 0
            ? html`<span class="badge error" data-testid="trace-errors">${summary.errorCount}</span>`
            : html`<span data-testid="trace-errors">0</span>`}
        </span>
        ${summary.orphanCount > 0
          ? html`<span class="fact" title="Spans whose parent is not in this trace"><span class="label">Orphans</span><span class="badge warn">${summary.orphanCount}</span></span>`
          : nothing}
        <span class="fact services" data-testid="trace-services">
          ${summary.services.map((s) => html`<span class="chip"><span class="swatch" style=${serviceStyle(s)}></span>${s}</span>`)}
        </span>
      </div>`;
  }
}

customElements.define('tl-trace-header', TlTraceHeader);

declare global {
  interface HTMLElementTagNameMap {
    'tl-trace-header': TlTraceHeader;
  }
}
