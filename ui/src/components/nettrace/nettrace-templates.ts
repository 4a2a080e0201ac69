/** Templates shared by the net/trace lists: one record's header and its events. */
import { html, nothing } from 'lit';
import type { NettraceEvent, NettraceRecord } from '../../api/nettrace-types';
import { formatDuration } from '../../model/duration';
import { formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { serviceStyle } from '../common/service-style';

export function recordHead(record: NettraceRecord, extra: unknown = nothing) {
  return html`<span class="elapsed" data-testid="record-elapsed">${formatDuration(record.elapsedNano)}</span>
    <span class="title" data-testid="record-title">${record.title || record.family}</span>
    <span class="muted">${record.family}</span>
    ${record.state === 'active' ? html`<span class="badge active" data-testid="record-active">active</span>` : nothing}
    ${record.error ? html`<span class="badge error" data-testid="record-error">error</span>` : nothing}
    <span class="right">
      <span class="muted"
        ><span class="swatch" style=${serviceStyle(record.service)}></span> ${record.service}${record.instance
          ? html` · <span class="mono">${record.instance}</span>`
          : nothing}</span
      >
      <span class="muted">${formatTimestamp(nanosToMillis(record.startTimeUnixNano))}</span>
      ${extra}
    </span>`;
}

/** Events with their offset from the record's start; sensitive ones as the server sends them (`[redacted]`). */
export function eventList(record: NettraceRecord, events: readonly NettraceEvent[]) {
  if (events.length === 0) return html`<p class="note">No events.</p>`;
  const start = BigInt(record.startTimeUnixNano);
  return html`<ol class="events" data-testid="record-events">
    ${events.map((event) => {
      const offset = Number(BigInt(event.timeUnixNano) - start);
      return html`<li
        class=${`${event.error ? 'error' : ''}${event.sensitive ? ' sensitive' : ''}`}
        data-testid="record-event"
        data-sensitive=${event.sensitive ? 'true' : 'false'}
      >
        <span class="at" title=${formatTimestamp(nanosToMillis(event.timeUnixNano))}>${offset >= 0 ? '+' : ''}${formatDuration(offset)}</span>
        <span class="message">${event.message}${event.sensitive ? html` <span class="badge warn" title="Marked sensitive by the service">sensitive</span>` : nothing}</span>
      </li>`;
    })}
  </ol>`;
}
