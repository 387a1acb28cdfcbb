import pg from 'pg';

// Rate-limit budgets count attempts, rejected ones included: that is their purpose, not a change of data.
const BOOKKEEPING = new Set(['rate_limits']);

/** Row count and md5 of the sorted row texts of every data table in the public schema, by table name. */
export async function tableChecksums(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    const sums = new Map<string, string>();
    for (const { name } of tables.rows.filter((table) => !BOOKKEEPING.has(table.name))) {
      const quoted = `"${name.replaceAll('"', '""')}"`;
      // Whole rows as text, timestamps included: a rejected request must not even touch updated_at.
      const { rows } = await client.query<{ count: string; sum: string | null }>(
        `SELECT count(*)::text AS count, md5(string_agg(t::text, ',' ORDER BY t::text)) AS sum FROM public.${quoted} t`,
      );
      sums.set(name, `${rows[0]?.count ?? '?'} rows, md5 ${rows[0]?.sum ?? '-'}`);
    }
    return sums;
  } finally {
    await client.end();
  }
}

/** Tables whose checksum differs (or that appeared or disappeared), as `name: before → after`. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  return names
    .filter((name) => before.get(name) !== after.get(name))
    .map((name) => `${name}: ${before.get(name) ?? 'absent'} → ${after.get(name) ?? 'absent'}`);
}
