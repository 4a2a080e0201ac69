import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { loadTraceView } from '../api/load-trace-view';
import { formatDuration } from '../model/duration';
import { tracePath } from '../model/route';
import { buildTraceComparison, type CompareRow, type CompareSide } from '../model/trace-compare';
import type { TraceView } from '../model/trace-view';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { serviceStyle } from '../components/common/service-style';
import '../components/common/tl-error-state';

const INDENT_PX = 14;
/** Deeper paths stop indenting so the name column stays readable. */
const MAX_INDENT = 20;

interface Comparison {
  readonly a: TraceView;
  readonly b: TraceView;
  readonly rows: readonly CompareRow[];
}

/**
 * `/compare/{a}/{b}`: two traces aligned by service and operation path, with the
 * time each side spent on every path and the difference; paths present in one trace
 * only are marked.
 */
export class TlComparePage extends LitElement {
  static override properties = { a: {}, b: {} };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      .scroll {
        overflow-x: auto;
      }
      td.path {
        white-space: nowrap;
      }
      tr.only-a td.path,
      tr.only-b td.path {
        font-style: italic;
      }
      tr.only-a {
        background: var(--tl-error-bg);
      }
      tr.only-b {
        background: var(--tl-warn-bg);
      }
      .slower {
        color: var(--tl-error);
        font-weight: 600;
      }
      .faster {
        color: var(--tl-ok);
        font-weight: 600;
      }
      .ids {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr);
        gap: 0.2rem 0.6rem;
        font-size: 0.85rem;
      }
      .ids a {
        overflow-wrap: anywhere;
      }
    `,
  ];

  declare a: string;
  declare b: string;

  private readonly comparison = new Task(this, {
    task: async ([a, b], { signal }): Promise<Comparison> => {
      const [va, vb] = await Promise.all([loadTraceView(a, signal), loadTraceView(b, signal)]);
      const rows = buildTraceComparison(
        { rows: va.rows, times: va.timelines.adjusted.times },
        { rows: vb.rows, times: vb.timelines.adjusted.times },
      );
      return { a: va, b: vb, rows };
    },
    args: () => [this.a, this.b] as const,
  });

  constructor() {
    super();
    this.a = '';
    this.b = '';
  }

  private side(view: TraceView, side: CompareSide | null) {
    if (!side) return html`<td class="zero">–</td><td class="zero">–</td>`;
    const spanId = view.rows[side.firstRow]!.node.span.spanId;
    return html`<td>${side.count}</td>
      <td><a href=${tracePath(view.traceId, spanId)} class="cell">${formatDuration(side.totalNanos)}</a></td>`;
  }

  private delta(row: CompareRow) {
    if (!row.a || !row.b) return html`<td data-testid="compare-delta">${row.a ? 'only in A' : 'only in B'}</td>`;
    const delta = row.b.totalNanos - row.a.totalNanos;
    const share = row.a.totalNanos > 0 ? ` (${delta >= 0 ? '+' : ''}${Math.round((delta / row.a.totalNanos) * 100)}%)` : '';
    const cls = delta > 0 ? 'slower' : delta < 0 ? 'faster' : 'zero';
    return html`<td class=${cls} data-testid="compare-delta">${delta > 0 ? '+' : ''}${formatDuration(delta)}${share}</td>`;
  }

  private renderTable({ a, b, rows }: Comparison) {
    return html`<div class="ids">
        <strong>A</strong><a href=${tracePath(a.traceId)} class="mono" data-testid="compare-a">${a.traceId}</a>
        <strong>B</strong><a href=${tracePath(b.traceId)} class="mono" data-testid="compare-b">${b.traceId}</a>
      </div>
      <p class="muted">
        Spans are matched by their service and operation path from the root; repeated calls add up. Italic rows exist in one trace only.
      </p>
      <div class="card scroll">
        <table class="data" data-testid="compare-table">
          <thead>
            <tr>
              <th scope="col">Service · operation path</th>
              <th scope="col">A spans</th>
              <th scope="col">A time</th>
              <th scope="col">B spans</th>
              <th scope="col">B time</th>
              <th scope="col">Δ (B − A)</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map((row) => {
              const status = row.a && row.b ? 'both' : row.a ? 'a' : 'b';
              return html`<tr class=${status === 'both' ? '' : `only-${status}`} data-testid="compare-row" data-status=${status} data-path=${`${row.service}: ${row.operation}`}>
                <td class="path" style=${`padding-left:${Math.min(row.depth, MAX_INDENT) * INDENT_PX + 8}px`}>
                  <span class="swatch" style=${serviceStyle(row.service)}></span>
                  <span class="muted">${row.service}:</span> ${row.operation}
                </td>
                ${this.side(a, row.a)} ${this.side(b, row.b)} ${this.delta(row)}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>`;
  }

  override render() {
    return html`<div class="page">
      <div class="toolbar"><h1>Compare traces</h1></div>
      ${this.comparison.render({
        pending: () => html`<div class="skeleton block" aria-busy="true"></div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="traces to compare"></tl-error-state>`,
        complete: (comparison) => this.renderTable(comparison),
      })}
    </div>`;
  }
}

customElements.define('tl-compare-page', TlComparePage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-compare-page': TlComparePage;
  }
}
