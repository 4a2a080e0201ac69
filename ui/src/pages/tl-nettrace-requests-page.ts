import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { fetchNettraceRequests } from '../api/nettrace-api';
import { NETTRACE_REQUESTS_LIMIT } from '../api/nettrace-requests';
import type { NettraceRequest } from '../api/nettrace-types';
import { resolveWindow, pickWindow, windowLabel, type ResolvedWindow } from '../model/latency-window';
import type { NettraceRequestsQuery } from '../model/nettrace-query';
import { DEFAULT_NETTRACE_QUERY } from '../model/nettrace-query';
import { nettracePath, nettraceRequestsPath } from '../model/nettrace-routes';
import { tracePath } from '../model/route';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { AppendedPages, appendedPagesStyles } from '../components/common/appended-pages';
import { recordStyles } from '../components/nettrace/nettrace-styles';
import { eventList, recordHead } from '../components/nettrace/nettrace-templates';
import type { TlTimeWindowEvent } from '../components/latency/latency-events';
import type { TlNettraceFilterEvent } from '../components/nettrace/tl-nettrace-filters';
import '../components/nettrace/tl-nettrace-filters';
import '../components/common/tl-error-state';

function describe(q: NettraceRequestsQuery): string {
  const parts = [q.family ? `“${q.family}” requests` : 'Requests'];
  if (q.active) parts.push('still active');
  if (q.minDuration) parts.push(`that took ≥${q.minDuration}`);
  if (q.errorsOnly) parts.push('that failed');
  return parts.join(' ');
}

/** Filters the API may not apply itself are applied here too, so the list never shows what the cell did not count. */
function inCell(query: NettraceRequestsQuery, records: NettraceRequest[]): NettraceRequest[] {
  return records.filter((r) => (!query.active || r.state === 'active') && (!query.instance || r.instance === query.instance));
}

/**
 * `/nettrace/requests?family=&minDuration=&errorsOnly=&active=…`: the request traces behind
 * a cell of the requests table, with their events, NETTRACE_REQUESTS_LIMIT at a time.
 */
export class TlNettraceRequestsPage extends LitElement {
  static override properties = { query: { attribute: false }, refreshedAt: { state: true } };
  static override styles = [
    controlStyles,
    pageStyles,
    appendedPagesStyles,
    recordStyles,
    css`
      ol.records {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
    `,
  ];

  declare query: NettraceRequestsQuery;
  declare refreshedAt: number;

  /** The window of the shown list, resolved when its first page was asked for, so later pages agree. */
  private resolved: ResolvedWindow | null = null;
  private readonly more = new AppendedPages<NettraceRequest>(this, async (cursor) => {
    const page = await fetchNettraceRequests(this.query, this.resolved!, cursor);
    return { ...page, items: inCell(this.query, page.items) };
  });

  private readonly requests = new Task(this, {
    task: async ([query, at], { signal }) => {
      this.more.restart(null);
      this.resolved = resolveWindow(query, at);
      const page = await fetchNettraceRequests(query, this.resolved, null, signal);
      this.more.restart(page.nextCursor);
      return inCell(query, page.items);
    },
    args: () => [this.query, this.refreshedAt] as const,
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_NETTRACE_QUERY, family: '', minDuration: '', errorsOnly: false, active: false };
    this.refreshedAt = Date.now();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query')) this.refreshedAt = Date.now();
  }

  private go(changes: Partial<NettraceRequestsQuery>): void {
    navigate(nettraceRequestsPath({ ...this.query, ...changes }));
  }

  override render() {
    const q = this.query;
    return html`<div class="page">
      <div>
        <div class="crumbs">
          <a href=${nettracePath({ service: q.service, instance: q.instance, ...pickWindow(q) })} data-testid="nettrace-crumb">net/trace</a> ›
        </div>
        <div class="toolbar">
          <h1 data-testid="nettrace-requests-title">${describe(q)}</h1>
          <span class="muted">in ${windowLabel(q)}</span>
        </div>
      </div>
      <div class="toolbar">
        <tl-nettrace-filters
          show-window
          .service=${q.service}
          .instance=${q.instance}
          .window=${q}
          @tl-nettrace-filter=${(e: TlNettraceFilterEvent) => this.go({ service: e.service, instance: e.instance })}
          @tl-time-window=${(e: TlTimeWindowEvent) => this.go(e.window)}
        ></tl-nettrace-filters>
        <button type="button" class="end" @click=${() => (this.refreshedAt = Date.now())}>Refresh</button>
      </div>
      ${this.requests.render({
        pending: () => html`<div aria-busy="true">${[0, 1, 2, 3].map(() => html`<div class="skeleton line" style="height:4rem"></div>`)}</div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="net/trace requests"></tl-error-state>`,
        complete: (first) => {
          const records = [...first, ...this.more.items];
          return records.length === 0 && !this.more.nextCursor
            ? html`<p class="placeholder" data-testid="nettrace-requests-empty">No matching requests.</p>`
            : html`<p class="muted" data-testid="nettrace-requests-count">
                  ${records.length} request${records.length === 1 ? '' : 's'}, newest first${this.more.nextCursor ? ', more below' : ''}
                </p>
                <ol class="records" data-testid="nettrace-request-list">
                  ${records.map(
                    (r) => html`<li class=${`record${r.error ? ' error' : ''}`} data-testid="nettrace-request" data-record-id=${r.recordId}>
                      <div class="record-head">
                        ${recordHead(
                          r,
                          r.traceId && r.spanId
                            ? html`<a href=${tracePath(r.traceId, r.spanId)} data-testid="nettrace-request-trace">trace →</a>`
                            : nothing,
                        )}
                      </div>
                      ${eventList(r, r.events)}
                      ${r.discardedEvents > 0 ? html`<p class="note">${r.discardedEvents} more events were discarded by the service.</p>` : nothing}
                    </li>`,
                  )}
                </ol>
                ${this.more.renderMore(`Show ${NETTRACE_REQUESTS_LIMIT} more`, 'nettrace-requests-more', 'more requests')}`;
        },
      })}
    </div>`;
  }
}

customElements.define('tl-nettrace-requests-page', TlNettraceRequestsPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-nettrace-requests-page': TlNettraceRequestsPage;
  }
}
