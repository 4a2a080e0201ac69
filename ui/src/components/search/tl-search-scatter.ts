import { LitElement, css, html, svg, nothing } from 'lit';
import type { TraceSearchHit } from '../../api/wire-types';
import { formatDuration } from '../../model/duration';
import { formatClock, formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { tracePath } from '../../model/route';
import { buildTicks, buildWallClockTicks, createTimeScale, formatTick } from '../../model/time-scale';
import { serviceStyle } from '../common/service-style';

const HEIGHT = 200;
const PAD = { top: 12, right: 16, bottom: 26, left: 56 };

interface Dot {
  hit: TraceSearchHit;
  x: number;
  y: number;
  r: number;
}

/** Duration over time, one dot per trace; a dot is a link to its trace. */
export class TlSearchScatter extends LitElement {
  static override properties = { hits: { attribute: false }, width: { state: true } };
  static override styles = css`
    :host {
      display: block;
      height: ${HEIGHT}px;
      border: 1px solid var(--tl-border);
      border-radius: var(--tl-radius);
      background: var(--tl-bg-raised);
      overflow: hidden;
    }
    svg {
      display: block;
    }
    .axis {
      fill: var(--tl-fg-muted);
      font: 11px var(--tl-font);
    }
    .grid {
      stroke: var(--tl-border);
      stroke-width: 1;
    }
    circle {
      fill: light-dark(var(--svc-l), var(--svc-d));
      fill-opacity: 0.75;
      stroke: var(--tl-bg);
      stroke-width: 1;
      cursor: pointer;
    }
    circle.error {
      stroke: var(--tl-error);
      stroke-width: 2.5;
    }
    a:hover circle,
    a:focus circle {
      fill-opacity: 1;
      stroke: var(--tl-fg);
      stroke-width: 2;
    }
  `;

  declare hits: readonly TraceSearchHit[];
  declare width: number;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.width = Math.round(entry.contentRect.width);
  });

  constructor() {
    super();
    this.hits = [];
    this.width = 0;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    this.resizeObserver.disconnect();
    super.disconnectedCallback();
  }

  private layout(): { dots: Dot[]; xTicks: Array<[number, string]>; yTicks: Array<[number, string]> } {
    const plotW = Math.max(this.width - PAD.left - PAD.right, 1);
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const times = this.hits.map((h) => nanosToMillis(h.startTimeUnixNano));
    const durations = this.hits.map((h) => Number(h.durationNano));
    let t0 = Math.min(...times);
    let t1 = Math.max(...times);
    // One trace, or several at the same instant, still get a readable axis.
    if (t1 - t0 < 1_000) {
      t0 -= 30_000;
      t1 += 30_000;
    }
    const top = Math.max(...durations) * 1.1 || 1;
    const yTickSet = buildTicks(0, top, 4);
    // Ticks stop at or below `top`; one step more keeps the slowest traces inside the plot, not above it.
    const yValues = [...yTickSet.values];
    if (yValues[yValues.length - 1]! < top) yValues.push(yValues[yValues.length - 1]! + yTickSet.step);
    const yMax = yValues[yValues.length - 1]!;
    const timeScale = createTimeScale(t0, t1);
    const durationScale = createTimeScale(0, yMax);
    const x = (t: number): number => PAD.left + timeScale.fraction(t) * plotW;
    const y = (d: number): number => PAD.top + plotH - durationScale.fraction(d) * plotH;
    const maxSpans = Math.max(...this.hits.map((h) => h.spanCount), 1);
    const xTickSet = buildWallClockTicks(t0, t1, Math.max(2, Math.floor(plotW / 90)), -new Date(t0).getTimezoneOffset() * 60_000);
    return {
      dots: this.hits.map((hit, i) => ({
        hit,
        x: x(times[i]!),
        y: y(durations[i]!),
        // Area grows with span count, within readable bounds.
        r: 3.5 + 6 * Math.sqrt(hit.spanCount / maxSpans),
      })),
      xTicks: xTickSet.values.map((t) => [x(t), formatClock(t, xTickSet.step)]),
      yTicks: yValues.map((d) => [y(d), formatTick(d, yTickSet.step)]),
    };
  }

  override render() {
    if (this.width === 0 || this.hits.length === 0) return nothing;
    const { dots, xTicks, yTicks } = this.layout();
    return html`<svg width=${this.width} height=${HEIGHT} role="img" aria-label="Trace durations over time" data-testid="search-scatter">
      ${yTicks.map(
        ([y, label]) => svg`<line class="grid" x1=${PAD.left} x2=${this.width - PAD.right} y1=${y} y2=${y}></line>
          <text class="axis" x=${PAD.left - 6} y=${y + 4} text-anchor="end">${label}</text>`,
      )}
      ${xTicks.map(([x, label]) => svg`<text class="axis" x=${x} y=${HEIGHT - 8} text-anchor="middle">${label}</text>`)}
      ${dots.map(
        ({ hit, x, y, r }) => svg`<a href=${tracePath(hit.traceId)} data-testid="scatter-dot" data-trace-id=${hit.traceId}>
          <circle cx=${x} cy=${y} r=${r} class=${hit.errorCount > 0 ? 'error' : ''} style=${serviceStyle(hit.rootService)}></circle>
          <title>${hit.rootService}: ${hit.rootOperation}
${formatDuration(Number(hit.durationNano))}, ${hit.spanCount} spans${hit.errorCount ? `, ${hit.errorCount} errors` : ''}
${formatTimestamp(nanosToMillis(hit.startTimeUnixNano))}</title>
        </a>`,
      )}
    </svg>`;
  }
}

customElements.define('tl-search-scatter', TlSearchScatter);

declare global {
  interface HTMLElementTagNameMap {
    'tl-search-scatter': TlSearchScatter;
  }
}
