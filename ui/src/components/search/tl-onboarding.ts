import { LitElement, css, html } from 'lit';
import { controlStyles } from '../common/shared-styles';

/** The empty state of a fresh install: how to get the first spans in. */
export class TlOnboarding extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      section {
        max-width: 46rem;
        padding: 1.25rem 1.5rem;
        border: 1px dashed var(--tl-border-strong);
        border-radius: var(--tl-radius);
        background: var(--tl-bg-raised);
      }
      h2 {
        margin: 0 0 0.4rem;
        font-size: 1.2rem;
      }
      table {
        border-collapse: collapse;
        margin: 0.6rem 0 1rem;
      }
      td {
        padding: 0.2rem 1rem 0.2rem 0;
        vertical-align: top;
      }
      pre {
        margin: 0.4rem 0 1rem;
        padding: 0.6rem 0.8rem;
        border-radius: var(--tl-radius);
        background: var(--tl-bg-sunken);
        overflow-x: auto;
        font-family: var(--tl-mono);
        font-size: 0.85rem;
      }
    `,
  ];

  override render() {
    return html`<section data-testid="onboarding" aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">No traces yet</h2>
      <p>Threadline has not received any spans. Point your services' exporters at it:</p>
      <table>
        <tbody>
          <tr><td>OTLP/HTTP</td><td class="mono">http://localhost:4318</td><td class="muted">/v1/traces, protobuf or JSON</td></tr>
          <tr><td>OTLP/gRPC</td><td class="mono">localhost:4317</td><td class="muted">TraceService/Export</td></tr>
          <tr><td>Zipkin v2</td><td class="mono">http://localhost:9411</td><td class="muted">POST /api/v2/spans</td></tr>
        </tbody>
      </table>
      <p>For a Go service using the OpenTelemetry SDK, set (its default is https, so the scheme matters):</p>
      <pre>OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318</pre>
      <p>Or try it with the bundled multi-service demo, from the Threadline repository:</p>
      <pre>npm run demo</pre>
      <p class="muted">Spans show up here within a few seconds; search again to see them.</p>
    </section>`;
  }
}

customElements.define('tl-onboarding', TlOnboarding);

declare global {
  interface HTMLElementTagNameMap {
    'tl-onboarding': TlOnboarding;
  }
}
