import { DISTROLESS_NODE, images, imageUser } from '@conduit/platform';
import { describe, expect, it } from 'vitest';
import { containers, one, podSpecs, renderedCases } from './test/objects.js';

const cases = renderedCases();

/** The image name of a container of ours: `<registry>/conduit/<image>[:@]…`. */
const imageOf = (ref: string) => new RegExp(`/conduit/(${images().join('|')})[:@]`).exec(ref)?.[1];

// The model records each image's Dockerfile USER; deploy/pipeline checks the Dockerfiles against it.
describe('pods run as the user their image was built for', () => {
  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: every container of ours runs as its image user from the platform model',
    (_, c) => {
      let checked = 0;
      for (const pod of podSpecs(c.all)) {
        for (const ctr of containers(pod.spec)) {
          const image = imageOf(ctr.image ?? '');
          if (!image) continue;
          const { uid, gid } = imageUser(image);
          const where = `${pod.owner}/${ctr.name} (${image})`;
          expect(ctr.securityContext?.runAsUser ?? pod.spec.securityContext?.runAsUser, where).toBe(uid);
          expect(ctr.securityContext?.runAsGroup ?? pod.spec.securityContext?.runAsGroup, where).toBe(gid);
          checked += 1;
        }
      }
      // every workload, the migration hook and the two ops CronJobs
      expect(checked).toBe(c.settings.workloads.length + 3);
    },
  );

  it('the migration hook starts its distroless image with the node binary named in the model', () => {
    const job = one(cases[0]!.all, 'Job', 'api-migrate') as unknown as {
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    };
    expect(job.spec.template.spec.containers[0]!.command[0]).toBe(DISTROLESS_NODE);
  });
});
