import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { fetchOperationStats } from '../api/latency-api';
import { fetchServices } from '../api/threadline-api';
import { operationsPath, slowPath } from '../model/latency-routes';
import { pickWindow, previousWindow, resolveWindow, windowLabel } from '../model/latency-window';
import { compareOperationRows } from '../model/operation-rows';
import { DEFAULT_OPERATIONS_QUERY, type OperationsQuery } from '../model/operations-query';
import { DEFAULT_SLOW_QUERY } from '../model/slow-query';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { serviceStyle } from '../components/common/service-style';
import type { TlTimeWindowEvent } from '../components/latency/latency-events';
import '../components/latency/tl-window-select';
import '../components/operations/tl-operations-table';
import '../components/common/tl-error-state';

/** `/operations?service=&window=`: every operation of a service with its rates and percentiles. */
export class TlOperationsPage extends LitElement {
  static override properties = { query: { attribute: false }, refreshedAt: { state: true } };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      .services {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        padding: 0;
        margin: 0;
        list-style: none;
      }
      .services a {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        padding: 0.45rem 0.8rem;
        border: 1px solid var(--tl-border);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
        color: inherit;
        text-decoration: none;
        font-weight: 600;
      }
      .services a:hover {
        border-color: var(--tl-accent);
      }
      .table-card {
        padding: 0;
        overflow-x: auto;
      }
    `,
  ];

  declare query: OperationsQuery;
  /** Pins a relative window while its data is shown; moving on to now is a refresh. */
  declare refreshedAt: number;

  private readonly services = new Task(this, {
    task: async (_args, { signal }) => fetchServices(signal),
    args: () => [],
  });

  private readonly stats = new Task(this, {
    task: async ([service, window, start, end, at], { signal }) => {
      if (!service) return null;
      const resolved = resolveWindow({ window, start, end }, at);
      const current = await fetchOperationStats(service, resolved, signal);
      // Sketches answer for whole minutes around the asked window; the previous window must
      // follow what was covered, or the two would share a minute and differ in length.
      const covered = { startNs: current.startTimeUnixNano, endNs: (BigInt(current.endTimeUnixNano) - 1n).toString() };
      const previous = await fetchOperationStats(service, previousWindow(covered), signal);
      return { rows: compareOperationRows(current.operations, previous.operations), bucketStarts: current.bucketStarts };
    },
    args: () => [this.query.service, this.query.window, this.query.start, this.query.end, this.refreshedAt] as const,
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_OPERATIONS_QUERY };
    this.refreshedAt = Date.now();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    const previous = changed.get('query') as OperationsQuery | undefined;
    if (changed.has('query') && (previous?.service !== this.query.service || previous?.window !== this.query.window)) {
      this.refreshedAt = Date.now();
    }
  }

  private go(query: Partial<OperationsQuery>): void {
    navigate(operationsPath({ ...this.query, ...query }));
  }

  private renderTable() {
    return this.stats.render({
      pending: () => html`<div aria-busy="true" data-testid="operations-loading">${[0, 1, 2, 3, 4].map(() => html`<div class="skeleton line"></div>`)}</div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="operation statistics"></tl-error-state>`,
      complete: (stats) => {
        if (stats === null) return nothing;
        if (stats.rows.length === 0) {
          return html`<p class="placeholder" data-testid="operations-empty">
            ${this.query.service} reported no spans in ${windowLabel(this.query)}. Widen the window, or check that it is sending spans.
          </p>`;
        }
        return html`<div class="card table-card"><tl-operations-table .rows=${stats.rows} .bucketStarts=${stats.bucketStarts} .query=${this.query}></tl-operations-table></div>`;
      },
    });
  }

  private renderServicePicker(services: readonly string[]) {
    if (services.length === 0) return html`<p class="placeholder">No service has sent spans yet.</p>`;
    return html`<p class="muted">Choose a service to see its operations:</p>
      <ul class="services" data-testid="operations-services">
        ${services.map(
          (s) => html`<li><a href=${operationsPath({ ...this.query, service: s })}><span class="swatch" style=${serviceStyle(s)}></span>${s}</a></li>`,
        )}
      </ul>`;
  }

  override render() {
    const q = this.query;
    const services = this.services.value ?? [];
    const choices = q.service && !services.includes(q.service) ? [q.service, ...services] : services;
    return html`<div class="page">
      <div class="toolbar">
        <h1>${q.service ? html`<span class="swatch" style=${serviceStyle(q.service)}></span>Operations of ${q.service}` : 'Operations'}</h1>
        <label>
          Service
          <select data-testid="operations-service" .value=${q.service} @change=${(e: Event) => this.go({ service: (e.target as HTMLSelectElement).value })}>
            <option value="" ?selected=${q.service === ''} disabled>Choose…</option>
            ${choices.map((s) => html`<option .value=${s} ?selected=${s === q.service}>${s}</option>`)}
          </select>
        </label>
        <tl-window-select test-id="operations-window" .value=${pickWindow(q)} @tl-time-window=${(e: TlTimeWindowEvent) => this.go(e.window)}></tl-window-select>
        <button type="button" data-testid="operations-refresh" ?disabled=${!q.service} @click=${() => (this.refreshedAt = Date.now())}>Refresh</button>
        ${q.service
          ? html`<a class="end" href=${slowPath({ ...DEFAULT_SLOW_QUERY, ...pickWindow(q), service: q.service })} data-testid="operations-slow-link">Slowest spans of ${q.service} →</a>`
          : nothing}
      </div>
      ${this.services.status === TaskStatus.ERROR ? html`<tl-error-state .error=${this.services.error} subject="services"></tl-error-state>` : nothing}
      ${q.service ? this.renderTable() : this.renderServicePicker(services)}
    </div>`;
  }
}

customElements.define('tl-operations-page', TlOperationsPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-operations-page': TlOperationsPage;
  }
}
