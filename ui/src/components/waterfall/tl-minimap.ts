import { LitElement, css, html, nothing } from 'lit';
import type { SkewMode } from '../../model/route';
import { ERROR_COLOR, serviceColor } from '../../model/service-colors';
import { buildDensityGrid, densityAlpha } from '../../model/minimap-density';
import { isErrorSpan } from '../../model/span-facts';
import { buildTicks, createTimeScale, formatTick } from '../../model/time-scale';
import type { TraceView } from '../../model/trace-view';
import { currentTheme, TlThemeChangeEvent, type Theme } from '../theme/theme';
import { TlWindowChangeEvent } from './waterfall-events';

const HEIGHT = 56;
/** The narrowest zoom window, as a fraction of the trace. */
const MIN_WINDOW = 0.001;

type Drag =
  | { kind: 'move'; grabOffset: number; width: number }
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'create'; anchor: number; moved: boolean };

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The density image's ink (the accent colour) and its error colour, as RGB. */
const DENSITY_RGB: Record<Theme, readonly [number, number, number]> = { light: [31, 111, 235], dark: [91, 155, 255] };

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/**
 * The whole trace in miniature (canvas: one line per row while the rows fit its
 * pixel lines, a density image beyond) with a window that can be dragged, resized at its edges, or drawn
 * anew; the waterfall shows what is inside the window.
 */
export class TlMinimap extends LitElement {
  static override properties = {
    view: { attribute: false },
    mode: {},
    windowStart: { type: Number },
    windowEnd: { type: Number },
    width: { state: true },
    theme: { state: true },
  };

  static override styles = css`
    :host {
      display: block;
      position: relative;
      height: ${HEIGHT + 16}px;
      user-select: none;
      touch-action: none;
    }
    .map {
      position: absolute;
      inset: 16px 0 0 0;
      background: var(--tl-bg-sunken);
      border: 1px solid var(--tl-border);
      border-radius: 4px;
      cursor: crosshair;
    }
    canvas {
      display: block;
      width: 100%;
      height: 100%;
    }
    .ticks {
      position: absolute;
      inset: 0 0 auto 0;
      height: 16px;
      font-size: 10px;
      color: var(--tl-fg-muted);
    }
    .ticks span {
      position: absolute;
      top: 1px;
      transform: translateX(-50%);
      white-space: nowrap;
    }
    .ticks span:first-child {
      transform: none;
    }
    .shade {
      position: absolute;
      top: 0;
      bottom: 0;
      background: light-dark(rgb(255 255 255 / 0.6), rgb(0 0 0 / 0.5));
      pointer-events: none;
    }
    .window {
      position: absolute;
      top: -1px;
      bottom: -1px;
      box-sizing: border-box;
      border: 2px solid var(--tl-accent);
      border-radius: 3px;
      cursor: grab;
    }
    .handle {
      position: absolute;
      top: 0;
      bottom: 0;
      width: 9px;
      cursor: ew-resize;
    }
    .handle.start {
      left: -6px;
    }
    .handle.end {
      right: -6px;
    }
    .handle::after {
      content: '';
      position: absolute;
      top: 30%;
      bottom: 30%;
      left: 3px;
      width: 3px;
      border-radius: 2px;
      background: var(--tl-accent);
    }
  `;

  declare view: TraceView | null;
  declare mode: SkewMode;
  declare windowStart: number;
  declare windowEnd: number;
  declare width: number;
  declare theme: Theme;
  private drag: Drag | null = null;
  private readonly resizeObserver = new ResizeObserver(([entry]) => {
    if (entry) this.width = Math.round(entry.contentRect.width);
  });

  constructor() {
    super();
    this.view = null;
    this.mode = 'adjusted';
    this.windowStart = 0;
    this.windowEnd = 1;
    this.width = 0;
    this.theme = currentTheme();
  }

  private readonly onThemeChange = (event: TlThemeChangeEvent): void => {
    this.theme = event.theme;
  };

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

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('view') || changed.has('mode') || changed.has('width') || changed.has('theme')) this.schedulePaint();
  }

  private paintPending = false;

  /**
   * Paints in the frame after the next one: the waterfall's rows, rendered with it, are on the
   * screen a frame before the map (whose density image takes tens of ms on a big trace).
   */
  private schedulePaint(): void {
    if (this.paintPending) return;
    this.paintPending = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        this.paintPending = false;
        this.paint();
      }),
    );
  }

  private paint(): void {
    const canvas = this.renderRoot.querySelector('canvas');
    const view = this.view;
    if (!canvas || !view || this.width === 0) return;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(this.width * ratio);
    const h = Math.round(HEIGHT * ratio);
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, w, h);
    const { times } = view.timelines[this.mode];
    const rows = view.rows;
    if (rows.length > h) {
      this.paintDensity(ctx, view, w, h);
      return;
    }
    const scale = createTimeScale(times.min, times.max);
    const rowHeight = Math.max(h / rows.length, 1);
    const colors = new Map<string, string>();
    for (let i = 0; i < rows.length; i++) {
      const span = rows[i]!.node.span;
      let color = colors.get(span.serviceName);
      if (color === undefined) colors.set(span.serviceName, (color = serviceColor(span.serviceName)[this.theme]));
      ctx.fillStyle = isErrorSpan(span) ? ERROR_COLOR[this.theme] : color;
      const x = scale.fraction(times.start[i]!) * w;
      const width = Math.max(scale.fraction(times.end[i]!) * w - x, 1);
      ctx.fillRect(x, (i / rows.length) * h, width, rowHeight);
    }
  }

  /** Too many rows for a line each: each pixel's colour says how many spans run there (red: one failed). */
  private paintDensity(ctx: CanvasRenderingContext2D, view: TraceView, w: number, h: number): void {
    const rows = view.rows;
    const grid = buildDensityGrid(view.timelines[this.mode].times, (row) => isErrorSpan(rows[row]!.node.span), rows.length, w, h);
    const image = ctx.createImageData(w, h);
    const ink = DENSITY_RGB[this.theme];
    const error = hexToRgb(ERROR_COLOR[this.theme]);
    for (let cell = 0; cell < grid.counts.length; cell++) {
      const alpha = densityAlpha(grid.counts[cell]!, grid.maxCount);
      if (alpha === 0) continue;
      const [r, g, b] = grid.errors[cell] ? error : ink;
      const at = cell * 4;
      image.data[at] = r;
      image.data[at + 1] = g;
      image.data[at + 2] = b;
      image.data[at + 3] = Math.round(alpha * 255);
    }
    ctx.putImageData(image, 0, 0);
  }

  private fractionAt(event: PointerEvent): number {
    const rect = (this.renderRoot.querySelector('.map') as HTMLElement).getBoundingClientRect();
    return clamp((event.clientX - rect.left) / rect.width, 0, 1);
  }

  private emit(start: number, end: number): void {
    this.dispatchEvent(new TlWindowChangeEvent(clamp(start, 0, 1), clamp(end, 0, 1)));
  }

  private onPointerDown(event: PointerEvent): void {
    if (event.button !== 0) return;
    const f = this.fractionAt(event);
    const handle = (event.composedPath()[0] as HTMLElement).dataset?.handle;
    if (handle === 'start' || handle === 'end') this.drag = { kind: handle };
    else if (f >= this.windowStart && f <= this.windowEnd && this.windowEnd - this.windowStart < 1) {
      this.drag = { kind: 'move', grabOffset: f - this.windowStart, width: this.windowEnd - this.windowStart };
    } else this.drag = { kind: 'create', anchor: f, moved: false };
    (event.currentTarget as HTMLElement).setPointerCapture(event.pointerId);
    event.preventDefault();
  }

  private onPointerMove(event: PointerEvent): void {
    const drag = this.drag;
    if (!drag) return;
    const f = this.fractionAt(event);
    switch (drag.kind) {
      case 'move': {
        const start = clamp(f - drag.grabOffset, 0, 1 - drag.width);
        this.emit(start, start + drag.width);
        break;
      }
      case 'start':
        this.emit(Math.min(f, this.windowEnd - MIN_WINDOW), this.windowEnd);
        break;
      case 'end':
        this.emit(this.windowStart, Math.max(f, this.windowStart + MIN_WINDOW));
        break;
      case 'create':
        if (Math.abs(f - drag.anchor) >= MIN_WINDOW) {
          drag.moved = true;
          this.emit(Math.min(f, drag.anchor), Math.max(f, drag.anchor));
        }
        break;
    }
  }

  private onPointerUp(event: PointerEvent): void {
    const drag = this.drag;
    this.drag = null;
    if (drag?.kind !== 'create' || drag.moved) return;
    // A plain click outside the window centres the current window there.
    const width = this.windowEnd - this.windowStart;
    if (width >= 1) return;
    const start = clamp(this.fractionAt(event) - width / 2, 0, 1 - width);
    this.emit(start, start + width);
  }

  private renderTicks() {
    const view = this.view;
    if (!view || this.width === 0) return [];
    const { times } = view.timelines[this.mode];
    const scale = createTimeScale(times.min, times.max);
    const { step, values } = buildTicks(0, times.max - times.min, Math.max(2, Math.floor(this.width / 120)));
    // A label at the very end would be cut off by the edge.
    return values
      .map((v) => scale.fraction(times.min + v))
      .map((f, i) => (f < 0.97 || i === 0 ? html`<span style=${`left:${f * 100}%`}>${formatTick(values[i]!, step)}</span>` : nothing));
  }

  override render() {
    const a = this.windowStart * 100;
    const b = this.windowEnd * 100;
    return html`<div class="ticks" aria-hidden="true">${this.renderTicks()}</div>
      <div
        class="map"
        data-testid="minimap"
        role="group"
        aria-label="Trace overview: drag to zoom, double-click to reset"
        @pointerdown=${this.onPointerDown}
        @pointermove=${this.onPointerMove}
        @pointerup=${this.onPointerUp}
        @pointercancel=${() => (this.drag = null)}
        @dblclick=${() => this.emit(0, 1)}
      >
        <canvas></canvas>
        <div class="shade" style=${`left:0;width:${a}%`}></div>
        <div class="shade" style=${`left:${b}%;right:0`}></div>
        <div class="window" data-testid="minimap-window" style=${`left:${a}%;width:${b - a}%`}>
          <div class="handle start" data-handle="start" data-testid="minimap-handle-start"></div>
          <div class="handle end" data-handle="end" data-testid="minimap-handle-end"></div>
        </div>
      </div>`;
  }
}

customElements.define('tl-minimap', TlMinimap);

declare global {
  interface HTMLElementTagNameMap {
    'tl-minimap': TlMinimap;
  }
}
