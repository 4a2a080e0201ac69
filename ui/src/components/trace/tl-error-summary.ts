import { LitElement, css, html } from 'lit';
import type { ErrorGroup } from '../../model/error-summary';

/** One line of the trace's distinct error messages with counts; each finds (and selects) its spans. */
export class TlErrorSummary extends LitElement {
  static override properties = { groups: { attribute: false }, hrefFor: { attribute: false } };
  static override styles = css`
    :host {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 0.25rem 0.5rem;
      padding: 0.3rem 0.75rem;
      max-height: 4.2rem;
      overflow-y: auto;
      font-size: 0.85rem;
      border-bottom: 1px solid var(--tl-border);
      background: var(--tl-error-bg);
    }
    .label {
      color: var(--tl-fg-muted);
    }
    a {
      display: inline-flex;
      gap: 0.3rem;
      max-width: 100%;
      color: var(--tl-error);
      text-decoration: none;
      border: 1px solid currentColor;
      border-radius: var(--tl-radius);
      padding: 0 0.4rem;
    }
    a:hover {
      text-decoration: underline;
    }
    .message {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
  `;

  declare groups: readonly ErrorGroup[];
  declare hrefFor: (group: ErrorGroup) => string;

  constructor() {
    super();
    this.groups = [];
    this.hrefFor = () => '';
  }

  override render() {
    return html`<span class="label">Errors:</span>
      ${this.groups.map(
        (g) => html`<a href=${this.hrefFor(g)} data-testid="error-group" title=${g.message || 'no status message'}>
          <span class="message">${g.message || '(no message)'}</span><strong>×${g.count}</strong>
        </a>`,
      )}`;
  }
}

customElements.define('tl-error-summary', TlErrorSummary);

declare global {
  interface HTMLElementTagNameMap {
    'tl-error-summary': TlErrorSummary;
  }
}
