import { LitElement, css, html, nothing } from 'lit';
import { fromDatetimeLocal, toDatetimeLocal } from '../../model/format-time';
import { WINDOW_CHOICES, WINDOW_LABELS, type WindowChoice } from '../../model/latency-window';
import { millisToNanos, nanosToMillis } from '../../model/nanos';
import { PERCENTILE_CHOICES, parsePercentile, percentileLabel } from '../../model/percentile';
import { isTagFilter } from '../../model/search-query';
import { DEFAULT_SLOW_QUERY, type SlowQuery } from '../../model/slow-query';
import { DraftFormController, renderFieldError, renderOperationSelect, serviceChoices } from '../common/draft-form-controller';
import { controlStyles, rangeRowStyles } from '../common/shared-styles';
import { TlSlowSubmitEvent } from './slow-events';

type Field = 'service' | 'percentile' | 'tags' | 'range';

interface Draft {
  service: string;
  operation: string;
  window: WindowChoice;
  startLocal: string;
  endLocal: string;
  /** One of PERCENTILE_CHOICES, or 'custom'. */
  percentileChoice: string;
  customPercentile: string;
  tagsText: string;
  errorsOnly: boolean;
}

function toDraft(query: SlowQuery): Draft {
  const now = Date.now();
  const preset = (PERCENTILE_CHOICES as readonly string[]).includes(query.percentile);
  return {
    service: query.service,
    operation: query.operation,
    window: query.window,
    startLocal: toDatetimeLocal(query.start ? nanosToMillis(query.start) : now - 3_600_000),
    endLocal: toDatetimeLocal(query.end ? nanosToMillis(query.end) : now),
    percentileChoice: preset ? query.percentile : 'custom',
    customPercentile: preset ? '' : query.percentile,
    tagsText: query.tags.join('\n'),
    errorsOnly: query.errorsOnly,
  };
}

const tagLines = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');

function percentileOf(draft: Draft): string | null {
  return draft.percentileChoice === 'custom' ? parsePercentile(draft.customPercentile) : draft.percentileChoice;
}

function validate(draft: Draft): Partial<Record<Field, string>> {
  const errors: Partial<Record<Field, string>> = {};
  if (!draft.service) errors.service = 'Choose a service';
  if (percentileOf(draft) === null) errors.percentile = 'A percentile between 0 and 100, e.g. 99.5';
  const badTag = tagLines(draft.tagsText).find((line) => !isTagFilter(line));
  if (badTag !== undefined) errors.tags = `"${badTag}" is not key=value`;
  if (draft.window === 'custom' && !(fromDatetimeLocal(draft.startLocal) < fromDatetimeLocal(draft.endLocal))) {
    errors.range = 'Start must be before end';
  }
  return errors;
}

function toQuery(draft: Draft): SlowQuery {
  const custom = draft.window === 'custom';
  return {
    service: draft.service,
    operation: draft.operation,
    window: draft.window,
    start: custom ? millisToNanos(fromDatetimeLocal(draft.startLocal)) : '',
    end: custom ? millisToNanos(fromDatetimeLocal(draft.endLocal)) : '',
    percentile: percentileOf(draft)!,
    tags: tagLines(draft.tagsText),
    errorsOnly: draft.errorsOnly,
  };
}

/** The percentile search form: which spans, over which window, above which percentile. */
export class TlSlowForm extends LitElement {
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
      fieldset {
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
        font-size: 0.85rem;
        font-weight: 600;
        color: var(--tl-fg-muted);
      }
      fieldset {
        margin: 0;
        padding: 0;
        border: none;
      }
      legend {
        padding: 0;
        margin-bottom: 0.25rem;
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
        min-height: 3.2rem;
        font-family: var(--tl-mono);
        font-size: 0.85rem;
      }
      .row {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 0.6rem;
      }
      .segments {
        display: flex;
        flex-wrap: wrap;
        border: 1px solid var(--tl-border-strong);
        border-radius: var(--tl-radius);
        overflow: hidden;
      }
      .segments label {
        flex: 1 1 auto;
        position: relative;
        font-weight: 600;
        color: var(--tl-fg);
        text-align: center;
      }
      .segments label + label {
        border-left: 1px solid var(--tl-border-strong);
      }
      .segments input {
        position: absolute;
        opacity: 0;
        inset: 0;
        margin: 0;
        cursor: pointer;
      }
      .segments span {
        display: block;
        padding: 0.3rem 0.2rem;
        font-variant-numeric: tabular-nums;
      }
      .segments input:checked + span {
        background: var(--tl-accent);
        color: var(--tl-accent-fg);
      }
      .segments input:focus-visible + span {
        outline: 2px solid var(--tl-accent);
        outline-offset: -3px;
      }
      .custom {
        flex-direction: row;
        align-items: center;
        gap: 0.4rem;
        font-weight: 400;
        color: var(--tl-fg);
      }
      .custom input {
        width: 6rem;
      }
      .check {
        flex-direction: row;
        align-items: center;
        gap: 0.45rem;
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
      }
      button[type='submit'] {
        justify-content: center;
        padding: 0.45rem;
      }
    `,
  ];

  declare query: SlowQuery;
  declare services: readonly string[];

  private readonly form: DraftFormController<SlowQuery, Draft, Field>;

  constructor() {
    super();
    this.query = { ...DEFAULT_SLOW_QUERY };
    this.services = [];
    // Created after `query` is set: the draft starts from it.
    this.form = new DraftFormController(this, {
      query: () => this.query,
      toDraft,
      validate,
      toQuery,
      submitEvent: (query) => new TlSlowSubmitEvent(query),
    });
  }

  private error(field: Field) {
    return renderFieldError(this.form.errors, field, 'slow-error-');
  }

  private renderPercentiles() {
    const d = this.form.draft;
    const choices = [...PERCENTILE_CHOICES, 'custom'];
    return html`<fieldset>
      <legend>Percentile</legend>
      <div class="segments" role="radiogroup" aria-label="Percentile">
        ${choices.map(
          (choice) => html`<label>
            <input
              type="radio"
              name="percentile"
              .value=${choice}
              data-testid=${`slow-percentile-${choice === 'custom' ? 'other' : choice}`}
              .checked=${d.percentileChoice === choice}
              @change=${() => this.form.setField('percentileChoice', choice)}
            />
            <span>${choice === 'custom' ? 'other' : percentileLabel(choice)}</span>
          </label>`,
        )}
      </div>
      ${d.percentileChoice === 'custom'
        ? html`<label class="custom">
            p
            <input
              name="customPercentile"
              inputmode="decimal"
              placeholder="99.5"
              aria-label="Custom percentile"
              data-testid="slow-percentile-custom"
              aria-invalid=${this.form.errors.percentile ? 'true' : 'false'}
              .value=${d.customPercentile}
              @input=${(e: Event) => this.form.setField('customPercentile', (e.target as HTMLInputElement).value)}
            />
          </label>`
        : nothing}
      ${this.error('percentile')}
    </fieldset>`;
  }

  override render() {
    const d = this.form.draft;
    const errors = this.form.errors;
    const services = serviceChoices(d.service, this.services);
    return html`<form @submit=${this.form.submit} novalidate data-testid="slow-form" aria-label="Find slow spans">
      <label>
        Service
        <select
          name="service"
          data-testid="slow-service"
          aria-invalid=${errors.service ? 'true' : 'false'}
          .value=${d.service}
          @change=${(e: Event) => this.form.setField('service', (e.target as HTMLSelectElement).value)}
        >
          <option value="" ?selected=${d.service === ''} disabled>Choose a service</option>
          ${services.map((s) => html`<option .value=${s} ?selected=${s === d.service}>${s}</option>`)}
        </select>
        ${this.error('service')}
      </label>
      <label>Operation ${renderOperationSelect({
          testId: 'slow-operation',
          service: d.service,
          current: d.operation,
          operations: this.form.operations.value,
          unique: true,
          onChange: (operation) => this.form.setField('operation', operation),
        })}</label>
      ${this.renderPercentiles()}
      <label>
        Window
        <select
          name="window"
          data-testid="slow-window"
          .value=${d.window}
          @change=${(e: Event) => this.form.setField('window', (e.target as HTMLSelectElement).value as WindowChoice)}
        >
          ${WINDOW_CHOICES.map((w) => html`<option .value=${w} ?selected=${w === d.window}>${WINDOW_LABELS[w]}</option>`)}
        </select>
      </label>
      ${d.window === 'custom'
        ? html`<div class="row range">
              <label>
                Start
                <input
                  type="datetime-local"
                  data-testid="slow-start"
                  .value=${d.startLocal}
                  @input=${(e: Event) => this.form.setField('startLocal', (e.target as HTMLInputElement).value)}
                />
              </label>
              <label>
                End
                <input
                  type="datetime-local"
                  data-testid="slow-end"
                  .value=${d.endLocal}
                  @input=${(e: Event) => this.form.setField('endLocal', (e.target as HTMLInputElement).value)}
                />
              </label>
            </div>
            ${this.error('range')}`
        : nothing}
      <label>
        Tags <span class="hint">one <span class="mono">key=value</span> per line</span>
        <textarea
          name="tags"
          data-testid="slow-tags"
          placeholder="region=eu-west"
          aria-invalid=${errors.tags ? 'true' : 'false'}
          .value=${d.tagsText}
          @input=${(e: Event) => this.form.setField('tagsText', (e.target as HTMLTextAreaElement).value)}
        ></textarea>
        ${this.error('tags')}
      </label>
      <label class="check">
        <input
          type="checkbox"
          name="errorsOnly"
          data-testid="slow-errors-only"
          .checked=${d.errorsOnly}
          @change=${(e: Event) => this.form.setField('errorsOnly', (e.target as HTMLInputElement).checked)}
        />
        Errors only
      </label>
      <button type="submit" class="primary" data-testid="slow-submit">Find slow spans</button>
    </form>`;
  }
}

customElements.define('tl-slow-form', TlSlowForm);

declare global {
  interface HTMLElementTagNameMap {
    'tl-slow-form': TlSlowForm;
  }
}
