import { LitElement, css, html, nothing } from 'lit';
import { normalizeHexId, TRACE_ID_HEX_LENGTH } from '@threadline/shared';
import { tracePath, type Route } from '../../model/route';
import { parseTraceFile, TraceFileError } from '../../model/trace-file';
import { controlStyles } from '../common/shared-styles';
import { navigate } from '../router/navigate';
import { TlTraceFileEvent } from './app-events';
import '../theme/tl-theme-toggle';

const NAV: ReadonlyArray<{ href: string; label: string; testId: string; pages: ReadonlyArray<Route['page']> }> = [
  { href: '/search', label: 'Search', testId: 'nav-search', pages: ['search'] },
  { href: '/operations', label: 'Operations', testId: 'nav-operations', pages: ['operations', 'operation'] },
  { href: '/slow', label: 'Slow spans', testId: 'nav-slow', pages: ['slow'] },
  { href: '/dependencies', label: 'Dependencies', testId: 'nav-dependencies', pages: ['dependencies'] },
  { href: '/nettrace', label: 'net/trace', testId: 'nav-nettrace', pages: ['nettrace', 'nettrace-requests', 'nettrace-events'] },
];

/** The bar on every page: home, the pages, trace-ID lookup, open a trace file, theme switch. */
export class TlAppHeader extends LitElement {
  static override properties = { page: {}, lookupError: { state: true }, fileError: { state: true } };
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      /* One row down to tablets; below, the nav takes a row of its own and may wrap, so nothing scrolls sideways. */
      header {
        box-sizing: border-box;
        min-height: var(--tl-header-height);
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0 0.9rem;
        padding: 0 0.9rem;
        border-bottom: 1px solid var(--tl-border);
        background: var(--tl-bg-raised);
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 0.45rem;
        color: inherit;
        text-decoration: none;
        font-weight: 700;
        font-size: 1.05rem;
      }
      .brand svg {
        width: 18px;
        height: 18px;
      }
      nav {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0 0.9rem;
        align-self: stretch;
        min-width: 0;
      }
      nav a {
        display: flex;
        align-items: center;
        align-self: stretch;
        color: var(--tl-fg-muted);
        text-decoration: none;
        font-weight: 600;
        white-space: nowrap;
        min-height: calc(var(--tl-header-height) - 4px);
        border-bottom: 2px solid transparent;
        border-top: 2px solid transparent;
      }
      nav a:hover {
        color: var(--tl-fg);
      }
      nav a[aria-current='page'] {
        color: var(--tl-fg);
        border-bottom-color: var(--tl-accent);
      }
      .tools {
        display: flex;
        align-items: center;
        gap: 0.35rem;
        margin-left: auto;
        flex: 1 1 16rem;
        min-width: 0;
        min-height: var(--tl-header-height);
      }
      form {
        display: flex;
        align-items: center;
        gap: 0.35rem;
        flex: 1 1 auto;
        min-width: 0;
        justify-content: flex-end;
        position: relative;
      }
      form input {
        flex: 0 1 22rem;
        min-width: 5rem;
        font-family: var(--tl-mono);
        font-size: 0.85rem;
      }
      @media (max-width: 760px) {
        nav {
          order: 3;
          flex: 1 1 100%;
        }
        nav a {
          min-height: 2.2rem;
        }
        .tools {
          flex: 1 1 0;
        }
        .wide {
          display: none;
        }
      }
      @media (max-width: 440px) {
        .brand .name {
          display: none;
        }
      }
      .file {
        position: relative;
      }
      .file input {
        position: absolute;
        inset: 0;
        opacity: 0;
        width: 100%;
        cursor: pointer;
      }
      .file:focus-within button {
        outline: 2px solid var(--tl-accent);
      }
      .popup {
        position: absolute;
        top: calc(100% + 6px);
        right: 0;
        z-index: 10;
        max-width: 28rem;
        padding: 0.45rem 0.7rem;
        border-radius: var(--tl-radius);
        background: var(--tl-error-bg);
        color: var(--tl-error);
        box-shadow: var(--tl-shadow);
        font-size: 0.85rem;
        white-space: normal;
      }
    `,
  ];

  /** The page shown, to mark its nav link. */
  declare page: Route['page'] | '';
  declare lookupError: string;
  declare fileError: string;

  constructor() {
    super();
    this.page = '';
    this.lookupError = '';
    this.fileError = '';
  }

  private lookup(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('traceId') as HTMLInputElement;
    const traceId = normalizeHexId(input.value, TRACE_ID_HEX_LENGTH);
    if (traceId === null) {
      this.lookupError = 'A trace ID is up to 32 hex digits.';
      return;
    }
    this.lookupError = '';
    input.value = '';
    navigate(tracePath(traceId));
  }

  private async openFile(event: Event): Promise<void> {
    const input = event.target as HTMLInputElement;
    const file = input.files?.[0];
    // Reset so choosing the same file again fires `change` again.
    input.value = '';
    if (!file) return;
    try {
      const parsed = parseTraceFile(await file.text());
      this.fileError = '';
      this.dispatchEvent(new TlTraceFileEvent(file.name, parsed));
    } catch (error) {
      if (!(error instanceof TraceFileError)) throw error;
      this.fileError = `${file.name}: ${error.message}`;
    }
  }

  override render() {
    return html`<header>
      <a class="brand" href="/search" aria-label="Threadline home">
        <svg viewBox="0 0 16 16" aria-hidden="true">
          <rect x="1" y="3" width="9" height="2" rx="1" fill="#3c8cdd" />
          <rect x="4" y="7" width="10" height="2" rx="1" fill="#279b4e" />
          <rect x="6" y="11" width="6" height="2" rx="1" fill="#c37822" />
        </svg>
        <span class="name">Threadline</span>
      </a>
      <nav>
        ${NAV.map(
          (item) => html`<a href=${item.href} data-testid=${item.testId} aria-current=${item.pages.includes(this.page as Route['page']) ? 'page' : nothing}
            >${item.label}</a
          >`,
        )}
      </nav>
      <div class="tools">
      <form role="search" aria-label="Open a trace by ID" @submit=${this.lookup}>
        <input
          name="traceId"
          data-testid="trace-id-input"
          placeholder="Trace ID"
          aria-label="Trace ID"
          autocomplete="off"
          spellcheck="false"
          aria-invalid=${this.lookupError ? 'true' : 'false'}
          @input=${() => (this.lookupError = '')}
        />
        <button type="submit" data-testid="trace-id-submit">Open</button>
        ${this.lookupError ? html`<div class="popup" role="alert" data-testid="trace-id-error">${this.lookupError}</div>` : nothing}
      </form>
      <span class="file">
        <button type="button" tabindex="-1" aria-hidden="true"><span class="wide">Open </span>JSON…</button>
        <input
          type="file"
          accept=".json,application/json"
          data-testid="open-trace-file"
          aria-label="Open a trace file (OTLP or Jaeger JSON)"
          title="Open a trace file (OTLP or Jaeger JSON); it stays in this tab"
          @change=${(e: Event) => void this.openFile(e)}
        />
        ${this.fileError
          ? html`<div class="popup" role="alert" data-testid="open-file-error" @click=${() => (this.fileError = '')}>${this.fileError}</div>`
          : nothing}
      </span>
      <tl-theme-toggle></tl-theme-toggle>
      </div>
    </header>`;
  }
}

customElements.define('tl-app-header', TlAppHeader);

declare global {
  interface HTMLElementTagNameMap {
    'tl-app-header': TlAppHeader;
  }
}
