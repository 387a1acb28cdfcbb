import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from './kube-api.js';
import { createKubeApi } from './kube-client.js';
import { stageFacts } from './stages.js';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

/**
 * A fake Kubernetes API server on loopback: it answers like the API server for the few paths the adapter
 * calls, so the test sees the real HTTP requests @kubernetes/client-node sends.
 */
describe('Kubernetes adapter over HTTP (fake k8s API server on loopback)', () => {
  let server: Server;
  let dir: string;
  const seen: Seen[] = [];
  let previous: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      req.on('end', () => {
        seen.push({
          method: req.method ?? '',
          url: req.url ?? '',
          contentType: req.headers['content-type'],
          body: raw ? JSON.parse(raw) : null,
        });
        const json = (status: number, body: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (req.url?.includes('/rollouts/missing')) {
          json(404, {
            kind: 'Status',
            status: 'Failure',
            reason: 'NotFound',
            message: 'rollouts.argoproj.io "missing" not found',
            code: 404,
          });
        } else if (req.method === 'GET' && req.url?.startsWith('/api/v1/services')) {
          json(200, {
            kind: 'ServiceList',
            items: [
              { metadata: { namespace: 'conduit', name: 'api' }, spec: { type: 'ClusterIP' } },
              {
                metadata: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
                spec: { type: 'LoadBalancer' },
              },
            ],
          });
        } else if (req.method === 'GET' && req.url?.startsWith('/apis/networking.k8s.io/v1/ingresses')) {
          json(200, {
            kind: 'IngressList',
            items: [{ metadata: { namespace: 'conduit', name: 'conduit' } }],
          });
        } else if (req.method === 'GET' && req.url?.endsWith('/namespaces/argocd/applications')) {
          json(200, {
            items: [
              {
                metadata: {
                  name: 'conduit-dev-root',
                  finalizers: ['resources-finalizer.argocd.argoproj.io'],
                },
                spec: { syncPolicy: { automated: { prune: true, selfHeal: true } } },
              },
              { metadata: { name: 'manual' }, spec: {} },
            ],
          });
        } else if (req.method === 'DELETE') {
          json(200, { kind: 'Status', status: 'Success' });
        } else if (req.url?.includes('/horizontalpodautoscalers/api')) {
          json(200, {
            metadata: { name: 'api' },
            spec: { minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Rollout', name: 'api' } },
            status: { currentReplicas: 3, desiredReplicas: 4 },
          });
        } else {
          json(200, {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Rollout',
            metadata: { name: 'api' },
            spec: {},
            status: { phase: 'Paused' },
          });
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(join(tmpdir(), 'conduit-kubeapi-'));
    previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = join(dir, 'config');
    // client-node accepts a plain-HTTP server only with TLS verification off; nothing leaves loopback.
    await writeFile(
      process.env.KUBECONFIG,
      `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: arn:aws:eks:us-east-1:1:cluster/conduit-dev
  cluster:
    server: http://127.0.0.1:${port}
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context:
    cluster: arn:aws:eks:us-east-1:1:cluster/conduit-dev
    user: u
users:
- name: u
  user:
    token: test-token
`,
    );
  });

  afterAll(async () => {
    if (previous === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previous;
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('patches the Rollout status subresource with a JSON merge patch, like the plugin', async () => {
    const kube = createKubeApi(stageFacts('dev'));
    seen.length = 0;
    await kube.patchRollout('conduit', 'api', { status: { pauseConditions: null } }, 'status');
    await kube.patchRollout('conduit', 'api', { spec: { paused: false } });
    expect(seen).toEqual([
      {
        method: 'PATCH',
        url: '/apis/argoproj.io/v1alpha1/namespaces/conduit/rollouts/api/status',
        contentType: 'application/merge-patch+json',
        body: { status: { pauseConditions: null } },
      },
      {
        method: 'PATCH',
        url: '/apis/argoproj.io/v1alpha1/namespaces/conduit/rollouts/api',
        contentType: 'application/merge-patch+json',
        body: { spec: { paused: false } },
      },
    ]);
  });

  it('maps a 404 to NotFoundError and reads HPAs through autoscaling/v2', async () => {
    const kube = createKubeApi(stageFacts('dev'));
    await expect(kube.getRollout('conduit', 'missing')).rejects.toBeInstanceOf(NotFoundError);
    seen.length = 0;
    expect(await kube.getHpa('conduit', 'api')).toEqual({
      name: 'api',
      minReplicas: 2,
      maxReplicas: 10,
      currentReplicas: 3,
      desiredReplicas: 4,
    });
    expect(seen[0]?.url).toBe('/apis/autoscaling/v2/namespaces/conduit/horizontalpodautoscalers/api');
  });

  it('teardown calls: cluster-wide lists, Argo CD Applications merge-patched and deleted, NodePools deleted', async () => {
    const kube = createKubeApi(stageFacts('dev'));
    seen.length = 0;
    expect(await kube.listLoadBalancerServices()).toEqual([
      { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' },
    ]);
    expect(await kube.listAllIngresses()).toEqual([{ namespace: 'conduit', name: 'conduit' }]);
    expect(await kube.listApplications('argocd')).toEqual([
      {
        name: 'conduit-dev-root',
        automated: true,
        selfHeal: true,
        finalizers: ['resources-finalizer.argocd.argoproj.io'],
      },
      { name: 'manual', automated: false, selfHeal: false, finalizers: [] },
    ]);
    const patch = { metadata: { finalizers: [] }, spec: { syncPolicy: { automated: null } } };
    await kube.patchApplication('argocd', 'conduit-dev-root', patch);
    await kube.deleteApplication('argocd', 'conduit-dev-root');
    await kube.deleteIngress('conduit', 'conduit');
    await kube.deleteService('ingress-nginx', 'ingress-nginx-controller');
    await kube.deleteNodePool('default');
    expect(seen.map((r) => `${r.method} ${r.url.split('?')[0]}`)).toEqual([
      'GET /api/v1/services',
      'GET /apis/networking.k8s.io/v1/ingresses',
      'GET /apis/argoproj.io/v1alpha1/namespaces/argocd/applications',
      'PATCH /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/conduit-dev-root',
      'DELETE /apis/argoproj.io/v1alpha1/namespaces/argocd/applications/conduit-dev-root',
      'DELETE /apis/networking.k8s.io/v1/namespaces/conduit/ingresses/conduit',
      'DELETE /api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller',
      'DELETE /apis/karpenter.sh/v1/nodepools/default',
    ]);
    expect(seen[3]).toMatchObject({ contentType: 'application/merge-patch+json', body: patch });
  });
});
