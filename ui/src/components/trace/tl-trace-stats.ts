import { LitElement, css, html, type PropertyValues } from 'lit';
import { formatDuration } from '../../model/duration';
import type { SkewMode } from '../../model/route';
import { buildTraceStats, type StatsGroup, type TraceStats } from '../../model/trace-stats';
import type { TraceView } from '../../model/trace-view';
import { pageStyles } from '../common/page-styles';
import { serviceStyle } from '../common/service-style';
import { controlStyles } from '../common/shared-styles';
import { formatCount } from '../../model/format-count';

/** The trace's statistics tab: span count, errors, total and self time per service and per operation. */
export class TlTraceStats extends LitElement {
  static override properties = { view: { attribute: false }, mode: {} };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      h2 {
        margin: 0 0 0.4rem;
        font-size: 1rem;
      }
      .scroll {
        overflow-x: auto;
      }
      .share {
        display: inline-block;
        width: 4rem;
        height: 0.5rem;
        margin-left: 0.4rem;
        background: var(--tl-border);
        vertical-align: middle;
      }
      .share span {
        display: block;
        height: 100%;
        background: light-dark(var(--svc-l), var(--svc-d));
      }
    `,
  ];

  declare view: TraceView;
  declare mode: SkewMode;
  private stats: TraceStats = { services: [], operations: [] };

  constructor() {
    super();
    this.mode = 'adjusted';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('view') || changed.has('mode')) this.stats = buildTraceStats(this.view.rows, this.view.timelines[this.mode].times);
  }

  private renderTable(groups: readonly StatsGroup[], withOperation: boolean, testId: string) {
    const selfTotal = groups.reduce((sum, g) => sum + g.selfNanos, 0) || 1;
    return html`<div class="scroll">
      <table class="data" data-testid=${testId}>
        <thead>
          <tr>
            <th scope="col">Service</th>
            ${withOperation ? html`<th scope="col">Operation</th>` : ''}
            <th scope="col">Spans</th>
            <th scope="col">Errors</th>
            <th scope="col">Total time</th>
            <th scope="col" title="Time not covered by the spans' children">Self time</th>
            <th scope="col">Longest</th>
          </tr>
        </thead>
        <tbody>
          ${groups.map(
            (g) => html`<tr data-testid="stats-row">
              <td><span class="swatch" style=${serviceStyle(g.service)}></span> ${g.service}</td>
              ${withOperation ? html`<td class="op">${g.operation}</td>` : ''}
              <td>${formatCount(g.count)}</td>
              <td class=${g.errorCount > 0 ? 'error-text' : 'zero'}>${formatCount(g.errorCount)}</td>
              <td>${formatDuration(g.totalNanos)}</td>
              <td data-testid="stats-self">
                ${formatDuration(g.selfNanos)}
                <span class="share" style=${serviceStyle(g.service)} title=${`${((g.selfNanos / selfTotal) * 100).toFixed(1)}% of all self time`}>
                  <span style=${`width:${(g.selfNanos / selfTotal) * 100}%`}></span>
                </span>
              </td>
              <td>${formatDuration(g.maxNanos)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  override render() {
    return html`<div class="page">
      <section>
        <h2>By service</h2>
        ${this.renderTable(this.stats.services, false, 'stats-services')}
      </section>
      <section>
        <h2>By operation</h2>
        ${this.renderTable(this.stats.operations, true, 'stats-operations')}
      </section>
    </div>`;
  }
}

customElements.define('tl-trace-stats', TlTraceStats);

declare global {
  interface HTMLElementTagNameMap {
    'tl-trace-stats': TlTraceStats;
  }
}
