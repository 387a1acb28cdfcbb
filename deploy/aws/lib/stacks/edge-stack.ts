import { CANARY_HEADER, STATIC_ASSETS, type Stage, type StageName, type Workload } from '@conduit/platform';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';

export interface EdgeStackProps extends StackProps {
  /** The stage: names the distribution, the web ACL's metrics and the WAF log group. */
  readonly stage: StageName;
  /** The stage's edge: domain name, WAF rate limit per 5 minutes per IP, CloudFront price class. */
  readonly edge: Stage['edge'];
  /** The workloads that run in the stage: the Node HTTP ones' routes may take bodies over 8 KB. */
  readonly workloads: readonly Workload[];
  /** The stage's public hosted zone (certificate validation and the alias records). */
  readonly zone: route53.IHostedZone;
}

/** AWS managed rule groups evaluated before the rate rule, in this order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/**
 * The managed common rule set blocks bodies over 8 KB (SizeRestrictions_BODY), which would refuse valid
 * article bodies the API accepts; this rule keeps that limit everywhere else (see `webAcl`).
 */
export const BODY_SIZE_RULE = { name: 'BodyOver8KbOutsideApi', maxBytes: 8 * 1024 } as const;

/**
 * The public front door: certificate, CloudFront, WAF and DNS. The origin is the ALB that the AWS Load
 * Balancer Controller creates from the Ingress in deploy/k8s; external-dns publishes it as
 * `origin.<domain>`, so this stack needs no reference to the cluster.
 */
export class EdgeStack extends Stack {
  readonly distribution: cloudfront.Distribution;
  readonly originDomain: string;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { edge, zone } = props;
    const domain = edge.domainName;
    this.originDomain = `origin.${domain}`;
    if (!Number.isInteger(edge.rateLimitPer5Min) || edge.rateLimitPer5Min < 10) {
      throw new Error(`edge.rateLimitPer5Min (${edge.rateLimitPer5Min}) must be an integer >= 10`);
    }

    // One certificate for the viewer name and the origin name: the ALB listener finds it by host.
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain,
      subjectAlternativeNames: [this.originDomain],
      validation: acm.CertificateValidation.fromDns(zone),
    });

    const webAcl = this.webAcl(props);

    const logBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // CloudFront standard logging writes with ACLs.
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the CloudFront access-log target; logging it into itself would loop.',
    });

    const securityHeaders = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Conduit security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
          override: false,
        },
      },
    });

    const origin = new origins.HttpOrigin(this.originDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
    });
    // During a release both versions answer behind the ALB, request by request. A page of the new version asks
    // for its new hashed files, which the stable pods lack: the first try may answer 404. The second try goes
    // to the canary (the router's header route), whose image holds the new files and the previous releases'.
    // Outside a release the header changes nothing, so a file that does not exist stays a 404.
    const canaryOrigin = new origins.HttpOrigin(this.originDomain, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      customHeaders: { [CANARY_HEADER.name]: CANARY_HEADER.value },
    });
    const assetsOrigin = new origins.OriginGroup({
      primaryOrigin: origin,
      fallbackOrigin: canaryOrigin,
      fallbackStatusCodes: [404],
    });
    const common = {
      origin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      responseHeadersPolicy: securityHeaders,
      compress: true,
    };
    // HTML shell: short-lived so a release shows within a minute; nginx's Cache-Control wins.
    const htmlCache = new cloudfront.CachePolicy(this, 'HtmlCache', {
      comment: 'SPA shell: honour origin Cache-Control, at most 60 s',
      defaultTtl: Duration.seconds(0),
      minTtl: Duration.seconds(0),
      maxTtl: Duration.seconds(60),
      enableAcceptEncodingGzip: true,
      enableAcceptEncodingBrotli: true,
    });

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Conduit ${props.stage}`,
      domainNames: [domain],
      certificate,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: edge.priceClass as cloudfront.PriceClass,
      webAclId: webAcl.attrArn,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: { ...common, cachePolicy: htmlCache },
      additionalBehaviors: {
        // Vite fingerprints every asset, so a year at the edge is safe.
        [`${STATIC_ASSETS.path}*`]: {
          ...common,
          origin: assetsOrigin,
          cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        },
        '/api/*': {
          ...common,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          // Every viewer header but Host: CloudFront then sends Host `origin.<domain>`, the name the Ingress
          // rule serves (the viewer's Host, the public domain, would miss it and get the ALB's 404).
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        },
      },
    });
    Validations.of(this.distribution).acknowledge({
      id: 'AwsSolutions-CFR1',
      reason: 'Conduit serves a worldwide audience; WAF rate limiting covers abuse instead of geo blocking.',
    });

    for (const [id, type] of [
      ['Alias', route53.RecordType.A],
      ['AliasV6', route53.RecordType.AAAA],
    ] as const) {
      const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(this.distribution));
      if (type === route53.RecordType.A) new route53.ARecord(this, id, { zone, target });
      else new route53.AaaaRecord(this, id, { zone, target });
    }

    new CfnOutput(this, 'CloudFrontDomain', { value: this.distribution.distributionDomainName });
    new CfnOutput(this, 'OriginDomain', {
      value: this.originDomain,
      description: 'Host the Ingress must use (external-dns publishes the ALB under it)',
    });
    new CfnOutput(this, 'CertificateArn', { value: certificate.certificateArn });
  }

  /**
   * Blocks bodies over 8 KB except on the routes of the stage's Node workloads (the API), which take JSON
   * bodies up to their own limit; a body beyond WAF's inspection window counts as over.
   */
  private bodySizeRule(
    props: EdgeStackProps,
    priority: number,
    visibilityConfig: wafv2.CfnWebACL.VisibilityConfigProperty,
  ): wafv2.CfnWebACL.RuleProperty {
    const prefixes = props.workloads
      .filter((workload) => workload.kind === 'http' && workload.runtime === 'node')
      .flatMap((workload) => workload.routes.map((route) => `${route.replace(/\/$/, '')}/`));
    if (prefixes.length === 0)
      throw new Error(`stage ${props.stage} has no Node HTTP workload for ${BODY_SIZE_RULE.name}`);
    const startsWith = prefixes.map(
      (searchString): wafv2.CfnWebACL.StatementProperty => ({
        byteMatchStatement: {
          fieldToMatch: { uriPath: {} },
          positionalConstraint: 'STARTS_WITH',
          searchString,
          textTransformations: [{ priority: 0, type: 'NONE' }],
        },
      }),
    );
    const onApi: wafv2.CfnWebACL.StatementProperty =
      startsWith.length === 1 && startsWith[0] ? startsWith[0] : { orStatement: { statements: startsWith } };
    return {
      name: BODY_SIZE_RULE.name,
      priority,
      action: { block: {} },
      statement: {
        andStatement: {
          statements: [
            { notStatement: { statement: onApi } },
            {
              sizeConstraintStatement: {
                fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                comparisonOperator: 'GT',
                size: BODY_SIZE_RULE.maxBytes,
                textTransformations: [{ priority: 0, type: 'NONE' }],
              },
            },
          ],
        },
      },
      visibilityConfig,
    };
  }

  private webAcl(props: EdgeStackProps): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`conduit-${props.stage}`),
      rules: [
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: i,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name,
              // Counted, not blocked: the API takes bodies up to its own limit (it answers 413 beyond it);
              // BODY_SIZE_RULE keeps the 8 KB limit for every other path.
              ...(name === 'AWSManagedRulesCommonRuleSet'
                ? { ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }] }
                : {}),
            },
          },
          visibilityConfig: visibility(name),
        })),
        this.bodySizeRule(props, MANAGED_RULE_GROUPS.length, visibility(BODY_SIZE_RULE.name)),
        {
          name: 'RateLimitPerIp',
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.edge.rateLimitPer5Min, aggregateKeyType: 'IP' },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
      ],
    });
    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    const wafLogGroupName = `aws-waf-logs-conduit-${props.stage}`;
    const wafLogs = new logs.LogGroup(this, 'WafLogs', {
      logGroupName: wafLogGroupName,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      // WAF wants the log group ARN without the trailing ":*" that LogGroup.logGroupArn carries.
      logDestinationConfigs: [
        this.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: wafLogGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'cookie' } }],
    });
    logging.node.addDependency(wafLogs);
    return acl;
  }
}
