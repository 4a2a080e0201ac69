import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import { fetchEventLog } from '../../api/nettrace-api';
import type { EventLogSummary } from '../../api/nettrace-types';
import { controlStyles } from '../common/shared-styles';
import { recordStyles } from './nettrace-styles';
import { eventList, recordHead } from './nettrace-templates';
import '../common/tl-error-state';

/** One event log: its summary, and its events once opened (fetched then, since a log keeps up to a thousand). */
export class TlEventLog extends LitElement {
  static override properties = { log: { attribute: false }, open: { type: Boolean, reflect: true } };
  static override styles = [
    controlStyles,
    recordStyles,
    css`
      :host {
        display: block;
      }
      summary {
        cursor: pointer;
        list-style: none;
      }
      summary::-webkit-details-marker {
        display: none;
      }
      summary .record-head::before {
        content: '▸';
        color: var(--tl-fg-muted);
      }
      details[open] summary .record-head::before {
        content: '▾';
      }
      .loading {
        padding: 0.4rem 0.75rem;
      }
    `,
  ];

  declare log: EventLogSummary;
  declare open: boolean;

  private readonly events = new Task(this, {
    task: async ([open, recordId, service], { signal }) => (open ? fetchEventLog(recordId, service, signal) : null),
    args: () => [this.open, this.log.recordId, this.log.service] as const,
  });

  constructor() {
    super();
    this.open = false;
  }

  override render() {
    const log = this.log;
    return html`<details
      class=${`record${log.error ? ' error' : ''}`}
      data-testid="nettrace-event-log"
      data-record-id=${log.recordId}
      ?open=${this.open}
      @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}
    >
      <summary><div class="record-head">${recordHead(log, html`<span class="muted">${log.eventCount} events</span>`)}</div></summary>
      ${this.open
        ? this.events.render({
            pending: () => html`<div class="loading"><div class="skeleton line"></div></div>`,
            error: (error) => html`<tl-error-state .error=${error} subject="event log"></tl-error-state>`,
            complete: (full) =>
              full
                ? html`${eventList(full, full.events)}
                  ${full.droppedEvents > 0 ? html`<p class="note">${full.droppedEvents} older events were let go to keep the log bounded.</p>` : nothing}`
                : nothing,
          })
        : nothing}
    </details>`;
  }
}

customElements.define('tl-event-log', TlEventLog);

declare global {
  interface HTMLElementTagNameMap {
    'tl-event-log': TlEventLog;
  }
}
