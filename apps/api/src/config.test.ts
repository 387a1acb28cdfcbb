import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configKeys, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const { config, generatedJwtSecret } = loadConfig({});
    expect(config.PORT).toBe(8080);
    expect(config.HOST).toBe('127.0.0.1');
    expect(config.SHUTDOWN_DRAIN_DELAY_MS).toBe(5000);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    expect(config.FAULT_ERROR_RATE).toBe(0);
    expect(config.SEED_DEMO_DATA).toBe('auto');
    expect(config.LOCAL_DATA_DIR).toBeUndefined();
    expect(config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(generatedJwtSecret).toBe(true);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).generatedJwtSecret).toBe(false);
  });

  it('coerces numbers and booleans from strings', () => {
    const { config } = loadConfig({ PORT: '3000', MIGRATE_ON_START: 'false', FAULT_ERROR_RATE: '0.25' });
    expect(config.PORT).toBe(3000);
    expect(config.MIGRATE_ON_START).toBe(false);
    expect(config.FAULT_ERROR_RATE).toBe(0.25);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ MIGRATE_ON_START: 'maybe' }, 'MIGRATE_ON_START'],
    [{ FAULT_ERROR_RATE: '2' }, 'FAULT_ERROR_RATE'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ SEED_DEMO_DATA: 'yes' }, 'SEED_DEMO_DATA'],
    [{ LOCAL_DATA_DIR: ' ' }, 'LOCAL_DATA_DIR'],
    [{ EMBEDDED_POSTGRES_DATA_DIR: '/srv/pg' }, 'EMBEDDED_POSTGRES_DATA_DIR'],
    [{ TRUST_PROXY: 'true' }, 'TRUST_PROXY'],
    [{ TRUST_PROXY_HOPS: 'true' }, 'TRUST_PROXY_HOPS'],
    [{ PAGE_SIZE_MAX: '0' }, 'PAGE_SIZE_MAX'],
    [{ REQUEST_TIMEOUT_MS: '2000', HEADERS_TIMEOUT_MS: '3000' }, 'HEADERS_TIMEOUT_MS'],
  ])('rejects %o naming %s', (env, setting) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^invalid configuration: ${setting} `));
  });

  it('names the words a choice accepts', () => {
    expect(() => loadConfig({ SEED_DEMO_DATA: 'yes' })).toThrow(
      /^invalid configuration: SEED_DEMO_DATA must be one of auto, true, false \(got "yes"\)$/,
    );
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(
      /^invalid configuration: NODE_ENV must be one of development, test, production \(got "staging"\)$/,
    );
  });

  it('never echoes secret values in errors', () => {
    expect(() => loadConfig({ JWT_SECRET: 'tooshort-secret' })).not.toThrow(/tooshort-secret/);
  });

  it('refuses production without a JWT secret or a database', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' })).toThrow(
      /JWT_SECRET/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).toThrow(/DATABASE_URL/);
  });

  it('refuses demo data in production and says where the old data directory setting went', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://db/x' };
    expect(() => loadConfig({ ...base, SEED_DEMO_DATA: 'true' })).toThrow(
      /^invalid configuration: SEED_DEMO_DATA must not be true in production$/,
    );
    expect(loadConfig({ ...base, SEED_DEMO_DATA: 'false' }).config.SEED_DEMO_DATA).toBe('false');
    expect(() => loadConfig({ EMBEDDED_POSTGRES_DATA_DIR: '/srv/pg' })).toThrow(/replaced by LOCAL_DATA_DIR/);
  });

  it('refuses fault injection in production unless explicitly allowed', () => {
    const base = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), DATABASE_URL: 'postgres://db/x' };
    expect(() => loadConfig({ ...base, FAULT_ERROR_RATE: '0.1' })).toThrow(/FAULT_INJECTION_ALLOWED/);
    expect(
      loadConfig({ ...base, FAULT_ERROR_RATE: '0.1', FAULT_INJECTION_ALLOWED: 'true' }).config
        .FAULT_ERROR_RATE,
    ).toBe(0.1);
  });

  it('refuses a keep-alive timeout the ALB would outlive, in production', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      DATABASE_URL: 'postgres://db/c',
    };
    expect(() => loadConfig({ ...production, KEEP_ALIVE_TIMEOUT_MS: '60000' })).toThrow(
      /^invalid configuration: KEEP_ALIVE_TIMEOUT_MS /,
    );
    expect(loadConfig(production).config.KEEP_ALIVE_TIMEOUT_MS).toBe(72_000);
    expect(loadConfig({ KEEP_ALIVE_TIMEOUT_MS: '5000' }).config.KEEP_ALIVE_TIMEOUT_MS).toBe(5000);
  });

  describe('database credential rotation settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'conduit-config-'));
    const file = join(dir, 'password');
    writeFileSync(file, 'secret\n');

    it('accepts a readable password file, a wait and a lifetime, with documented defaults', () => {
      expect(loadConfig({}).config).toMatchObject({
        DATABASE_PASSWORD_WAIT_MS: 30_000,
        DATABASE_POOL_MAX_LIFETIME_SECONDS: 1800,
      });
      expect(loadConfig({}).config.DATABASE_PASSWORD_FILE).toBeUndefined();
      const { config } = loadConfig({
        DATABASE_PASSWORD_FILE: file,
        DATABASE_PASSWORD_WAIT_MS: '0',
        DATABASE_POOL_MAX_LIFETIME_SECONDS: '0',
      });
      expect(config).toMatchObject({
        DATABASE_PASSWORD_FILE: file,
        DATABASE_PASSWORD_WAIT_MS: 0,
        DATABASE_POOL_MAX_LIFETIME_SECONDS: 0,
      });
    });

    it.each([
      [
        { DATABASE_PASSWORD_WAIT_MS: 'soon' },
        /^invalid configuration: DATABASE_PASSWORD_WAIT_MS must be a number \(got "soon"\)$/,
      ],
      [
        { DATABASE_PASSWORD_WAIT_MS: '-1' },
        /^invalid configuration: DATABASE_PASSWORD_WAIT_MS .*>= 0.* \(got "-1"\)$/,
      ],
      [{ DATABASE_PASSWORD_WAIT_MS: '600001' }, /^invalid configuration: DATABASE_PASSWORD_WAIT_MS .*600000/],
      [{ DATABASE_PASSWORD_WAIT_MS: '1.5' }, /^invalid configuration: DATABASE_PASSWORD_WAIT_MS .*integer/],
      [
        { DATABASE_POOL_MAX_LIFETIME_SECONDS: '-5' },
        /^invalid configuration: DATABASE_POOL_MAX_LIFETIME_SECONDS .*>= 0/,
      ],
      [
        { DATABASE_POOL_MAX_LIFETIME_SECONDS: 'forever' },
        /^invalid configuration: DATABASE_POOL_MAX_LIFETIME_SECONDS must be a number/,
      ],
      [
        { DATABASE_PASSWORD_FILE: join(dir, 'missing') },
        /^invalid configuration: DATABASE_PASSWORD_FILE must be a readable file \(.*missing: ENOENT\)$/,
      ],
    ])('rejects %o with a message naming the setting', (env, message) => {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    });
  });

  it('exposes every key name for the deploy code', () => {
    expect(configKeys.SHUTDOWN_DRAIN_DELAY_MS).toBe('SHUTDOWN_DRAIN_DELAY_MS');
    expect(Object.keys(configKeys)).toContain('DATABASE_URL');
  });
});
