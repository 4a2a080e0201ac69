import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import { Task } from '@lit/task';
import { fetchOperations } from '../../api/threadline-api';
import type { OperationInfo } from '../../api/wire-types';

/** The part of a draft every service/operation form has. */
export interface ServiceDraft {
  service: string;
  operation: string;
}

export type FieldErrors<F extends string> = Partial<Record<F, string>>;

export interface DraftFormOptions<Q, D extends ServiceDraft, F extends string> {
  /** The committed query the draft is reset from whenever it changes. */
  readonly query: () => Q;
  readonly toDraft: (query: Q) => D;
  readonly validate: (draft: D) => FieldErrors<F>;
  readonly toQuery: (draft: D) => Q;
  /** The event dispatched on the host when a valid draft is submitted. */
  readonly submitEvent: (query: Q) => Event;
}

/**
 * What the user is typing in a query form, with its validation errors and the
 * operations of the chosen service. A new `query` (back button, shared link)
 * replaces whatever was typed; choosing another service clears the operation.
 */
export class DraftFormController<Q, D extends ServiceDraft, F extends string> implements ReactiveController {
  draft: D;
  errors: FieldErrors<F> = {};

  /** Operations of the chosen service, loaded whenever the choice changes. */
  readonly operations: Task<readonly [string], OperationInfo[]>;

  private lastQuery: Q | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & EventTarget,
    private readonly options: DraftFormOptions<Q, D, F>,
  ) {
    this.draft = options.toDraft(options.query());
    // Added before the Task so the draft is reset before the Task reads its args.
    host.addController(this);
    this.operations = new Task(host, {
      task: async ([service], { signal }) => (service ? fetchOperations(service, signal) : []),
      args: () => [this.draft.service] as const,
    });
  }

  hostUpdate(): void {
    const query = this.options.query();
    if (query !== this.lastQuery) {
      this.lastQuery = query;
      this.draft = this.options.toDraft(query);
      this.errors = {};
    }
  }

  setField<K extends keyof D>(key: K, value: D[K]): void {
    this.draft = { ...this.draft, [key]: value };
    if (key === 'service') this.draft = { ...this.draft, operation: '' };
    this.host.requestUpdate();
  }

  /** Validates; shows the errors, or dispatches the submit event with the query. */
  readonly submit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.errors = this.options.validate(this.draft);
    this.host.requestUpdate();
    if (Object.keys(this.errors).length > 0) return;
    this.host.dispatchEvent(this.options.submitEvent(this.options.toQuery(this.draft)));
  };
}

/** The service names to offer: the known ones, plus the chosen one if it is not among them. */
export function serviceChoices(current: string, services: readonly string[]): readonly string[] {
  return current && !services.includes(current) ? [current, ...services] : services;
}

export interface OperationSelectOptions {
  readonly testId: string;
  readonly service: string;
  readonly current: string;
  readonly operations: readonly OperationInfo[] | undefined;
  /** Drop repeated names (the same operation under several span kinds). */
  readonly unique?: boolean;
  readonly onChange: (operation: string) => void;
}

/** The operation `<select>` of a service/operation form. */
export function renderOperationSelect(o: OperationSelectOptions) {
  const names = (o.operations ?? []).map((op) => op.name);
  const current = o.current;
  // Keep the URL's operation selectable while the list loads or if the service no longer reports it.
  if (current && !names.includes(current)) names.unshift(current);
  return html`<select
    name="operation"
    data-testid=${o.testId}
    ?disabled=${!o.service}
    .value=${current}
    @change=${(e: Event) => o.onChange((e.target as HTMLSelectElement).value)}
  >
    <option value="" ?selected=${current === ''}>All operations</option>
    ${(o.unique ? [...new Set(names)] : names).map(
      (name) => html`<option .value=${name} ?selected=${name === current}>${name}</option>`,
    )}
  </select>`;
}

/** The form's error message for one field, if it has one. */
export function renderFieldError<F extends string>(errors: FieldErrors<F>, field: F, testIdPrefix: string) {
  const message = errors[field];
  return message ? html`<span class="error" role="alert" data-testid=${`${testIdPrefix}${field}`}>${message}</span>` : nothing;
}
