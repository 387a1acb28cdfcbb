import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, installCommand, requireTool, requireTools } from './tools.js';

describe('system tools', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conduit-tools-'));
    await writeFile(join(dir, 'nginx'), '#!/bin/sh\n', { mode: 0o755 });
    await writeFile(join(dir, 'promtool'), 'not executable', { mode: 0o644 });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds an executable in PATH, and not a file that cannot be run', () => {
    expect(findTool('nginx', dir)).toBe(join(dir, 'nginx'));
    expect(findTool('promtool', dir)).toBeUndefined();
    expect(findTool(join(dir, 'nginx'))).toBe(join(dir, 'nginx'));
  });

  it('fails in one line naming the tool and the package that installs it', () => {
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      expect(() => requireTool('promtool')).toThrow(
        'required tool "promtool" is not installed: run `apt-get install -y --no-install-recommends prometheus`',
      );
      expect(() => requireTools(['nginx', 'amtool', 'prometheus-alertmanager', 'chromium'])).toThrow(
        /^required tools not installed: amtool, prometheus-alertmanager, chromium; run `apt-get install -y --no-install-recommends prometheus-alertmanager chromium`/,
      );
      expect(requireTool('nginx')).toBe(join(dir, 'nginx'));
    } finally {
      process.env.PATH = path;
    }
  });

  it('installs each package once', () => {
    expect(installCommand(['a', 'b', 'a'])).toBe('apt-get install -y --no-install-recommends a b');
  });
});
