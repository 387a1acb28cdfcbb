import { createHash } from 'node:crypto';
import {
  CANARY_HEADER,
  type Workload,
  type WorkloadSize,
  workloadLabels,
  workloadServiceAccount,
} from '@conduit/platform';
import type { IRollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Construct } from 'constructs';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { WorkloadIdentity } from '../identities/identity.js';
import { type CanaryStrategy, HEADER_ROUTE, type Router } from '../routers/router.js';
import { SHUTDOWN } from '../settings.js';
import { manifest, selectorLabels } from './object.js';
import { podSecurityContext, restrictedContainerSecurityContext } from './security.js';

export const PRIORITY_CLASS = 'conduit-app';
/** Seconds the old ReplicaSet keeps running after a switch, so the ALB can finish draining it. */
export const SCALE_DOWN_DELAY_SECONDS = 30;

export interface AnalysisRefs {
  /** Templates run in the background from the first canary step until the end. */
  readonly background: readonly string[];
  /** Templates run (count-limited) as the steps after 20% and 50%. */
  readonly step: readonly string[];
}

export interface AppWorkloadProps {
  /** The app namespace (a DNS label) every object of the workload lives in. */
  readonly namespace: string;
  /** The stage's router module (`routerOf`): an HTTP workload's traffic Services and canary routing. */
  readonly router: Router;
  /** The stage's workload identity (`identityOf`): annotates the ServiceAccount of a workload that calls AWS. */
  readonly identity: WorkloadIdentity;
  /** `DoNotSchedule` refuses to place a pod that would unbalance zones; `ScheduleAnyway` only prefers balance. */
  readonly zoneSpread: 'DoNotSchedule' | 'ScheduleAnyway';
  /** Scrape interval of the workload's ServiceMonitor, in seconds. */
  readonly scrapeIntervalSeconds: number;
  /** Pause after each canary weight (20%, 50%, 80%) of an HTTP workload, in seconds. */
  readonly pauseSeconds: readonly [number, number, number];
  /** The model's workload: name, port, probes. */
  readonly workload: Workload;
  /** The reference the pods pull (the workload's image, pinned). */
  readonly image: string;
  /** Replicas, autoscaling and resources in this stage. */
  readonly size: WorkloadSize;
  /** Non-secret settings, rendered into a ConfigMap whose name carries a hash of its content. */
  readonly config?: Readonly<Record<string, string>>;
  /** Extra variables (secret references). @default none */
  readonly env?: readonly IEnvVar[];
  /** Read-only volumes of the app container (the database password). @default none */
  readonly volumes?: readonly { readonly volume: IVolume; readonly mount: IVolumeMount }[];
  /** Directories that need to be writable despite the read-only root filesystem. @default ['/tmp'] */
  readonly writableDirs?: readonly string[];
  /** Containers beside the app (a metrics exporter). @default none */
  readonly sidecars?: readonly IContainer[];
  /** Port name the ServiceMonitor scrapes. @default 'http' */
  readonly metricsPort?: { readonly name: string; readonly port: number };
  /** AnalysisTemplates an HTTP workload's canary runs. */
  readonly analysis: AnalysisRefs;
}

/**
 * One workload of the model: an HTTP service as an Argo Rollouts canary with its traffic Services (ping/pong
 * or stable/canary), a worker as a rolling Deployment; both with HPA, PDB, ServiceAccount, hashed ConfigMap,
 * headless metrics Service and ServiceMonitor.
 */
export class AppWorkload extends Construct {
  readonly configMapName?: string;
  readonly serviceNames: string[] = [];

  constructor(scope: Construct, id: string, props: AppWorkloadProps) {
    super(scope, id);
    const { workload, size: resources, router } = props;
    const { name: tier, port, probes } = workload;
    const http = workload.kind === 'http';
    const ns = props.namespace;
    const fail = (field: string, rule: string): never => {
      throw new Error(`AppWorkload ${tier}: ${field} ${rule}`);
    };
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) fail('namespace', `(${ns}) must be a DNS label`);
    if (!/^\S+[:@]\S+$/.test(props.image)) {
      fail('image', `(${props.image}) must be an image reference with a tag or digest`);
    }
    if (!Number.isInteger(props.scrapeIntervalSeconds) || props.scrapeIntervalSeconds < 1) {
      fail('scrapeIntervalSeconds', `(${props.scrapeIntervalSeconds}) must be a positive whole number`);
    }
    for (const pause of props.pauseSeconds) {
      if (!Number.isInteger(pause) || pause < 0) {
        fail('pauseSeconds', `(${pause}) must be whole numbers of seconds, not negative`);
      }
    }
    const labels = workloadLabels(tier);

    manifest<IServiceAccount>(this, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      // A workload that calls AWS gets its role through this service account (IRSA: the annotation).
      metadata: {
        name: tier,
        namespace: ns,
        labels,
        annotations: workload.aws
          ? props.identity.serviceAccountAnnotations(workloadServiceAccount(tier))
          : undefined,
      },
      automountServiceAccountToken: false,
    });

    let envFrom: IContainer['envFrom'];
    if (props.config) {
      const data = Object.fromEntries(Object.entries(props.config).sort(([a], [b]) => a.localeCompare(b)));
      const hash = createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 10);
      this.configMapName = `${tier}-config-${hash}`;
      manifest<IConfigMap>(this, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: this.configMapName, namespace: ns, labels },
        immutable: true,
        data,
      });
      envFrom = [{ configMapRef: { name: this.configMapName } }];
    }

    const writable = props.writableDirs ?? ['/tmp'];
    const volumes: IVolume[] = [
      ...writable.map((_, i) => ({ name: `writable-${i}`, emptyDir: { sizeLimit: '64Mi' } })),
      ...(props.volumes ?? []).map(({ volume }) => volume),
    ];
    const mounts: IVolumeMount[] = [
      ...writable.map((path, i) => ({ name: `writable-${i}`, mountPath: path })),
      ...(props.volumes ?? []).map(({ mount }) => mount),
    ];
    for (const { mount } of props.volumes ?? []) {
      if (!mount.readOnly)
        throw new Error(`AppWorkload ${tier}: volumes (${mount.name}) must be mounted readOnly`);
    }

    const app: IContainer = {
      name: tier,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
      envFrom,
      env: props.env ? [...props.env] : undefined,
      resources: {
        requests: { cpu: resources.cpuRequest, memory: resources.memoryRequest },
        limits: { cpu: resources.cpuLimit, memory: resources.memoryLimit },
      },
      // Startup gives a cold start up to 60 s before liveness may kill it.
      startupProbe: {
        httpGet: { path: probes.liveness, port: 'http' },
        periodSeconds: 2,
        failureThreshold: 30,
        timeoutSeconds: 2,
      },
      livenessProbe: {
        httpGet: { path: probes.liveness, port: 'http' },
        periodSeconds: 10,
        failureThreshold: 3,
        timeoutSeconds: 2,
      },
      readinessProbe: {
        httpGet: { path: probes.readiness, port: 'http' },
        periodSeconds: 5,
        failureThreshold: 2,
        successThreshold: 1,
        timeoutSeconds: 2,
      },
      // The pod keeps serving while the load balancer deregisters it; SIGTERM comes only after this.
      lifecycle: http ? { preStop: { sleep: { seconds: SHUTDOWN.preStopSeconds } } } : undefined,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: mounts,
    };

    // Spread within one ReplicaSet: the label its controller puts on the pods.
    const templateHash = http ? 'rollouts-pod-template-hash' : 'pod-template-hash';
    const template: IPodTemplateSpec = {
      metadata: { labels },
      spec: {
        serviceAccountName: tier,
        automountServiceAccountToken: false,
        priorityClassName: PRIORITY_CLASS,
        terminationGracePeriodSeconds: SHUTDOWN.terminationGracePeriodSeconds,
        securityContext: podSecurityContext(workload.user),
        enableServiceLinks: false,
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'topology.kubernetes.io/zone',
            whenUnsatisfiable: props.zoneSpread,
            labelSelector: { matchLabels: selectorLabels(tier) },
            matchLabelKeys: [templateHash],
          },
          {
            maxSkew: 1,
            topologyKey: 'kubernetes.io/hostname',
            whenUnsatisfiable: 'ScheduleAnyway',
            labelSelector: { matchLabels: selectorLabels(tier) },
            matchLabelKeys: [templateHash],
          },
        ],
        containers: [app, ...(props.sidecars ?? [])],
        volumes,
      },
    };
    if (http) {
      manifest<IRollout>(this, {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        metadata: { name: tier, namespace: ns, labels },
        spec: {
          revisionHistoryLimit: 5,
          // A canary that never gets ready is aborted instead of holding the release forever.
          progressDeadlineSeconds: 600,
          progressDeadlineAbort: true,
          selector: { matchLabels: selectorLabels(tier) },
          template,
          strategy: { canary: canaryStrategy(props) },
        },
      });
    } else {
      // A worker takes no traffic, so there is nothing to split: a rolling Deployment that never drops below
      // the wanted replicas, with the same pod hardening.
      manifest<IDeployment>(this, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: tier, namespace: ns, labels },
        spec: {
          revisionHistoryLimit: 5,
          progressDeadlineSeconds: 600,
          selector: { matchLabels: selectorLabels(tier) },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
          template,
        },
      });
    }

    for (const svc of http ? router.services(workload) : []) {
      this.serviceNames.push(svc);
      manifest<IService>(this, {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: svc,
          namespace: ns,
          labels,
          annotations: router.serviceAnnotations(workload),
        },
        spec: {
          type: 'ClusterIP',
          selector: selectorLabels(tier),
          ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
        },
      });
    }

    const metrics = props.metricsPort ?? { name: 'http', port };
    // A separate headless Service selects stable and canary pods alike, whatever the router does with the
    // traffic Services' selectors, so both tracks are always scraped.
    manifest<IService>(this, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: `${tier}-metrics`,
        namespace: ns,
        labels: { ...labels, 'app.kubernetes.io/component': 'metrics' },
      },
      spec: {
        clusterIP: 'None',
        selector: selectorLabels(tier),
        ports: [{ name: metrics.name, port: metrics.port, targetPort: metrics.name, protocol: 'TCP' }],
      },
    });
    manifest<IServiceMonitor>(this, {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: tier, namespace: ns, labels },
      spec: {
        selector: { matchLabels: { ...selectorLabels(tier), 'app.kubernetes.io/component': 'metrics' } },
        namespaceSelector: { matchNames: [ns] },
        endpoints: [
          {
            port: metrics.name,
            path: '/metrics',
            interval: `${props.scrapeIntervalSeconds}s`,
            relabelings: [
              {
                action: 'replace',
                sourceLabels: ['__meta_kubernetes_pod_label_track'],
                targetLabel: 'track',
              },
              {
                action: 'replace',
                sourceLabels: ['__meta_kubernetes_pod_label_rollouts_pod_template_hash'],
                targetLabel: 'pod_template_hash',
              },
            ],
          },
        ],
      },
    });

    manifest<IHorizontalPodAutoscaler>(this, {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: tier, namespace: ns, labels },
      spec: {
        scaleTargetRef: http
          ? { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: tier }
          : { apiVersion: 'apps/v1', kind: 'Deployment', name: tier },
        minReplicas: resources.minReplicas,
        maxReplicas: resources.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: resources.targetCpuPercent },
            },
          },
          {
            type: 'Resource',
            resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
          },
        ],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }],
          },
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 120 }],
          },
        },
      },
    });

    manifest<IPodDisruptionBudget>(this, {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: tier, namespace: ns, labels },
      spec: {
        maxUnavailable: 1,
        selector: { matchLabels: selectorLabels(tier) },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      },
    });
  }
}

function canaryStrategy(props: AppWorkloadProps): CanaryStrategy {
  const { workload, analysis, router } = props;
  const { name: tier } = workload;
  const args = [
    { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'rollout', value: tier },
    { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
  ];
  const stepAnalysis = {
    analysis: { templates: analysis.step.map((templateName) => ({ templateName })), args },
  };
  // setHeaderRoute only exists for routers with managed routes; others carry the header another way.
  const headerRoute = router.headerRouteStep;
  const [p1, p2, p3] = props.pauseSeconds;
  const steps: CanaryStrategy['steps'] = [
    ...(headerRoute
      ? [
          {
            setHeaderRoute: {
              name: HEADER_ROUTE,
              match: [{ headerName: CANARY_HEADER.name, headerValue: { exact: CANARY_HEADER.value } }],
            },
          },
        ]
      : []),
    { setWeight: 20 },
    { pause: { duration: `${p1}s` } },
    stepAnalysis,
    { setWeight: 50 },
    { pause: { duration: `${p2}s` } },
    stepAnalysis,
    { setWeight: 80 },
    { pause: { duration: `${p3}s` } },
  ];
  const firstWeightStep = headerRoute ? 1 : 0;
  const common: CanaryStrategy = {
    canaryMetadata: { labels: { track: 'canary' } },
    stableMetadata: { labels: { track: 'stable' } },
    scaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
    abortScaleDownDelaySeconds: SCALE_DOWN_DELAY_SECONDS,
    dynamicStableScale: false,
    analysis: {
      templates: analysis.background.map((templateName) => ({ templateName })),
      startingStep: firstWeightStep,
      args,
    },
    steps,
  };
  return { ...common, ...router.canaryRouting(workload) };
}
