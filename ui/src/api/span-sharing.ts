/**
 * Makes equal parts of spans one object on the page. The trace loader worker shares equal
 * attributes (decode-compact-trace.ts), but each batch it posts is a structured clone of its
 * own, so a batch's copies are not the previous batch's (about a tenth more heap for a
 * 100k-span trace sent in 25 batches), and JSON.parse made a string per name and parent ID
 * where a 100k-span trace repeats a few hundred names and each parent ID once per child.
 */
import { attributeTableField, ScalarAttributeMap, type KeyValue, type Span } from '@threadline/shared';

export class SpanSharing {
  private readonly attributes = new ScalarAttributeMap<KeyValue>();
  private readonly texts = new Map<string, string>();

  /** Replaces, in place, the batch's scalar attributes, names and parent IDs by the first equal ones seen. */
  share(batch: readonly Span[]): void {
    for (const span of batch) {
      span.name = this.text(span.name);
      span.parentSpanId = this.text(span.parentSpanId);
      this.list(span.attributes);
      for (const event of span.events) {
        event.name = this.text(event.name);
        this.list(event.attributes);
      }
    }
  }

  private list(attributes: KeyValue[]): void {
    for (let i = 0; i < attributes.length; i++) {
      const kv = attributes[i]!;
      const field = attributeTableField(kv.value);
      if (field === undefined) continue;
      const known = this.attributes.get(kv, field);
      if (known) attributes[i] = known;
      else this.attributes.set(kv, field, kv);
    }
  }

  private text(text: string): string {
    const known = this.texts.get(text);
    if (known !== undefined) return known;
    this.texts.set(text, text);
    return text;
  }
}
