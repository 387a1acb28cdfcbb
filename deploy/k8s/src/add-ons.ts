import type { AddOn } from './constructs/argocd.js';
import { OTEL_NAMESPACE } from './observability.js';
import type { RenderSettings } from './settings.js';

/** Pinned chart versions of the cluster add-ons; an upgrade is a one-line, reviewed diff here. */
export const ADD_ON_CHARTS = {
  argoRollouts: {
    repoURL: 'https://argoproj.github.io/argo-helm',
    chart: 'argo-rollouts',
    version: '2.40.4',
  },
  externalSecrets: {
    repoURL: 'https://charts.external-secrets.io',
    chart: 'external-secrets',
    version: '0.19.2',
  },
  kubePrometheusStack: {
    repoURL: 'https://prometheus-community.github.io/helm-charts',
    chart: 'kube-prometheus-stack',
    version: '77.6.2',
  },
  fluentBit: { repoURL: 'https://fluent.github.io/helm-charts', chart: 'fluent-bit', version: '0.50.0' },
  metricsServer: {
    repoURL: 'https://kubernetes-sigs.github.io/metrics-server',
    chart: 'metrics-server',
    version: '3.13.0',
  },
  externalDns: {
    repoURL: 'https://kubernetes-sigs.github.io/external-dns',
    chart: 'external-dns',
    version: '1.18.0',
  },
  certManager: { repoURL: 'https://charts.jetstack.io', chart: 'cert-manager', version: 'v1.18.2' },
  ingressNginx: {
    repoURL: 'https://kubernetes.github.io/ingress-nginx',
    chart: 'ingress-nginx',
    version: '4.13.2',
  },
  cloudnativePg: {
    repoURL: 'https://cloudnative-pg.github.io/charts',
    chart: 'cloudnative-pg',
    version: '0.26.0',
  },
  openTelemetryCollector: {
    repoURL: 'https://open-telemetry.github.io/opentelemetry-helm-charts',
    chart: 'opentelemetry-collector',
    version: '0.131.0',
  },
  blackboxExporter: {
    repoURL: 'https://prometheus-community.github.io/helm-charts',
    chart: 'prometheus-blackbox-exporter',
    version: '11.3.1',
  },
  istioBase: {
    repoURL: 'https://istio-release.storage.googleapis.com/charts',
    chart: 'base',
    version: '1.27.1',
  },
  istiod: {
    repoURL: 'https://istio-release.storage.googleapis.com/charts',
    chart: 'istiod',
    version: '1.27.1',
  },
} as const;

/** Flag that makes Argo Rollouts wait until the ALB target group holds the new pods before shifting. */
export const VERIFY_TARGET_GROUP_FLAG = '--aws-verify-target-group';

/** The add-ons a stage needs, derived from its router, database and secret settings. */
/** Helm values of the monitoring add-ons, from deploy/observability. */
export interface MonitoringValues {
  readonly kubePrometheusStack: Readonly<Record<string, unknown>>;
  readonly fluentBit: Readonly<Record<string, unknown>>;
  readonly blackboxExporter: Readonly<Record<string, unknown>>;
  /** Present where the API exports traces (stage `otlpEndpoint`). */
  readonly adotCollector?: Readonly<Record<string, unknown>>;
}

export function addOnsFor(stage: RenderSettings, monitoring: MonitoringValues): AddOn[] {
  const alb = stage.router.kind === 'alb';
  const aws = stage.aws;
  const list: AddOn[] = [
    {
      name: 'argo-rollouts',
      ...ADD_ON_CHARTS.argoRollouts,
      namespace: 'argo-rollouts',
      wave: 1,
      values: {
        controller: {
          replicas: 2,
          // Verification needs elasticloadbalancing:Describe* for the controller (Pod Identity, deploy/aws).
          extraArgs: alb && aws ? [VERIFY_TARGET_GROUP_FLAG, `--aws-region=${aws.region}`] : [],
          // Scraped by our own ServiceMonitor (constructs/rollouts-monitor.ts), which honours labels.
          metrics: { enabled: true, serviceMonitor: { enabled: false } },
        },
        dashboard: { enabled: false },
        // Named explicitly: deploy/aws associates the target-group verification role with this name.
        serviceAccount: { create: true, name: 'argo-rollouts' },
      },
    },
    {
      name: 'kube-prometheus-stack',
      ...ADD_ON_CHARTS.kubePrometheusStack,
      namespace: 'monitoring',
      wave: 0,
      values: monitoring.kubePrometheusStack,
    },
    {
      name: 'metrics-server',
      ...ADD_ON_CHARTS.metricsServer,
      namespace: 'kube-system',
      wave: 0,
      values: { args: aws ? [] : ['--kubelet-insecure-tls'] },
    },
    {
      name: 'fluent-bit',
      ...ADD_ON_CHARTS.fluentBit,
      namespace: 'logging',
      wave: 1,
      values: monitoring.fluentBit,
    },
    {
      // Probes the public URL for the certificate-expiry alert; its ServiceMonitor needs the operator CRDs.
      name: 'blackbox-exporter',
      ...ADD_ON_CHARTS.blackboxExporter,
      namespace: 'monitoring',
      wave: 1,
      values: monitoring.blackboxExporter,
    },
  ];
  if (monitoring.adotCollector) {
    list.push({
      name: 'adot-collector',
      ...ADD_ON_CHARTS.openTelemetryCollector,
      namespace: OTEL_NAMESPACE,
      wave: 1,
      values: monitoring.adotCollector,
    });
  }
  if (alb && aws) {
    list.push({
      name: 'external-dns',
      ...ADD_ON_CHARTS.externalDns,
      namespace: 'external-dns',
      wave: 1,
      values: {
        provider: { name: 'aws' },
        serviceAccount: { create: true, name: 'external-dns' },
        policy: 'upsert-only',
        domainFilters: [stage.host.split('.').slice(1).join('.')],
      },
    });
  }
  if (stage.secrets.kind === 'external-secrets') {
    const identity = stage.secrets.identity;
    list.push({
      name: 'external-secrets',
      ...ADD_ON_CHARTS.externalSecrets,
      namespace: 'external-secrets',
      wave: 1,
      values: {
        installCRDs: true,
        serviceAccount: {
          name: 'external-secrets',
          annotations: identity.kind === 'irsa' ? { 'eks.amazonaws.com/role-arn': identity.roleArn } : {},
        },
      },
    });
  }
  if (stage.router.kind === 'nginx') {
    list.push(
      {
        name: 'ingress-nginx',
        ...ADD_ON_CHARTS.ingressNginx,
        namespace: stage.router.controllerNamespace,
        wave: 1,
        values: {
          controller: { replicaCount: 2, metrics: { enabled: true, serviceMonitor: { enabled: true } } },
        },
      },
      {
        name: 'cert-manager',
        ...ADD_ON_CHARTS.certManager,
        namespace: 'cert-manager',
        wave: 1,
        values: { crds: { enabled: true } },
      },
    );
  }
  if (stage.router.kind === 'istio') {
    list.push(
      { name: 'istio-base', ...ADD_ON_CHARTS.istioBase, namespace: 'istio-system', wave: 0, values: {} },
      { name: 'istiod', ...ADD_ON_CHARTS.istiod, namespace: 'istio-system', wave: 1, values: {} },
    );
  }
  if (stage.database.kind === 'cnpg') {
    list.push({
      name: 'cloudnative-pg',
      ...ADD_ON_CHARTS.cloudnativePg,
      namespace: 'cnpg-system',
      wave: 1,
      values: {},
    });
  }
  return list;
}
