import { allManifests, type CfnResource, type K8sObject, type ScenarioArtifacts } from './artifacts.js';
import { literal, type TemplateWithMappings, tagValue } from './cfn.js';
import { ingressSpec } from './kube.js';

/** The AWS-managed prefix list of the addresses CloudFront uses towards origins. */
export const CLOUDFRONT_ORIGIN_FACING = 'com.amazonaws.global.cloudfront.origin-facing';

/** What the Load Balancer Controller makes of the router's annotations: one public load balancer. */
interface LoadBalancer {
  readonly what: string;
  /** Name tags or ids of the security groups attached to it (none: the controller makes an open one). */
  readonly securityGroups: string[];
  readonly manageBackendRules: boolean;
  /** Ports it listens on. */
  readonly ports: number[];
  /** Ports whose requests only redirect to HTTPS (and answer ACME challenges): open to anyone is fine. */
  readonly redirectOnly: number[];
  /** A web ACL of its own, which would protect it without the security group. */
  readonly wafAcl?: string;
}

function loadBalancer(a: ScenarioArtifacts): LoadBalancer | string {
  const objects = allManifests(a);
  if (a.stage.options.router === 'alb') {
    const albs = objects.filter((o) => o.kind === 'Ingress' && ingressSpec(o).ingressClassName === 'alb');
    if (albs.length !== 1) return `expected one ALB Ingress, found ${albs.length}`;
    const ingress = albs[0] as K8sObject;
    const ann = ingress.metadata.annotations ?? {};
    if (ann['alb.ingress.kubernetes.io/scheme'] !== 'internet-facing')
      return 'the ALB is not internet-facing';
    const listen = JSON.parse(ann['alb.ingress.kubernetes.io/listen-ports'] ?? '[{"HTTP":80}]') as Record<
      string,
      number
    >[];
    const ports = listen.flatMap((l) => Object.values(l));
    const redirect = ann['alb.ingress.kubernetes.io/ssl-redirect'];
    return {
      what: `ALB of Ingress ${ingress.metadata.name}`,
      securityGroups: csv(ann['alb.ingress.kubernetes.io/security-groups']),
      manageBackendRules: ann['alb.ingress.kubernetes.io/manage-backend-security-group-rules'] === 'true',
      ports,
      // An ssl-redirect makes every HTTP listener answer with a redirect only.
      redirectOnly: redirect ? listen.filter((l) => l.HTTP !== undefined).map((l) => l.HTTP as number) : [],
      ...(ann['alb.ingress.kubernetes.io/wafv2-acl-arn']
        ? { wafAcl: ann['alb.ingress.kubernetes.io/wafv2-acl-arn'] }
        : {}),
    };
  }
  const app = objects.find(
    (o) =>
      o.kind === 'Application' &&
      (o.spec as { source?: { chart?: string } }).source?.chart === 'ingress-nginx',
  );
  if (!app) return 'no ingress-nginx Application';
  const values = (app.spec as { source: { helm?: { valuesObject?: Record<string, unknown> } } }).source.helm
    ?.valuesObject as {
    controller?: { service?: { annotations?: Record<string, string>; ports?: Record<string, number> } };
  };
  const service = values?.controller?.service ?? {};
  const ann = service.annotations ?? {};
  if (ann['service.beta.kubernetes.io/aws-load-balancer-scheme'] !== 'internet-facing') {
    return 'the NLB of ingress-nginx is not internet-facing';
  }
  const ingresses = objects.filter(
    (o) => o.kind === 'Ingress' && ingressSpec(o).ingressClassName === 'nginx',
  );
  const allRedirect = ingresses.every(
    (i) => i.metadata.annotations?.['nginx.ingress.kubernetes.io/ssl-redirect'] === 'true',
  );
  // The chart's defaults: http 80, https 443.
  const http = service.ports?.http ?? 80;
  const https = service.ports?.https ?? 443;
  return {
    what: 'NLB of ingress-nginx',
    securityGroups: csv(ann['service.beta.kubernetes.io/aws-load-balancer-security-groups']),
    manageBackendRules:
      ann['service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules'] === 'true',
    ports: [http, https],
    redirectOnly: allRedirect ? [http] : [],
  };
}

function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A security group of the stage's CDK templates, found by id-like logical reference or by Name tag. */
function securityGroup(
  a: ScenarioArtifacts,
  nameOrId: string,
): { stack: TemplateWithMappings; id: string; resource: CfnResource } | undefined {
  for (const stack of Object.values(a.templates) as TemplateWithMappings[]) {
    for (const [id, resource] of Object.entries(stack.Resources)) {
      if (resource.Type !== 'AWS::EC2::SecurityGroup') continue;
      if (literal(stack, tagValue(resource, 'Name'), a.stage.region) === nameOrId)
        return { stack, id, resource };
    }
  }
  return undefined;
}

interface IngressRule {
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly IpProtocol: string;
  readonly CidrIp?: string;
  readonly CidrIpv6?: string;
  readonly SourcePrefixListId?: unknown;
  readonly SourceSecurityGroupId?: unknown;
}

/** The inbound rules of a group: inline ones and `AWS::EC2::SecurityGroupIngress` resources naming it. */
function ingressRules(stack: TemplateWithMappings, id: string, resource: CfnResource): IngressRule[] {
  const inline = (resource.Properties?.SecurityGroupIngress ?? []) as IngressRule[];
  const separate = Object.values(stack.Resources)
    .filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress')
    .filter((r) => {
      const g = r.Properties?.GroupId as { 'Fn::GetAtt'?: unknown[]; Ref?: string } | undefined;
      return g?.Ref === id || g?.['Fn::GetAtt']?.[0] === id;
    })
    .map((r) => r.Properties as unknown as IngressRule);
  return [...inline, ...separate];
}

function coversPort(rule: IngressRule, port: number): boolean {
  if (rule.IpProtocol === '-1') return true;
  if (rule.IpProtocol !== 'tcp' && rule.IpProtocol !== '6') return false;
  return (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535);
}

/** Whether a rule's source is CloudFront's origin-facing prefix list, as the template's mapping names it. */
function fromCloudFront(a: ScenarioArtifacts, stack: TemplateWithMappings, rule: IngressRule): boolean {
  if (rule.SourcePrefixListId === undefined) return false;
  const id = literal(stack, rule.SourcePrefixListId, a.stage.region);
  if (typeof id !== 'string') return false;
  const fn = (rule.SourcePrefixListId as { 'Fn::FindInMap'?: unknown[] })['Fn::FindInMap'];
  const mapping = Array.isArray(fn) ? stack.Mappings?.[String(fn[0])] : undefined;
  const row = mapping?.[a.stage.region];
  return row?.PrefixListId === id && row?.PrefixListName === CLOUDFRONT_ORIGIN_FACING;
}

function source(rule: IngressRule): string {
  return (
    rule.CidrIp ?? rule.CidrIpv6 ?? JSON.stringify(rule.SourcePrefixListId ?? rule.SourceSecurityGroupId)
  );
}

/**
 * The public load balancer answers only requests that came through CloudFront: the security groups the
 * router's annotations attach (deploy/aws creates them) admit each port it serves only from CloudFront's
 * origin-facing prefix list, except ports that only redirect to HTTPS; or it carries its own web ACL.
 */
export function originProtectionFindings(a: ScenarioArtifacts): string[] {
  const where = `${a.scenario.name}`;
  const lb = loadBalancer(a);
  if (typeof lb === 'string') return [`${where}: ${lb}`];
  if (lb.wafAcl) return [];
  if (lb.securityGroups.length === 0) {
    return [
      `${where}: the ${lb.what} names no security group, so the Load Balancer Controller opens its listeners (${lb.ports.join(', ')}) to 0.0.0.0/0: anyone can bypass CloudFront and WAF`,
    ];
  }
  const out: string[] = [];
  if (!lb.manageBackendRules) {
    out.push(
      `${where}: the ${lb.what} brings its own security groups without manage-backend-security-group-rules: the pods would not admit it`,
    );
  }
  const groups = lb.securityGroups.map((name) => ({ name, found: securityGroup(a, name) }));
  for (const g of groups) {
    if (!g.found)
      out.push(`${where}: security group "${g.name}" of the ${lb.what} is not created by any stack`);
  }
  const rules = groups.flatMap((g) =>
    g.found ? ingressRules(g.found.stack, g.found.id, g.found.resource).map((rule) => ({ g, rule })) : [],
  );
  for (const port of lb.ports) {
    const admitting = rules.filter(({ rule }) => coversPort(rule, port));
    if (admitting.length === 0) {
      out.push(
        `${where}: no rule of the ${lb.what}'s security groups admits port ${port}, which it listens on`,
      );
      continue;
    }
    if (lb.redirectOnly.includes(port)) continue;
    for (const { g, rule } of admitting) {
      if (!g.found || fromCloudFront(a, g.found.stack, rule)) continue;
      out.push(
        `${where}: security group "${g.name}" admits port ${port} of the ${lb.what} from ${source(rule)}, not only CloudFront's origin-facing prefix list`,
      );
    }
  }
  return out;
}
