import { LitElement, css, html } from 'lit';
import { isTextEntry } from '../common/keyboard';
import { controlStyles } from '../common/shared-styles';

const KEYS: ReadonlyArray<[string, string]> = [
  ['?', 'this help'],
  ['/', 'find in the trace (text, key=value, status=error, >100ms, >10%)'],
  ['n  N', 'next / previous match'],
  ['e  E', 'next / previous error'],
  ['↑  ↓  PgUp  PgDn  Home  End', 'move the selection (in search results: between traces)'],
  ['←  →', 'fold / unfold, or go to the parent / first child'],
  ['Enter', 'open the selected span’s details'],
  ['Esc', 'close find or the details'],
];

/** The keyboard shortcuts, opened with `?` anywhere outside a text field. */
export class TlKeyboardHelp extends LitElement {
  static override styles = [
    controlStyles,
    css`
      dialog {
        max-width: min(34rem, 92vw);
        border: 1px solid var(--tl-border-strong);
        border-radius: var(--tl-radius);
        background: var(--tl-bg);
        color: var(--tl-fg);
        box-shadow: var(--tl-shadow);
      }
      h2 {
        margin: 0 0 0.6rem;
        font-size: 1.05rem;
      }
      table {
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th {
        text-align: left;
        padding: 0.25rem 1rem 0.25rem 0;
        font-family: var(--tl-mono);
        white-space: nowrap;
        vertical-align: top;
      }
      td {
        padding: 0.25rem 0;
      }
      form {
        margin-top: 0.8rem;
        text-align: right;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('keydown', this.onKeyDown);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('keydown', this.onKeyDown);
    super.disconnectedCallback();
  }

  private readonly onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== '?' || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextEntry(event.composedPath()[0])) return;
    event.preventDefault();
    this.renderRoot.querySelector('dialog')?.showModal();
  };

  override render() {
    return html`<dialog data-testid="keyboard-help" aria-labelledby="keys-title">
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <table>
        ${KEYS.map(([keys, what]) => html`<tr><th scope="row">${keys}</th><td>${what}</td></tr>`)}
      </table>
      <form method="dialog"><button type="submit" data-testid="keyboard-help-close">Close</button></form>
    </dialog>`;
  }
}

customElements.define('tl-keyboard-help', TlKeyboardHelp);

declare global {
  interface HTMLElementTagNameMap {
    'tl-keyboard-help': TlKeyboardHelp;
  }
}
