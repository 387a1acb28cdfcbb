import type { CfnResource } from './artifacts.js';
import { literal, resolve, type TemplateWithMappings } from './cfn.js';

/**
 * CloudFront and WAF as a viewer's request meets them, read from the Edge stack's template: which cache
 * behaviour a path selects, what reaches the origin, and what the web ACL does to the request.
 */

export interface CacheBehavior {
  /** `undefined` for the default behaviour. */
  readonly PathPattern?: string;
  readonly TargetOriginId: string;
  readonly AllowedMethods?: string[];
  readonly CachePolicyId?: unknown;
  readonly OriginRequestPolicyId?: unknown;
}

export interface Origin {
  readonly Id: string;
  readonly DomainName: unknown;
  readonly CustomOriginConfig?: {
    readonly OriginProtocolPolicy: string;
    readonly HTTPPort?: number;
    readonly HTTPSPort?: number;
  };
  readonly OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
}

export interface DistributionConfig {
  readonly Aliases?: unknown[];
  readonly DefaultCacheBehavior: CacheBehavior;
  readonly CacheBehaviors?: CacheBehavior[];
  readonly Origins: Origin[];
  readonly WebACLId?: unknown;
}

/** The one distribution of the Edge stack, with its logical id. */
export function distribution(t: TemplateWithMappings): { id: string; config: DistributionConfig } {
  const found = Object.entries(t.Resources).filter(([, r]) => r.Type === 'AWS::CloudFront::Distribution');
  if (found.length !== 1) throw new Error(`the Edge stack has ${found.length} distributions; expected one`);
  const [id, r] = found[0] as [string, CfnResource];
  return { id, config: (r.Properties as { DistributionConfig: DistributionConfig }).DistributionConfig };
}

/**
 * CloudFront's path pattern match: case-sensitive, `*` any run of characters (slashes included), `?` one
 * character, a pattern without a leading slash as if it had one.
 */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const regex = p
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(path);
}

/** The behaviour CloudFront picks: the first path pattern in the distribution's order, else the default. */
export function behaviorFor(config: DistributionConfig, path: string): CacheBehavior {
  return (
    (config.CacheBehaviors ?? []).find((b) => b.PathPattern && pathPatternMatches(b.PathPattern, path)) ??
    config.DefaultCacheBehavior
  );
}

export function describeBehavior(b: CacheBehavior): string {
  return b.PathPattern ? `cache behaviour ${b.PathPattern}` : 'the default cache behaviour';
}

/**
 * What CloudFront's managed policies forward, by id (AWS publishes these ids; they are the same in every
 * account). `host`: whether the viewer's Host reaches the origin instead of the origin's domain name.
 */
export const MANAGED_ORIGIN_REQUEST_POLICIES: Record<string, { name: string; host: boolean }> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': { name: 'AllViewer', host: true },
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': { name: 'AllViewerAndCloudFrontHeaders-2022-06', host: true },
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': { name: 'AllViewerExceptHostHeader', host: false },
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': { name: 'CORS-S3Origin', host: false },
  '59781a5b-3903-41f3-afcb-af62929ccde1': { name: 'CORS-CustomOrigin', host: false },
  'acba4595-bd28-49b8-b9fe-13317c0390fa': { name: 'UserAgentRefererHeaders', host: false },
};
/** Managed cache policies: none of these puts Host into the cache key (which would forward it). */
export const MANAGED_CACHE_POLICIES: Record<string, { name: string; host: boolean }> = {
  '658327ea-f89d-4fab-a63d-7e88639e58f6': { name: 'CachingOptimized', host: false },
  '4135ea2d-6df8-44a3-9df3-4b5a84be39ad': { name: 'CachingDisabled', host: false },
  'b2884449-e4de-46a7-ac36-70bc7f1ddd6d': { name: 'CachingOptimizedForUncompressedObjects', host: false },
};

type Forwarding = { host: boolean } | { unknown: string };

function headerBehaviorForwardsHost(config: { HeaderBehavior?: string; Headers?: unknown[] } | undefined) {
  const behavior = config?.HeaderBehavior ?? 'none';
  if (behavior === 'allViewer' || behavior === 'allViewerAndWhitelistCloudFront') return true;
  if (behavior === 'whitelist')
    return (config?.Headers ?? []).some((h) => String(h).toLowerCase() === 'host');
  return false;
}

function policyForwardsHost(
  t: TemplateWithMappings,
  id: unknown,
  region: string,
  managed: Record<string, { host: boolean }>,
  type: 'AWS::CloudFront::OriginRequestPolicy' | 'AWS::CloudFront::CachePolicy',
): Forwarding {
  if (id === undefined) return { host: false };
  const r = resolve(t, id, region);
  if (r.kind === 'literal') {
    const known = managed[String(r.value)];
    return known
      ? { host: known.host }
      : { unknown: `policy id ${String(r.value)} is not one this check knows` };
  }
  if (r.kind === 'resource' && r.resource.Type === type) {
    const props = r.resource.Properties ?? {};
    if (type === 'AWS::CloudFront::OriginRequestPolicy') {
      const c = (props.OriginRequestPolicyConfig ?? {}) as { HeadersConfig?: { HeaderBehavior?: string } };
      return { host: headerBehaviorForwardsHost(c.HeadersConfig) };
    }
    const c = (props.CachePolicyConfig ?? {}) as {
      ParametersInCacheKeyAndForwardedToOrigin?: { HeadersConfig?: { HeaderBehavior?: string } };
    };
    return { host: headerBehaviorForwardsHost(c.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig) };
  }
  return { unknown: `policy ${JSON.stringify(id)} does not resolve to a ${type}` };
}

/**
 * The Host header the origin receives for a behaviour: the viewer's (the distribution's alias) when the
 * cache or origin request policy forwards it, else the origin's domain name, as CloudFront sets it.
 */
export function hostAtOrigin(
  t: TemplateWithMappings,
  config: DistributionConfig,
  b: CacheBehavior,
  region: string,
  viewerHost: string,
): { host: string; why: string } | { unknown: string } {
  const origin = config.Origins.find((o) => o.Id === b.TargetOriginId);
  if (!origin)
    return { unknown: `${describeBehavior(b)} targets origin ${b.TargetOriginId}, which is not defined` };
  const orp = policyForwardsHost(
    t,
    b.OriginRequestPolicyId,
    region,
    MANAGED_ORIGIN_REQUEST_POLICIES,
    'AWS::CloudFront::OriginRequestPolicy',
  );
  const cache = policyForwardsHost(
    t,
    b.CachePolicyId,
    region,
    MANAGED_CACHE_POLICIES,
    'AWS::CloudFront::CachePolicy',
  );
  for (const f of [orp, cache]) if ('unknown' in f) return f;
  if (('host' in orp && orp.host) || ('host' in cache && cache.host)) {
    const which = 'host' in orp && orp.host ? 'origin request policy' : 'cache policy';
    const name =
      MANAGED_ORIGIN_REQUEST_POLICIES[String(literal(t, b.OriginRequestPolicyId, region))]?.name ?? 'custom';
    return { host: viewerHost, why: `its ${which} (${name}) forwards the viewer's Host` };
  }
  const domain = literal(t, origin.DomainName, region);
  if (typeof domain !== 'string') return { unknown: `origin ${origin.Id} has no literal domain name` };
  return { host: domain, why: "CloudFront sets Host to the origin's domain name" };
}

// ---------------------------------------------------------------------------------------------------------
// WAF

/** A request as WAF inspects it. */
export interface ViewerRequest {
  readonly method: string;
  readonly path: string;
  /** Body size in bytes (0: none). */
  readonly bodyBytes: number;
}

/**
 * The rules of AWS managed rule groups that can block a valid request of ours for its shape alone, with
 * their published thresholds. Other rules of these groups match attack signatures, IP reputation or
 * known-bad inputs, which a valid request does not carry.
 */
const MANAGED_SIZE_RULES: Record<string, { rule: string; bodyOver: number }[]> = {
  AWSManagedRulesCommonRuleSet: [{ rule: 'SizeRestrictions_BODY', bodyOver: 8 * 1024 }],
};

/** How many body bytes WAF inspects for a CloudFront web ACL (AssociationConfig), 16 KB by default. */
export function bodyInspectionLimit(acl: CfnResource): number {
  const config = acl.Properties?.AssociationConfig as
    | { RequestBody?: Record<string, { DefaultSizeInspectionLimit?: string }> }
    | undefined;
  const limit = config?.RequestBody?.CLOUDFRONT?.DefaultSizeInspectionLimit ?? 'KB_16';
  return Number(limit.replace('KB_', '')) * 1024;
}

type Statement = Record<string, unknown>;

/** Whether a statement matches the request; `undefined` when this check cannot evaluate it. */
function statementMatches(s: Statement, req: ViewerRequest, inspect: number): boolean | undefined {
  if (s.AndStatement) {
    const parts = ((s.AndStatement as { Statements: Statement[] }).Statements ?? []).map((x) =>
      statementMatches(x, req, inspect),
    );
    if (parts.includes(false)) return false;
    return parts.includes(undefined) ? undefined : true;
  }
  if (s.OrStatement) {
    const parts = ((s.OrStatement as { Statements: Statement[] }).Statements ?? []).map((x) =>
      statementMatches(x, req, inspect),
    );
    if (parts.includes(true)) return true;
    return parts.includes(undefined) ? undefined : false;
  }
  if (s.NotStatement) {
    const inner = statementMatches((s.NotStatement as { Statement: Statement }).Statement, req, inspect);
    return inner === undefined ? undefined : !inner;
  }
  if (s.ByteMatchStatement) {
    const b = s.ByteMatchStatement as {
      FieldToMatch: Record<string, unknown>;
      PositionalConstraint: string;
      SearchString: string;
      TextTransformations?: { Type: string }[];
    };
    if (!b.FieldToMatch.UriPath) return undefined;
    const lower = (b.TextTransformations ?? []).some((x) => x.Type === 'LOWERCASE');
    const value = lower ? req.path.toLowerCase() : req.path;
    const search = b.SearchString;
    switch (b.PositionalConstraint) {
      case 'STARTS_WITH':
        return value.startsWith(search);
      case 'ENDS_WITH':
        return value.endsWith(search);
      case 'EXACTLY':
        return value === search;
      case 'CONTAINS':
        return value.includes(search);
      default:
        return undefined;
    }
  }
  if (s.SizeConstraintStatement) {
    const c = s.SizeConstraintStatement as {
      FieldToMatch: Record<string, unknown>;
      ComparisonOperator: string;
      Size: number;
    };
    const body = c.FieldToMatch.Body as { OversizeHandling?: string } | undefined;
    if (!body) return undefined;
    if (req.bodyBytes > inspect) {
      const handling = body.OversizeHandling ?? 'CONTINUE';
      if (handling === 'MATCH') return true;
      if (handling === 'NO_MATCH') return false;
    }
    const size = Math.min(req.bodyBytes, inspect);
    const ops: Record<string, (a: number, b: number) => boolean> = {
      GT: (a, b) => a > b,
      GE: (a, b) => a >= b,
      LT: (a, b) => a < b,
      LE: (a, b) => a <= b,
      EQ: (a, b) => a === b,
      NE: (a, b) => a !== b,
    };
    return ops[c.ComparisonOperator]?.(size, c.Size);
  }
  return undefined;
}

/**
 * The rules of a web ACL that would block a valid request of this shape, in priority order, named; an
 * entry starting with "cannot evaluate" marks a rule this check does not understand (a finding too: the
 * suite must not pass a path it could not follow).
 */
export function wafBlocks(acl: CfnResource, req: ViewerRequest): string[] {
  const inspect = bodyInspectionLimit(acl);
  const rules = [...((acl.Properties?.Rules ?? []) as Statement[])].sort(
    (a, b) => Number(a.Priority) - Number(b.Priority),
  );
  const out: string[] = [];
  for (const rule of rules) {
    const name = String(rule.Name);
    const statement = rule.Statement as Statement;
    if (statement.RateBasedStatement) continue; // one valid request is never over a rate
    if (statement.ManagedRuleGroupStatement) {
      const g = statement.ManagedRuleGroupStatement as {
        Name: string;
        ScopeDownStatement?: Statement;
        RuleActionOverrides?: { Name: string; ActionToUse: Record<string, unknown> }[];
        ExcludedRules?: { Name: string }[];
      };
      if ((rule.OverrideAction as Record<string, unknown> | undefined)?.Count) continue;
      if (g.ScopeDownStatement) {
        const inScope = statementMatches(g.ScopeDownStatement, req, inspect);
        if (inScope === undefined) {
          out.push(`cannot evaluate the scope-down statement of ${name}`);
          continue;
        }
        if (!inScope) continue;
      }
      for (const sized of MANAGED_SIZE_RULES[g.Name] ?? []) {
        if (req.bodyBytes <= sized.bodyOver) continue;
        const override = g.RuleActionOverrides?.find((o) => o.Name === sized.rule)?.ActionToUse;
        const excluded = g.ExcludedRules?.some((e) => e.Name === sized.rule);
        if (excluded || override?.Count || override?.Allow) continue;
        out.push(`${name}/${sized.rule} (blocks bodies over ${sized.bodyOver} bytes)`);
      }
      continue;
    }
    const action = rule.Action as Record<string, unknown> | undefined;
    if (!action?.Block) continue;
    const matches = statementMatches(statement, req, inspect);
    if (matches === undefined) out.push(`cannot evaluate rule ${name}`);
    else if (matches) out.push(name);
  }
  return out;
}
