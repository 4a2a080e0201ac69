import { LitElement, css, html, nothing } from 'lit';
import { fromDatetimeLocal, toDatetimeLocal } from '../../model/format-time';
import { DEFAULT_WINDOW, WINDOW_CHOICES, WINDOW_LABELS, resolveWindow, type TimeWindow, type WindowChoice } from '../../model/latency-window';
import { millisToNanos, nanosToMillis } from '../../model/nanos';
import { controlStyles } from '../common/shared-styles';
import { TlTimeWindowEvent } from './latency-events';

/**
 * The time window picker: a relative window applies at once; a custom range shows its
 * start and end and applies with its button, once start is before end.
 */
export class TlWindowSelect extends LitElement {
  static override properties = {
    value: { attribute: false },
    testId: { attribute: 'test-id' },
    choice: { state: true },
    startLocal: { state: true },
    endLocal: { state: true },
  };

  static override styles = [
    controlStyles,
    css`
      :host {
        display: inline-flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.4rem;
      }
      .error {
        color: var(--tl-error);
        font-size: 0.8rem;
      }
    `,
  ];

  declare value: TimeWindow;
  declare testId: string;
  declare choice: WindowChoice;
  declare startLocal: string;
  declare endLocal: string;

  constructor() {
    super();
    this.value = { ...DEFAULT_WINDOW };
    this.testId = 'window-select';
    this.choice = this.value.window;
    this.startLocal = '';
    this.endLocal = '';
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('value')) this.reset();
  }

  private reset(): void {
    this.choice = this.value.window;
    const resolved = resolveWindow(this.value, Date.now());
    this.startLocal = toDatetimeLocal(nanosToMillis(resolved.startNs));
    this.endLocal = toDatetimeLocal(nanosToMillis(resolved.endNs));
  }

  private get rangeValid(): boolean {
    return fromDatetimeLocal(this.startLocal) < fromDatetimeLocal(this.endLocal);
  }

  private onChoice(event: Event): void {
    this.choice = (event.target as HTMLSelectElement).value as WindowChoice;
    if (this.choice !== 'custom') this.dispatchEvent(new TlTimeWindowEvent({ window: this.choice, start: '', end: '' }));
  }

  private apply(): void {
    if (!this.rangeValid) return;
    this.dispatchEvent(
      new TlTimeWindowEvent({
        window: 'custom',
        start: millisToNanos(fromDatetimeLocal(this.startLocal)),
        end: millisToNanos(fromDatetimeLocal(this.endLocal)),
      }),
    );
  }

  override render() {
    return html`<select aria-label="Time window" data-testid=${this.testId} .value=${this.choice} @change=${this.onChoice}>
        ${WINDOW_CHOICES.map((c) => html`<option .value=${c} ?selected=${c === this.choice}>${WINDOW_LABELS[c]}</option>`)}
      </select>
      ${this.choice === 'custom'
        ? html`<input
              type="datetime-local"
              aria-label="Start"
              data-testid=${`${this.testId}-start`}
              .value=${this.startLocal}
              @input=${(e: Event) => (this.startLocal = (e.target as HTMLInputElement).value)}
            />
            <span class="muted">to</span>
            <input
              type="datetime-local"
              aria-label="End"
              data-testid=${`${this.testId}-end`}
              .value=${this.endLocal}
              @input=${(e: Event) => (this.endLocal = (e.target as HTMLInputElement).value)}
            />
            <button type="button" data-testid=${`${this.testId}-apply`} ?disabled=${!this.rangeValid} @click=${this.apply}>Apply</button>
            ${this.rangeValid ? nothing : html`<span class="error" role="alert">Start must be before end</span>`}`
        : nothing}`;
  }
}

customElements.define('tl-window-select', TlWindowSelect);

declare global {
  interface HTMLElementTagNameMap {
    'tl-window-select': TlWindowSelect;
  }
}
