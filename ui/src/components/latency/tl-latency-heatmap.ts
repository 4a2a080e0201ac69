import { LitElement, css, html, nothing, svg } from 'lit';
import type { LatencyHeatmapResult } from '../../api/latency-types';
import { formatDuration } from '../../model/duration';
import { formatClock, formatTimestamp } from '../../model/format-time';
import { cellColor } from '../../model/heatmap-colors';
import {
  boxOfCells,
  cellRangeFromBox,
  cellsOfSelection,
  countCells,
  maxCellCount,
  selectionOfCells,
  type CellRange,
} from '../../model/heatmap-selection';
import { buildLatencyTicks } from '../../model/latency-bands';
import { nanosToMillis } from '../../model/nanos';
import type { LatencySelection } from '../../model/operations-query';
import { buildWallClockTicks } from '../../model/time-scale';
import { currentTheme, TlThemeChangeEvent, type Theme } from '../theme/theme';
import { TlLatencySelectEvent } from './latency-events';
import { formatCount } from '../../model/format-count';

const HEIGHT = 260;

function rangeBetween(a: { col: number; row: number }, b: { col: number; row: number }): CellRange {
  return { col0: Math.min(a.col, b.col), col1: Math.max(a.col, b.col), row0: Math.min(a.row, b.row), row1: Math.max(a.row, b.row) };
}
const PAD = { top: 8, right: 12, bottom: 26, left: 58 };

interface Hover {
  col: number;
  row: number;
  x: number;
  y: number;
}

/**
 * Time × log latency, a cell's colour the number of spans that started in that time
 * bucket with a duration in that latency bucket (hue towards red as more of them failed).
 * Painted on a canvas (thousands of cells), axes and selection in SVG on top. Dragging a
 * box selects whole cells; the spans inside are exactly the ones the cells count.
 */
export class TlLatencyHeatmap extends LitElement {
  static override properties = {
    grid: { attribute: false },
    selection: { attribute: false },
    errorsOnly: { type: Boolean, attribute: 'errors-only' },
    width: { state: true },
    theme: { state: true },
    dragCells: { state: true },
    hover: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      user-select: none;
      touch-action: none;
    }
    .chart {
      position: relative;
      height: ${HEIGHT}px;
    }
    .muted {
      color: var(--tl-fg-muted);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.3rem 0.5rem;
      padding-left: ${PAD.left}px;
      font-size: 0.78rem;
      color: var(--tl-fg-muted);
    }
    .ramp {
      display: inline-flex;
    }
    .ramp span {
      width: 14px;
      height: 10px;
    }
    .legend .sep {
      width: 0.8rem;
    }
    canvas {
      position: absolute;
      top: ${PAD.top}px;
      left: ${PAD.left}px;
      background: var(--tl-bg-sunken);
      border-radius: 2px;
    }
    svg {
      position: absolute;
      inset: 0;
      cursor: crosshair;
      outline: none;
    }
    svg:focus-visible .plot {
      stroke: var(--tl-accent);
      stroke-width: 2;
    }
    .axis {
      fill: var(--tl-fg-muted);
      font: 11px var(--tl-font);
    }
    .tick {
      stroke: var(--tl-border-strong);
    }
    .selection {
      fill: var(--tl-accent);
      fill-opacity: 0.1;
      stroke: var(--tl-fg);
      stroke-width: 2;
      stroke-dasharray: 5 3;
      pointer-events: none;
    }
    .hover-cell {
      fill: none;
      stroke: var(--tl-fg);
      stroke-width: 1;
      pointer-events: none;
    }
    .plot {
      fill: transparent;
    }
    .tooltip {
      position: absolute;
      z-index: 2;
      pointer-events: none;
      padding: 0.35rem 0.55rem;
      border-radius: var(--tl-radius);
      background: var(--tl-bg-raised);
      border: 1px solid var(--tl-border-strong);
      box-shadow: var(--tl-shadow);
      font-size: 0.8rem;
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
    .tooltip .errors {
      color: var(--tl-error);
    }
    .empty {
      fill: var(--tl-fg-muted);
      font: 13px var(--tl-font);
    }
  `;

  declare grid: LatencyHeatmapResult | null;
  declare selection: LatencySelection | null;
  declare errorsOnly: boolean;
  declare width: number;
  declare theme: Theme;
  declare dragCells: CellRange | null;
  declare hover: Hover | null;
  private dragAnchor: { x: number; y: number } | null = null;
  private keyAnchor: { col: number; row: number } | null = null;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.width = Math.round(entry.contentRect.width);
  });

  private readonly onThemeChange = (event: TlThemeChangeEvent): void => {
    this.theme = event.theme;
  };

  constructor() {
    super();
    this.grid = null;
    this.selection = null;
    this.errorsOnly = false;
    this.width = 0;
    this.theme = currentTheme();
    this.dragCells = null;
    this.hover = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.resizeObserver.observe(this);
    window.addEventListener(TlThemeChangeEvent.eventName, this.onThemeChange);
  }

  override disconnectedCallback(): void {
    this.resizeObserver.disconnect();
    window.removeEventListener(TlThemeChangeEvent.eventName, this.onThemeChange);
    super.disconnectedCallback();
  }

  private get plotWidth(): number {
    return Math.max(this.width - PAD.left - PAD.right, 1);
  }

  private get plotHeight(): number {
    return HEIGHT - PAD.top - PAD.bottom;
  }

  private get columns(): number {
    return this.grid?.timeStartsNs.length ?? 0;
  }

  private get rows(): number {
    return this.grid?.latencyBuckets.length ?? 0;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('grid') || changed.has('width') || changed.has('theme') || changed.has('errorsOnly')) this.paint();
  }

  private paint(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const grid = this.grid;
    if (!canvas || !grid || this.width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const w = this.plotWidth;
    const h = this.plotHeight;
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const cols = this.columns;
    const rows = this.rows;
    const source = this.errorsOnly ? grid.errorCounts : grid.counts;
    const max = maxCellCount(source);
    const cw = w / cols;
    const rh = h / rows;
    // A hairline between cells keeps neighbours apart without eating small cells.
    const gap = cw > 5 && rh > 5 ? 1 : 0;
    for (let c = 0; c < cols; c++) {
      for (let r = 0; r < rows; r++) {
        const count = source[c]![r]!;
        const color = cellColor(count, this.errorsOnly ? count : grid.errorCounts[c]![r]!, max, this.theme);
        if (color === null) continue;
        ctx.fillStyle = color;
        const x0 = Math.round(c * cw);
        const y0 = Math.round(h - (r + 1) * rh);
        ctx.fillRect(x0, y0, Math.max(Math.round((c + 1) * cw) - x0 - gap, 1), Math.max(Math.round(h - r * rh) - y0 - gap, 1));
      }
    }
  }

  private plotFractions(event: PointerEvent): { x: number; y: number } {
    const rect = this.getBoundingClientRect();
    return { x: (event.clientX - rect.left - PAD.left) / this.plotWidth, y: (event.clientY - rect.top - PAD.top) / this.plotHeight };
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0 || this.columns === 0 || this.rows === 0) return;
    const at = this.plotFractions(event);
    this.dragAnchor = at;
    this.dragCells = cellRangeFromBox({ x0: at.x, y0: at.y, x1: at.x, y1: at.y }, this.columns, this.rows);
    (event.currentTarget as Element).setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  private onPointerMove(event: PointerEvent): void {
    const at = this.plotFractions(event);
    if (this.dragAnchor) {
      this.dragCells = cellRangeFromBox({ x0: this.dragAnchor.x, y0: this.dragAnchor.y, x1: at.x, y1: at.y }, this.columns, this.rows);
      this.hover = null;
      return;
    }
    if (at.x < 0 || at.x >= 1 || at.y < 0 || at.y >= 1 || this.columns === 0) {
      this.hover = null;
      return;
    }
    const cell = cellRangeFromBox({ x0: at.x, y0: at.y, x1: at.x, y1: at.y }, this.columns, this.rows);
    const rect = this.getBoundingClientRect();
    this.hover = { col: cell.col0, row: cell.row0, x: event.clientX - rect.left, y: event.clientY - rect.top };
  }

  /** The keyboard's cell, shown like a hovered one (with its tooltip). */
  private setCursor(col: number, row: number): void {
    const c = Math.min(this.columns - 1, Math.max(0, col));
    const r = Math.min(this.rows - 1, Math.max(0, row));
    this.hover = {
      col: c,
      row: r,
      x: PAD.left + ((c + 0.5) / this.columns) * this.plotWidth,
      y: PAD.top + this.plotHeight - ((r + 0.5) / this.rows) * this.plotHeight,
    };
  }

  /**
   * Arrows move a cell cursor, Shift+arrows stretch a box from where Shift was first held,
   * Enter or Space selects the box (or the cell), Escape clears the selection.
   */
  private onKeyDown(event: KeyboardEvent): void {
    const grid = this.grid;
    if (!grid || this.columns === 0 || this.rows === 0) return;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] };
    const move = moves[event.key];
    const cursor = this.hover ?? { col: this.columns - 1, row: this.rows - 1 };
    if (move) {
      event.preventDefault();
      if (event.shiftKey) this.keyAnchor ??= { col: cursor.col, row: cursor.row };
      else this.keyAnchor = null;
      this.setCursor(cursor.col + move[0], cursor.row + move[1]);
      const at = this.hover!;
      this.dragCells = this.keyAnchor ? rangeBetween(this.keyAnchor, at) : null;
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const range = rangeBetween(this.keyAnchor ?? cursor, cursor);
      this.keyAnchor = null;
      this.dragCells = null;
      this.dispatchEvent(new TlLatencySelectEvent(selectionOfCells(range, grid)));
    } else if (event.key === 'Escape') {
      this.keyAnchor = null;
      this.dragCells = null;
      this.dispatchEvent(new TlLatencySelectEvent(null));
    }
  }

  private onPointerUp(): void {
    const cells = this.dragCells;
    this.dragAnchor = null;
    this.dragCells = null;
    if (!cells || !this.grid) return;
    this.dispatchEvent(new TlLatencySelectEvent(selectionOfCells(cells, this.grid)));
  }

  private renderTooltip() {
    const hover = this.hover;
    const grid = this.grid;
    if (!hover || !grid) return nothing;
    const start = grid.timeStartsNs[hover.col]!;
    const bucket = grid.latencyBuckets[hover.row]!;
    const count = grid.counts[hover.col]![hover.row]!;
    const errors = grid.errorCounts[hover.col]![hover.row]!;
    const left = hover.x + 14 > this.width - 200 ? hover.x - 200 : hover.x + 14;
    return html`<div class="tooltip" data-testid="heatmap-tooltip" style=${`left:${left}px;top:${Math.max(hover.y - 52, 0)}px`}>
      <div><strong>${formatCount(count)}</strong> span${count === 1 ? '' : 's'}${errors > 0 ? html`, <span class="errors">${errors} failed</span>` : nothing}</div>
      <div>${bucket.lowNs === bucket.highNs ? formatDuration(bucket.lowNs) : `${formatDuration(bucket.lowNs)} – ${formatDuration(bucket.highNs)}`}</div>
      <div class="muted">${formatTimestamp(nanosToMillis(start))}, ${formatDuration(Number(grid.timeBucketNs))}</div>
    </div>`;
  }

  override render() {
    if (this.width === 0) return nothing;
    const grid = this.grid;
    const cols = this.columns;
    const rows = this.rows;
    const plotW = this.plotWidth;
    const plotH = this.plotHeight;
    if (!grid || cols === 0 || rows === 0) {
      return html`<div class="chart"><svg width=${this.width} height=${HEIGHT} data-testid="latency-heatmap">
        <text class="empty" x=${this.width / 2} y=${HEIGHT / 2} text-anchor="middle">No spans in this window</text>
      </svg></div>`;
    }
    const t0 = nanosToMillis(grid.timeStartsNs[0]!);
    const t1 = nanosToMillis(grid.timeStartsNs[cols - 1]! + grid.timeBucketNs);
    const xOfTime = (ms: number): number => PAD.left + ((ms - t0) / (t1 - t0)) * plotW;
    const timeTicks = buildWallClockTicks(t0, t1, Math.max(2, Math.floor(plotW / 90)), -new Date(t0).getTimezoneOffset() * 60_000);
    const latencyTicks = buildLatencyTicks(grid.latencyBuckets, Math.max(2, Math.floor(plotH / 28)));
    const yOfBand = (position: number): number => PAD.top + plotH - (position / rows) * plotH;
    const shown = this.dragCells ?? (this.selection ? cellsOfSelection(this.selection, grid) : null);
    const box = shown ? boxOfCells(shown, cols, rows) : null;
    const hover = this.hover;
    return html`<div class="chart"><canvas data-testid="heatmap-canvas"></canvas>
      <svg
        width=${this.width}
        height=${HEIGHT}
        role="img"
        tabindex="0"
        aria-label="Latency heatmap: span count by start time and duration. Arrow keys move, Shift+arrows stretch a box, Enter selects."
        data-testid="latency-heatmap"
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointerleave=${() => (this.hover = null)}
        @keydown=${this.onKeyDown}
        @focus=${() => this.hover ?? this.setCursor(this.columns - 1, this.rows - 1)}
        @blur=${() => {
          this.hover = null;
          this.keyAnchor = null;
          this.dragCells = null;
        }}
        @pointercancel=${() => {
          this.dragAnchor = null;
          this.dragCells = null;
        }}
      >
        <rect
          class="plot"
          data-testid="heatmap-plot"
          data-columns=${cols}
          data-rows=${rows}
          x=${PAD.left}
          y=${PAD.top}
          width=${plotW}
          height=${plotH}
        ></rect>
        ${latencyTicks.map(
          (t) => svg`<line class="tick" x1=${PAD.left - 4} x2=${PAD.left} y1=${yOfBand(t.position)} y2=${yOfBand(t.position)}></line>
            <text class="axis" x=${PAD.left - 7} y=${yOfBand(t.position) + 4} text-anchor="end">${t.label}</text>`,
        )}
        ${timeTicks.values
          .filter((t) => t >= t0 && t <= t1)
          .map(
            (t) => svg`<line class="tick" x1=${xOfTime(t)} x2=${xOfTime(t)} y1=${PAD.top + plotH} y2=${PAD.top + plotH + 4}></line>
              <text class="axis" x=${xOfTime(t)} y=${HEIGHT - 8} text-anchor="middle">${formatClock(t, timeTicks.step)}</text>`,
          )}
        ${hover && !this.dragCells
          ? svg`<rect class="hover-cell" x=${PAD.left + (hover.col / cols) * plotW} y=${PAD.top + plotH - ((hover.row + 1) / rows) * plotH} width=${plotW / cols} height=${plotH / rows}></rect>`
          : nothing}
        ${box && shown
          ? svg`<rect
              class="selection"
              data-testid="heatmap-selection"
              data-count=${countCells(shown, grid).count}
              x=${PAD.left + box.x0 * plotW}
              y=${PAD.top + box.y0 * plotH}
              width=${(box.x1 - box.x0) * plotW}
              height=${(box.y1 - box.y0) * plotH}
            ></rect>`
          : nothing}
      </svg>
      ${this.renderTooltip()}</div>
      ${this.renderLegend()}`;
  }

  private renderLegend() {
    const steps = [1, 3, 10, 30, 100];
    const swatch = (count: number, errors: number) =>
      html`<span style=${`background:${cellColor(count, errors, 100, this.theme) ?? 'transparent'}`}></span>`;
    return html`<div class="legend" aria-hidden="true">
      ${this.errorsOnly ? 'fewer' : 'fewer spans'}
      <span class="ramp">${steps.map((n) => (this.errorsOnly ? swatch(n, n) : swatch(n, 0)))}</span>
      ${this.errorsOnly ? 'more failed spans' : 'more'}
      ${this.errorsOnly
        ? nothing
        : html`<span class="sep"></span>some failed <span class="ramp">${[0.02, 0.25, 0.5, 1].map((share) => swatch(30, 30 * share))}</span> all failed`}
    </div>`;
  }
}

customElements.define('tl-latency-heatmap', TlLatencyHeatmap);

declare global {
  interface HTMLElementTagNameMap {
    'tl-latency-heatmap': TlLatencyHeatmap;
  }
}
