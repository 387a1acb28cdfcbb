import { afterEach, describe, expect, it } from 'vitest';
import { createAwsApi } from './aws-client.js';
import { asCredentialsError } from './context.js';
import { CliError, ExitCode } from './errors.js';

const CREDENTIAL_ENV = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_ARN',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_EC2_METADATA_DISABLED',
];

describe('AWS SDK v3 adapter without credentials (real SDK credential chain, no request leaves the machine)', () => {
  const saved = new Map(CREDENTIAL_ENV.map((k) => [k, process.env[k]]));

  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('turns the SDK credential failure into one line with exit code 3', async () => {
    for (const key of CREDENTIAL_ENV) delete process.env[key];
    process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
    process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
    // Without this the chain's last resort asks the EC2 instance metadata service, which is not loopback.
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    const error = await createAwsApi('us-east-1')
      .whoami()
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('CredentialsProviderError');
    const mapped = asCredentialsError(error);
    expect(mapped).toBeInstanceOf(CliError);
    expect((mapped as CliError).exitCode).toBe(ExitCode.Credentials);
    expect(mapped.message).toMatch(
      /^no usable AWS credentials \(CredentialsProviderError\): set AWS_PROFILE/,
    );
    expect(mapped.message).not.toContain('\n');
  });
});
