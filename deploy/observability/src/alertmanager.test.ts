import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@conduit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanager, amtool, run, tempDir } from '../test/tools.js';
import { ALERTMANAGER_SECRETS_DIR, alertmanagerConfig, RECEIVERS } from './alertmanager.js';

const config = alertmanagerConfig();

describe('alertmanager config (real amtool)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let path: string;
  beforeAll(async () => {
    files = await tempDir('am');
    path = await files.yaml('alertmanager.yml', config);
  });
  afterAll(async () => {
    await files?.dispose();
  });

  it('passes amtool check-config', async () => {
    const result = await run(amtool(), ['check-config', path]);
    expect(result.output).toContain('SUCCESS');
    expect(result.output).toContain('1 inhibit rules');
    expect(result.code).toBe(0);
  });

  it('amtool check-config rejects a broken config (the check can fail)', async () => {
    const broken = await files.yaml('broken.yml', {
      ...config,
      route: { ...config.route, receiver: 'nobody' },
    });
    const result = await run(amtool(), ['check-config', broken]);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('undefined receiver "nobody"');
  });

  it.each([
    ['severity=critical', RECEIVERS.pager],
    ['severity=warning', RECEIVERS.chat],
    ['severity=info', RECEIVERS.none],
    ['', RECEIVERS.chat],
  ])('routes an alert with "%s" to %s (amtool config routes test)', async (labels, receiver) => {
    const args = ['config', 'routes', 'test', `--config.file=${path}`, `--verify.receivers=${receiver}`];
    const alert = ['alertname=APIAvailabilityBudgetBurn', 'namespace=conduit', labels].filter(
      (l) => l !== '',
    );
    const result = await run(amtool(), [...args, ...alert]);
    expect(result.stdout.trim()).toBe(receiver);
    expect(result.code).toBe(0);
  });

  it('sends the Watchdog nowhere even though it is critical-looking', async () => {
    const result = await run(amtool(), [
      'config',
      'routes',
      'test',
      `--config.file=${path}`,
      `--verify.receivers=${RECEIVERS.none}`,
      'alertname=Watchdog',
      'severity=none',
    ]);
    expect(result.code).toBe(0);
  });

  it('groups by alertname and namespace, repeats critical hourly and warnings every 4 hours', () => {
    expect(config.route.group_by).toEqual(['alertname', 'namespace']);
    const repeat = (severity: string) =>
      config.route.routes?.find((r) => r.matchers?.includes(`severity="${severity}"`))?.repeat_interval;
    expect(repeat('critical')).toBe('1h');
    expect(repeat('warning')).toBe('4h');
  });

  it('reads every credential from a mounted Secret file, never inline', () => {
    const text = JSON.stringify(config);
    expect(text).not.toMatch(/"(routing_key|service_key|api_url|auth_password)":/);
    const files = [...text.matchAll(/"\w+_file":"([^"]+)"/g)].map((m) => m[1]);
    expect(files).toHaveLength(3);
    for (const file of files)
      expect(file?.startsWith(`${ALERTMANAGER_SECRETS_DIR}/alertmanager-receivers/`)).toBe(true);
    expect(() => alertmanagerConfig({ slackChannel: 'alerts' })).toThrow(/slackChannel must start with #/);
    expect(() => alertmanagerConfig({ smarthost: 'smtp' })).toThrow(/smarthost must be host:port/);
  });
});

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

describe('alertmanager inhibition (real alertmanager on loopback)', () => {
  let files: Awaited<ReturnType<typeof tempDir>>;
  let server: ChildProcess | undefined;
  let base = '';
  let log = '';

  beforeAll(async () => {
    files = await tempDir('am-inhibit');
    const port = await freePort();
    const deadPort = await freePort();
    // Same routes and inhibit rules; receivers point at a closed loopback port so nothing leaves the machine.
    const local = {
      ...config,
      receivers: config.receivers.map((r) => ({
        name: r.name,
        webhook_configs: [{ url: `http://127.0.0.1:${deadPort}/${r.name}`, send_resolved: false }],
      })),
    };
    const path = await files.yaml('alertmanager.yml', local);
    server = spawn(
      alertmanager(),
      [
        `--config.file=${path}`,
        `--storage.path=${join(files.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    server.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = await fetch(`${base}/-/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline || server.exitCode !== null) {
        throw new Error(`alertmanager did not become ready within 15 s:\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await files?.dispose();
  });

  it('a critical alert suppresses the warning of the same alertname and namespace only', async () => {
    const alert = (labels: Record<string, string>) => ({
      labels,
      annotations: { summary: 'test' },
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 600_000).toISOString(),
    });
    const posted = await fetch(`${base}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        alert({ alertname: 'APIAvailabilityBudgetBurn', namespace: 'conduit', severity: 'critical' }),
        alert({ alertname: 'APIAvailabilityBudgetBurn', namespace: 'conduit', severity: 'warning' }),
        alert({ alertname: 'APIAvailabilityBudgetBurn', namespace: 'staging', severity: 'warning' }),
        alert({ alertname: 'HighCPUUsage', namespace: 'conduit', severity: 'warning' }),
      ]),
    });
    expect(posted.status).toBe(200);

    const key = (a: ApiAlert) => `${a.labels.alertname}/${a.labels.namespace}/${a.labels.severity}`;
    let states: Record<string, string> = {};
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const alerts = (await (await fetch(`${base}/api/v2/alerts`)).json()) as ApiAlert[];
      states = Object.fromEntries(alerts.map((a) => [key(a), a.status.state]));
      if (Object.keys(states).length === 4 && Object.values(states).includes('suppressed')) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(states).toEqual({
      'APIAvailabilityBudgetBurn/conduit/critical': 'active',
      'APIAvailabilityBudgetBurn/conduit/warning': 'suppressed',
      'APIAvailabilityBudgetBurn/staging/warning': 'active',
      'HighCPUUsage/conduit/warning': 'active',
    });
  });
});
