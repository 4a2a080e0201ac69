import { LitElement, css, html, nothing } from 'lit';
import type { ExecTraceSummary } from '../../api/profile-types';
import { formatDuration } from '../../model/duration';

/** Colours of the wall-time states: waiting kinds warm, running green. */
const STATE_COLORS: Record<string, string> = {
  running: '#3f9c5a',
  runnable: '#9bb84a',
  syscall: '#7b6fd0',
  mutex: '#d9534f',
  channel: '#e08a3c',
  network: '#3a8fd0',
  'gc assist': '#a0522d',
  sleep: '#8c8c8c',
  'other wait': '#b0a58a',
};

/**
 * Where a span's wall time went, from its execution trace: one bar per goroutine state
 * (summed over the span's goroutine and those it started), and the stacks it blocked at.
 */
export class TlWallTime extends LitElement {
  static override properties = { summary: { attribute: false }, rawUrl: {} };
  static override styles = css`
    :host {
      display: block;
      font-size: 0.8rem;
    }
    table {
      width: 100%;
      border-collapse: collapse;
    }
    th,
    td {
      padding: 0.15rem 0.4rem 0.15rem 0;
      text-align: left;
      vertical-align: middle;
    }
    th {
      font-weight: 400;
      width: 6.5rem;
      white-space: nowrap;
    }
    .bar {
      height: 0.8rem;
      border-radius: 2px;
      min-width: 1px;
    }
    .amount {
      width: 7rem;
      text-align: right;
      font-variant-numeric: tabular-nums;
      white-space: nowrap;
    }
    .muted {
      color: var(--tl-fg-muted);
    }
    h4 {
      margin: 0.7rem 0 0.3rem;
      font-size: 0.75rem;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--tl-fg-muted);
    }
    ol {
      margin: 0;
      padding-left: 1.2rem;
    }
    li {
      margin-bottom: 0.4rem;
    }
    pre {
      margin: 0.15rem 0 0;
      white-space: pre-wrap;
      overflow-wrap: anywhere;
      font-family: var(--tl-mono);
      font-size: 0.7rem;
    }
    .actions {
      margin-top: 0.6rem;
    }
  `;

  declare summary: ExecTraceSummary;
  declare rawUrl: string;

  override render() {
    const s = this.summary;
    const total = s.states.reduce((sum, st) => sum + st.durationNano, 0);
    return html`<p class="muted">
        ${formatDuration(s.durationNano)} in the execution trace, ${s.goroutines} goroutine${s.goroutines === 1 ? '' : 's'}
        ${s.startSeen ? nothing : html` · <span data-testid="wall-time-partial">the span started before the recorder’s window</span>`}
      </p>
      <table data-testid="wall-time-states">
        <tbody>
          ${s.states.map((st) => {
            const share = total > 0 ? st.durationNano / total : 0;
            return html`<tr data-testid="wall-time-state" data-state=${st.state}>
              <th scope="row">${st.state}</th>
              <td><div class="bar" style=${`width:${share * 100}%;background:${STATE_COLORS[st.state] ?? '#999'}`}></div></td>
              <td class="amount">${formatDuration(st.durationNano)} · ${(share * 100).toFixed(0)}%</td>
            </tr>`;
          })}
        </tbody>
      </table>
      ${s.topStacks.length > 0
        ? html`<h4>Top blocking stacks</h4>
            <ol data-testid="wall-time-stacks">
              ${s.topStacks.map(
                (b) => html`<li>
                  ${b.state} <span class="muted">(${b.reason})</span>: ${formatDuration(b.durationNano)}${b.count > 1 ? html` <span class="muted">in ${b.count} waits</span>` : nothing}
                  <pre>${b.frames.join('\n')}</pre>
                </li>`,
              )}
            </ol>`
        : nothing}
      <div class="actions">
        ${s.hasRawTrace
          ? html`<a href=${this.rawUrl} download data-testid="exectrace-download">Download the execution trace</a>
              <span class="muted">(${(s.rawTraceBytes / 1024).toFixed(0)} KiB; open with <code>go tool trace</code>)</span>`
          : html`<span class="muted" data-testid="exectrace-not-uploaded">The raw trace (${(s.rawTraceBytes / 1024).toFixed(0)} KiB) was over the client’s upload cap.</span>`}
      </div>`;
  }
}

customElements.define('tl-wall-time', TlWallTime);

declare global {
  interface HTMLElementTagNameMap {
    'tl-wall-time': TlWallTime;
  }
}
