import { LitElement, css, html } from 'lit';
import { controlStyles } from './shared-styles';

/** Copies `value` to the clipboard and says so for a moment. */
export class TlCopyButton extends LitElement {
  static override properties = { value: {}, label: {}, copied: { state: true } };
  static override styles = [
    controlStyles,
    css`
      button {
        padding: 0.1rem 0.45rem;
        font-size: 0.85em;
      }
    `,
  ];

  declare value: string;
  declare label: string;
  declare copied: boolean;
  private resetTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.value = '';
    this.label = 'Copy';
    this.copied = false;
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.value);
      this.copied = true;
    } catch {
      // Clipboard access needs a secure context; fall back to selecting text for a manual copy.
      const selection = getSelection();
      const range = document.createRange();
      const node = document.createTextNode(this.value);
      this.renderRoot.appendChild(node);
      range.selectNodeContents(node);
      selection?.removeAllRanges();
      selection?.addRange(range);
      document.execCommand('copy');
      node.remove();
      this.copied = true;
    }
    clearTimeout(this.resetTimer);
    this.resetTimer = setTimeout(() => (this.copied = false), 1500);
  }

  override disconnectedCallback(): void {
    clearTimeout(this.resetTimer);
    super.disconnectedCallback();
  }

  override render() {
    return html`<button type="button" part="button" aria-label=${`${this.label}: ${this.value}`} @click=${() => void this.copy()}>
      ${this.copied ? 'Copied ✓' : this.label}
    </button>`;
  }
}

customElements.define('tl-copy-button', TlCopyButton);

declare global {
  interface HTMLElementTagNameMap {
    'tl-copy-button': TlCopyButton;
  }
}
