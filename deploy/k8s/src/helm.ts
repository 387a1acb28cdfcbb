import { stringify } from 'yaml';
import { type RenderedStage, toYaml } from './render.js';

/**
 * Helm's template engine would evaluate `{{…}}` in our objects (Argo Rollouts args, Prometheus annotation
 * templates, ExternalSecret templates); print them literally instead.
 */
export function escapeForHelm(text: string): string {
  return text.replace(/\{\{|\}\}/g, (m) => (m === '{{' ? '{{ "{{" }}' : '{{ "}}" }}'));
}

/**
 * A Helm chart with every stage's platform and app objects, for users who deploy with Helm instead of
 * Argo CD: `helm install conduit dist/helm/conduit --set stage=prod`.
 */
export function helmChartFiles(
  rendered: readonly { name: string; dirs: RenderedStage }[],
): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Chart.yaml',
    stringify({
      apiVersion: 'v2',
      name: 'conduit',
      description: 'Conduit rendered by deploy/k8s (cdk8s); generated, do not edit',
      type: 'application',
      version: '0.1.0',
    }),
  );
  files.set(
    'values.yaml',
    `# Which stage's objects to install: ${rendered.map((r) => r.name).join(', ')}\nstage: ${rendered.at(-1)?.name ?? ''}\n`,
  );
  for (const { name, dirs } of rendered) {
    for (const dir of ['platform', 'conduit'] as const) {
      files.set(
        `templates/${name}-${dir}.yaml`,
        `{{- if eq .Values.stage "${name}" }}\n${escapeForHelm(toYaml(dirs[dir]))}{{- end }}\n`,
      );
    }
  }
  return files;
}
