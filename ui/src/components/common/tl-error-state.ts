import { LitElement, css, html, nothing } from 'lit';
import { ApiError } from '../../api/api-error';
import { controlStyles } from './shared-styles';

/** A failed load, explained: not found, server unreachable, or anything else with its message. */
export class TlErrorState extends LitElement {
  static override properties = { error: { attribute: false }, subject: {} };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        padding: 2rem 1.5rem;
      }
      .box {
        max-width: 40rem;
        margin: 0 auto;
        padding: 1.25rem 1.5rem;
        border: 1px solid var(--tl-border);
        border-left: 4px solid var(--tl-error);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
      }
      h2 {
        margin: 0 0 0.5rem;
        font-size: 1.15rem;
      }
      p {
        margin: 0.4rem 0;
      }
      .actions {
        margin-top: 1rem;
        display: flex;
        gap: 0.5rem;
      }
    `,
  ];

  declare error: unknown;
  /** What failed to load, for the heading: "trace 4bf9…", "services". */
  declare subject: string;

  constructor() {
    super();
    this.error = undefined;
    this.subject = '';
  }

  private describe(): { kind: string; title: string; detail: string } {
    const error = this.error;
    if (error instanceof ApiError && error.isNotFound) {
      return { kind: 'not-found', title: `${this.subject.charAt(0).toUpperCase()}${this.subject.slice(1)} not found`, detail: error.message };
    }
    if (error instanceof ApiError && error.isUnreachable) {
      return {
        kind: 'unreachable',
        title: 'Threadline server unreachable',
        detail: 'The UI could not reach the Threadline API. Check that the server is running and this page is served by it.',
      };
    }
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'other', title: `Could not load ${this.subject}`, detail: message };
  }

  override render() {
    const { kind, title, detail } = this.describe();
    return html`<div class="box" role="alert" data-testid="error-state" data-error-kind=${kind}>
      <h2>${title}</h2>
      <p>${detail}</p>
      ${kind === 'not-found' ? html`<p class="muted">Spans can take a few seconds to arrive, and old traces are removed by retention.</p>` : nothing}
      <div class="actions">
        <button type="button" @click=${() => location.reload()}>Retry</button>
        <button type="button" class="ghost" @click=${() => history.back()}>Go back</button>
      </div>
    </div>`;
  }
}

customElements.define('tl-error-state', TlErrorState);

declare global {
  interface HTMLElementTagNameMap {
    'tl-error-state': TlErrorState;
  }
}
