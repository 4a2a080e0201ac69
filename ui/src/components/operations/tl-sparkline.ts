import { LitElement, css, svg } from 'lit';
import { buildSparklinePath } from '../../model/sparkline';

const BOX = { width: 120, height: 28, padding: 2 } as const;

/** A small trend line (the p99 over the window), gaps where there was no data. */
export class TlSparkline extends LitElement {
  static override properties = { values: { attribute: false }, label: {} };
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
  `;

  declare values: ReadonlyArray<number | null>;
  declare label: string;

  constructor() {
    super();
    this.values = [];
    this.label = '';
  }

  override render() {
    return svg`<svg width=${BOX.width} height=${BOX.height} viewBox=${`0 0 ${BOX.width} ${BOX.height}`} role="img" aria-label=${this.label}>
      <line x1="0" x2=${BOX.width} y1=${BOX.height - 0.5} y2=${BOX.height - 0.5}></line>
      <path data-testid="sparkline-path" d=${buildSparklinePath(this.values, BOX)}></path>
    </svg>`;
  }
}

customElements.define('tl-sparkline', TlSparkline);

declare global {
  interface HTMLElementTagNameMap {
    'tl-sparkline': TlSparkline;
  }
}
