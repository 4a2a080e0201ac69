import { LitElement, css, html } from 'lit';
import { LOCAL_TRACE_PATH, type Route } from '../../model/route';
import { interceptLinks, navigate } from '../router/navigate';
import { RouteController } from '../router/route-controller';
import type { LocalTraceFile } from '../../pages/tl-trace-page';
import type { TlTraceFileEvent } from './app-events';
import { pageTitle } from '../../model/page-title';
import './tl-app-header';
import './tl-keyboard-help';
import '../../pages/tl-search-page';
import '../../pages/tl-trace-page';
import '../../pages/tl-not-found-page';

/**
 * The latency and net/trace pages load on first visit, so opening a pasted trace or
 * search link does not wait for them. A page's element upgrades when its module arrives,
 * keeping the properties it was given.
 */
const LAZY_PAGES: Partial<Record<Route['page'], () => Promise<unknown>>> = {
  slow: () => import('../../pages/tl-slow-page'),
  operations: () => import('../../pages/tl-operations-page'),
  operation: () => import('../../pages/tl-operation-page'),
  nettrace: () => import('../../pages/tl-nettrace-page'),
  'nettrace-requests': () => import('../../pages/tl-nettrace-requests-page'),
  'nettrace-events': () => import('../../pages/tl-nettrace-events-page'),
  compare: () => import('../../pages/tl-compare-page'),
  dependencies: () => import('../../pages/tl-dependencies-page'),
};

/** The shell: header, and the page the URL names. Owns the in-memory trace file, if one is open. */
export class TlApp extends LitElement {
  static override properties = { localFile: { state: true } };
  static override styles = css`
    :host {
      display: flex;
      flex-direction: column;
      height: 100%;
    }
    main {
      flex: 1;
      min-height: 0;
    }
  `;

  declare localFile: LocalTraceFile | null;
  private readonly router = new RouteController(this);
  private stopIntercepting: (() => void) | undefined;

  constructor() {
    super();
    this.localFile = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.stopIntercepting = interceptLinks(window);
    if (location.pathname === '/') navigate(`/search${location.search}`, { replace: true });
  }

  override disconnectedCallback(): void {
    this.stopIntercepting?.();
    super.disconnectedCallback();
  }

  /** The last route-based title set; a URL change within a page (selecting a span) keeps the page's own title. */
  private routeTitle = '';

  override updated(): void {
    const title = pageTitle(this.router.route);
    if (title === this.routeTitle) return;
    this.routeTitle = title;
    document.title = title;
  }

  private onTraceFile(event: TlTraceFileEvent): void {
    this.localFile = { name: event.name, file: event.file };
    navigate(LOCAL_TRACE_PATH);
  }

  private renderPage() {
    const route = this.router.route;
    void LAZY_PAGES[route.page]?.();
    switch (route.page) {
      case 'search':
        return html`<tl-search-page .query=${route.query} .submitted=${route.submitted} .notices=${route.notices} .sort=${route.sort}></tl-search-page>`;
      case 'trace':
        return html`<tl-trace-page
          .source=${route.source}
          .spanId=${route.spanId}
          .skew=${route.skew}
          .find=${route.find}
          .tab=${route.tab}
          .localFile=${this.localFile}
        ></tl-trace-page>`;
      case 'slow':
        return html`<tl-slow-page .query=${route.query} .submitted=${route.submitted}></tl-slow-page>`;
      case 'operations':
        return html`<tl-operations-page .query=${route.query}></tl-operations-page>`;
      case 'operation':
        return html`<tl-operation-page .query=${route.query}></tl-operation-page>`;
      case 'nettrace':
        return html`<tl-nettrace-page .query=${route.query}></tl-nettrace-page>`;
      case 'nettrace-requests':
        return html`<tl-nettrace-requests-page .query=${route.query}></tl-nettrace-requests-page>`;
      case 'nettrace-events':
        return html`<tl-nettrace-events-page .query=${route.query}></tl-nettrace-events-page>`;
      case 'compare':
        return html`<tl-compare-page .a=${route.a} .b=${route.b}></tl-compare-page>`;
      case 'dependencies':
        return html`<tl-dependencies-page .window=${route.window}></tl-dependencies-page>`;
      case 'not-found':
        return html`<tl-not-found-page .message=${route.message}></tl-not-found-page>`;
    }
  }

  override render() {
    return html`<tl-app-header .page=${this.router.route.page} @tl-trace-file=${this.onTraceFile}></tl-app-header>
      <main>${this.renderPage()}</main>
      <tl-keyboard-help></tl-keyboard-help>`;
  }
}

customElements.define('tl-app', TlApp);

declare global {
  interface HTMLElementTagNameMap {
    'tl-app': TlApp;
  }
}
