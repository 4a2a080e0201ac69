import { LitElement, css, html, nothing } from 'lit';
import { anyValueToString } from '@threadline/shared';
import type { KeyValue, SpanEvent, SpanLink } from '@threadline/shared';
import { formatDuration } from '../../model/duration';
import { formatTimestamp } from '../../model/format-time';
import { nanosToMillis } from '../../model/nanos';
import { tracePath, type SkewMode } from '../../model/route';
import { operationPath, slowPath } from '../../model/latency-routes';
import { DEFAULT_SLOW_QUERY } from '../../model/slow-query';
import { selfTime } from '../../model/self-time';
import { hostName, isErrorSpan, isNetTraceEvent, serviceInstanceId, spanKindName, statusName } from '../../model/span-facts';
import { childRows } from '../../model/span-rows';
import type { TraceView } from '../../model/trace-view';
import { controlStyles } from '../common/shared-styles';
import { serviceStyle } from '../common/service-style';
import { TlDetailCloseEvent, TlSpanSelectEvent } from '../waterfall/waterfall-events';
import '../common/tl-copy-button';
import '../profiles/tl-span-diagnostics';
import type { ProfileMarkers } from '../../model/profile-markers';

function attributeTable(attrs: readonly KeyValue[], testId: string) {
  if (attrs.length === 0) return html`<p class="muted none">none</p>`;
  return html`<table data-testid=${testId}>
    <tbody>
      ${attrs.map((kv) => html`<tr><th scope="row">${kv.key}</th><td>${anyValueToString(kv.value)}</td></tr>`)}
    </tbody>
  </table>`;
}

/** The selected span in full: identity, timing, attributes, resource, events, net/trace records and links. */
export class TlSpanDetail extends LitElement {
  static override properties = { view: { attribute: false }, row: { type: Number }, mode: {}, profileMarkers: { attribute: false } };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        overflow-y: auto;
        background: var(--tl-bg-raised);
        border-left: 1px solid var(--tl-border);
        font-size: 0.85rem;
      }
      header {
        position: sticky;
        top: 0;
        z-index: 1;
        display: flex;
        align-items: flex-start;
        gap: 0.5rem;
        padding: 0.7rem 0.9rem 0.5rem;
        background: var(--tl-bg-raised);
        border-bottom: 1px solid var(--tl-border);
      }
      h2 {
        flex: 1;
        min-width: 0;
        margin: 0;
        font-size: 1rem;
        overflow-wrap: anywhere;
      }
      .service {
        display: flex;
        align-items: center;
        gap: 0.35rem;
        margin-top: 0.2rem;
        font-size: 0.85rem;
        font-weight: 400;
        color: var(--tl-fg-muted);
      }
      section {
        padding: 0.6rem 0.9rem;
        border-bottom: 1px solid var(--tl-border);
      }
      h3 {
        margin: 0 0 0.4rem;
        font-size: 0.8rem;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        color: var(--tl-fg-muted);
      }
      dl {
        display: grid;
        grid-template-columns: max-content 1fr;
        gap: 0.2rem 0.8rem;
        margin: 0;
      }
      dt {
        color: var(--tl-fg-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        table-layout: fixed;
      }
      th,
      td {
        padding: 0.2rem 0.4rem 0.2rem 0;
        vertical-align: top;
        text-align: left;
        overflow-wrap: anywhere;
        font-family: var(--tl-mono);
        font-size: 0.8rem;
        border-bottom: 1px solid var(--tl-border);
      }
      th {
        width: 40%;
        font-weight: 400;
        color: var(--tl-fg-muted);
      }
      td {
        white-space: pre-wrap;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        padding: 0.35rem 0;
        border-bottom: 1px solid var(--tl-border);
      }
      li:last-child {
        border-bottom: none;
      }
      .event-head {
        display: flex;
        gap: 0.6rem;
        overflow-wrap: anywhere;
      }
      .offset {
        flex: none;
        font-variant-numeric: tabular-nums;
        color: var(--tl-fg-muted);
        min-width: 4.5rem;
      }
      li table {
        margin-top: 0.2rem;
      }
      .none {
        margin: 0;
      }
      .status-error {
        color: var(--tl-error);
        font-weight: 600;
      }
      button.link {
        padding: 0;
        border: none;
        background: none;
        color: var(--tl-accent);
        text-decoration: underline;
      }
    `,
  ];

  declare view: TraceView;
  declare row: number;
  declare mode: SkewMode;
  /** Spans with Go diagnostics: theirs get the CPU / Wall time tabs. */
  declare profileMarkers: ProfileMarkers | undefined;

  constructor() {
    super();
    this.row = 0;
    this.mode = 'adjusted';
  }

  private selectSpan(spanId: string): void {
    const row = this.view.rowBySpanId.get(spanId);
    if (row !== undefined) this.dispatchEvent(new TlSpanSelectEvent(spanId, row, true));
  }

  private renderEvents(events: readonly SpanEvent[], spanStart: bigint, testId: string) {
    if (events.length === 0) return html`<p class="muted none">none</p>`;
    const sorted = [...events].sort((a, b) => (BigInt(a.timeUnixNano) < BigInt(b.timeUnixNano) ? -1 : 1));
    return html`<ol data-testid=${testId}>
      ${sorted.map(
        (event) => html`<li>
          <div class="event-head">
            <span class="offset">+${formatDuration(Number(BigInt(event.timeUnixNano) - spanStart))}</span>
            <span>${event.name}</span>
          </div>
          ${event.attributes.length > 0 ? attributeTable(event.attributes, `${testId}-attributes`) : nothing}
        </li>`,
      )}
    </ol>`;
  }

  private renderLinks(links: readonly SpanLink[]) {
    if (links.length === 0) return html`<p class="muted none">none</p>`;
    return html`<ol data-testid="span-links">
      ${links.map((link) => {
        const here = link.traceId === this.view.traceId;
        // Only links into this trace can be checked without another request.
        const known = here ? this.view.rowBySpanId.has(link.spanId) : undefined;
        return html`<li>
          <a href=${tracePath(link.traceId, link.spanId)} class="mono" data-testid="span-link">${link.traceId}/${link.spanId}</a>
          ${known === true ? html`<span class="muted">(in this trace)</span>` : nothing}
          ${known === false ? html`<span class="badge warn">not in this trace</span>` : nothing}
          ${link.attributes.length > 0 ? attributeTable(link.attributes, 'span-link-attributes') : nothing}
        </li>`;
      })}
    </ol>`;
  }

  private renderDiagnostics(spanId: string) {
    const marker = this.profileMarkers?.get(spanId);
    if (!marker) return nothing;
    return html`<section data-testid="span-diagnostics">
      <h3>Go diagnostics</h3>
      <tl-span-diagnostics traceId=${this.view.traceId} spanId=${spanId} .marker=${marker}></tl-span-diagnostics>
    </section>`;
  }

  override render() {
    const { rows, timelines } = this.view;
    const row = rows[this.row];
    if (!row) return nothing;
    const span = row.node.span;
    const { times } = timelines[this.mode];
    const start = times.start[this.row]!;
    const end = times.end[this.row]!;
    const children = childRows(rows, this.row).map((c) => [times.start[c]!, times.end[c]!] as const);
    const host = hostName(span);
    const instance = serviceInstanceId(span);
    const spanStart = BigInt(span.startTimeUnixNano);
    const netTrace = span.events.filter(isNetTraceEvent);
    const events = span.events.filter((e) => !isNetTraceEvent(e));
    const skewDelta = this.view.skew.delta[this.row]!;
    const dropped = span.droppedAttributesCount + span.droppedEventsCount + span.droppedLinksCount > 0;
    return html`<article data-testid="span-detail" aria-label="Span details">
      <header>
        <h2>
          <span data-testid="span-detail-name">${span.name}</span>
          <div class="service"><span class="swatch" style=${serviceStyle(span.serviceName)}></span>${span.serviceName}</div>
        </h2>
        <button type="button" class="ghost" data-testid="span-detail-close" aria-label="Close details" @click=${() => this.dispatchEvent(new TlDetailCloseEvent())}>✕</button>
      </header>
      <section>
        <dl>
          <dt>Span ID</dt>
          <dd><span class="mono" data-testid="span-detail-id">${span.spanId}</span> <tl-copy-button .value=${span.spanId} label="Copy" data-testid="copy-span-id"></tl-copy-button></dd>
          <dt>Parent</dt>
          <dd>
            ${span.parentSpanId === ''
              ? html`<span class="muted">none (root)</span>`
              : this.view.rowBySpanId.has(span.parentSpanId)
                ? html`<button type="button" class="link mono" @click=${() => this.selectSpan(span.parentSpanId)}>${span.parentSpanId}</button>`
                : html`<span class="mono">${span.parentSpanId}</span> <span class="badge warn">missing</span>`}
          </dd>
          <dt>Instance</dt>
          <dd>${instance ?? html`<span class="muted">unknown</span>`}${host ? html` on <span class="mono">${host}</span>` : nothing}</dd>
          <dt>Kind</dt>
          <dd>${spanKindName(span.kind)}</dd>
          <dt>Status</dt>
          <dd class=${isErrorSpan(span) ? 'status-error' : ''} data-testid="span-detail-status">
            ${statusName(span.status.code)}${span.status.message ? html`: ${span.status.message}` : nothing}
          </dd>
          <dt>Start</dt>
          <dd>+${formatDuration(start - times.min)} <span class="muted">(${formatTimestamp(nanosToMillis(spanStart))})</span></dd>
          <dt>Duration</dt>
          <dd data-testid="span-detail-duration">${formatDuration(end - start)}</dd>
          <dt>Self time</dt>
          <dd data-testid="span-detail-self-time">${formatDuration(selfTime(start, end, children))}</dd>
          <dt>Latency</dt>
          <dd>
            <a href=${operationPath(span.serviceName, span.name)} data-testid="span-detail-operation-latency">latency of this operation</a> ·
            <a href=${slowPath({ ...DEFAULT_SLOW_QUERY, service: span.serviceName, operation: span.name })} data-testid="span-detail-slow">spans above p99</a>
          </dd>
          ${this.view.skew.skewed[this.row]
            ? html`<dt>Clock skew</dt>
                <dd>${this.mode === 'adjusted' ? 'shifted' : 'would shift'} by ${skewDelta >= 0 ? '+' : ''}${formatDuration(skewDelta)}</dd>`
            : nothing}
          ${dropped
            ? html`<dt>Dropped</dt>
                <dd>${span.droppedAttributesCount} attributes, ${span.droppedEventsCount} events, ${span.droppedLinksCount} links</dd>`
            : nothing}
          <dt>Scope</dt>
          <dd>${span.scope.name || html`<span class="muted">unknown</span>`}${span.scope.version ? ` ${span.scope.version}` : ''}</dd>
        </dl>
      </section>
      ${this.renderDiagnostics(span.spanId)}
      <section>
        <h3>Attributes</h3>
        ${attributeTable(span.attributes, 'span-attributes')}
      </section>
      <section>
        <h3>Resource</h3>
        ${attributeTable(span.resource.attributes, 'span-resource')}
      </section>
      <section>
        <h3>Events (${events.length})</h3>
        ${this.renderEvents(events, spanStart, 'span-events')}
      </section>
      ${netTrace.length > 0
        ? html`<section>
            <h3>net/trace (${netTrace.length})</h3>
            ${this.renderEvents(netTrace, spanStart, 'span-nettrace')}
          </section>`
        : nothing}
      <section>
        <h3>Links (${span.links.length})</h3>
        ${this.renderLinks(span.links)}
      </section>
    </article>`;
  }
}

customElements.define('tl-span-detail', TlSpanDetail);

declare global {
  interface HTMLElementTagNameMap {
    'tl-span-detail': TlSpanDetail;
  }
}
