import { LitElement, css, html, nothing } from 'lit';
import type { TraceSearchHit } from '../../api/wire-types';
import { formatDuration } from '../../model/duration';
import { formatAgo, formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { tracePath } from '../../model/route';
import { operationPath } from '../../model/latency-routes';
import { controlStyles } from '../common/shared-styles';
import { serviceStyle } from '../common/service-style';

/** The result list: one link per trace with a duration bar scaled to the longest trace. */
export class TlSearchResults extends LitElement {
  static override properties = { hits: { attribute: false }, nowMs: { type: Number } };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
      /* Up to 1,500 cards: the browser skips laying out and painting the ones off screen. */
      li {
        display: flex;
        gap: 0.4rem;
        content-visibility: auto;
        contain-intrinsic-size: auto 80px;
      }
      /* The whole ID is there (selecting or copying it gives all 32 digits); only 8 show. */
      .id {
        max-width: 9ch;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      a.hit {
        display: block;
        flex: 1;
        min-width: 0;
        padding: 0.6rem 0.8rem;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
        color: inherit;
        text-decoration: none;
      }
      a.hit:hover,
      a.hit:focus-visible {
        border-color: var(--tl-accent);
        background: var(--tl-bg-hover);
      }
      .top {
        display: flex;
        align-items: baseline;
        gap: 0.5rem;
      }
      .title {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        flex: 1;
        min-width: 0;
      }
      .duration {
        font-variant-numeric: tabular-nums;
        font-weight: 600;
      }
      .track {
        height: 6px;
        margin: 0.4rem 0;
        border-radius: 3px;
        background: var(--tl-bg-sunken);
        overflow: hidden;
      }
      .bar {
        height: 100%;
        border-radius: 3px;
        background: light-dark(var(--svc-l), var(--svc-d));
      }
      .meta {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.35rem 0.9rem;
        font-size: 0.85rem;
      }
      .services {
        display: flex;
        flex-wrap: wrap;
        gap: 0.2rem 0.6rem;
      }
      .service {
        display: inline-flex;
        align-items: center;
        gap: 0.3em;
      }
      .when {
        margin-left: auto;
      }
      a.latency {
        flex: none;
        display: flex;
        flex-direction: column;
        align-items: center;
        justify-content: center;
        gap: 0.2rem;
        width: 4.2rem;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
        font-size: 0.75rem;
        text-decoration: none;
        color: var(--tl-fg-muted);
      }
      a.latency svg {
        width: 18px;
        height: 14px;
        fill: currentColor;
      }
      a.latency:hover,
      a.latency:focus-visible {
        border-color: var(--tl-accent);
        color: var(--tl-accent);
      }
    `,
  ];

  declare hits: readonly TraceSearchHit[];
  declare nowMs: number;

  constructor() {
    super();
    this.hits = [];
    this.nowMs = Date.now();
  }

  override render() {
    const longest = Math.max(...this.hits.map((h) => Number(h.durationNano)), 1);
    return html`<ol data-testid="search-results" aria-label="Traces">
      ${this.hits.map((hit) => {
        const duration = Number(hit.durationNano);
        const startMs = nanosToMillis(hit.startTimeUnixNano);
        return html`<li>
          <a class="hit" href=${tracePath(hit.traceId)} data-testid="search-result" data-trace-id=${hit.traceId}>
            <div class="top">
              <span class="swatch" style=${serviceStyle(hit.rootService)}></span>
              <span class="title">${hit.rootService}: ${hit.rootOperation}</span>
              <span class="mono muted id" title=${hit.traceId}>${hit.traceId}</span>
              <span class="duration">${formatDuration(duration)}</span>
            </div>
            <div class="track" aria-hidden="true">
              <div class="bar" style=${`${serviceStyle(hit.rootService)};width:${Math.max((duration / longest) * 100, 0.5)}%`}></div>
            </div>
            <div class="meta">
              <span>${hit.spanCount} span${hit.spanCount === 1 ? '' : 's'}</span>
              ${hit.errorCount > 0
                ? html`<span class="badge error" data-testid="error-badge">${hit.errorCount} error${hit.errorCount === 1 ? '' : 's'}</span>`
                : nothing}
              <span class="services">
                ${hit.services.map((s) => html`<span class="service"><span class="swatch" style=${serviceStyle(s)}></span>${s}</span>`)}
              </span>
              <span class="when muted" title=${formatTimestamp(startMs)}>${formatTimestamp(startMs)} · ${formatAgo(startMs, this.nowMs)}</span>
            </div>
          </a>
          ${hit.rootService && hit.rootOperation
            ? html`<a
                class="latency"
                href=${operationPath(hit.rootService, hit.rootOperation)}
                data-testid="search-result-latency"
                title=${`Latency of ${hit.rootService}: ${hit.rootOperation}`}
                aria-label=${`Latency of ${hit.rootService}: ${hit.rootOperation}`}
              >
                <svg viewBox="0 0 18 14" aria-hidden="true">
                  <rect x="0" y="9" width="3" height="5"></rect>
                  <rect x="5" y="3" width="3" height="11"></rect>
                  <rect x="10" y="6" width="3" height="8"></rect>
                  <rect x="15" y="11" width="3" height="3"></rect>
                </svg>
                latency
              </a>`
            : nothing}
        </li>`;
      })}
    </ol>`;
  }
}

customElements.define('tl-search-results', TlSearchResults);

declare global {
  interface HTMLElementTagNameMap {
    'tl-search-results': TlSearchResults;
  }
}
