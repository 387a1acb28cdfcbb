import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { DATABASE_PASSWORD_SECRET } from './database-ref.js';

/** Folder the database password's volume is mounted on. */
export const DATABASE_PASSWORD_DIR = '/var/run/secrets/conduit-db';
/** The file DATABASE_PASSWORD_FILE names. */
export const DATABASE_PASSWORD_PATH = `${DATABASE_PASSWORD_DIR}/${DATABASE_PASSWORD_SECRET.key}`;
const VOLUME = 'database-password';

/** A pod's read-only volume holding only the database password, and its container mount. */
export function databasePasswordVolume(): { readonly volume: IVolume; readonly mount: IVolumeMount } {
  return {
    volume: {
      name: VOLUME,
      secret: {
        secretName: DATABASE_PASSWORD_SECRET.name,
        // Only the password: the URL beside it stays out of the file system.
        items: [{ key: DATABASE_PASSWORD_SECRET.key, path: DATABASE_PASSWORD_SECRET.key }],
        // Readable by the pod's fsGroup (the image's group), nobody else.
        defaultMode: 0o440,
      },
    },
    // The whole folder, never a subPath: the kubelet does not update subPath mounts, and an updated file
    // is the point of mounting the password at all.
    mount: { name: VOLUME, mountPath: DATABASE_PASSWORD_DIR, readOnly: true },
  };
}
