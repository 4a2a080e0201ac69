import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { ProfileStack } from '../../api/profile-types';
import { formatDuration } from '../../model/duration';
import { buildProfileFlame, type ProfileBox, type ProfileFlame } from '../../model/profile-flame';
import { formatCount } from '../../model/format-count';

const LANE_PX = 18;
/** Frames under about a pixel on a wide screen are left out. */
const MIN_BOX_FRACTION = 1 / 2000;

/**
 * A pprof flame graph (callers above callees, width = share of the samples). With a
 * `baseline`, a differential one: red where the shown stacks spend a larger share than the
 * baseline, blue where smaller. Frames come from untrusted services: text only.
 */
export class TlProfileFlame extends LitElement {
  static override properties = { stacks: { attribute: false }, baseline: { attribute: false }, unit: {} };
  static override styles = css`
    :host {
      display: block;
    }
    .note {
      color: var(--tl-fg-muted);
      font-size: 0.8rem;
      margin: 0 0 0.4rem;
    }
    .graph {
      position: relative;
      overflow: hidden;
    }
    .box {
      position: absolute;
      box-sizing: border-box;
      height: ${LANE_PX - 1}px;
      padding: 0 0.25rem;
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
      font-family: var(--tl-mono);
      font-size: 0.7rem;
      line-height: ${LANE_PX - 1}px;
      color: var(--tl-fg);
      border-right: 1px solid var(--tl-bg-raised);
      background: light-dark(hsl(var(--hue) 70% 72%), hsl(var(--hue) 45% 32%));
    }
    .box.diff {
      background: color-mix(in srgb, var(--diff-color) var(--diff-strength), var(--tl-bg-sunken));
    }
  `;

  declare stacks: readonly ProfileStack[];
  declare baseline: readonly ProfileStack[] | undefined;
  declare unit: string;
  private flame: ProfileFlame = { boxes: [], lanes: 0, total: 0, hidden: 0 };

  constructor() {
    super();
    this.stacks = [];
    this.unit = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('stacks') || changed.has('baseline')) this.flame = buildProfileFlame(this.stacks, MIN_BOX_FRACTION, this.baseline);
  }

  private amount(value: number): string {
    return this.unit === 'nanoseconds' ? formatDuration(value) : `${formatCount(value)}${this.unit ? ` ${this.unit}` : ''}`;
  }

  private boxTitle(box: ProfileBox): string {
    const share = `${(box.width * 100).toFixed(1)}%`;
    const self = box.self > 0 ? `, self ${this.amount(box.self)}` : '';
    const diff = box.delta === undefined ? '' : `, ${box.delta >= 0 ? '+' : ''}${(box.delta * 100).toFixed(1)} points vs the rest`;
    return `${box.name} — ${this.amount(box.value)} (${share})${self}${diff}`;
  }

  private boxStyle(box: ProfileBox): string {
    const place = `left:${box.left * 100}%;width:${box.width * 100}%;top:${box.depth * LANE_PX}px`;
    if (box.delta === undefined) return `${place};--hue:${hueOf(box.name)}`;
    // Full colour at a 20-point difference in share.
    const strength = Math.min(100, Math.round((Math.abs(box.delta) / 0.2) * 100));
    return `${place};--diff-color:${box.delta >= 0 ? 'var(--tl-error)' : 'var(--tl-accent)'};--diff-strength:${strength}%`;
  }

  override render() {
    const diff = this.baseline !== undefined;
    return html`<p class="note" data-testid="profile-flame-note">
        ${diff
          ? 'Widths: the slow spans’ samples. Red: a larger share than in the other spans; blue: smaller.'
          : 'Callers above callees; width is the share of the samples.'}
        ${this.flame.hidden > 0 ? ` ${formatCount(this.flame.hidden)} frames too narrow to draw are left out.` : nothing}
      </p>
      <div class="graph" data-testid=${diff ? 'diff-flame-graph' : 'profile-flame-graph'} style=${`height:${this.flame.lanes * LANE_PX}px`}>
        ${this.flame.boxes.map(
          (box) =>
            html`<div
              class=${diff ? 'box diff' : 'box'}
              data-testid="profile-frame"
              data-name=${box.name}
              data-depth=${box.depth}
              data-delta=${box.delta === undefined ? nothing : box.delta.toFixed(4)}
              title=${this.boxTitle(box)}
              style=${this.boxStyle(box)}
            >
              ${box.name}
            </div>`,
        )}
      </div>`;
  }
}

/** A stable warm hue per function name, so a function keeps its colour across graphs. */
function hueOf(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return 10 + (Math.abs(h) % 50);
}

customElements.define('tl-profile-flame', TlProfileFlame);

declare global {
  interface HTMLElementTagNameMap {
    'tl-profile-flame': TlProfileFlame;
  }
}
