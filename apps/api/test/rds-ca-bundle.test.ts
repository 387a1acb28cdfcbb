import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';

describe('RDS CA bundle for the images', () => {
  it('prints valid, current Amazon RDS root certificates as PEM', () => {
    const pem = execFileSync(process.execPath, ['scripts/rds-ca-bundle.mjs'], {
      cwd: new URL('..', import.meta.url),
      encoding: 'utf8',
    });
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(blocks.length).toBeGreaterThan(10);
    const certificates = blocks.map((block) => new X509Certificate(block));
    expect(certificates.every((certificate) => certificate.ca)).toBe(true);
    const usEast1 = certificates.filter((certificate) =>
      /Amazon RDS us-east-1 Root CA/.test(certificate.subject),
    );
    expect(usEast1.length).toBeGreaterThan(0);
    expect(usEast1.some((certificate) => new Date(certificate.validTo) > new Date())).toBe(true);
  });
});
