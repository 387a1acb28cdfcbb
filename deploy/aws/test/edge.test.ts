import { CANARY_HEADER, STAGE_NAMES, STAGES, STATIC_ASSETS } from '@conduit/platform';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BODY_SIZE_RULE, MANAGED_RULE_GROUPS } from '../lib/stacks/edge-stack.js';
import { resourcesOfType, template } from './templates.js';

// Managed policy ids published by CloudFront.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

interface Behavior {
  ViewerProtocolPolicy: string;
  ResponseHeadersPolicyId: unknown;
}
interface DistributionConfig {
  Aliases: string[];
  ViewerCertificate: unknown;
  Origins: unknown[];
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: (Behavior & Record<string, unknown>)[];
  PriceClass: string;
  Logging: unknown;
  WebACLId: unknown;
}

describe.each(STAGE_NAMES)('edge stack (%s)', (stage) => {
  const t = template(stage, 'Edge');
  const domain = STAGES[stage].edge.domainName;
  const distribution = () =>
    resourcesOfType(stage, 'Edge', 'AWS::CloudFront::Distribution')[0]![1].Properties!
      .DistributionConfig as DistributionConfig;

  it('issues a DNS-validated certificate for the site and the origin name', () => {
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: domain,
      SubjectAlternativeNames: [`origin.${domain}`],
      ValidationMethod: 'DNS',
    });
  });

  it('serves HTTPS only (redirecting HTTP) with TLS 1.2+ to viewers and the ALB origin', () => {
    const config = distribution();
    expect(config.Aliases).toEqual([domain]);
    expect(config.ViewerCertificate).toMatchObject({
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    for (const origin of config.Origins) {
      expect(origin).toMatchObject({
        DomainName: `origin.${domain}`,
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      });
    }
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
      expect(behavior.ViewerProtocolPolicy).toBe('redirect-to-https');
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: expect.stringMatching(/^SecurityHeaders/) });
    }
    expect(config.PriceClass).toBe(STAGES[stage].edge.priceClass);
    expect(config.Logging).toMatchObject({ Prefix: 'cloudfront/' });
  });

  it('caches /assets/* at the edge and never caches /api/*, forwarding every header but Host (the origin gets origin.<domain>), cookies and query strings', () => {
    const behaviors = distribution().CacheBehaviors;
    expect(behaviors.map((b) => b.PathPattern)).toEqual(['/assets/*', '/api/*']);
    expect(behaviors[0]).toMatchObject({ CachePolicyId: CACHING_OPTIMIZED, AllowedMethods: ['GET', 'HEAD'] });
    expect(behaviors[1]).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
    });
  });

  it("asks the canary for a static asset the first answer lacked (404 only): a new page's files during a release", () => {
    const config = distribution() as unknown as Omit<DistributionConfig, 'Origins'> & {
      Origins: { Id: string; OriginCustomHeaders?: unknown }[];
      OriginGroups: {
        Quantity: number;
        Items: { Id: string; FailoverCriteria: unknown; Members: { Items: { OriginId: string }[] } }[];
      };
    };
    const assets = config.CacheBehaviors.find((b) => b.PathPattern === `${STATIC_ASSETS.path}*`);
    const group = config.OriginGroups.Items.find((g) => g.Id === assets?.TargetOriginId);
    expect(config.OriginGroups.Quantity).toBe(1);
    expect(group?.FailoverCriteria).toEqual({ StatusCodes: { Items: [404], Quantity: 1 } });
    const members = (group?.Members.Items ?? []).map(
      (m) => config.Origins.find((o) => o.Id === m.OriginId)?.OriginCustomHeaders,
    );
    // First as any viewer request (weights), then with the router's canary header.
    expect(members).toEqual([
      undefined,
      [{ HeaderName: CANARY_HEADER.name, HeaderValue: CANARY_HEADER.value }],
    ]);
    // Every other behavior goes to the origin without the header: weights alone decide.
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors].filter(
      (b) => b !== assets,
    )) {
      const target = (behavior as Behavior & { TargetOriginId: string }).TargetOriginId;
      expect(config.Origins.find((o) => o.Id === target)?.OriginCustomHeaders).toBeUndefined();
    }
  });

  it('adds security response headers', () => {
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
            Preload: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          XSSProtection: { Protection: true, ModeBlock: true, Override: true },
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"),
          }),
        },
      }),
    });
  });

  it('protects the distribution with WAF managed rule groups and a per-IP rate rule, logging redacted', () => {
    t.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        ...MANAGED_RULE_GROUPS.map((name, priority) =>
          Match.objectLike({
            Name: name,
            Priority: priority,
            OverrideAction: { None: {} },
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: name,
                // Valid article bodies are larger than the group's 8 KB body limit.
                ...(name === 'AWSManagedRulesCommonRuleSet'
                  ? { RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }
                  : {}),
              },
            },
          }),
        ),
        Match.objectLike({
          Name: BODY_SIZE_RULE.name,
          Priority: MANAGED_RULE_GROUPS.length,
          Action: { Block: {} },
          Statement: {
            AndStatement: {
              Statements: [
                {
                  NotStatement: {
                    Statement: {
                      ByteMatchStatement: Match.objectLike({
                        FieldToMatch: { UriPath: {} },
                        PositionalConstraint: 'STARTS_WITH',
                        SearchString: '/api/',
                      }),
                    },
                  },
                },
                {
                  SizeConstraintStatement: Match.objectLike({
                    FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                    ComparisonOperator: 'GT',
                    Size: 8192,
                  }),
                },
              ],
            },
          },
        }),
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Priority: MANAGED_RULE_GROUPS.length + 1,
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: { Limit: STAGES[stage].edge.rateLimitPer5Min, AggregateKeyType: 'IP' },
          },
        }),
      ],
    });
    expect(distribution().WebACLId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebAcl/), 'Arn'] });
    t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LogDestinationConfigs: [
        `arn:aws:logs:us-east-1:${{ dev: '111111111111', staging: '222222222222', prod: '333333333333' }[stage]}:log-group:aws-waf-logs-conduit-${stage}`,
      ],
      RedactedFields: [{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }],
    });
  });

  it('points the apex A and AAAA records at CloudFront and outputs its domain', () => {
    for (const type of ['A', 'AAAA']) {
      t.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: `${domain}.`,
        Type: type,
        AliasTarget: Match.objectLike({
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] },
        }),
      });
    }
    t.hasOutput('CloudFrontDomain', {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Distribution'), 'DomainName'] },
    });
  });
});
