import { LitElement, css, html } from 'lit';
import { chooseTheme, currentTheme, TlThemeChangeEvent, type Theme } from './theme';
import { controlStyles } from '../common/shared-styles';

/** One button that switches to the other theme and remembers the choice. */
export class TlThemeToggle extends LitElement {
  static override properties = { theme: { state: true } };
  static override styles = [
    controlStyles,
    css`
      button {
        min-width: 2.25rem;
      }
    `,
  ];

  declare theme: Theme;

  constructor() {
    super();
    this.theme = currentTheme();
  }

  private readonly onThemeChange = (event: TlThemeChangeEvent): void => {
    this.theme = event.theme;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(TlThemeChangeEvent.eventName, this.onThemeChange);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(TlThemeChangeEvent.eventName, this.onThemeChange);
    super.disconnectedCallback();
  }

  override render() {
    const next: Theme = this.theme === 'dark' ? 'light' : 'dark';
    return html`<button
      type="button"
      class="ghost"
      data-testid="theme-toggle"
      data-theme=${this.theme}
      aria-label=${`Switch to ${next} theme`}
      title=${`Switch to ${next} theme`}
      @click=${() => chooseTheme(next)}
    >
      ${this.theme === 'dark' ? '☀' : '☾'}
    </button>`;
  }
}

customElements.define('tl-theme-toggle', TlThemeToggle);

declare global {
  interface HTMLElementTagNameMap {
    'tl-theme-toggle': TlThemeToggle;
  }
}
