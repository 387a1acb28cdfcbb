import { describe, expect, it } from 'vitest';
import { type NginxConf, prefixedConf, startNginxProcess } from './nginx.js';

const answering =
  (body: string): NginxConf =>
  (prefix, port, generation) =>
    prefixedConf(
      prefix,
      1,
      `server {
    listen 127.0.0.1:${port};
    location = /generation { return 200 "${generation}"; }
    location / { return 200 "${body}"; }
  }`,
    );

const text = (url: string) => fetch(url).then((response) => response.text());

describe('startNginxProcess', () => {
  it('reloads to the next generation and resolves once the new workers answer', async () => {
    const nginx = await startNginxProcess({ conf: answering('first'), generationPath: '/generation' });
    try {
      expect(await text(`${nginx.url}/`)).toBe('first');
      await nginx.reload(answering('second'));
      // Without waiting for the generation, an old worker could still answer here.
      expect(await text(`${nginx.url}/`)).toBe('second');
      expect(await text(`${nginx.url}/generation`)).toBe('1');
    } finally {
      await nginx.stop();
    }
  });

  it('rejects a reload to a configuration nginx refuses, with its error, and keeps serving the old one', async () => {
    const nginx = await startNginxProcess({ conf: answering('first'), generationPath: '/generation' });
    try {
      await expect(nginx.reload(() => 'events {} http { nonsense; }')).rejects.toThrow(
        /did not serve generation 1 .*unknown directive "nonsense"/s,
      );
      expect(await text(`${nginx.url}/`)).toBe('first');
    } finally {
      await nginx.stop();
    }
  }, 20_000);

  it('refuses to reload without a generation path to wait for', async () => {
    const nginx = await startNginxProcess({ conf: answering('first') });
    try {
      await expect(nginx.reload(answering('second'))).rejects.toThrow(/needs a generationPath/);
    } finally {
      await nginx.stop();
    }
  });
});
