import { describe, expect, it } from 'vitest';
import {
  MODEL,
  type PlaceholderModel,
  placeholderLines,
  placeholders,
  refusePlaceholders,
} from './placeholders.js';

const real: PlaceholderModel = {
  stages: {
    dev: { account: '401234567890', edge: { ...MODEL.stages.dev.edge, domainName: 'dev.shop.acme.io' } },
    staging: {
      account: '401234567891',
      edge: { ...MODEL.stages.staging.edge, domainName: 'staging.shop.acme.io' },
    },
    prod: { account: '401234567892', edge: { ...MODEL.stages.prod.edge, domainName: 'shop.acme.io' } },
  },
  repository: { owner: 'acme', name: 'shop' },
  alertEmail: { to: 'oncall@acme.io', from: 'alerts@acme.io' },
};

describe('placeholders', () => {
  it('finds none in a model with real values', () => {
    expect(placeholders(real)).toEqual([]);
    expect(() => refusePlaceholders({}, real)).not.toThrow();
  });

  it('names each template value by its setting, and refuses unless explicitly allowed', () => {
    const model = {
      ...real,
      stages: { ...real.stages, prod: { ...real.stages.prod, account: '999999999999' } },
    };
    expect(placeholderLines(placeholders(model))).toEqual([
      'placeholder STAGES.prod.account = 999999999999: set a real value in packages/platform/src/stages.ts',
    ]);
    expect(() => refusePlaceholders({}, model)).toThrow('placeholder STAGES.prod.account = 999999999999');
    expect(() => refusePlaceholders({ CONDUIT_ALLOW_PLACEHOLDERS: '1' }, model)).not.toThrow();
  });

  it('treats documentation domains and addresses as placeholders (RFC 2606)', () => {
    const model = { ...real, alertEmail: { to: 'ops@team.example', from: 'alerts@acme.io' } };
    expect(placeholders(model).map((p) => p.setting)).toEqual(['ALERT_EMAIL.to']);
  });
});
