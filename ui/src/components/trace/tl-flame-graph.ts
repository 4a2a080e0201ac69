import { LitElement, css, html, type PropertyValues } from 'lit';
import { formatDuration } from '../../model/duration';
import { buildFlameGraph, type FlameGraph } from '../../model/flame-graph';
import type { SkewMode } from '../../model/route';
import { isErrorSpan } from '../../model/span-facts';
import type { TraceView } from '../../model/trace-view';
import { serviceStyle } from '../common/service-style';
import { formatCount } from '../../model/format-count';

const LANE_PX = 22;
/** Boxes under about a pixel on a wide screen are left out (see buildFlameGraph). */
const MIN_BOX_FRACTION = 1 / 2500;

/**
 * The trace as a flame graph: depth lanes across the trace's time. Each box is a
 * link to its span in the waterfall; its title tells service, operation and duration.
 */
export class TlFlameGraph extends LitElement {
  static override properties = { view: { attribute: false }, mode: {}, hrefFor: { attribute: false } };
  static override styles = css`
    :host {
      display: block;
      height: 100%;
      min-height: 0;
      overflow: auto;
      padding: 0.75rem;
      box-sizing: border-box;
    }
    .note {
      color: var(--tl-fg-muted);
      font-size: 0.85rem;
      margin: 0 0 0.5rem;
    }
    .graph {
      position: relative;
    }
    a {
      position: absolute;
      box-sizing: border-box;
      height: ${LANE_PX - 2}px;
      min-width: 2px;
      padding: 0 0.3rem;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
      font-size: 0.75rem;
      line-height: ${LANE_PX - 2}px;
      color: var(--tl-fg);
      text-decoration: none;
      background: color-mix(in srgb, light-dark(var(--svc-l), var(--svc-d)) 45%, var(--tl-bg));
      border-left: 2px solid light-dark(var(--svc-l), var(--svc-d));
      border-radius: 2px;
    }
    a.error {
      outline: 1px solid var(--tl-error);
      outline-offset: -1px;
    }
    a:hover,
    a:focus-visible {
      filter: brightness(1.1);
      outline: 2px solid var(--tl-accent);
      z-index: 1;
    }
  `;

  declare view: TraceView;
  declare mode: SkewMode;
  declare hrefFor: (spanId: string) => string;
  private graph: FlameGraph = { boxes: [], lanes: 0, hidden: 0 };

  constructor() {
    super();
    this.mode = 'adjusted';
    this.hrefFor = () => '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('view') || changed.has('mode')) this.graph = buildFlameGraph(this.view.rows, this.view.timelines[this.mode].times, MIN_BOX_FRACTION);
  }

  override render() {
    const { rows } = this.view;
    const { times } = this.view.timelines[this.mode];
    return html`<p class="note" data-testid="flame-note">
        Time runs left to right, callers above callees.
        ${this.graph.hidden > 0 ? `${formatCount(this.graph.hidden)} spans too short to draw are left out.` : ''}
      </p>
      <div class="graph" data-testid="flame-graph" style=${`height:${this.graph.lanes * LANE_PX}px`}>
        ${this.graph.boxes.map((box) => {
          const span = rows[box.row]!.node.span;
          const label = `${span.serviceName}: ${span.name}`;
          return html`<a
            href=${this.hrefFor(span.spanId)}
            class=${isErrorSpan(span) ? 'error' : ''}
            data-testid="flame-node"
            data-span-id=${span.spanId}
            data-depth=${box.depth}
            title=${`${label} — ${formatDuration(times.end[box.row]! - times.start[box.row]!)}`}
            style=${`${serviceStyle(span.serviceName)};left:${box.left * 100}%;width:${box.width * 100}%;top:${box.depth * LANE_PX}px`}
            >${label}</a
          >`;
        })}
      </div>`;
  }
}

customElements.define('tl-flame-graph', TlFlameGraph);

declare global {
  interface HTMLElementTagNameMap {
    'tl-flame-graph': TlFlameGraph;
  }
}
