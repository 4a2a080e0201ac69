import type { ErrorLogger } from '../query-router-options.js';

/** Test-only logger that keeps what it was given. */
export class RecordingLogger implements ErrorLogger {
  readonly entries: Array<{ details: object; message: string }> = [];

  error(details: object, message: string): void {
    this.entries.push({ details, message });
  }
}
