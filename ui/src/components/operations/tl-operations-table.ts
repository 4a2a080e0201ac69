import { LitElement, css, html, nothing } from 'lit';
import { formatDuration } from '../../model/duration';
import { operationPath, operationsPath } from '../../model/latency-routes';
import { pickWindow } from '../../model/latency-window';
import { formatPercent, formatRate, sortOperationRows, type ComparedOperationRow } from '../../model/operation-rows';
import { defaultDirection, type OperationSortKey, type OperationsQuery } from '../../model/operations-query';
import { navigate } from '../router/navigate';
import { controlStyles } from '../common/shared-styles';
import { pageStyles } from '../common/page-styles';
import './tl-sparkline';
import { formatCount } from '../../model/format-count';

const COLUMNS: ReadonlyArray<{ key: OperationSortKey; label: string; title: string }> = [
  { key: 'name', label: 'Operation', title: 'Span name' },
  { key: 'rate', label: 'Requests', title: 'Spans per second over the window' },
  { key: 'errorRate', label: 'Errors', title: 'Share of spans with an error status' },
  { key: 'p50', label: 'p50', title: 'Median latency' },
  { key: 'p90', label: 'p90', title: '90th percentile latency' },
  { key: 'p99', label: 'p99', title: '99th percentile latency' },
  { key: 'dRate', label: 'Δ requests', title: 'Change of the request rate against the previous window of the same length' },
  { key: 'dErrorRate', label: 'Δ errors', title: 'Change of the error rate against the previous window, in percentage points' },
  { key: 'dP50', label: 'Δ p50', title: 'Change of the median against the previous window' },
  { key: 'dP99', label: 'Δ p99', title: 'Change of the p99 against the previous window' },
];

/** `+12ms`, `−3ms`, `–` when there is nothing to compare; for latency and errors, up is red and down green. */
function deltaCell(value: number, text: (v: number) => string, testId: string, upIsWorse: boolean) {
  if (Number.isNaN(value)) return html`<td class="delta zero" data-testid=${testId} title="Not seen in the previous window">–</td>`;
  const cls = value === 0 ? 'zero' : !upIsWorse ? '' : value > 0 ? 'worse' : 'better';
  return html`<td class=${`delta ${cls}`} data-testid=${testId} data-value=${value}>${value > 0 ? '+' : value < 0 ? '−' : '±'}${text(Math.abs(value))}</td>`;
}

/**
 * A service's operations with rate, error rate and percentiles, and a p99 sparkline.
 * Sorting is part of the URL (each header is a link); a row opens the operation view.
 */
export class TlOperationsTable extends LitElement {
  static override properties = { rows: { attribute: false }, bucketStarts: { attribute: false }, query: { attribute: false } };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      :host {
        display: block;
        height: auto;
        overflow: visible;
      }
      table.data thead th a {
        color: inherit;
        text-decoration: none;
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
      }
      table.data thead th a:hover {
        color: var(--tl-fg);
      }
      table.data thead th[aria-sort] a {
        color: var(--tl-fg);
      }
      .arrow {
        font-size: 0.7rem;
      }
      tbody tr {
        cursor: pointer;
      }
      td.name a {
        font-weight: 600;
        color: inherit;
        text-decoration: none;
      }
      td.name a:hover,
      tr:focus-within td.name a {
        color: var(--tl-accent);
        text-decoration: underline;
      }
      .kind {
        margin-left: 0.4rem;
        font-size: 0.78rem;
        color: var(--tl-fg-muted);
        font-weight: 400;
      }
      td.p99 {
        font-weight: 650;
      }
      td.trend {
        width: 130px;
      }
      td.errors.some {
        color: var(--tl-error);
        font-weight: 600;
      }
      td.delta.worse {
        color: var(--tl-error);
        font-weight: 600;
      }
      td.delta.better {
        color: var(--tl-ok);
      }
      .count {
        display: block;
        font-size: 0.75rem;
        color: var(--tl-fg-muted);
      }
    `,
  ];

  declare rows: readonly ComparedOperationRow[];
  /** Unix ns of each sparkline point's bucket, for the values shown on hover. */
  declare bucketStarts: readonly string[];
  declare query: OperationsQuery;

  constructor() {
    super();
    this.rows = [];
    this.bucketStarts = [];
  }

  private sortLink(key: OperationSortKey): string {
    const q = this.query;
    const dir = q.sort === key ? (q.dir === 'asc' ? 'desc' : 'asc') : defaultDirection(key);
    return operationsPath({ ...q, sort: key, dir });
  }

  private renderHead() {
    return html`<tr>
      ${COLUMNS.map(({ key, label, title }) => {
        const sorted = this.query.sort === key;
        return html`<th scope="col" title=${title} aria-sort=${sorted ? (this.query.dir === 'asc' ? 'ascending' : 'descending') : nothing}>
          <a href=${this.sortLink(key)} data-testid=${`sort-${key}`}>
            ${label}${sorted ? html`<span class="arrow" aria-hidden="true">${this.query.dir === 'asc' ? '▲' : '▼'}</span>` : nothing}
          </a>
        </th>`;
      })}
      <th scope="col" title="p99 over the window">p99 trend</th>
    </tr>`;
  }

  override render() {
    const q = this.query;
    const rows = sortOperationRows(this.rows, q.sort, q.dir);
    return html`<table class="data" data-testid="operations-table">
      <thead>${this.renderHead()}</thead>
      <tbody>
        ${rows.map((row) => {
          const href = operationPath(q.service, row.name, { window: pickWindow(q) });
          return html`<tr data-testid="operation-row" data-operation=${row.name} data-span-kind=${row.spanKind} @click=${(e: MouseEvent) => {
            if (!(e.target instanceof HTMLAnchorElement)) navigate(href);
          }}>
            <td class="name"><a href=${href} data-testid="operation-link">${row.name}</a>${row.spanKind ? html`<span class="kind">${row.spanKind}</span>` : nothing}</td>
            <td data-testid="operation-rate">${formatRate(row.rate)}<span class="count">${formatCount(row.count)} spans</span></td>
            <td class=${`errors${row.errorCount > 0 ? ' some' : ''}`} data-testid="operation-errors">${formatPercent(row.errorRate)}</td>
            <td data-testid="operation-p50">${formatDuration(row.p50)}</td>
            <td data-testid="operation-p90">${formatDuration(row.p90)}</td>
            <td class="p99" data-testid="operation-p99" data-nano=${Number.isNaN(row.p99) ? '' : row.p99}>${formatDuration(row.p99)}</td>
            ${deltaCell(row.change.dRate, (v) => formatPercent(v), 'operation-d-rate', false)}
            ${deltaCell(row.change.dErrorRate, (v) => `${Number((v * 100).toFixed(1))} pp`, 'operation-d-errors', true)}
            ${deltaCell(row.change.dP50, formatDuration, 'operation-d-p50', true)}
            ${deltaCell(row.change.dP99, formatDuration, 'operation-d-p99', true)}
            <td class="trend">
              <tl-sparkline .values=${row.p99Series} .times=${this.bucketStarts} label=${`p99 of ${row.name} over time`}></tl-sparkline>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>`;
  }
}

customElements.define('tl-operations-table', TlOperationsTable);

declare global {
  interface HTMLElementTagNameMap {
    'tl-operations-table': TlOperationsTable;
  }
}
