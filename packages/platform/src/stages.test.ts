import { describe, expect, it } from 'vitest';
import {
  ENDPOINT_RANGE_PLACEHOLDER,
  promotionSource,
  publicSubnetCidrs,
  STAGE_NAMES,
  STAGES,
  type Stage,
  stage,
  validateStage,
  validateStages,
  worstCaseAbortSeconds,
} from './stages.js';

const prod = stage('prod');
const dev = stage('dev');

describe('stages', () => {
  it('are dev, staging, prod in promotion order; each is promoted from the one before', () => {
    expect(Object.values(STAGES).map((s) => s.name)).toEqual(['dev', 'staging', 'prod']);
    expect(STAGE_NAMES.slice(1).map(promotionSource)).toEqual(['dev', 'staging']);
    expect(() => promotionSource('dev')).toThrow('stage "dev" is released by release.yml, not promoted');
  });

  it('refuses a list out of promotion order or with a stage missing', () => {
    expect(() => validateStages({ prod, dev, staging: stage('staging') })).toThrow(
      'stages: order (prod, dev, staging) must be the promotion order dev, staging, prod',
    );
    expect(() => validateStages({ dev, prod })).toThrow(/order \(dev, prod\)/);
  });

  it('refuses an entry keyed under another name', () => {
    expect(() => validateStages({ dev, staging: prod, prod })).toThrow(
      'stages.staging: name (prod) must equal its key',
    );
  });

  it('names an unknown stage and lists the known ones', () => {
    expect(() => stage('qa')).toThrow('unknown stage "qa" (known: dev, staging, prod)');
  });

  it.each<[string, Partial<Stage>, string]>([
    ['account', { account: '1234' }, 'stage prod: account (1234) must be a 12-digit AWS account id'],
    ['region', { region: 'eu-west-1' }, 'stage prod: region (eu-west-1) must be us-east-1'],
    [
      'backupCopyRegion',
      { backupCopyRegion: undefined },
      'stage prod: backupCopyRegion must be set exactly when backup.crossRegionCopy is on',
    ],
    ['backupCopyRegion', { backupCopyRegion: 'us-east-1' }, 'backupCopyRegion must differ from region'],
    [
      'network.databaseSubnetCidrs',
      { network: { ...prod.network, databaseSubnetCidrs: ['10.0.128.0/24'] } },
      'stage prod: network.databaseSubnetCidrs lists 1 subnets; azCount needs 3',
    ],
    [
      'network.vpcCidr',
      { network: { ...prod.network, vpcCidr: '10.0.0.0' } },
      'network.vpcCidr (10.0.0.0) must be an IPv4 CIDR',
    ],
    [
      'network.natGateways',
      { network: { ...prod.network, natGateways: 4 } },
      'network.natGateways (4) must be between 1 and azCount (3)',
    ],
    [
      'cluster.publicAccessCidrs',
      { cluster: { ...dev.cluster, publicAccessCidrs: ['0.0.0.0/0'] } },
      'stage prod: cluster.publicAccessCidrs[0] (0.0.0.0/0) must not admit every address: list your VPN/office ranges or set cluster.endpointAccess to private',
    ],
    [
      'cluster.publicAccessCidrs',
      { cluster: { ...dev.cluster, publicAccessCidrs: ['198.51.100.0/24', '10.1.0.0/0'] } },
      'cluster.publicAccessCidrs[1] (10.1.0.0/0) must not admit every address',
    ],
    [
      'cluster.publicAccessCidrs',
      { cluster: { ...dev.cluster, publicAccessCidrs: [] } },
      'cluster.publicAccessCidrs must list at least one range for a public endpoint',
    ],
    [
      'cluster.publicAccessCidrs',
      { cluster: { ...prod.cluster, publicAccessCidrs: ['198.51.100.0/24'] } },
      'cluster.publicAccessCidrs must be empty for a private endpoint',
    ],
    [
      'cluster.publicAccessCidrs',
      { cluster: { ...dev.cluster, publicAccessCidrs: ['office'] } },
      'cluster.publicAccessCidrs[0] (office) must be an IPv4 CIDR',
    ],
    ['edge.domainName', { edge: { ...prod.edge, domainName: 'Conduit' } }, 'edge.domainName (Conduit)'],
    [
      'canary.intervalSeconds',
      { canary: { ...prod.canary, intervalSeconds: 10 } },
      'canary.intervalSeconds (10s) must be >= scrapeIntervalSeconds (15s)',
    ],
  ])('refuses a bad %s, naming the field and the rule', (_, change, message) => {
    expect(() => validateStage({ ...prod, ...change })).toThrow(message);
  });

  it('refuses analysis settings that let a bad canary run more than 2 minutes', () => {
    const slow = { ...prod, canary: { ...prod.canary, failureLimit: 3 } };
    expect(worstCaseAbortSeconds(prod)).toBe(90);
    expect(worstCaseAbortSeconds(slow)).toBe(150);
    expect(() => validateStage(slow)).toThrow(
      'stage prod: canary lets a bad canary run 150s after its first step; the limit is 120s',
    );
  });

  it('runs every stage on the AWS modules, with a database subnet per zone', () => {
    for (const s of Object.values(STAGES)) {
      expect(s.options).toEqual({
        router: 'alb',
        database: 'rds',
        secretStore: 'external-secrets',
        workloadIdentity: 'pod-identity',
      });
      expect(s.network.databaseSubnetCidrs).toHaveLength(s.network.azCount);
    }
  });

  it('limits every public cluster endpoint to configured ranges, never /0', () => {
    for (const s of Object.values(STAGES)) {
      if (s.cluster.endpointAccess === 'private') expect(s.cluster.publicAccessCidrs).toEqual([]);
      else expect(s.cluster.publicAccessCidrs).not.toHaveLength(0);
      for (const cidr of s.cluster.publicAccessCidrs) expect(cidr).not.toMatch(/\/0$/);
    }
    // The shipped ranges are the documentation placeholder until an operator sets their own.
    expect(stage('dev').cluster.publicAccessCidrs).toEqual([ENDPOINT_RANGE_PLACEHOLDER]);
    expect(prod.cluster.endpointAccess).toBe('private');
  });

  it('places the public subnets (the ALB) first in the VPC, one /24 per AZ', () => {
    expect(publicSubnetCidrs(dev.network)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);
    expect(publicSubnetCidrs(prod.network)).toEqual(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']);
    expect(publicSubnetCidrs({ vpcCidr: '172.20.0.0/16', azCount: 3 })).toEqual([
      '172.20.0.0/24',
      '172.20.1.0/24',
      '172.20.2.0/24',
    ]);
    expect(() => publicSubnetCidrs({ vpcCidr: '10.0.0.0/24', azCount: 2 })).toThrow(
      'network.vpcCidr (10.0.0.0/24) is too small for 2 public /24s',
    );
  });
});
