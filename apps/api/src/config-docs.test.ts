import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from './config.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function documented(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*([^|]*?)\s*\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

describe('README configuration table', () => {
  const rows = documented();

  it('lists every setting of the schema and nothing else', () => {
    expect([...rows.keys()].sort()).toEqual(Object.keys(configSchema.properties).sort());
  });

  it('states each default as the schema declares it', () => {
    for (const [key, schema] of Object.entries(configSchema.properties)) {
      const fallback = (schema as { default?: unknown }).default;
      const shown = rows.get(key);
      if (fallback === undefined) expect(shown, key).toBe('(unset)');
      else if (fallback === '') expect(shown, key).toBe('(empty)');
      else expect(shown, key).toBe(`\`${String(fallback)}\``);
    }
  });
});
