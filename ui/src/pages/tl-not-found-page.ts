import { LitElement, css, html } from 'lit';
import { controlStyles } from '../components/common/shared-styles';

/** Any URL that is not a page, or a trace URL whose ID is not hex. */
export class TlNotFoundPage extends LitElement {
  static override properties = { message: {} };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
        padding: 3rem 1.5rem;
        text-align: center;
      }
      h1 {
        font-size: 1.3rem;
      }
    `,
  ];

  declare message: string;

  constructor() {
    super();
    this.message = '';
  }

  override render() {
    return html`<h1 data-testid="not-found">Page not found</h1>
      <p>${this.message}</p>
      <p><a href="/search">Search traces</a></p>`;
  }
}

customElements.define('tl-not-found-page', TlNotFoundPage);

declare global {
  interface HTMLElementTagNameMap {
    'tl-not-found-page': TlNotFoundPage;
  }
}
