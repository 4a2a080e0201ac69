import { LitElement, css, html, nothing, svg } from 'lit';
import { formatDuration } from '../../model/duration';
import { buildLatencyTicks } from '../../model/latency-bands';
import type { ResolvedWindow } from '../../model/latency-window';
import {
  bucketRangeFromFractions,
  bucketsOfSelection,
  countBuckets,
  histogramSelection,
  type HistogramBucket,
} from '../../model/histogram-selection';
import type { LatencySelection } from '../../model/operations-query';
import { niceStep } from '../../model/time-scale';
import { TlLatencySelectEvent } from './latency-events';
import { formatCount } from '../../model/format-count';

const HEIGHT = 240;
const PAD = { top: 10, right: 12, bottom: 28, left: 52 };

/** `1.2k`-style count labels for the y axis. */
function formatAxisCount(n: number): string {
  if (n >= 1_000_000) return `${Number((n / 1_000_000).toFixed(1))}M`;
  if (n >= 1_000) return `${Number((n / 1_000).toFixed(1))}k`;
  return String(n);
}

/**
 * Span count per log-latency bucket (bars; failed spans stacked in the error colour).
 * Dragging across bars (or clicking one) selects their latency range over the whole window.
 */
export class TlLatencyHistogram extends LitElement {
  static override properties = {
    buckets: { attribute: false },
    window: { attribute: false },
    selection: { attribute: false },
    errorsOnly: { type: Boolean, attribute: 'errors-only' },
    width: { state: true },
    dragRange: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      height: ${HEIGHT}px;
      user-select: none;
      touch-action: none;
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
    .bar {
      fill: var(--tl-accent);
      fill-opacity: 0.8;
    }
    .bar.error {
      fill: var(--tl-error);
      fill-opacity: 0.9;
    }
    .bucket:hover .bar {
      fill-opacity: 1;
    }
    svg {
      cursor: crosshair;
      outline: none;
    }
    svg:focus-visible .hit {
      stroke: var(--tl-accent);
      stroke-width: 2;
    }
    .hit {
      fill: transparent;
    }
    .selection {
      fill: var(--tl-accent);
      fill-opacity: 0.12;
      stroke: var(--tl-accent);
      stroke-width: 1.5;
      pointer-events: none;
    }
    .empty {
      fill: var(--tl-fg-muted);
      font: 13px var(--tl-font);
    }
  `;

  declare buckets: readonly HistogramBucket[];
  declare window: ResolvedWindow;
  declare selection: LatencySelection | null;
  declare errorsOnly: boolean;
  declare width: number;
  /** Bucket indices under the pointer while dragging. */
  declare dragRange: [number, number] | null;
  private dragAnchor: number | null = null;
  private keyCursor: number | null = null;
  private keyAnchor: number | null = null;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.width = Math.round(entry.contentRect.width);
  });

  constructor() {
    super();
    this.buckets = [];
    this.window = { startNs: '0', endNs: '0' };
    this.selection = null;
    this.errorsOnly = false;
    this.width = 0;
    this.dragRange = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    this.resizeObserver.disconnect();
    super.disconnectedCallback();
  }

  private get plotWidth(): number {
    return Math.max(this.width - PAD.left - PAD.right, 1);
  }

  private fractionAt(event: PointerEvent): number {
    const rect = this.getBoundingClientRect();
    return (event.clientX - rect.left - PAD.left) / this.plotWidth;
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || this.buckets.length === 0) return;
    this.dragAnchor = this.fractionAt(event);
    this.dragRange = bucketRangeFromFractions(this.dragAnchor, this.dragAnchor, this.buckets.length);
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  private onPointerMove(event: PointerEvent): void {
    if (this.dragAnchor === null) return;
    this.dragRange = bucketRangeFromFractions(this.dragAnchor, this.fractionAt(event), this.buckets.length);
  }

  /** Left/Right move a bar cursor, Shift stretches a range, Enter or Space selects, Escape clears. */
  private onKeyDown(event: KeyboardEvent): void {
    const n = this.buckets.length;
    if (n === 0) return;
    const cursor = this.keyCursor ?? n - 1;
    if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault();
      if (event.shiftKey) this.keyAnchor ??= cursor;
      else this.keyAnchor = null;
      this.keyCursor = Math.min(n - 1, Math.max(0, cursor + (event.key === 'ArrowLeft' ? -1 : 1)));
      const anchor = this.keyAnchor ?? this.keyCursor;
      this.dragRange = [Math.min(anchor, this.keyCursor), Math.max(anchor, this.keyCursor)];
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const anchor = this.keyAnchor ?? cursor;
      this.keyAnchor = null;
      this.dragRange = null;
      this.dispatchEvent(new TlLatencySelectEvent(histogramSelection(Math.min(anchor, cursor), Math.max(anchor, cursor), this.buckets, this.window)));
    } else if (event.key === 'Escape') {
      this.keyAnchor = null;
      this.dragRange = null;
      this.dispatchEvent(new TlLatencySelectEvent(null));
    }
  }

  private onPointerUp(): void {
    const range = this.dragRange;
    this.dragAnchor = null;
    this.dragRange = null;
    if (!range) return;
    this.dispatchEvent(new TlLatencySelectEvent(histogramSelection(range[0], range[1], this.buckets, this.window)));
  }

  override render() {
    if (this.width === 0) return nothing;
    const n = this.buckets.length;
    const plotW = this.plotWidth;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    if (n === 0) {
      return html`<svg width=${this.width} height=${HEIGHT} data-testid="latency-histogram">
        <text class="empty" x=${this.width / 2} y=${HEIGHT / 2} text-anchor="middle">No spans in this window</text>
      </svg>`;
    }
    const heightOf = (b: HistogramBucket): number => (this.errorsOnly ? b.errorCount : b.count);
    const highest = Math.max(...this.buckets.map(heightOf), 1);
    // The axis ends on the first round count at or above the highest bar, so no bar sticks out.
    const step = Math.max(1, niceStep(highest, 4));
    const yMax = Math.ceil(highest / step) * step;
    const yTicks = { values: Array.from({ length: yMax / step + 1 }, (_, k) => k * step) };
    const band = plotW / n;
    const x = (position: number): number => PAD.left + (position / n) * plotW;
    const y = (count: number): number => PAD.top + plotH - (count / yMax) * plotH;
    const xTicks = buildLatencyTicks(this.buckets, Math.max(2, Math.floor(plotW / 64)));
    const range = this.dragRange ?? (this.selection ? bucketsOfSelection(this.selection, this.buckets) : null);
    const gap = band > 6 ? 1 : 0;
    return html`<svg
      width=${this.width}
      height=${HEIGHT}
      role="img"
      tabindex="0"
      aria-label="Latency histogram: span count per latency bucket. Left and right move, Shift stretches a range, Enter selects."
      data-testid="latency-histogram"
      data-buckets=${n}
      @pointerdown=${this.onPointerDown}
      @pointermove=${this.onPointerMove}
      @pointerup=${this.onPointerUp}
      @pointercancel=${() => {
        this.dragAnchor = null;
        this.dragRange = null;
      }}
      @keydown=${this.onKeyDown}
      @blur=${() => {
        this.keyCursor = null;
        this.keyAnchor = null;
        this.dragRange = null;
      }}
    >
      <rect class="hit" data-testid="histogram-plot" x=${PAD.left} y=${PAD.top} width=${plotW} height=${plotH}></rect>
      ${yTicks.values.map(
        (v) => svg`<line class="grid" x1=${PAD.left} x2=${this.width - PAD.right} y1=${y(v)} y2=${y(v)}></line>
          <text class="axis" x=${PAD.left - 6} y=${y(v) + 4} text-anchor="end">${formatAxisCount(v)}</text>`,
      )}
      ${xTicks.map((t) => svg`<line class="grid" x1=${x(t.position)} x2=${x(t.position)} y1=${PAD.top + plotH} y2=${PAD.top + plotH + 4}></line>
        <text class="axis" x=${x(t.position)} y=${HEIGHT - 8} text-anchor="middle">${t.label}</text>`)}
      ${this.buckets.map((b, i) => {
        const total = heightOf(b);
        const errors = b.errorCount;
        const left = x(i) + gap / 2;
        const w = Math.max(band - gap, 1);
        return svg`<g class="bucket" data-testid="histogram-bar" data-low-nano=${b.lowNs} data-high-nano=${b.highNs} data-count=${b.count} data-error-count=${b.errorCount}>
          ${total > 0 && !this.errorsOnly ? svg`<rect class="bar" x=${left} width=${w} y=${y(total)} height=${y(0) - y(total)}></rect>` : nothing}
          ${errors > 0 ? svg`<rect class="bar error" x=${left} width=${w} y=${y(errors)} height=${y(0) - y(errors)}></rect>` : nothing}
          <title>${b.lowNs === b.highNs ? formatDuration(b.lowNs) : `${formatDuration(b.lowNs)} – ${formatDuration(b.highNs)}`}: ${formatCount(b.count)} span${b.count === 1 ? '' : 's'}${b.errorCount > 0 ? `, ${b.errorCount} failed` : ''}</title>
        </g>`;
      })}
      ${range
        ? svg`<rect class="selection" data-testid="histogram-selection" x=${x(range[0])} width=${x(range[1] + 1) - x(range[0])} y=${PAD.top} height=${plotH}>
            <title>${countBuckets(range[0], range[1], this.buckets).count} spans selected</title>
          </rect>`
        : nothing}
    </svg>`;
  }
}

customElements.define('tl-latency-histogram', TlLatencyHistogram);

declare global {
  interface HTMLElementTagNameMap {
    'tl-latency-histogram': TlLatencyHistogram;
  }
}
