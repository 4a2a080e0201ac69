import { LitElement, css, svg } from 'lit';
import { formatDuration } from '../../model/duration';
import { formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { buildSparklinePath } from '../../model/sparkline';

const BOX = { width: 120, height: 28, padding: 2 } as const;

/**
 * A small trend line (the p99 over the window), gaps where there was no data. Each
 * point's time and value show on hover, with the series' range at the line's ends.
 */
export class TlSparkline extends LitElement {
  static override properties = { values: { attribute: false }, times: { attribute: false }, label: {} };
  static override styles = css`
    :host {
      display: inline-block;
      width: ${BOX.width}px;
      height: ${BOX.height}px;
      vertical-align: middle;
    }
    svg {
      display: block;
      overflow: visible;
    }
    path {
      fill: none;
      stroke: var(--tl-accent);
      stroke-width: 1.5;
      stroke-linecap: round;
      stroke-linejoin: round;
    }
    line {
      stroke: var(--tl-border);
    }
    rect {
      fill: transparent;
    }
    rect:hover {
      fill: color-mix(in srgb, var(--tl-accent) 18%, transparent);
    }
  `;

  declare values: ReadonlyArray<number | null>;
  /** Unix ns of each value's bucket start, same length as `values` (may be empty). */
  declare times: readonly string[];
  declare label: string;

  constructor() {
    super();
    this.values = [];
    this.times = [];
    this.label = '';
  }

  private pointTitle(i: number): string {
    const value = this.values[i];
    const at = this.times[i];
    const when = at === undefined ? '' : `${formatTimestamp(nanosToMillis(at))}: `;
    return `${when}${value === null || value === undefined ? 'no spans' : formatDuration(value)}`;
  }

  override render() {
    return svg`<svg width=${BOX.width} height=${BOX.height} viewBox=${`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label=${this.label}>
      <line x1="0" x2=${BOX.width} y1=${BOX.height - 0.5} y2=${BOX.height - 0.5}></line>
      <path data-testid="sparkline-path" d=${buildSparklinePath(this.values, BOX)}></path>
      ${this.values.map((_, i) => {
        const width = BOX.width / this.values.length;
        return svg`<rect data-testid="sparkline-point" x=${i * width} y="0" width=${width} height=${BOX.height}><title>${this.pointTitle(i)}</title></rect>`;
      })}
    </svg>`;
  }
}

customElements.define('tl-sparkline', TlSparkline);

declare global {
  interface HTMLElementTagNameMap {
    'tl-sparkline': TlSparkline;
  }
}
