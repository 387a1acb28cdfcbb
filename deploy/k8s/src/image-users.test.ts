import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMAGE_TIERS, IMAGE_USERS, type ImageTier } from './constructs/security.js';
import { containers, one, podSpecs, renderedCases } from './test/objects.js';

const repo = new URL('../../../', import.meta.url);

/** The runtime stage's last numeric `USER uid[:gid]` and its exec-form ENTRYPOINT, read from the file. */
function dockerfile(tier: ImageTier): { uid: number; gid: number; entrypoint: string[] } {
  const text = readFileSync(new URL(`apps/${tier}/Dockerfile`, repo), 'utf8');
  const runtime = text.split(/^FROM /m).at(-1) ?? '';
  const user = [...runtime.matchAll(/^USER\s+(\d+)(?::(\d+))?\s*$/gm)].at(-1);
  if (!user) throw new Error(`apps/${tier}/Dockerfile: no numeric USER in the runtime stage`);
  const entry = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(runtime);
  return {
    uid: Number(user[1]),
    gid: Number(user[2] ?? user[1]),
    entrypoint: entry ? (JSON.parse(entry[1]!) as string[]) : [],
  };
}

const cases = renderedCases();

describe('pods run as the user their image was built for', () => {
  it.each(IMAGE_TIERS)('apps/%s/Dockerfile USER matches IMAGE_USERS', (tier) => {
    const { uid, gid } = dockerfile(tier);
    expect(IMAGE_USERS[tier]).toEqual({ uid, gid });
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: every container of ours runs as its Dockerfile USER',
    (_, c) => {
      let checked = 0;
      for (const pod of podSpecs(c.all)) {
        for (const ctr of containers(pod.spec)) {
          const tier = /\/conduit\/(api|web|ops)[:@]/.exec(ctr.image ?? '')?.[1] as ImageTier | undefined;
          if (!tier) continue;
          const { uid, gid } = dockerfile(tier);
          const where = `${pod.owner}/${ctr.name} (${tier})`;
          expect(ctr.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser, where).toBe(uid);
          expect(ctr.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup, where).toBe(gid);
          checked += 1;
        }
      }
      // api, web, the migration hook and the two ops CronJobs
      expect(checked).toBe(5);
    },
  );

  it('the migration hook starts the API image with the node its ENTRYPOINT uses (distroless: no PATH)', () => {
    const job = one(cases[0]!.all, 'Job', 'api-migrate') as unknown as {
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    expect(job.spec.template.spec.containers[0]!.command[0]).toBe(dockerfile('api').entrypoint[0]);
  });
});
