import { LitElement, html } from 'lit';
import { Task } from '@lit/task';
import { fetchNettraceFamilies } from '../api/nettrace-api';
import { resolveWindow } from '../model/latency-window';
import { DEFAULT_NETTRACE_QUERY, type NettraceQuery } from '../model/nettrace-query';
import { nettracePath } from '../model/nettrace-routes';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import { pageStyles } from '../components/common/page-styles';
import type { TlTimeWindowEvent } from '../components/latency/latency-events';
import type { TlNettraceFilterEvent } from '../components/nettrace/tl-nettrace-filters';
import '../components/nettrace/tl-nettrace-filters';
import '../components/nettrace/tl-nettrace-tables';
import '../components/common/tl-error-state';

/**
 * `/nettrace?service=&instance=&window=`: the whole fleet's `/debug/requests` and
 * `/debug/events` summaries, from the records services sent through the net/trace bridge.
 */
export class TlNettracePage extends LitElement {
  static override properties = { query: { attribute: false }, refreshedAt: { state: true } };
  static override styles = [controlStyles, pageStyles];

  declare query: NettraceQuery;
  declare refreshedAt: number;

  private readonly families = new Task(this, {
    task: async ([service, instance, window, start, end, at], { signal }) =>
      fetchNettraceFamilies({ service, instance, window, start, end }, resolveWindow({ window, start, end }, at), signal),
    args: () => [this.query.service, this.query.instance, this.query.window, this.query.start, this.query.end, this.refreshedAt] as const,
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_NETTRACE_QUERY };
    this.refreshedAt = Date.now();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('query')) this.refreshedAt = Date.now();
  }

  private go(changes: Partial<NettraceQuery>): void {
    navigate(nettracePath({ ...this.query, ...changes }));
  }

  override render() {
    return html`<div class="page">
      <div class="toolbar">
        <h1>net/trace</h1>
        <tl-nettrace-filters
          show-window
          .service=${this.query.service}
          .instance=${this.query.instance}
          .window=${this.query}
          @tl-nettrace-filter=${(e: TlNettraceFilterEvent) => this.go({ service: e.service, instance: e.instance })}
          @tl-time-window=${(e: TlTimeWindowEvent) => this.go(e.window)}
        ></tl-nettrace-filters>
        <button type="button" class="end" data-testid="nettrace-refresh" @click=${() => (this.refreshedAt = Date.now())}>Refresh</button>
      </div>
      ${this.families.render({
        pending: () => html`<div aria-busy="true" data-testid="nettrace-loading">
          <div class="skeleton block" style="height:10rem"></div>
          <div class="skeleton block" style="height:8rem;margin-top:1rem"></div>
        </div>`,
        error: (error) => html`<tl-error-state .error=${error} subject="net/trace families"></tl-error-state>`,
        complete: (families) => html`<tl-nettrace-tables .families=${families} .query=${this.query}></tl-nettrace-tables>`,
      })}
    </div>`;
  }
}

customElements.define('tl-nettrace-page', TlNettracePage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-nettrace-page': TlNettracePage;
  }
}
