import type { AddOn } from './constructs/argocd.js';
import type { WorkloadIdentity } from './identities/identity.js';
import { withServiceAccountAnnotations } from './identities/index.js';
import { OTEL_NAMESPACE } from './observability.js';
import type { Router } from './routers/router.js';

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
} as const;

/** Helm values of the monitoring add-ons, from deploy/observability. */
export interface MonitoringValues {
  readonly kubePrometheusStack: Readonly<Record<string, unknown>>;
  readonly fluentBit: Readonly<Record<string, unknown>>;
  readonly blackboxExporter: Readonly<Record<string, unknown>>;
  /** Present where the API exports traces (stage `otlpEndpoint`). */
  readonly adotCollector?: Readonly<Record<string, unknown>>;
}

export interface AddOnsProps {
  /** The stage's router module (`routerOf`): its own add-ons and the Argo Rollouts controller's flags. */
  readonly router: Router;
  /** The stage's workload identity (`identityOf`): annotates the add-ons' service accounts that call AWS. */
  readonly identity: WorkloadIdentity;
  /** Public host name of the app (`origin.<domain>`): external-dns publishes records in its parent domain only. */
  readonly host: string;
  /**
   * Region of the cluster's AWS account.
   * @default none: a cluster without AWS (no external-dns; metrics-server accepts the kubelets' self-signed TLS)
   */
  readonly awsRegion?: string;
  /** Helm values of the monitoring add-ons, from deploy/observability. */
  readonly monitoring: MonitoringValues;
}

/** The add-ons a stage needs: the common ones, its router's, and External Secrets. */
export function addOnsFor(props: AddOnsProps): AddOn[] {
  const { router, awsRegion, monitoring } = props;
  if (awsRegion !== undefined && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(awsRegion)) {
    throw new Error(`addOnsFor: awsRegion (${awsRegion}) must be an AWS region`);
  }
  const list: AddOn[] = [
    {
      name: 'argo-rollouts',
      ...ADD_ON_CHARTS.argoRollouts,
      namespace: 'argo-rollouts',
      wave: 1,
      values: {
        controller: {
          replicas: 2,
          extraArgs: router.rolloutsControllerArgs({ awsRegion }),
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
      values: { args: awsRegion ? [] : ['--kubelet-insecure-tls'] },
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
  // Publishes `origin.<domain>` from the Ingress status, whichever load balancer the router made.
  if (awsRegion) {
    const domain = props.host.split('.').slice(1).join('.');
    // external-dns may only touch the stage's own domain: a top-level or empty filter would be no limit.
    if (!domain.includes('.')) {
      throw new Error(
        `addOnsFor: host (${props.host}) must be a name below a domain, whose records external-dns manages`,
      );
    }
    list.push({
      name: 'external-dns',
      ...ADD_ON_CHARTS.externalDns,
      namespace: 'external-dns',
      wave: 1,
      values: {
        provider: { name: 'aws' },
        serviceAccount: { create: true, name: 'external-dns' },
        policy: 'upsert-only',
        domainFilters: [domain],
      },
    });
  }
  list.push({
    name: 'external-secrets',
    ...ADD_ON_CHARTS.externalSecrets,
    namespace: 'external-secrets',
    wave: 1,
    // The workload identity adds its annotations (IRSA: the role ARN) below.
    values: { installCRDs: true, serviceAccount: { name: 'external-secrets', annotations: {} } },
  });
  return [...list, ...router.addOns({ awsRegion })].map((addOn) => ({
    ...addOn,
    values: withServiceAccountAnnotations(addOn.values, addOn.namespace, props.identity),
  }));
}
