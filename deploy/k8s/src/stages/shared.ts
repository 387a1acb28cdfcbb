import type { StageSettings } from '../settings.js';

/** Settings every stage shares unless it says otherwise. */
export const common = {
  namespace: 'conduit',
  gitRepo: 'https://github.com/conduit-platform/conduit.git',
  gitRevision: 'main',
  scrapeIntervalSeconds: 15,
  prometheus: {
    namespace: 'monitoring',
    podLabels: { 'app.kubernetes.io/name': 'prometheus' },
  },
} satisfies Partial<StageSettings>;
