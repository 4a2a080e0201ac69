import { LitElement, css, html, nothing } from 'lit';
import type { LatencySpan } from '../../api/latency-types';
import { formatDuration } from '../../model/duration';
import { formatTimestamp } from '../../model/format-time';
import { operationPath } from '../../model/latency-routes';
import { nanosToMillis } from '../../model/nanos';
import { tracePath } from '../../model/route';
import { controlStyles } from '../common/shared-styles';
import { serviceStyle } from '../common/service-style';

/**
 * Spans of one latency question (above a percentile, inside a heatmap box), slowest first:
 * each opens its trace with the span selected. A bar scales each duration to the slowest,
 * with a mark at the threshold when there is one.
 */
export class TlSpanList extends LitElement {
  static override properties = {
    spans: { attribute: false },
    thresholdNano: { attribute: false },
    showOperation: { type: Boolean, attribute: 'show-operation' },
  };

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
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        overflow: hidden;
      }
      li {
        display: flex;
        align-items: center;
        border-bottom: 1px solid var(--tl-border);
        background: var(--tl-bg);
      }
      li:last-child {
        border-bottom: none;
      }
      a.span {
        flex: 1;
        min-width: 0;
        display: grid;
        grid-template-columns: 5.5rem minmax(8rem, 1fr) minmax(6rem, 22%) 11.5rem;
        align-items: center;
        gap: 0.8rem;
        padding: 0.45rem 0.75rem;
        color: inherit;
        text-decoration: none;
      }
      a.span:hover,
      a.span:focus-visible {
        background: var(--tl-bg-hover);
      }
      .duration {
        font-weight: 650;
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      .name {
        display: flex;
        align-items: center;
        gap: 0.4rem;
        min-width: 0;
      }
      .name .text {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .track {
        position: relative;
        height: 8px;
        border-radius: 4px;
        background: var(--tl-bg-sunken);
      }
      .bar {
        position: absolute;
        inset: 0 auto 0 0;
        border-radius: 4px;
        background: light-dark(var(--svc-l), var(--svc-d));
      }
      .bar.error {
        background: var(--tl-error);
      }
      .mark {
        position: absolute;
        top: -3px;
        bottom: -3px;
        width: 2px;
        background: var(--tl-fg);
        opacity: 0.6;
      }
      .when {
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
        text-align: right;
      }
      a.latency {
        flex: none;
        align-self: stretch;
        display: flex;
        align-items: center;
        padding: 0 0.7rem;
        border-left: 1px solid var(--tl-border);
        font-size: 0.8rem;
        text-decoration: none;
        color: var(--tl-fg-muted);
      }
      a.latency:hover,
      a.latency:focus-visible {
        color: var(--tl-accent);
        background: var(--tl-bg-hover);
      }
      @media (max-width: 900px) {
        a.span {
          grid-template-columns: 5rem minmax(0, 1fr);
        }
        .track,
        .when {
          display: none;
        }
      }
    `,
  ];

  declare spans: readonly LatencySpan[];
  declare thresholdNano: number | null;
  declare showOperation: boolean;

  constructor() {
    super();
    this.spans = [];
    this.thresholdNano = null;
    this.showOperation = false;
  }

  override render() {
    const slowest = Math.max(...this.spans.map((s) => s.durationNano), this.thresholdNano ?? 0, 1);
    const mark = this.thresholdNano === null ? null : (this.thresholdNano / slowest) * 100;
    return html`<ol data-testid="span-results" aria-label="Spans">
      ${this.spans.map((span) => {
        const style = serviceStyle(span.service);
        return html`<li>
          <a
            class="span"
            href=${tracePath(span.traceId, span.spanId)}
            data-testid="span-result"
            data-trace-id=${span.traceId}
            data-span-id=${span.spanId}
            data-duration-nano=${span.durationNano}
            title=${`Open the trace with this span selected`}
          >
            <span class="duration">${formatDuration(span.durationNano)}</span>
            <span class="name">
              <span class="swatch" style=${style}></span>
              <span class="text">${this.showOperation ? `${span.service}: ${span.operation}` : span.operation}</span>
              ${span.error ? html`<span class="badge error" data-testid="span-error">error</span>` : nothing}
            </span>
            <span class="track" aria-hidden="true">
              <span class=${`bar${span.error ? ' error' : ''}`} style=${`${style};width:${Math.max((span.durationNano / slowest) * 100, 0.5)}%`}></span>
              ${mark === null ? nothing : html`<span class="mark" style=${`left:${mark}%`}></span>`}
            </span>
            <span class="when muted">${formatTimestamp(nanosToMillis(span.startTimeUnixNano))}</span>
          </a>
          ${this.showOperation
            ? html`<a class="latency" href=${operationPath(span.service, span.operation)} title=${`Latency of ${span.operation}`}>latency</a>`
            : nothing}
        </li>`;
      })}
    </ol>`;
  }
}

customElements.define('tl-span-list', TlSpanList);

declare global {
  interface HTMLElementTagNameMap {
    'tl-span-list': TlSpanList;
  }
}
