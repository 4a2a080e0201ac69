import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { fetchEventLogs } from '../api/nettrace-api';
import { EVENT_LOGS_LIMIT } from '../api/nettrace-requests';
import type { EventLogSummary } from '../api/nettrace-types';
import { millisToNanos } from '../model/nanos';
import { ERROR_PERIOD_MS, type NettraceEventsQuery } from '../model/nettrace-query';
import { nettraceEventsPath, nettracePath } from '../model/nettrace-routes';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import { AppendedPages, appendedPagesStyles } from '../components/common/appended-pages';
import type { TlNettraceFilterEvent } from '../components/nettrace/tl-nettrace-filters';
import '../components/nettrace/tl-nettrace-filters';
import '../components/nettrace/tl-event-log';
import '../components/common/tl-error-state';

/** The first logs open by themselves; the rest load their events when opened. */
const OPEN_FIRST = 5;

/**
 * A log "had an error in the last minute" when it is marked failed and its last event
 * (start + elapsed) is that recent: the summary has no per-event times.
 */
function erredWithin(log: EventLogSummary, query: NettraceEventsQuery, nowMs: number): boolean {
  if (!query.errorsWithin) return true;
  if (!log.error) return false;
  const since = BigInt(millisToNanos(nowMs - ERROR_PERIOD_MS[query.errorsWithin]));
  return BigInt(log.startTimeUnixNano) + BigInt(log.elapsedNano) >= since;
}

/**
 * `/nettrace/events?family=&errorsWithin=&service=&instance=`: the event logs behind a cell
 * of the event-log table, EVENT_LOGS_LIMIT at a time.
 */
export class TlNettraceEventsPage extends LitElement {
  static override properties = { query: { attribute: false }, refreshedAt: { state: true } };
  static override styles = [
    controlStyles,
    pageStyles,
    appendedPagesStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
      }
    `,
  ];

  declare query: NettraceEventsQuery;
  declare refreshedAt: number;

  private readonly more = new AppendedPages<EventLogSummary>(this, async (cursor) => {
    const page = await fetchEventLogs(this.query, cursor);
    return { ...page, items: page.items.filter((log) => erredWithin(log, this.query, this.refreshedAt)) };
  });

  private readonly logs = new Task(this, {
    task: async ([query, at], { signal }) => {
      this.more.restart(null);
      const page = await fetchEventLogs(query, null, signal);
      this.more.restart(page.nextCursor);
      return page.items.filter((log) => erredWithin(log, query, at));
    },
    args: () => [this.query, this.refreshedAt] as const,
  });

  constructor() {
    super();
    this.query = { service: '', instance: '', family: '', errorsWithin: '' };
    this.refreshedAt = Date.now();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query')) this.refreshedAt = Date.now();
  }

  override render() {
    const q = this.query;
    const title = `${q.family ? `“${q.family}” event logs` : 'Event logs'}${q.errorsWithin ? ` with errors in the last ${q.errorsWithin}` : ''}`;
    return html`<div class="page">
      <div>
        <div class="crumbs"><a href=${nettracePath({ service: q.service, instance: q.instance })} data-testid="nettrace-crumb">net/trace</a> ›</div>
        <h1 data-testid="nettrace-events-title">${title}</h1>
      </div>
      <div class="toolbar">
        <tl-nettrace-filters
          .service=${q.service}
          .instance=${q.instance}
          @tl-nettrace-filter=${(e: TlNettraceFilterEvent) => navigate(nettraceEventsPath({ ...q, service: e.service, instance: e.instance }))}
        ></tl-nettrace-filters>
        <button type="button" class="end" @click=${() => (this.refreshedAt = Date.now())}>Refresh</button>
      </div>
      ${this.logs.render({
        pending: () => html`<div aria-busy="true">${[0, 1, 2].map(() => html`<div class="skeleton line" style="height:3rem"></div>`)}</div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="event logs"></tl-error-state>`,
        complete: (first) => {
          const logs = [...first, ...this.more.items];
          return logs.length === 0 && !this.more.nextCursor
            ? html`<p class="placeholder" data-testid="nettrace-events-empty">No matching event logs.</p>`
            : html`<p class="muted" data-testid="nettrace-events-count">
                  ${logs.length} log${logs.length === 1 ? '' : 's'}, most recently updated first${this.more.nextCursor ? ', more below' : ''}
                </p>
                <ol data-testid="nettrace-event-log-list">
                  ${logs.map((log, i) => html`<li><tl-event-log .log=${log} ?open=${i < OPEN_FIRST}></tl-event-log></li>`)}
                </ol>
                ${this.more.renderMore(`Show ${EVENT_LOGS_LIMIT} more`, 'nettrace-events-more', 'more event logs')}`;
        },
      })}
    </div>`;
  }
}

customElements.define('tl-nettrace-events-page', TlNettraceEventsPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-nettrace-events-page': TlNettraceEventsPage;
  }
}
