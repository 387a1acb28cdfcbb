import { describe, expect, it } from 'vitest';
import { requireTool } from './tools.js';

describe('requireTool', () => {
  it('returns the path of an installed tool', () => {
    expect(requireTool('sh')).toMatch(/\/sh$/);
  });

  it('fails, naming the package, when a tool is missing', () => {
    expect(() => requireTool('conduit-no-such-tool', 'conduit-pkg')).toThrow(/apt-get install conduit-pkg/);
  });
});
