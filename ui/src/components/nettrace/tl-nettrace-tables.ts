import { LitElement, css, html } from 'lit';
import type { NettraceFamilies } from '../../api/nettrace-types';
import { toGoDuration } from '../../model/go-duration';
import { pickWindow } from '../../model/latency-window';
import { EVENT_ERROR_COLUMNS, buildRequestFamilyTable, sortEventLogFamilies } from '../../model/nettrace-families';
import type { ErrorPeriod, NettraceQuery, NettraceRequestsQuery } from '../../model/nettrace-query';
import { nettraceEventsPath, nettraceRequestsPath } from '../../model/nettrace-routes';
import { controlStyles } from '../common/shared-styles';
import { pageStyles } from '../common/page-styles';
import { formatCount } from '../../model/format-count';

function cell(count: number, href: string, testId: string, label: string) {
  if (count === 0) return html`<td class="zero" data-testid=${testId} data-count="0">0</td>`;
  return html`<td data-testid=${testId} data-count=${count}>
    <a class="cell" href=${href} aria-label=${`${count} ${label}`}>${formatCount(count)}</a>
  </td>`;
}

/**
 * The fleet's `/debug/requests` (families × latency buckets) and `/debug/events`
 * (families × error periods) tables; every non-zero count links to its records.
 */
export class TlNettraceTables extends LitElement {
  static override properties = { families: { attribute: false }, query: { attribute: false } };
  static override styles = [
    controlStyles,
    pageStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        gap: 1rem;
        height: auto;
        overflow: visible;
      }
      .card {
        padding: 0;
        overflow-x: auto;
      }
      .card > h2 {
        padding: 0.7rem 0.9rem 0;
      }
      td.errors a.cell {
        color: var(--tl-error);
        font-weight: 600;
      }
      td.family {
        font-weight: 600;
      }
      .empty {
        padding: 0.4rem 0.9rem 0.8rem;
        margin: 0;
        color: var(--tl-fg-muted);
      }
    `,
  ];

  declare families: NettraceFamilies;
  declare query: NettraceQuery;

  private requestsLink(family: string, changes: Partial<NettraceRequestsQuery>): string {
    const q = this.query;
    return nettraceRequestsPath({
      ...pickWindow(q),
      service: q.service,
      instance: q.instance,
      family,
      minDuration: '',
      errorsOnly: false,
      active: false,
      ...changes,
    });
  }

  private eventsLink(family: string, errorsWithin: ErrorPeriod | ''): string {
    return nettraceEventsPath({ service: this.query.service, instance: this.query.instance, family, errorsWithin });
  }

  private renderRequests() {
    const table = buildRequestFamilyTable(this.families.requestFamilies);
    return html`<section class="card" aria-label="Requests" data-testid="nettrace-requests">
      <h2>Requests <span class="hint">by family · each bucket counts requests that took at least that long</span></h2>
      ${table.rows.length === 0
        ? html`<p class="empty">No request traces in this window.</p>`
        : html`<table class="data" data-testid="nettrace-request-table">
            <thead>
              <tr>
                <th scope="col">Family</th>
                <th scope="col">active</th>
                ${table.columns.map((c) => html`<th scope="col">${c.label}</th>`)}
                <th scope="col">errors</th>
              </tr>
            </thead>
            <tbody>
              ${table.rows.map(
                (row) => html`<tr data-testid="nettrace-request-family" data-family=${row.family}>
                  <td class="family">${row.family}</td>
                  ${cell(row.active, this.requestsLink(row.family, { active: true }), 'nettrace-active', 'active requests')}
                  ${row.counts.map((count, i) => {
                    const column = table.columns[i]!;
                    return cell(
                      count,
                      this.requestsLink(row.family, { minDuration: column.minNano === 0 ? '' : toGoDuration(column.minNano) }),
                      `nettrace-bucket-${column.minNano}`,
                      `requests ${column.label}`,
                    );
                  })}
                  <td class="errors" data-testid="nettrace-errors" data-count=${row.errors}>
                    ${row.errors === 0
                      ? html`<span class="muted">0</span>`
                      : html`<a class="cell" href=${this.requestsLink(row.family, { errorsOnly: true })}>${formatCount(row.errors)}</a>`}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  private renderEventLogs() {
    const families = sortEventLogFamilies(this.families.eventLogFamilies);
    return html`<section class="card" aria-label="Event logs" data-testid="nettrace-event-logs">
      <h2>Event logs <span class="hint">by family · errors in the last 10 seconds … 10 hours</span></h2>
      ${families.length === 0
        ? html`<p class="empty">No event logs.</p>`
        : html`<table class="data" data-testid="nettrace-event-table">
            <thead>
              <tr>
                <th scope="col">Family</th>
                <th scope="col">total</th>
                ${EVENT_ERROR_COLUMNS.map((c) => html`<th scope="col">${c.label}</th>`)}
              </tr>
            </thead>
            <tbody>
              ${families.map(
                (f) => html`<tr data-testid="nettrace-event-family" data-family=${f.family}>
                  <td class="family">${f.family}</td>
                  ${cell(f.total, this.eventsLink(f.family, ''), 'nettrace-event-total', 'event logs')}
                  ${EVENT_ERROR_COLUMNS.map(({ period }) => {
                    const count = f.errors[period];
                    return count === 0
                      ? html`<td class="zero" data-testid=${`nettrace-event-errors-${period}`} data-count="0">0</td>`
                      : html`<td class="errors" data-testid=${`nettrace-event-errors-${period}`} data-count=${count}>
                          <a class="cell" href=${this.eventsLink(f.family, period)}>${formatCount(count)}</a>
                        </td>`;
                  })}
                </tr>`,
              )}
            </tbody>
          </table>`}
    </section>`;
  }

  override render() {
    return html`${this.renderRequests()}${this.renderEventLogs()}`;
  }
}

customElements.define('tl-nettrace-tables', TlNettraceTables);

declare global {
  interface HTMLElementTagNameMap {
    'tl-nettrace-tables': TlNettraceTables;
  }
}
