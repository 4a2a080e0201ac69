import { LitElement, css, html, svg } from 'lit';
import { Task } from '@lit/task';
import type { JaegerDependency } from '@threadline/shared';
import { fetchOperationStats } from '../api/latency-api';
import { fetchDependencies } from '../api/threadline-api';
import { buildDependencyLayout, type DependencyEdge, type DependencyLayout, type DependencyNode } from '../model/dependency-graph';
import { operationsPath, slowPath } from '../model/latency-routes';
import { DEFAULT_WINDOW, pickWindow, resolveWindow, windowLabel, type TimeWindow } from '../model/latency-window';
import { formatPercent, inboundErrorRate } from '../model/operation-rows';
import { dependenciesPath } from '../model/route';
import { DEFAULT_SLOW_QUERY } from '../model/slow-query';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { serviceStyle } from '../components/common/service-style';
import type { TlTimeWindowEvent } from '../components/latency/latency-events';
import '../components/latency/tl-window-select';
import '../components/common/tl-error-state';
import { formatCount } from '../model/format-count';

const COLUMN_PX = 340;
const ROW_PX = 96;
const NODE_W = 170;
const NODE_H = 48;
const PAD = 24;

interface GraphData {
  readonly layout: DependencyLayout;
  /** Inbound error rate per called service (NaN when unknown). */
  readonly errorRates: ReadonlyMap<string, number>;
}

async function loadGraph(window: TimeWindow, nowMs: number, signal: AbortSignal): Promise<GraphData> {
  const resolved = resolveWindow(window, nowMs);
  const links: JaegerDependency[] = await fetchDependencies(resolved, signal);
  const children = [...new Set(links.map((l) => l.child))];
  const rates = await Promise.all(children.map(async (s) => inboundErrorRate((await fetchOperationStats(s, resolved, signal)).operations)));
  return { layout: buildDependencyLayout(links), errorRates: new Map(children.map((s, i) => [s, rates[i]!])) };
}

function centre(node: DependencyNode): { x: number; y: number } {
  return { x: PAD + node.rank * COLUMN_PX + NODE_W / 2, y: PAD + node.slot * ROW_PX + NODE_H / 2 };
}

/**
 * `/dependencies?window=`: which service calls which, from Jaeger's `/api/dependencies`,
 * with call counts and the called service's error rate on each edge. A service links to
 * its operations; "slow" to its slowest spans.
 */
export class TlDependenciesPage extends LitElement {
  static override properties = { window: { attribute: false }, loadedAt: { state: true } };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      .graph {
        overflow: auto;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
      }
      svg {
        display: block;
        font-size: 12px;
        color: var(--tl-fg-muted);
      }
      .edge path {
        fill: none;
        stroke: var(--tl-fg-muted);
      }
      .edge.failing path {
        stroke: var(--tl-error);
      }
      .edge text {
        fill: var(--tl-fg);
        paint-order: stroke;
        stroke: var(--tl-bg-raised);
        stroke-width: 4px;
      }
      .node rect {
        fill: var(--tl-bg);
        stroke: light-dark(var(--svc-l), var(--svc-d));
        stroke-width: 2;
      }
      .node text {
        fill: var(--tl-fg);
      }
      .node .name {
        font-weight: 600;
      }
      .node a.slow text {
        fill: var(--tl-accent);
      }
      .node a:hover text {
        text-decoration: underline;
      }
    `,
  ];

  declare window: TimeWindow;
  declare loadedAt: number;

  private readonly graph = new Task(this, {
    task: async ([window, at], { signal }) => loadGraph(window, at, signal),
    args: () => [this.window, this.loadedAt] as const,
  });

  constructor() {
    super();
    this.window = { ...DEFAULT_WINDOW };
    this.loadedAt = Date.now();
  }

  private renderEdge(layout: DependencyLayout, edge: DependencyEdge, errorRates: ReadonlyMap<string, number>) {
    const from = layout.nodes.find((n) => n.service === edge.parent)!;
    const to = layout.nodes.find((n) => n.service === edge.child)!;
    const a = centre(from);
    const b = centre(to);
    const rate = errorRates.get(edge.child) ?? Number.NaN;
    const label = `${formatCount(edge.callCount)} call${edge.callCount === 1 ? '' : 's'}${Number.isNaN(rate) ? '' : ` · ${formatPercent(rate)} err`}`;
    const width = 1 + Math.min(5, Math.log10(edge.callCount + 1));
    let d: string;
    let labelAt: { x: number; y: number };
    if (edge.back) {
      // Back along the bottom of both boxes, so the loop does not cross the forward edges.
      const low = Math.max(a.y, b.y) + NODE_H / 2 + 22;
      d = `M${a.x},${a.y + NODE_H / 2} C${a.x},${low} ${b.x},${low} ${b.x + (edge.parent === edge.child ? 30 : 0)},${b.y + NODE_H / 2}`;
      labelAt = { x: (a.x + b.x) / 2 + 15, y: low };
    } else {
      const x1 = a.x + NODE_W / 2;
      const x2 = b.x - NODE_W / 2;
      d = `M${x1},${a.y} C${(x1 + x2) / 2},${a.y} ${(x1 + x2) / 2},${b.y} ${x2 - 6},${b.y}`;
      labelAt = { x: (x1 + x2) / 2, y: (a.y + b.y) / 2 - 6 };
    }
    return svg`<g class=${`edge${rate > 0 ? ' failing' : ''}`} data-testid="dependency-edge" data-parent=${edge.parent} data-child=${edge.child}>
      <path d=${d} stroke-width=${width} marker-end="url(#arrow)"></path>
      <text x=${labelAt.x} y=${labelAt.y} text-anchor="middle" data-testid="dependency-edge-label">${label}</text>
    </g>`;
  }

  private renderNode(node: DependencyNode) {
    const x = PAD + node.rank * COLUMN_PX;
    const y = PAD + node.slot * ROW_PX;
    const slow = slowPath({ ...DEFAULT_SLOW_QUERY, ...pickWindow(this.window), service: node.service });
    return svg`<g class="node" style=${serviceStyle(node.service)} data-testid="dependency-node" data-service=${node.service}>
      <rect x=${x} y=${y} width=${NODE_W} height=${NODE_H} rx="6"></rect>
      <a href=${operationsPath({ service: node.service, ...pickWindow(this.window) })} data-testid="dependency-node-link">
        <text class="name" x=${x + 10} y=${y + 19}>${node.service.length > 22 ? `${node.service.slice(0, 21)}…` : node.service}<title>${node.service}: operations</title></text>
      </a>
      <a href=${slow} class="slow" data-testid="dependency-node-slow"><text x=${x + 10} y=${y + 38}>slow spans →</text></a>
    </g>`;
  }

  private renderGraph({ layout, errorRates }: GraphData) {
    if (layout.nodes.length === 0) {
      return html`<p class="placeholder" data-testid="dependencies-empty">
        No service called another in ${windowLabel(this.window)}. Dependencies appear once spans of one service have children in another.
      </p>`;
    }
    const width = PAD * 2 + (layout.columns - 1) * COLUMN_PX + NODE_W;
    const height = PAD * 2 + (layout.rows - 1) * ROW_PX + NODE_H + 30;
    return html`<div class="graph">
      <svg width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label="Service dependency graph" data-testid="dependency-graph">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="currentColor"></path>
          </marker>
        </defs>
        ${layout.edges.map((e) => this.renderEdge(layout, e, errorRates))} ${layout.nodes.map((n) => this.renderNode(n))}
      </svg>
    </div>`;
  }

  override render() {
    return html`<div class="page">
      <div class="toolbar">
        <h1>Service dependencies</h1>
        <tl-window-select
          test-id="dependencies-window"
          .value=${pickWindow(this.window)}
          @tl-time-window=${(e: TlTimeWindowEvent) => navigate(dependenciesPath(e.window))}
        ></tl-window-select>
        <button type="button" data-testid="dependencies-refresh" @click=${() => (this.loadedAt = Date.now())}>Refresh</button>
      </div>
      <p class="muted">Edges: calls from one service to another, and the share of the called service's server spans that failed.</p>
      ${this.graph.render({
        pending: () => html`<div class="skeleton block" aria-busy="true"></div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="service dependencies"></tl-error-state>`,
        complete: (data) => this.renderGraph(data),
      })}
    </div>`;
  }
}

customElements.define('tl-dependencies-page', TlDependenciesPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-dependencies-page': TlDependenciesPage;
  }
}
