import { css, html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import './tl-error-state';

/** A page of a list the server cuts: its items and the cursor of the next page (null: none). */
export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** For the host's styles: the "Show more" button's row. */
export const appendedPagesStyles = css`
  .more {
    display: flex;
    justify-content: center;
    padding: 0.4rem 0;
  }
`;

/**
 * The pages after the first of a list the server pages by cursor, appended below it by a
 * "Show more" button. The host loads the first page itself (in a Task) and hands its cursor
 * to `restart`; a page that arrives after a restart belongs to the old list and is dropped.
 */
export class AppendedPages<T> implements ReactiveController {
  items: T[] = [];
  nextCursor: string | null = null;
  loading = false;
  error: unknown = null;
  private generation = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly fetchPage: (cursor: string) => Promise<ListPage<T>>,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** A new first page: forget the appended ones; `nextCursor` is the first page's. */
  restart(nextCursor: string | null): void {
    this.generation++;
    this.items = [];
    this.nextCursor = nextCursor;
    this.loading = false;
    this.error = null;
    this.host.requestUpdate();
  }

  async loadMore(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor || this.loading) return;
    const generation = this.generation;
    this.loading = true;
    this.error = null;
    this.host.requestUpdate();
    try {
      const page = await this.fetchPage(cursor);
      if (generation !== this.generation) return;
      this.items = [...this.items, ...page.items];
      this.nextCursor = page.nextCursor;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error;
    }
    this.loading = false;
    this.host.requestUpdate();
  }

  /** The button, while more pages follow, and the error of the last attempt. */
  renderMore(label: string, testId: string, subject: string) {
    return html`${this.error ? html`<tl-error-state .error=${this.error} subject=${subject}></tl-error-state>` : nothing}
    ${this.nextCursor
      ? html`<div class="more">
          <button type="button" data-testid=${testId} ?disabled=${this.loading} @click=${() => void this.loadMore()}>
            ${this.loading ? 'Loading…' : label}
          </button>
        </div>`
      : nothing}`;
  }
}
