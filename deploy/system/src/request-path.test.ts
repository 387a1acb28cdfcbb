import { workload } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { allScenarios, type K8sObject, type ScenarioArtifacts, template } from './artifacts.js';
import { type DistributionConfig, distribution, pathPatternMatches } from './edge.js';
import { ingressSpec } from './kube.js';
import { bodyLimitBytes, probeRequests, requestPathFindings } from './request-path.js';

const scenarios = allScenarios().map((a) => [a.scenario.name, a] as const);

/** A deep copy of a scenario's artifacts, for a seeded defect that must not leak into other tests. */
function broken(a: ScenarioArtifacts, mutate: (copy: ScenarioArtifacts) => void): ScenarioArtifacts {
  const copy = structuredClone(a);
  mutate(copy);
  return copy;
}

function edgeDistribution(a: ScenarioArtifacts): DistributionConfig {
  return distribution(template(a, 'Edge')).config;
}

function albIngress(a: ScenarioArtifacts): K8sObject {
  const found = a.manifests.conduit.find(
    (o) => o.kind === 'Ingress' && ingressSpec(o).ingressClassName === 'alb',
  );
  if (!found) throw new Error(`${a.scenario.name} has no ALB Ingress`);
  return found;
}

/** One object of a scenario's manifests; throws when the artifacts no longer hold it. */
function object(a: ScenarioArtifacts, kind: string, name: string): K8sObject {
  const found = a.manifests.conduit.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${a.scenario.name} has no ${kind} ${name}`);
  return found;
}

const dev = allScenarios().find((a) => a.scenario.name === 'dev') as ScenarioArtifacts;
const devNginx = allScenarios().find((a) => a.scenario.name === 'dev+nginx') as ScenarioArtifacts;

describe('the request path of every public route', () => {
  it.each(scenarios)(
    '%s: every route reaches its workload through CloudFront, WAF and the router',
    (_, a) => {
      expect(requestPathFindings(a)).toEqual([]);
    },
  );

  it.each(scenarios)('%s: every probe and health check names a port the app container declares', (_, a) => {
    for (const name of ['api', 'web']) {
      const { requests, findings } = probeRequests(a, workload(name));
      expect(findings).toEqual([]);
      expect(requests.map((r) => r.path)).toEqual(
        expect.arrayContaining([workload(name).probes.readiness, workload(name).probes.liveness]),
      );
    }
  });

  it('matches CloudFront path patterns as CloudFront does', () => {
    expect(pathPatternMatches('/api/*', '/api/articles')).toBe(true);
    expect(pathPatternMatches('/api/*', '/api')).toBe(false);
    expect(pathPatternMatches('api/*', '/api/x')).toBe(true);
    expect(pathPatternMatches('/API/*', '/api/x')).toBe(false);
    expect(pathPatternMatches('/a?c', '/abc')).toBe(true);
  });

  it('sends the API a body as large as its pods accept', () => {
    expect(bodyLimitBytes(dev, workload('api'))).toBeGreaterThan(8 * 1024);
  });
});

describe('seeded defects: the check fails on a broken copy of the artifacts', () => {
  it('an origin request policy that forwards the viewer Host (AllViewer) misses the Ingress host', () => {
    const a = broken(dev, (copy) => {
      for (const b of edgeDistribution(copy).CacheBehaviors ?? []) {
        (b as { OriginRequestPolicyId?: unknown }).OriginRequestPolicyId =
          '216adef6-5c7f-47e4-b989-5492eafa07d3';
      }
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /POST \/api\/system-check .*no alb Ingress rule matches Host dev\.conduit\.example\.com \(its origin request policy \(AllViewer\) forwards the viewer's Host\)/,
        ),
      ]),
    );
  });

  it('the managed common rule set blocks a large valid article body unless its size rule is overridden', () => {
    const a = broken(dev, (copy) => {
      const edge = template(copy, 'Edge');
      const acl = Object.values(edge.Resources).find((r) => r.Type === 'AWS::WAFv2::WebACL');
      for (const rule of (acl?.Properties?.Rules ?? []) as Record<
        string,
        Record<string, Record<string, unknown>>
      >[]) {
        const group = rule.Statement?.ManagedRuleGroupStatement;
        if (group) {
          delete group.RuleActionOverrides;
          delete group.ScopeDownStatement;
          delete group.ExcludedRules;
        }
      }
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /POST \/api\/system-check .*WAF rule AWSManagedRulesCommonRuleSet\/SizeRestrictions_BODY .*blocks it/,
        ),
      ]),
    );
  });

  it('an own body-size rule that is not scoped off the API blocks its large bodies', () => {
    const a = broken(dev, (copy) => {
      const edge = template(copy, 'Edge');
      const acl = Object.values(edge.Resources).find((r) => r.Type === 'AWS::WAFv2::WebACL');
      for (const rule of (acl?.Properties?.Rules ?? []) as {
        Name: string;
        Statement: Record<string, unknown>;
      }[]) {
        const and = rule.Statement.AndStatement as { Statements: Record<string, unknown>[] } | undefined;
        // Drop the "not on the API's routes" part: the size constraint alone is left.
        if (and) rule.Statement = and.Statements.find((s) => s.SizeConstraintStatement) ?? rule.Statement;
      }
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/POST \/api\/system-check .*WAF rule BodyOver8KbOutsideApi blocks it/),
      ]),
    );
  });

  it('a behaviour that allows only GET and HEAD on the API refuses its writes', () => {
    const a = broken(dev, (copy) => {
      for (const b of edgeDistribution(copy).CacheBehaviors ?? []) {
        (b as { AllowedMethods?: string[] }).AllowedMethods = ['GET', 'HEAD'];
      }
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([expect.stringMatching(/POST \/api\/system-check .*allows only GET, HEAD/)]),
    );
  });

  it('an Ingress host that is not the origin name CloudFront sends', () => {
    const a = broken(dev, (copy) => {
      const rules = ingressSpec(albIngress(copy)).rules ?? [];
      for (const rule of rules) rule.host = 'app.example.org';
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/GET \/ .*no alb Ingress rule matches Host origin\.dev\.conduit\.example\.com/),
      ]),
    );
  });

  it('ALB rules in the wrong order send /api to the web tier', () => {
    const a = broken(dev, (copy) => {
      const paths = ingressSpec(albIngress(copy)).rules?.[0]?.http?.paths;
      paths?.reverse();
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([expect.stringMatching(/takes \/ before the longer \/api/)]),
    );
  });

  it('a Service whose targetPort names no container port', () => {
    const a = broken(dev, (copy) => {
      const ping = object(copy, 'Service', 'api-ping').spec as { ports: { targetPort: unknown }[] };
      for (const port of ping.ports) port.targetPort = 'https';
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /Service api-ping targets port https, which no container of Rollout api declares/,
        ),
      ]),
    );
  });

  it('a Service whose selector misses the pods of its workload', () => {
    const a = broken(devNginx, (copy) => {
      const web = object(copy, 'Service', 'web').spec as { selector: Record<string, string> };
      web.selector = { 'app.kubernetes.io/name': 'api' };
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Service web selects \[Rollout api\], not the pods of workload web/),
      ]),
    );
  });

  it('an origin reached over plain HTTP', () => {
    const a = broken(dev, (copy) => {
      for (const o of edgeDistribution(copy).Origins) {
        (o.CustomOriginConfig as { OriginProtocolPolicy: string }).OriginProtocolPolicy = 'match-viewer';
      }
    });
    expect(requestPathFindings(a)).toEqual(
      expect.arrayContaining([expect.stringMatching(/origin protocol policy is match-viewer/)]),
    );
  });

  it('a probe that names a port the container does not declare', () => {
    const a = broken(dev, (copy) => {
      const spec = object(copy, 'Rollout', 'web').spec as {
        template: {
          spec: { containers: { name: string; readinessProbe: { httpGet: { port: unknown } } }[] };
        };
      };
      for (const c of spec.template.spec.containers) {
        if (c.name === 'web') c.readinessProbe.httpGet.port = 'admin';
      }
    });
    expect(probeRequests(a, workload('web')).findings).toEqual([
      'dev: web readinessProbe names port admin, which the container does not declare',
    ]);
  });
});
