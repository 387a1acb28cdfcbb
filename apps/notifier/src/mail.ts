import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { Config } from './config.js';
import type { Notification } from './queue.js';

/**
 * The e-mail of one notification. The Message-ID is derived from the row, so should a send be repeated
 * (a worker dying between the SMTP answer and marking the row), mail clients show it once.
 */
export function composeEmail(
  n: Notification,
  config: Pick<Config, 'PUBLIC_URL' | 'EMAIL_FROM'>,
): SendMailOptions {
  const link = `${config.PUBLIC_URL}/article/${encodeURIComponent(n.slug)}`;
  return {
    from: config.EMAIL_FROM,
    to: n.to,
    subject: `${n.commenter} commented on "${n.title}"`,
    messageId: `<comment-notification-${n.id}@${new URL(config.PUBLIC_URL).hostname}>`,
    text: `Hello ${n.recipient},\n\n${n.commenter} commented on your article "${n.title}":\n\n${n.body}\n\nReply on Conduit: ${link}\n`,
  };
}

/**
 * SMTP (local runs, any relay) or the Amazon SES API, which signs with the pod's role (EKS Pod Identity),
 * so no mail credential is stored anywhere; both are bounded by SEND_TIMEOUT_MS.
 */
export function createTransport(
  config: Pick<Config, 'EMAIL_TRANSPORT' | 'SMTP_URL' | 'AWS_REGION' | 'SEND_TIMEOUT_MS'>,
): Transporter {
  const timeout = config.SEND_TIMEOUT_MS;
  if (config.EMAIL_TRANSPORT === 'ses') {
    const sesClient = new SESv2Client({
      region: config.AWS_REGION,
      requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
    });
    return nodemailer.createTransport({ SES: { sesClient, SendEmailCommand } });
  }
  return nodemailer.createTransport({
    url: config.SMTP_URL,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
}
