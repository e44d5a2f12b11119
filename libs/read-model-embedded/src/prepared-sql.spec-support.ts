import type { ReadModelDocument } from '@as2-partners/kernel';
import type { EmbeddedReadModelCollection } from './embedded-read-model-collection';

/** The SQL of every statement `collection` prepares for its queries from now on, in order (they still run as before). */
export function preparedSqlOf<T extends ReadModelDocument>(collection: EmbeddedReadModelCollection<T>): string[] {
  const sql: string[] = [];
  const table = (collection as unknown as { table: { prepared(text: string): unknown } }).table;
  const prepared = table.prepared.bind(table);
  jest.spyOn(table, 'prepared').mockImplementation((text: string) => {
    sql.push(text);
    return prepared(text);
  });
  return sql;
}
