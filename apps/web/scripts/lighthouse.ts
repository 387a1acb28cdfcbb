import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { requireTool } from '@conduit/testing';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse, { type Flags } from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { seed } from '../e2e/api.js';
import { startApi } from '../e2e/stack.js';
import { startNginx } from '../test/nginx-server.js';

/**
 * Lighthouse (mobile and desktop presets) against the production build served by the production
 * nginx.conf, with /api routed to a real API and PostgreSQL as the load balancer does in production.
 */
const WEB = resolve(import.meta.dirname, '..');
const DIST = join(WEB, 'dist');
const OUT = join(WEB, '.reports', 'lighthouse');
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'index.html')))
    throw new Error(`no build in ${DIST}: run "npm run build -w @conduit/web"`);
  const chromePath = requireTool('chromium');
  await mkdir(OUT, { recursive: true });

  const api = await startApi();
  const nginx = await startNginx({ root: DIST, apiUpstream: api.baseUrl }).catch(async (error: unknown) => {
    await api.stop();
    throw error;
  });
  let chrome: chromeLauncher.LaunchedChrome | undefined;
  try {
    const data = seed(api.baseUrl);
    const author = await data.user('lighthouse', { bio: 'Measures things.' });
    let slug = '';
    for (let i = 1; i <= 12; i += 1) {
      const article = await data.article(author.token, {
        title: `Performance notes, part ${i}`,
        description: 'What we measured and what we changed.',
        body: '## Budgets\n\nInitial JavaScript stays small, so the first page is quick.\n\n- gzip\n- code splitting',
        tagList: ['performance', 'web'],
      });
      slug ||= article.slug;
    }

    chrome = await chromeLauncher.launch({
      chromePath,
      chromeFlags: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-sync',
      ],
    });
    const pages = { home: '/', article: `/article/${slug}` };
    const rows: string[] = [];
    let worst = 1;
    for (const [preset, config] of [
      ['mobile', undefined],
      ['desktop', desktopConfig],
    ] as const) {
      for (const [name, path] of Object.entries(pages)) {
        const flags: Flags = {
          port: chrome.port,
          output: ['html', 'json'],
          logLevel: 'error',
          onlyCategories: [...CATEGORIES],
        };
        // Chromium's trace occasionally misses the navigation start (NO_NAVSTART); such a run measured
        // nothing, so it is repeated rather than reported as zeros.
        let result = await lighthouse(`${nginx.url}${path}`, flags, config);
        for (let attempt = 2; attempt <= 3 && result?.lhr.runtimeError; attempt += 1) {
          console.log(`${name} ${preset}: ${result.lhr.runtimeError.code}, running again (${attempt}/3)`);
          result = await lighthouse(`${nginx.url}${path}`, flags, config);
        }
        if (!result) throw new Error(`Lighthouse returned nothing for ${path}`);
        if (result.lhr.runtimeError) throw new Error(`${name} ${preset}: ${result.lhr.runtimeError.message}`);
        const [html, json] = result.report as string[];
        const base = join(OUT, `${name}-${preset}`);
        await writeFile(`${base}.report.html`, html ?? '');
        await writeFile(`${base}.report.json`, json ?? '');
        const scores = CATEGORIES.map((category) => result.lhr.categories[category]?.score ?? 0);
        worst = Math.min(worst, ...scores.slice(0, 3));
        rows.push(
          `${`${name} ${preset}`.padEnd(16)} ${scores.map((score) => score.toFixed(2).padStart(15)).join('')}`,
        );
      }
    }
    console.log(`${''.padEnd(16)} ${CATEGORIES.map((category) => category.padStart(15)).join('')}`);
    for (const row of rows) console.log(row);
    console.log(`reports: ${OUT}`);
    if (worst < 0.95) console.log(`note: a score is below the 0.95 goal (lowest ${worst.toFixed(2)})`);
  } finally {
    await chrome?.kill();
    await nginx.stop();
    await api.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`lighthouse: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
