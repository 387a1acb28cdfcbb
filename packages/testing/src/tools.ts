import { execFileSync } from 'node:child_process';

/**
 * Returns the absolute path of a command-line tool the tests need.
 * A missing tool fails the suite rather than skipping it, locally and in CI alike, with the Debian
 * package that provides it, so a half-provisioned machine can never report green.
 */
export function requireTool(command: string, debianPackage = command): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `required tool "${command}" is not installed (apt-get install ${debianPackage}); tests never skip for a missing tool`,
    );
  }
}
