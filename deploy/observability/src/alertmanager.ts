import { ALERT_EMAIL, ALERTMANAGER_RECEIVER_KEYS } from '@conduit/platform';

/** Where kube-prometheus-stack mounts `alertmanagerSpec.secrets`: `/etc/alertmanager/secrets/<secret>/<key>`. */
export const ALERTMANAGER_SECRETS_DIR = '/etc/alertmanager/secrets';

/** Keys of the receivers Secret (synced from AWS Secrets Manager by External Secrets; never in the repo). */
export const RECEIVER_SECRET_KEYS = ALERTMANAGER_RECEIVER_KEYS;

export interface AlertmanagerOptions {
  /**
   * Name of the Secret holding the receivers' credentials, mounted into Alertmanager.
   * @default 'alertmanager-receivers'
   */
  readonly secretName?: string;
  /** @default '#conduit-alerts' */
  readonly slackChannel?: string;
  /** Team mailbox for warnings. @default ALERT_EMAIL.to of the platform model */
  readonly emailTo?: string;
  /** @default ALERT_EMAIL.from of the platform model */
  readonly emailFrom?: string;
  /** SMTP relay (SES SMTP endpoint in AWS). @default 'email-smtp.eu-west-1.amazonaws.com:587' */
  readonly smarthost?: string;
  /** SMTP user name (not a secret: the SES SMTP user id). @default 'alertmanager' */
  readonly smtpUsername?: string;
}

export interface Route {
  readonly receiver: string;
  readonly matchers?: readonly string[];
  readonly group_by?: readonly string[];
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly continue?: boolean;
  readonly routes?: readonly Route[];
}

export interface InhibitRule {
  readonly source_matchers: readonly string[];
  readonly target_matchers: readonly string[];
  readonly equal: readonly string[];
}

export interface Receiver {
  readonly name: string;
  readonly pagerduty_configs?: readonly Record<string, unknown>[];
  readonly slack_configs?: readonly Record<string, unknown>[];
  readonly email_configs?: readonly Record<string, unknown>[];
  readonly webhook_configs?: readonly Record<string, unknown>[];
}

export interface AlertmanagerConfig {
  readonly global: { readonly resolve_timeout: string };
  readonly route: Route;
  readonly inhibit_rules: readonly InhibitRule[];
  readonly receivers: readonly Receiver[];
}

export const RECEIVERS = { pager: 'pager', chat: 'chat', none: 'null' } as const;

/**
 * Alertmanager configuration: critical pages (PagerDuty), warning goes to chat and email, info and the
 * stack's Watchdog go nowhere. Credentials are read from files of the mounted Secret, so the rendered
 * config (and the repo) never holds them.
 */
export function alertmanagerConfig(options: AlertmanagerOptions = {}): AlertmanagerConfig {
  const secretName = options.secretName ?? 'alertmanager-receivers';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretName)) {
    throw new Error(`secretName must be a Kubernetes object name (got "${secretName}")`);
  }
  const slackChannel = options.slackChannel ?? '#conduit-alerts';
  if (!slackChannel.startsWith('#'))
    throw new Error(`slackChannel must start with # (got "${slackChannel}")`);
  const emailTo = options.emailTo ?? ALERT_EMAIL.to;
  const emailFrom = options.emailFrom ?? ALERT_EMAIL.from;
  for (const [field, value] of [
    ['emailTo', emailTo],
    ['emailFrom', emailFrom],
  ] as const) {
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value))
      throw new Error(`${field} must be an email address (got "${value}")`);
  }
  const smarthost = options.smarthost ?? 'email-smtp.eu-west-1.amazonaws.com:587';
  if (!/^[^:\s]+:\d+$/.test(smarthost)) throw new Error(`smarthost must be host:port (got "${smarthost}")`);
  const secretFile = (key: string) => `${ALERTMANAGER_SECRETS_DIR}/${secretName}/${key}`;

  return {
    global: { resolve_timeout: '5m' },
    route: {
      receiver: RECEIVERS.chat,
      group_by: ['alertname', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        // kube-prometheus-stack's always-firing Watchdog and its InfoInhibitor are plumbing, not news.
        { receiver: RECEIVERS.none, matchers: ['alertname=~"Watchdog|InfoInhibitor"'] },
        { receiver: RECEIVERS.pager, matchers: ['severity="critical"'], repeat_interval: '1h' },
        { receiver: RECEIVERS.chat, matchers: ['severity="warning"'], repeat_interval: '4h' },
        { receiver: RECEIVERS.none, matchers: ['severity=~"info|none"'] },
      ],
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['alertname', 'namespace'],
      },
    ],
    receivers: [
      {
        name: RECEIVERS.pager,
        pagerduty_configs: [
          {
            routing_key_file: secretFile(RECEIVER_SECRET_KEYS.pagerdutyRoutingKey),
            send_resolved: true,
            severity: '{{ .CommonLabels.severity }}',
            description:
              '{{ .CommonLabels.alertname }} in {{ .CommonLabels.namespace }}: {{ .CommonAnnotations.summary }}',
            details: {
              runbook: '{{ .CommonAnnotations.runbook_url }}',
              firing: '{{ .Alerts.Firing | len }}',
            },
          },
        ],
      },
      {
        name: RECEIVERS.chat,
        slack_configs: [
          {
            api_url_file: secretFile(RECEIVER_SECRET_KEYS.slackWebhookUrl),
            channel: slackChannel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.namespace }})',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}',
          },
        ],
        email_configs: [
          {
            to: emailTo,
            from: emailFrom,
            smarthost,
            auth_username: options.smtpUsername ?? 'alertmanager',
            auth_password_file: secretFile(RECEIVER_SECRET_KEYS.smtpPassword),
            require_tls: true,
            send_resolved: true,
          },
        ],
      },
      { name: RECEIVERS.none },
    ],
  };
}
