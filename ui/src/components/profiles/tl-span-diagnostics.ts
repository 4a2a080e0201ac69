import { LitElement, css, html, nothing } from 'lit';
import { Task } from '@lit/task';
import type { ProfileMarker } from '../../api/profile-types';
import { execTraceRawUrl, fetchExecTrace, fetchSpanCpu } from '../../api/profiles-api';
import { formatDuration } from '../../model/duration';
import { topFunctions } from '../../model/profile-flame';
import '../common/tl-error-state';
import './tl-profile-flame';
import './tl-wall-time';

type DiagnosticsTab = 'cpu' | 'wall';

const TOP_FUNCTIONS = 8;

/**
 * A span's Go diagnostics (clients/go/profiling): a "CPU" tab with the flame graph of
 * the CPU samples labeled with the span (and its in-process children), and a "Wall time"
 * tab with its execution-trace breakdown. Shown for spans that have either.
 */
export class TlSpanDiagnostics extends LitElement {
  static override properties = { traceId: {}, spanId: {}, marker: { attribute: false }, tab: { state: true } };
  static override styles = css`
    :host {
      display: block;
    }
    [role='tablist'] {
      display: flex;
      gap: 0.2rem;
      border-bottom: 1px solid var(--tl-border);
      margin-bottom: 0.5rem;
    }
    [role='tab'] {
      padding: 0.2rem 0.6rem;
      border: none;
      border-bottom: 2px solid transparent;
      background: none;
      color: var(--tl-fg-muted);
      font: inherit;
      cursor: pointer;
    }
    [role='tab'][aria-selected='true'] {
      color: var(--tl-fg);
      border-bottom-color: var(--tl-accent);
      font-weight: 600;
    }
    .muted {
      color: var(--tl-fg-muted);
    }
    table {
      width: 100%;
      border-collapse: collapse;
      margin-top: 0.5rem;
      font-size: 0.75rem;
    }
    td {
      padding: 0.1rem 0.4rem 0.1rem 0;
      font-family: var(--tl-mono);
      overflow-wrap: anywhere;
    }
    td.amount {
      text-align: right;
      white-space: nowrap;
      font-variant-numeric: tabular-nums;
    }
  `;

  declare traceId: string;
  declare spanId: string;
  declare marker: ProfileMarker;
  declare tab: DiagnosticsTab;

  private readonly cpu = new Task(this, {
    task: ([traceId, spanId, tab], { signal }) => (tab === 'cpu' ? fetchSpanCpu(traceId, spanId, signal) : undefined),
    args: () => [this.traceId, this.spanId, this.tab] as const,
  });

  private readonly wall = new Task(this, {
    task: ([traceId, spanId, tab], { signal }) => (tab === 'wall' ? fetchExecTrace(traceId, spanId, signal) : undefined),
    args: () => [this.traceId, this.spanId, this.tab] as const,
  });

  constructor() {
    super();
    this.tab = 'cpu';
  }

  override willUpdate(): void {
    if (this.tab === 'cpu' && !this.marker.cpu && this.marker.execTrace) this.tab = 'wall';
    if (this.tab === 'wall' && !this.marker.execTrace && this.marker.cpu) this.tab = 'cpu';
  }

  private renderCpu() {
    return this.cpu.render({
      pending: () => html`<p class="muted" aria-busy="true">Loading the CPU profile…</p>`,
      error: (error) => html`<tl-error-state .error=${error}></tl-error-state>`,
      complete: (cpu) => {
        if (!cpu || cpu.stacks.length === 0) return html`<p class="muted" data-testid="span-cpu-empty">No CPU samples were taken while this span ran.</p>`;
        return html`<p class="muted" data-testid="span-cpu-total">
            ${formatDuration(cpu.total)} of CPU in ${cpu.spanIds.length === 1 ? 'this span' : `this span and ${cpu.spanIds.length - 1} in-process children`}
          </p>
          <tl-profile-flame .stacks=${cpu.stacks} unit=${cpu.unit}></tl-profile-flame>
          <table data-testid="span-cpu-top" aria-label="Top functions by self time">
            <tbody>
              ${topFunctions(cpu.stacks, TOP_FUNCTIONS).map(
                (f) => html`<tr data-testid="span-cpu-top-row"><td>${f.name}</td><td class="amount">${formatDuration(f.self)}</td></tr>`,
              )}
            </tbody>
          </table>`;
      },
    });
  }

  private renderWall() {
    return this.wall.render({
      pending: () => html`<p class="muted" aria-busy="true">Loading the execution trace…</p>`,
      error: (error) => html`<tl-error-state .error=${error}></tl-error-state>`,
      complete: (summary) => (summary ? html`<tl-wall-time .summary=${summary} rawUrl=${execTraceRawUrl(this.traceId, this.spanId)}></tl-wall-time>` : nothing),
    });
  }

  override render() {
    const tabs: Array<[DiagnosticsTab, string, boolean]> = [
      ['cpu', 'CPU', this.marker.cpu],
      ['wall', 'Wall time', this.marker.execTrace],
    ];
    return html`<div role="tablist" aria-label="Go diagnostics">
        ${tabs
          .filter(([, , present]) => present)
          .map(
            ([tab, label]) =>
              html`<button type="button" role="tab" data-testid=${`span-tab-${tab}`} aria-selected=${this.tab === tab ? 'true' : 'false'} @click=${() => (this.tab = tab)}>
                ${label}
              </button>`,
          )}
      </div>
      <div role="tabpanel" data-testid=${`span-panel-${this.tab}`}>${this.tab === 'cpu' ? this.renderCpu() : this.renderWall()}</div>`;
  }
}

customElements.define('tl-span-diagnostics', TlSpanDiagnostics);

declare global {
  interface HTMLElementTagNameMap {
    'tl-span-diagnostics': TlSpanDiagnostics;
  }
}
