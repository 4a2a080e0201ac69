import type Database from 'better-sqlite3';

/**
 * Inserts rows many at a time, `INSERT … VALUES (…), (…), …` with up to `rowsPerStatement`
 * rows: per row, a statement run costs more than SQLite's own B-tree work for a small
 * row, so postings and such go in groups. `flush` writes what is left; call it before the
 * transaction ends.
 */
export class RowBatcher {
  private readonly full;
  private readonly values: unknown[] = [];
  private rows = 0;

  constructor(
    private readonly db: Database.Database,
    /** `INSERT … INTO table (a, b, c)`, without VALUES. */
    private readonly insert: string,
    private readonly columns: number,
    private readonly rowsPerStatement = 100,
    /** After the VALUES: an upsert's `ON CONFLICT …`. */
    private readonly suffix = '',
  ) {
    this.full = db.prepare(this.sql(rowsPerStatement));
  }

  add(...row: unknown[]): void {
    for (const value of row) this.values.push(value);
    if (++this.rows === this.rowsPerStatement) {
      this.full.run(this.values);
      this.values.length = 0;
      this.rows = 0;
    }
  }

  flush(): void {
    if (this.rows === 0) return;
    this.db.prepare(this.sql(this.rows)).run(this.values);
    this.values.length = 0;
    this.rows = 0;
  }

  /** Drops rows not yet written (after a rolled-back transaction). */
  discard(): void {
    this.values.length = 0;
    this.rows = 0;
  }

  private sql(rows: number): string {
    const row = `(${Array.from({ length: this.columns }, () => '?').join(', ')})`;
    return `${this.insert} VALUES ${Array.from({ length: rows }, () => row).join(', ')}${this.suffix ? ` ${this.suffix}` : ''}`;
  }
}
