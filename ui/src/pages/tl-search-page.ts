import { LitElement, css, html, nothing } from 'lit';
import { Task, TaskStatus } from '@lit/task';
import { fetchServices, searchTraces } from '../api/threadline-api';
import { searchPath } from '../model/route';
import { RESULT_SORTS, RESULT_SORT_LABELS, sortHits, type ResultSort } from '../model/result-sort';
import { DEFAULT_SEARCH, searchQueryToParams, type SearchQuery } from '../model/search-query';
import { navigate } from '../components/router/navigate';
import { controlStyles } from '../components/common/shared-styles';
import type { TlSearchSubmitEvent } from '../components/search/search-events';
import '../components/search/tl-search-form';
import '../components/search/tl-search-scatter';
import '../components/search/tl-search-results';
import '../components/search/tl-onboarding';
import '../components/common/tl-error-state';

/** `/search?…`: the form on the left, the scatter plot and result list on the right. */
export class TlSearchPage extends LitElement {
  static override properties = {
    query: { attribute: false },
    submitted: { type: Boolean },
    notices: { attribute: false },
    sort: {},
    searchedAt: { state: true },
  };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: grid;
        grid-template-columns: 19rem minmax(0, 1fr);
        height: 100%;
        min-height: 0;
      }
      aside {
        padding: 1rem;
        border-right: 1px solid var(--tl-border);
        background: var(--tl-bg-raised);
        overflow-y: auto;
      }
      .results {
        padding: 1rem 1.25rem;
        overflow-y: auto;
        display: flex;
        flex-direction: column;
        gap: 0.9rem;
      }
      .results > * {
        flex: none;
      }
      h2 {
        margin: 0;
        font-size: 1rem;
      }
      .summary {
        display: flex;
        align-items: baseline;
        gap: 0.6rem;
        min-height: 1.5rem;
      }
      .summary .sort {
        margin-left: auto;
        font-size: 0.85rem;
        display: inline-flex;
        gap: 0.35rem;
        align-items: center;
      }
      .notices {
        margin: 0;
        padding: 0.5rem 0.75rem 0.5rem 1.75rem;
        border: 1px solid var(--tl-warn);
        border-radius: var(--tl-radius);
        background: var(--tl-warn-bg);
        font-size: 0.85rem;
        overflow-wrap: anywhere;
      }
      .placeholder {
        color: var(--tl-fg-muted);
        padding: 2rem 0;
      }
      .skeleton.plot {
        height: 200px;
      }
      .skeleton.hit {
        height: 76px;
        margin-bottom: 0.5rem;
      }
      @media (max-width: 760px) {
        :host {
          grid-template-columns: 1fr;
          grid-template-rows: auto 1fr;
        }
        aside {
          border-right: none;
          border-bottom: 1px solid var(--tl-border);
        }
      }
    `,
  ];

  declare query: SearchQuery;
  declare submitted: boolean;
  /** What the URL held that was not understood or was changed (see parseSearchParams). */
  declare notices: readonly string[];
  declare sort: ResultSort;
  /** Wall-clock time of the last search, so relative lookbacks and "3 min ago" agree. */
  declare searchedAt: number;

  private readonly services = new Task(this, {
    task: async (_args, { signal }) => fetchServices(signal),
    args: () => [],
  });

  private readonly search = new Task(this, {
    task: async ([, submitted], { signal }) => {
      if (!submitted) return null;
      this.searchedAt = Date.now();
      return searchTraces(this.query, this.searchedAt, signal);
    },
    // By the query's URL form: a new sort order (or any other change of the URL alone) is no new search.
    args: () => [searchQueryToParams(this.query).toString(), this.submitted] as const,
  });

  constructor() {
    super();
    this.query = { ...DEFAULT_SEARCH };
    this.submitted = false;
    this.notices = [];
    this.sort = 'recent';
    this.searchedAt = Date.now();
  }

  private onSubmit(event: TlSearchSubmitEvent): void {
    // New services may have started sending since the page opened (or since the server came back).
    if (this.services.status !== TaskStatus.COMPLETE || this.services.value?.length === 0) void this.services.run();
    const path = searchPath(event.query);
    // Submitting the same query again means "refresh": the URL cannot change, so rerun directly.
    if (path === `${location.pathname}${location.search}`) void this.search.run();
    else navigate(path);
  }

  private renderResults() {
    return this.search.render({
      initial: () => html`<p class="placeholder">Choose filters and press <strong>Find traces</strong>.</p>`,
      pending: () =>
        html`<div aria-busy="true" data-testid="search-loading">
          <div class="summary"><h2>Searching…</h2></div>
          <div class="skeleton plot"></div>
          ${[0, 1, 2, 3].map(() => html`<div class="skeleton hit"></div>`)}
        </div>`,
      error: (error) => html`<tl-error-state .error=${error} subject="search results"></tl-error-state>`,
      complete: (hits) => {
        if (hits === null) return html`<p class="placeholder">Choose filters and press <strong>Find traces</strong>.</p>`;
        if (hits.length === 0) return html`<div class="summary"><h2 data-testid="search-count">No traces found</h2></div>
            <p class="muted">Widen the lookback, drop a filter, or check that the service is sending spans.</p>`;
        return html`<div class="summary">
            <h2 data-testid="search-count">${hits.length} trace${hits.length === 1 ? '' : 's'}</h2>
            ${hits.length === this.query.limit ? html`<span class="muted">(limit reached)</span>` : nothing}
            <label class="sort">
              Sort
              <select data-testid="search-sort" @change=${(e: Event) => navigate(searchPath(this.query, (e.target as HTMLSelectElement).value as ResultSort), { replace: true })}>
                ${RESULT_SORTS.map((s) => html`<option value=${s} ?selected=${s === this.sort}>${RESULT_SORT_LABELS[s]}</option>`)}
              </select>
            </label>
          </div>
          <tl-search-scatter .hits=${hits}></tl-search-scatter>
          <tl-search-results .hits=${sortHits(hits, this.sort)} .nowMs=${this.searchedAt}></tl-search-results>`;
      },
    });
  }

  private renderMain() {
    if (this.services.status === TaskStatus.ERROR) {
      return html`<tl-error-state .error=${this.services.error} subject="services"></tl-error-state>`;
    }
    // Without any service there can be no result; teach how to send data instead.
    if (this.services.value?.length === 0) return html`<tl-onboarding></tl-onboarding>`;
    return this.renderResults();
  }

  override render() {
    return html`<aside>
        <tl-search-form .query=${this.query} .services=${this.services.value ?? []} @tl-search-submit=${this.onSubmit}></tl-search-form>
      </aside>
      <section class="results" aria-label="Search results">
        ${this.notices.length > 0
          ? html`<ul class="notices" role="status" data-testid="url-notices">
              ${this.notices.map((n) => html`<li>${n}</li>`)}
            </ul>`
          : nothing}
        ${this.renderMain()}
      </section>`;
  }
}

customElements.define('tl-search-page', TlSearchPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-search-page': TlSearchPage;
  }
}
