import { LitElement, css, html, nothing } from 'lit';
import { isDurationOrEmpty, parseDuration } from '../../model/duration';
import { fromDatetimeLocal, toDatetimeLocal } from '../../model/format-time';
import { millisToNanos, nanosToMillis } from '../../model/nanos';
import { DEFAULT_SEARCH, LOOKBACKS, MAX_LIMIT, isTagFilter, type Lookback, type SearchQuery } from '../../model/search-query';
import { DraftFormController, renderFieldError, renderOperationSelect, serviceChoices } from '../common/draft-form-controller';
import { controlStyles, rangeRowStyles } from '../common/shared-styles';
import { TlSearchSubmitEvent } from './search-events';

const LOOKBACK_LABELS: Record<Lookback, string> = {
  '15m': 'Last 15 minutes',
  '1h': 'Last hour',
  '6h': 'Last 6 hours',
  '24h': 'Last 24 hours',
  '2d': 'Last 2 days',
  custom: 'Custom range…',
};

type Field = 'tags' | 'minDuration' | 'maxDuration' | 'range' | 'limit';

/** What the user is typing; becomes a SearchQuery only when valid. */
interface Draft extends Omit<SearchQuery, 'tags' | 'start' | 'end' | 'limit'> {
  tagsText: string;
  startLocal: string;
  endLocal: string;
  limitText: string;
}

function toDraft(query: SearchQuery): Draft {
  const { tags, start, end, limit, ...rest } = query;
  const now = Date.now();
  return {
    ...rest,
    tagsText: tags.join('\n'),
    startLocal: toDatetimeLocal(start ? nanosToMillis(start) : now - 3_600_000),
    endLocal: toDatetimeLocal(end ? nanosToMillis(end) : now),
    limitText: String(limit),
  };
}

function tagLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function validate(draft: Draft): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  const badTag = tagLines(draft.tagsText).find((line) => !isTagFilter(line));
  if (badTag !== undefined) errors.tags = `"${badTag}" is not key=value`;
  if (!isDurationOrEmpty(draft.minDuration)) errors.minDuration = 'Use e.g. 120ms, 1.5s';
  if (!isDurationOrEmpty(draft.maxDuration)) errors.maxDuration = 'Use e.g. 120ms, 1.5s';
  else if (draft.maxDuration.trim() !== '' && draft.minDuration.trim() !== '' && !errors.minDuration) {
    // The server would refuse it with an error card; say it at the field instead.
    if (parseDuration(draft.minDuration) > parseDuration(draft.maxDuration)) errors.maxDuration = 'Must not be below the min duration';
  }
  if (draft.lookback === 'custom') {
    const start = fromDatetimeLocal(draft.startLocal);
    const end = fromDatetimeLocal(draft.endLocal);
    if (!(start < end)) errors.range = 'Start must be before end';
  }
  const limit = Number(draft.limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) errors.limit = `1 to ${MAX_LIMIT}`;
  return errors;
}

function toQuery(draft: Draft): SearchQuery {
  const custom = draft.lookback === 'custom';
  return {
    service: draft.service,
    operation: draft.operation,
    tags: tagLines(draft.tagsText),
    lookback: draft.lookback,
    start: custom ? millisToNanos(fromDatetimeLocal(draft.startLocal)) : '',
    end: custom ? millisToNanos(fromDatetimeLocal(draft.endLocal)) : '',
    minDuration: draft.minDuration.trim(),
    maxDuration: draft.maxDuration.trim(),
    errorsOnly: draft.errorsOnly,
    limit: Number(draft.limitText),
  };
}

/** The search form. Emits `tl-search-submit`; the page turns that into a URL. */
export class TlSearchForm extends LitElement {
  static override properties = {
    query: { attribute: false },
    services: { attribute: false },
  };

  static override styles = [
    controlStyles,
    rangeRowStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: flex;
        flex-direction: column;
        gap: 0.8rem;
      }
      label,
      .field {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        font-size: 0.85rem;
        font-weight: 600;
        color: var(--tl-fg-muted);
      }
      label > input,
      label > select,
      label > textarea {
        font-weight: 400;
        color: var(--tl-fg);
        width: 100%;
      }
      textarea {
        resize: vertical;
        min-height: 3.6rem;
        font-family: var(--tl-mono);
        font-size: 0.85rem;
      }
      .row {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.6rem;
      }
      .check {
        flex-direction: row;
        align-items: center;
        align-self: end;
        gap: 0.45rem;
        padding-bottom: 0.4rem;
        font-weight: 400;
        color: var(--tl-fg);
      }
      .check > input {
        width: auto;
        margin: 0;
      }
      .hint {
        font-weight: 400;
      }
      .error {
        color: var(--tl-error);
        font-weight: 400;
        font-size: 0.8rem;
        min-height: 0;
      }
      button[type='submit'] {
        justify-content: center;
        padding: 0.45rem;
      }
    `,
  ];

  declare query: SearchQuery;
  declare services: readonly string[];

  private readonly form: DraftFormController<SearchQuery, Draft, Field>;

  constructor() {
    super();
    this.query = { ...DEFAULT_SEARCH };
    this.services = [];
    // Created after `query` is set: the draft starts from it.
    this.form = new DraftFormController(this, {
      query: () => this.query,
      toDraft,
      validate,
      toQuery,
      submitEvent: (query) => new TlSearchSubmitEvent(query),
    });
  }

  private error(field: Field) {
    return renderFieldError(this.form.errors, field, 'search-error-');
  }

  override render() {
    const d = this.form.draft;
    const errors = this.form.errors;
    const services = serviceChoices(d.service, this.services);
    return html`<form @submit=${this.form.submit} novalidate data-testid="search-form" aria-label="Search traces">
      <label>
        Service
        <select
          name="service"
          data-testid="search-service"
          .value=${d.service}
          @change=${(e: Event) => this.form.setField('service', (e.target as HTMLSelectElement).value)}
        >
          <option value="" ?selected=${d.service === ''}>All services</option>
          ${services.map((s) => html`<option .value=${s} ?selected=${s === d.service}>${s}</option>`)}
        </select>
      </label>
      <label>
        Operation
        ${renderOperationSelect({
          testId: 'search-operation',
          service: d.service,
          current: d.operation,
          operations: this.form.operations.value,
          onChange: (operation) => this.form.setField('operation', operation),
        })}
      </label>
      <label>
        Tags <span class="hint">one <span class="mono">key=value</span> per line</span>
        <textarea
          name="tags"
          data-testid="search-tags"
          placeholder="http.status_code=500&#10;error=true"
          aria-invalid=${errors.tags ? 'true' : 'false'}
          .value=${d.tagsText}
          @input=${(e: Event) => this.form.setField('tagsText', (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        ${this.error('tags')}
      </label>
      <label>
        Lookback
        <select
          name="lookback"
          data-testid="search-lookback"
          .value=${d.lookback}
          @change=${(e: Event) => this.form.setField('lookback', (e.target as HTMLSelectElement).value as Lookback)}
        >
          ${[...LOOKBACKS, 'custom' as const].map(
            (l) => html`<option .value=${l} ?selected=${l === d.lookback}>${LOOKBACK_LABELS[l]}</option>`,
          )}
        </select>
      </label>
      ${d.lookback === 'custom'
        ? html`<div class="row range">
              <label>
                Start
                <input
                  type="datetime-local"
                  name="start"
                  data-testid="search-start"
                  .value=${d.startLocal}
                  @input=${(e: Event) => this.form.setField('startLocal', (e.target as HTMLInputElement).value)}
                />
              </label>
              <label>
                End
                <input
                  type="datetime-local"
                  name="end"
                  data-testid="search-end"
                  .value=${d.endLocal}
                  @input=${(e: Event) => this.form.setField('endLocal', (e.target as HTMLInputElement).value)}
                />
              </label>
            </div>
            ${this.error('range')}`
        : nothing}
      <div class="row">
        <label>
          Min duration
          <input
            name="minDuration"
            data-testid="search-min-duration"
            placeholder="120ms"
            aria-invalid=${errors.minDuration ? 'true' : 'false'}
            .value=${d.minDuration}
            @input=${(e: Event) => this.form.setField('minDuration', (e.target as HTMLInputElement).value)}
          />
          ${this.error('minDuration')}
        </label>
        <label>
          Max duration
          <input
            name="maxDuration"
            data-testid="search-max-duration"
            placeholder="1.5s"
            aria-invalid=${errors.maxDuration ? 'true' : 'false'}
            .value=${d.maxDuration}
            @input=${(e: Event) => this.form.setField('maxDuration', (e.target as HTMLInputElement).value)}
          />
          ${this.error('maxDuration')}
        </label>
      </div>
      <div class="row">
        <label class="check">
          <input
            type="checkbox"
            name="errorsOnly"
            data-testid="search-errors-only"
            .checked=${d.errorsOnly}
            @change=${(e: Event) => this.form.setField('errorsOnly', (e.target as HTMLInputElement).checked)}
          />
          Errors only
        </label>
        <label>
          Limit
          <input
            type="number"
            name="limit"
            min="1"
            max=${MAX_LIMIT}
            data-testid="search-limit"
            aria-invalid=${errors.limit ? 'true' : 'false'}
            .value=${d.limitText}
            @input=${(e: Event) => this.form.setField('limitText', (e.target as HTMLInputElement).value)}
          />
          ${this.error('limit')}
        </label>
      </div>
      <button type="submit" class="primary" data-testid="search-submit">Find traces</button>
    </form>`;
  }
}

customElements.define('tl-search-form', TlSearchForm);

declare global {
  interface HTMLElementTagNameMap {
    'tl-search-form': TlSearchForm;
  }
}
