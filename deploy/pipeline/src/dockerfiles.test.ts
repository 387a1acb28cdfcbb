import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DISTROLESS_NODE, imageUser, OPS_IMAGE, STATIC_ASSETS, WORKLOADS } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { type BuildStage, parseDockerfile } from './dockerfile.js';
import { checkDockerfile, type DockerfileRules } from './dockerfile-checks.js';
import { repoRoot } from './paths.js';

/** Every image of the platform model: `apps/<image>/Dockerfile`, with the rules of its runtime. */
const images: readonly [string, DockerfileRules][] = [
  ...WORKLOADS.map((w): [string, DockerfileRules] => [
    `apps/${w.image}/Dockerfile`,
    { runtime: w.runtime === 'nginx' ? 'static' : 'node' },
  ]),
  [`apps/${OPS_IMAGE.image}/Dockerfile`, { runtime: 'node' }],
];
const read = (path: string) => readFile(join(repoRoot, path), 'utf8');
/** The stage whose base is an image, following `FROM <earlier stage>` back. */
const imageStage = (stage: BuildStage, stages: readonly BuildStage[]): BuildStage =>
  stage.image ? stage : imageStage(stages.find((s) => s.name === stage.base)!, stages);

describe.each(images)('%s', (path, rules) => {
  it('passes every image rule', async () => {
    expect(checkDockerfile(parseDockerfile(await read(path)), rules)).toEqual([]);
  });

  it('is multi-stage, with a digest-pinned, non-root, health-checked runtime', async () => {
    const { stages, final } = parseDockerfile(await read(path));
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(imageStage(final, stages).image?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(final.steps.find((s) => s.keyword === 'USER')?.text).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    // The ops image is a batch CLI: no server, and its one runtime RUN installs the PostgreSQL clients.
    if (!path.includes('/ops/')) {
      expect(final.steps.find((s) => s.keyword === 'HEALTHCHECK')?.exec?.join(' ')).toContain('/healthz');
      expect(final.steps.some((s) => s.keyword === 'RUN')).toBe(false);
    }
  });
});

describe('images run as the user the platform model records (the pods run as it)', () => {
  it.each(images.map(([path]) => path))('%s: the runtime USER is the model image user', async (path) => {
    const image = path.split('/')[1]!;
    const { final } = parseDockerfile(await read(path));
    const { uid, gid } = imageUser(image);
    expect(final.steps.filter((s) => s.keyword === 'USER').at(-1)?.text).toBe(`${uid}:${gid}`);
  });

  it.each(WORKLOADS.filter((w) => w.runtime === 'node').map((w) => w.image))(
    'apps/%s/Dockerfile: a distroless node image whose ENTRYPOINT starts with the node binary the model names',
    async (image) => {
      const { final } = parseDockerfile(await read(`apps/${image}/Dockerfile`));
      expect(final.steps.find((s) => s.keyword === 'ENTRYPOINT')?.exec?.[0]).toBe(DISTROLESS_NODE);
    },
  );
});

describe('the ops image', () => {
  it('runs the conduit bundle on Node 24 with pg_dump/pg_restore 17, nothing from npm at runtime', async () => {
    const { stages, final } = parseDockerfile(await read('apps/ops/Dockerfile'));
    // The runtime starts from the pg-clients stage (a build argument substitutes it in e2e/images).
    expect(final.base).toBe('pg-clients');
    for (const stage of stages) {
      expect(imageStage(stage, stages).base, stage.name).toMatch(/^node:24-bookworm-slim@sha256:/);
    }
    expect(
      stages
        .find((s) => s.name === 'build')
        ?.steps.map((s) => s.text)
        .join('\n'),
    ).toContain('npm run build -w @conduit/ops');
    expect(final.steps.find((s) => s.keyword === 'ENTRYPOINT')?.exec).toEqual([
      '/usr/local/bin/node',
      '/app/conduit.mjs',
    ]);
    expect(final.steps.filter((s) => s.keyword === 'COPY').map((s) => s.text)).toEqual([
      '/src/apps/ops/dist/conduit.mjs /app/conduit.mjs',
      '/src/apps/ops/dist/rds-ca.pem /app/rds-ca.pem',
    ]);
    expect(final.steps.some((s) => s.keyword === 'RUN')).toBe(false);
    const run = stages
      .find((s) => s.name === 'pg-clients')!
      .steps.filter((s) => s.keyword === 'RUN')
      .map((s) => s.text)
      .join('\n');
    // PGDG's key comes from Debian's signed postgresql-common package, never from a bare download.
    expect(run).toContain('apt.postgresql.org.sh -y');
    expect(run).toContain('postgresql-client-17');
    expect(run).not.toMatch(/\b(curl|wget)\b/);
    const env = final.steps
      .filter((s) => s.keyword === 'ENV')
      .map((s) => s.text)
      .join(' ');
    expect(env).toContain('CONDUIT_PG_BIN_DIR=/usr/lib/postgresql/17/bin');
    // RDS is verified (sslmode=verify-full) against the CA bundle the build wrote beside the CLI.
    expect(env).toContain('PGSSLROOTCERT=/app/rds-ca.pem');
    expect(env).toContain('NODE_EXTRA_CA_CERTS=/app/rds-ca.pem');
    expect(final.steps.find((s) => s.keyword === 'USER')?.text).toBe('1000:1000');
    expect(final.steps.find((s) => s.keyword === 'STOPSIGNAL')?.text).toBe('SIGTERM');
  });
});

describe('the API image', () => {
  it('runs node directly with the bundle, carries version and sha into /version, stops with SIGTERM', async () => {
    const { final } = parseDockerfile(await read('apps/api/Dockerfile'));
    expect(final.steps.find((s) => s.keyword === 'ENTRYPOINT')?.exec).toEqual([
      '/nodejs/bin/node',
      'dist/server.js',
    ]);
    expect(final.steps.find((s) => s.keyword === 'STOPSIGNAL')?.text).toBe('SIGTERM');
    const env = final.steps
      .filter((s) => s.keyword === 'ENV')
      .map((s) => s.text)
      .join(' ');
    for (const name of ['APP_VERSION', 'GIT_SHA', 'BUILD_TIME']) expect(env).toContain(`${name}=\${${name}}`);
    expect(env).toContain('PORT=3000');
    expect(env).toContain('NODE_EXTRA_CA_CERTS=/app/apps/api/dist/rds-ca.pem');
    const copies = final.steps.filter((s) => s.keyword === 'COPY').map((s) => s.text);
    expect(copies).toEqual(
      expect.arrayContaining(['/src/apps/api/dist ./dist', '/src/apps/api/migrations ./migrations']),
    );
  });
});

describe('the web image', () => {
  it('serves apps/web/nginx.conf with html/ under the /usr/share/nginx prefix, in the foreground', async () => {
    const { final } = parseDockerfile(await read('apps/web/Dockerfile'));
    const conf = await read('apps/web/nginx.conf');
    expect(conf).toMatch(/^\s*root html;/m);
    expect(conf).toMatch(/^\s*listen 8080\b/m);
    const copies = final.steps.filter((s) => s.keyword === 'COPY').map((s) => s.text);
    expect(copies).toEqual([
      '/src/apps/web/nginx.conf /etc/nginx/nginx.conf',
      '/src/apps/web/dist /usr/share/nginx/html',
      `/src/apps/web/release-assets.txt ${STATIC_ASSETS.ownList}`,
    ]);
    expect(`/usr/share/nginx/html/assets`).toBe(STATIC_ASSETS.dir);
    // The assets of the releases it replaces come only from the named context release.yml gives it.
    const { stages } = parseDockerfile(await read('apps/web/Dockerfile'));
    expect(stages.find((stage) => stage.name === 'previous-assets')).toMatchObject({
      base: 'scratch',
      steps: [],
    });
    const build = stages.find((stage) => stage.name === 'build');
    expect(build?.steps.filter((s) => s.keyword === 'COPY' && s.from === 'previous-assets').length).toBe(1);
    expect(final.steps.find((s) => s.keyword === 'ENTRYPOINT')?.exec).toEqual([
      'nginx',
      '-p',
      '/usr/share/nginx/',
      '-c',
      '/etc/nginx/nginx.conf',
      '-g',
      'daemon off;',
    ]);
  });
});

describe('base images', () => {
  it.each(images.map(([path]) => path))(
    '%s pins each base in a stage of its own and builds on it through NODE_BASE or RUNTIME_BASE',
    async (path) => {
      const { stages, final } = parseDockerfile(await read(path));
      for (const stage of stages) {
        if (stage.image) {
          expect(stage.name).toMatch(/-base$/);
          expect(stage.image.digest, stage.name).toMatch(/^sha256:[0-9a-f]{64}$/);
        } else if (stage.base !== 'scratch') {
          expect(stage.baseArg, stage.name).toMatch(/^(NODE|RUNTIME)_BASE$/);
        }
      }
      expect(final.baseArg).toBe('RUNTIME_BASE');
    },
  );
  it('reads a base from a build argument at its default, and rejects one without a default', () => {
    const pinned = `node:24@sha256:${'a'.repeat(64)}`;
    const { final } = parseDockerfile(`ARG BASE=${pinned}\nFROM \${BASE} AS runtime\n`);
    expect(final).toMatchObject({ base: pinned, baseArg: 'BASE', image: { name: 'node', tag: '24' } });
    expect(() => parseDockerfile('ARG BASE\nFROM $BASE\n')).toThrow(
      /^line 2: FROM .+BASE.+ has no default value$/,
    );
  });
});

describe('the rules catch what they are for', () => {
  const base = `FROM node:24@sha256:${'a'.repeat(64)} AS deps
RUN npm ci --omit=dev
FROM gcr.io/distroless/nodejs24-debian12@sha256:${'b'.repeat(64)}
LABEL org.opencontainers.image.source=x org.opencontainers.image.revision=y org.opencontainers.image.version=z
COPY --from=deps /src/node_modules /app/node_modules
USER 65532:65532
STOPSIGNAL SIGTERM
HEALTHCHECK CMD ["/nodejs/bin/node", "-e", "0"]
ENTRYPOINT ["/nodejs/bin/node", "dist/server.js"]
`;
  const problems = (text: string, runtime: DockerfileRules['runtime'] = 'node') =>
    checkDockerfile(parseDockerfile(text), { runtime }).join('\n');

  it('accepts the minimal good Dockerfile', () => {
    expect(problems(base)).toBe('');
  });
  it.each([
    ['an unpinned base image', base.replace(`@sha256:${'a'.repeat(64)}`, ''), /not pinned by digest/],
    [
      'an unpinned default of a base argument',
      `ARG NODE_BASE=node:24\n${base.replace(`node:24@sha256:${'a'.repeat(64)}`, '$NODE_BASE')}`,
      /stage "deps": base image node:24 is not pinned by digest/,
    ],
    ['a root user', base.replace('USER 65532:65532', 'USER 0'), /is root/],
    ['a named user', base.replace('USER 65532:65532', 'USER node'), /must be numeric/],
    ['no user', base.replace('USER 65532:65532\n', ''), /no USER/],
    ['no healthcheck', base.replace(/HEALTHCHECK.*\n/, ''), /no HEALTHCHECK/],
    [
      'a shell-form healthcheck',
      base.replace(/HEALTHCHECK.*\n/, 'HEALTHCHECK CMD curl -f localhost\n'),
      /exec form/,
    ],
    ['an ADD from a URL', base.replace('USER', 'ADD https://example.com/x.tgz /x\nUSER'), /ADD from a URL/],
    [
      'a secret in ENV',
      base.replace('USER', 'ENV JWT_SECRET=abc\nUSER'),
      /ENV JWT_SECRET looks like a secret/,
    ],
    ['a secret in ARG', base.replace('USER', 'ARG NPM_TOKEN\nUSER'), /ARG NPM_TOKEN looks like a secret/],
    [
      'dev dependencies in the runtime',
      base.replace('npm ci --omit=dev', 'npm ci'),
      /installs dev dependencies/,
    ],
    [
      'an install in the runtime',
      base.replace('USER', 'RUN npm install\nUSER'),
      /installs packages in the runtime/,
    ],
    ['no stop signal', base.replace('STOPSIGNAL SIGTERM\n', ''), /no STOPSIGNAL/],
    ['a shell-form entrypoint', base.replace(/ENTRYPOINT.*/, 'ENTRYPOINT node dist/server.js'), /exec form/],
    [
      'a shell entrypoint',
      base.replace(/ENTRYPOINT.*/, 'ENTRYPOINT ["sh", "-c", "node x"]'),
      /a shell between/,
    ],
    [
      'missing OCI labels',
      base.replace(/LABEL.*\n/, ''),
      /missing OCI label org.opencontainers.image.revision/,
    ],
  ])('rejects %s', (_what, text, expected) => {
    expect(problems(text)).toMatch(expected);
  });
  it('rejects node_modules in a static image', () => {
    expect(problems(base, 'static')).toMatch(/static image must not contain node_modules/);
  });
});
