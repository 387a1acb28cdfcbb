import { describe, expect, it } from 'vitest';
import { allScenarios, type CfnResource, type K8sObject, type ScenarioArtifacts } from './artifacts.js';
import type { TemplateWithMappings } from './cfn.js';
import { originProtectionFindings } from './origin-protection.js';

const scenarios = allScenarios().map((a) => [a.scenario.name, a] as const);
const byName = (name: string) => allScenarios().find((a) => a.scenario.name === name) as ScenarioArtifacts;
const dev = byName('dev');
const devNginx = byName('dev+nginx');

function broken(a: ScenarioArtifacts, mutate: (copy: ScenarioArtifacts) => void): ScenarioArtifacts {
  const copy = structuredClone(a);
  mutate(copy);
  return copy;
}

function albAnnotations(a: ScenarioArtifacts): Record<string, string> {
  const ingress = a.manifests.conduit.find((o) => o.kind === 'Ingress') as K8sObject;
  ingress.metadata.annotations ??= {};
  return ingress.metadata.annotations;
}

function nlbAnnotations(a: ScenarioArtifacts): Record<string, string> {
  const app = a.manifests.apps.find(
    (o) =>
      o.kind === 'Application' &&
      (o.spec as { source?: { chart?: string } }).source?.chart === 'ingress-nginx',
  ) as K8sObject;
  return (
    app.spec as {
      source: {
        helm: { valuesObject: { controller: { service: { annotations: Record<string, string> } } } };
      };
    }
  ).source.helm.valuesObject.controller.service.annotations;
}

/** Adds an inbound rule to the origin security group of the Network template (as CDK writes one). */
function addOriginRule(a: ScenarioArtifacts, rule: Record<string, unknown>): void {
  const network = a.templates.Network as TemplateWithMappings & { Resources: Record<string, CfnResource> };
  const [id] = Object.entries(network.Resources).find(
    ([, r]) =>
      r.Type === 'AWS::EC2::SecurityGroup' &&
      ((r.Properties?.Tags ?? []) as { Key: string; Value: string }[]).some(
        (t) => t.Key === 'Name' && t.Value.endsWith('-origin'),
      ),
  ) ?? [undefined];
  if (!id) throw new Error('the Network stack has no origin security group');
  network.Resources.SeededIngress = {
    Type: 'AWS::EC2::SecurityGroupIngress',
    Properties: { GroupId: { 'Fn::GetAtt': [id, 'GroupId'] }, ...rule },
  };
}

describe('origin protection: the load balancer answers CloudFront only', () => {
  it.each(scenarios)(
    '%s: the router load balancer admits its serving ports from CloudFront alone',
    (_, a) => {
      expect(originProtectionFindings(a)).toEqual([]);
    },
  );
});

describe('seeded defects: the check fails on a broken copy of the artifacts', () => {
  it('an ALB without a security group annotation gets the controller group open to the internet', () => {
    const a = broken(dev, (copy) => {
      delete albAnnotations(copy)['alb.ingress.kubernetes.io/security-groups'];
    });
    expect(originProtectionFindings(a)).toEqual([
      expect.stringMatching(
        /^dev: the ALB of Ingress conduit names no security group, .* opens its listeners \(443\) to 0\.0\.0\.0\/0/,
      ),
    ]);
  });

  it('a security group that admits 443 from anywhere', () => {
    const a = broken(dev, (copy) => {
      addOriginRule(copy, { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' });
    });
    expect(originProtectionFindings(a)).toEqual([
      'dev: security group "conduit-dev-origin" admits port 443 of the ALB of Ingress conduit from 0.0.0.0/0, not only CloudFront\'s origin-facing prefix list',
    ]);
  });

  it('a prefix list that is not CloudFront origin-facing one', () => {
    const a = broken(dev, (copy) => {
      const network = copy.templates.Network as TemplateWithMappings & {
        Mappings: Record<string, Record<string, Record<string, unknown>>>;
      };
      for (const mapping of Object.values(network.Mappings)) {
        for (const row of Object.values(mapping)) row.PrefixListName = 'com.amazonaws.us-east-1.s3';
      }
    });
    expect(originProtectionFindings(a)).toEqual([
      expect.stringMatching(/admits port 443 of the ALB of Ingress conduit from .*not only CloudFront's/),
    ]);
  });

  it('an HTTP listener that serves instead of redirecting and that no rule admits', () => {
    const a = broken(dev, (copy) => {
      albAnnotations(copy)['alb.ingress.kubernetes.io/listen-ports'] = '[{"HTTP":80},{"HTTPS":443}]';
    });
    expect(originProtectionFindings(a)).toEqual([
      "dev: no rule of the ALB of Ingress conduit's security groups admits port 80, which it listens on",
    ]);
  });

  it('a security group name no stack creates', () => {
    const a = broken(dev, (copy) => {
      albAnnotations(copy)['alb.ingress.kubernetes.io/security-groups'] = 'conduit-dev-typo';
    });
    expect(originProtectionFindings(a)).toEqual(
      expect.arrayContaining([
        'dev: security group "conduit-dev-typo" of the ALB of Ingress conduit is not created by any stack',
      ]),
    );
  });

  it('an NLB for ingress-nginx without a security group', () => {
    const a = broken(devNginx, (copy) => {
      delete nlbAnnotations(copy)['service.beta.kubernetes.io/aws-load-balancer-security-groups'];
    });
    expect(originProtectionFindings(a)).toEqual([
      expect.stringMatching(/^dev\+nginx: the NLB of ingress-nginx names no security group/),
    ]);
  });

  it('without ssl-redirect, port 80 of the NLB serves the app to anyone', () => {
    const a = broken(devNginx, (copy) => {
      for (const o of copy.manifests.conduit.filter((x) => x.kind === 'Ingress')) {
        delete o.metadata.annotations?.['nginx.ingress.kubernetes.io/ssl-redirect'];
      }
    });
    expect(originProtectionFindings(a)).toEqual([
      'dev+nginx: security group "conduit-dev-origin" admits port 80 of the NLB of ingress-nginx from 0.0.0.0/0, not only CloudFront\'s origin-facing prefix list',
    ]);
  });
});
