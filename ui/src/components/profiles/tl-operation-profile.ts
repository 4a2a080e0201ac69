import { LitElement, css, html } from 'lit';
import { Task } from '@lit/task';
import { fetchOperationProfile, fetchProfileDiff } from '../../api/profiles-api';
import { formatDuration } from '../../model/duration';
import type { ResolvedWindow } from '../../model/latency-window';
import '../common/tl-error-state';
import './tl-profile-flame';

type ProfileMode = 'flame' | 'diff';

/**
 * An operation's CPU over a window (the page's, or the heatmap selection's time range):
 * its flame graph, or the differential flame graph of the spans above p99 against the rest
 * (which functions the slow requests spend more of their CPU in).
 */
export class TlOperationProfile extends LitElement {
  static override properties = { service: {}, operation: {}, window: { attribute: false }, mode: { state: true } };
  static override styles = css`
    :host {
      display: block;
    }
    .head {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 0.4rem 0.8rem;
      margin-bottom: 0.5rem;
    }
    h2 {
      margin: 0;
      font-size: 1rem;
    }
    .modes {
      margin-left: auto;
      display: flex;
      gap: 0.8rem;
      font-size: 0.85rem;
    }
    .muted {
      color: var(--tl-fg-muted);
      font-size: 0.85rem;
    }
  `;

  declare service: string;
  declare operation: string;
  declare window: ResolvedWindow;
  declare mode: ProfileMode;

  private readonly profile = new Task(this, {
    task: async ([service, operation, window, mode], { signal }) =>
      mode === 'flame' ? { kind: 'flame' as const, stacks: await fetchOperationProfile(service, operation, window, signal) } : { kind: 'diff' as const, diff: await fetchProfileDiff(service, operation, window, signal) },
    args: () => [this.service, this.operation, this.window, this.mode] as const,
    argsEqual: ([a, b, c, d], [w, x, y, z]) => a === w && b === x && c.startNs === y.startNs && c.endNs === y.endNs && d === z,
  });

  constructor() {
    super();
    this.mode = 'flame';
  }

  private renderBody() {
    return this.profile.render({
      pending: () => html`<p class="muted" aria-busy="true">Loading the CPU profile…</p>`,
      error: (error) => html`<tl-error-state .error=${error}></tl-error-state>`,
      complete: (result) => {
        if (result.kind === 'flame') {
          if (result.stacks.stacks.length === 0) return html`<p class="muted" data-testid="operation-profile-empty">No CPU samples labeled with this operation in the window.</p>`;
          return html`<p class="muted">${formatDuration(result.stacks.total)} of CPU</p>
            <tl-profile-flame .stacks=${result.stacks.stacks} unit=${result.stacks.unit}></tl-profile-flame>`;
        }
        const { diff } = result;
        if (diff.slow.stacks.length === 0) {
          return html`<p class="muted" data-testid="operation-diff-empty">
            ${diff.thresholdNano === null ? 'No spans in the window.' : `No CPU samples of the ${diff.slowSpans} spans above p99 (${formatDuration(Number(diff.thresholdNano))}).`}
          </p>`;
        }
        return html`<p class="muted" data-testid="operation-diff-summary">
            ${diff.slowSpans} span${diff.slowSpans === 1 ? '' : 's'} above p99 (${formatDuration(Number(diff.thresholdNano))}): ${formatDuration(diff.slow.total)} of CPU,
            against ${formatDuration(diff.rest.total)} in the other spans
          </p>
          <tl-profile-flame .stacks=${diff.slow.stacks} .baseline=${diff.rest.stacks} unit=${diff.slow.unit}></tl-profile-flame>`;
      },
    });
  }

  override render() {
    const modes: Array<[ProfileMode, string]> = [
      ['flame', 'Flame graph'],
      ['diff', 'Above p99 vs the rest'],
    ];
    return html`<div class="head">
        <h2>CPU profile</h2>
        <span class="muted">samples labeled with this operation (clients/go/profiling)</span>
        <div class="modes" role="radiogroup" aria-label="Profile view">
          ${modes.map(
            ([mode, label]) =>
              html`<label
                ><input type="radio" name="profile-mode" data-testid=${`operation-profile-${mode}`} .checked=${this.mode === mode} @change=${() => (this.mode = mode)} />
                ${label}</label
              >`,
          )}
        </div>
      </div>
      ${this.renderBody()}`;
  }
}

customElements.define('tl-operation-profile', TlOperationProfile);

declare global {
  interface HTMLElementTagNameMap {
    'tl-operation-profile': TlOperationProfile;
  }
}
