import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from './config.js';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/conduit', SMTP_URL: 'smtp://127.0.0.1:2525' };

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(base)).toMatchObject({ PORT: 9464, EMAIL_TRANSPORT: 'smtp', NOTIFY_MAX_ATTEMPTS: 5 });
  });

  it.each([
    [{ DATABASE_URL: undefined }, /^invalid configuration: DATABASE_URL is required$/],
    [{ PORT: 'eighty' }, /^invalid configuration: PORT must be a number \(got "eighty"\)$/],
    [{ EMAIL_TRANSPORT: 'pigeon' }, /^invalid configuration: EMAIL_TRANSPORT must be one of smtp, ses/],
    [{ SMTP_URL: undefined }, /^invalid configuration: SMTP_URL is required for smtp$/],
    [{ EMAIL_TRANSPORT: 'ses' }, /^invalid configuration: AWS_REGION is required for ses$/],
    [{ PUBLIC_URL: 'https://conduit.example.com/' }, /^invalid configuration: PUBLIC_URL /],
    [
      { NOTIFY_LEASE_MS: '5000', NOTIFY_BATCH_SIZE: '10' },
      /NOTIFY_LEASE_MS \(5000\) must exceed .* \(100000\)/,
    ],
    [{ NODE_ENV: 'production' }, /^invalid configuration: PUBLIC_URL is required in production/],
    [
      { DATABASE_PASSWORD_FILE: '/nonexistent/password' },
      /^invalid configuration: DATABASE_PASSWORD_FILE must be a readable file \(\/nonexistent\/password: ENOENT\)$/,
    ],
    [
      { DATABASE_POOL_MAX_LIFETIME_SECONDS: '-1' },
      /^invalid configuration: DATABASE_POOL_MAX_LIFETIME_SECONDS must be >= 0 \(got "-1"\)$/,
    ],
  ])('stops on %o naming the setting', (env, message) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(message);
  });

  it('never echoes a URL that may carry a password', () => {
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://user:hunter2@relay' })).toThrow(
      /^(?!.*hunter2).*SMTP_URL/,
    );
  });
});

describe('README', () => {
  it('lists every setting with its default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rows = [...readme.matchAll(/^\| `([A-Z_0-9]+)` +\| ([^|]+?) +\|/gm)].map(([, key, def]) => [
      key,
      def,
    ]);
    const expected = Object.entries(configSchema.properties).map(([key, schema]) => {
      const value = (schema as { default?: unknown }).default;
      return [key, value === undefined ? '(unset)' : `\`${String(value)}\``];
    });
    expect(rows).toEqual(expected);
  });
});
