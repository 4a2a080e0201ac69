import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { fetchServices } from '../../api/threadline-api';
import { pickWindow, type TimeWindow } from '../../model/latency-window';
import { controlStyles } from '../common/shared-styles';
import '../latency/tl-window-select';

/** Service and instance filters were changed. */
export class TlNettraceFilterEvent extends Event {
  static readonly eventName = 'tl-nettrace-filter';
  constructor(
    readonly service: string,
    readonly instance: string,
  ) {
    super(TlNettraceFilterEvent.eventName, { bubbles: true, composed: true });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'tl-nettrace-filter': TlNettraceFilterEvent;
  }
}

/** Service, instance and (where it applies) window filters of the net/trace pages; the window picker's `tl-time-window` bubbles out. */
export class TlNettraceFilters extends LitElement {
  static override properties = { service: {}, instance: {}, window: { attribute: false }, showWindow: { type: Boolean, attribute: 'show-window' } };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.6rem 0.9rem;
      }
      label {
        display: inline-flex;
        align-items: center;
        gap: 0.4rem;
        font-weight: 600;
        color: var(--tl-fg-muted);
      }
      label > select,
      label > input {
        font-weight: 400;
        color: var(--tl-fg);
      }
      input {
        width: 12rem;
      }
    `,
  ];

  declare service: string;
  declare instance: string;
  declare window: TimeWindow | null;
  declare showWindow: boolean;

  private readonly services = new Task(this, {
    task: async (_args, { signal }) => fetchServices(signal),
    args: () => [],
  });

  constructor() {
    super();
    this.service = '';
    this.instance = '';
    this.window = null;
    this.showWindow = false;
  }

  private emit(service: string, instance: string): void {
    this.dispatchEvent(new TlNettraceFilterEvent(service, instance));
  }

  override render() {
    const services = this.services.value ?? [];
    const choices = this.service && !services.includes(this.service) ? [this.service, ...services] : services;
    return html`<label>
        Service
        <select data-testid="nettrace-service" .value=${this.service} @change=${(e: Event) => this.emit((e.target as HTMLSelectElement).value, this.instance)}>
          <option value="" ?selected=${this.service === ''}>All services</option>
          ${choices.map((s) => html`<option .value=${s} ?selected=${s === this.service}>${s}</option>`)}
        </select>
      </label>
      <label>
        Instance
        <input
          data-testid="nettrace-instance"
          placeholder="all instances"
          spellcheck="false"
          .value=${this.instance}
          @change=${(e: Event) => this.emit(this.service, (e.target as HTMLInputElement).value.trim())}
        />
      </label>
      ${this.showWindow && this.window
        ? html`<tl-window-select test-id="nettrace-window" .value=${pickWindow(this.window)}></tl-window-select>`
        : ''}`;
  }
}

customElements.define('tl-nettrace-filters', TlNettraceFilters);

declare global {
  interface HTMLElementTagNameMap {
    'tl-nettrace-filters': TlNettraceFilters;
  }
}
