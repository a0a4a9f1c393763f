import { TEMPLATE_PLACEHOLDER } from '../config/schema/target';
import type { TemplateComments } from '../text/cli-messages';

/**
 * What `dataarts-autoretry init` writes: every key with its default and a line on what
 * it does (JSON with // comments, which the command line reads), the comments in the
 * reader's language (lib/text/cli-messages.ts). A test parses it with the real validator,
 * so it cannot drift from the schema unnoticed.
 */
export function exampleConfig(c: TemplateComments): string {
  return `${comment(c.header, '')}
{
${comment(c.targets, '  ')}
  "targets": [
    {
${comment(c.name, '      ')}
      "name": "cn4-prod",
${comment(c.endpoint, '      ')}
      "endpoint": "https://dayu-dlf.cn-north-4.myhuaweicloud.com",
${comment(c.projectId, '      ')}
      "projectId": "${TEMPLATE_PLACEHOLDER}your-project-id"
      // "workspace": "${c.workspace}",
      // "iamEndpoint": "${c.iamEndpoint}"
    }
  ],
${comment(c.ledger, '  ')}
  "ledger": {
    "type": "file",
${comment(c.lock, '    ')}
    "path": "./autoretry-ledger.json",
${comment(c.retention, '    ')}
    "retention": "14d"
  },
  "policy": {
${comment(c.lookback, '    ')}
    "lookback": "24h",
${comment(c.jobs, '    ')}
    "jobs": ["*"],
    "excludeJobs": [],
${comment(c.statuses, '    ')}
    "statuses": ["fail"],
${comment(c.instanceTypes, '    ')}
    "instanceTypes": [0, 5, 6, 7],
${comment(c.maxAttempts, '    ')}
    "maxAttempts": 3,
${comment(c.firstRetryDelay, '    ')}
    "firstRetryDelay": "5m",
${comment(c.backoff, '    ')}
    "backoff": { "base": "10m", "factor": 2, "max": "2h", "jitter": "equal" },
${comment(c.skipSuperseded, '    ')}
    "skipSuperseded": false,
${comment(c.failureRules, '    ')}
    "neverRetryOn": [],
    "unknownFailure": "retry",
${comment(c.nodeTypes, '    ')}
    "neverRetryNodeTypes": [],
${comment(c.rules, '    ')}
    "rules": [],
${comment(c.caps, '    ')}
    "maxRestartsPerSweep": 50,
    "maxRestartsPerHour": 200,
${comment(c.stormGuard, '    ')}
    "stormGuard": { "enabled": true, "maxFailedJobs": 20, "maxFailedRatio": 0.5, "minInstances": 20, "window": "1h" },
${comment(c.incidents, '    ')}
    "incidents": { "enabled": true, "minJobs": 5, "window": "30m", "probe": { "first": "15m", "max": "30m" }, "release": { "first": 25, "every": "10m" } },
${comment(c.concurrency, '    ')}
    "concurrency": 4,
    "rateLimit": 10
  },
  "client": {
${comment(c.client, '    ')}
    "timeout": "10s",
    "retries": 3,
    "maxRetryAfter": "30s",
${comment(c.paging, '    ')}
    "paging": "auto",
${comment(c.window, '    ')}
    "maxWindow": "7d",
    "maxListRequests": 500,
${comment(c.restartLag, '    ')}
    "restartLag": "60s"
  },
${comment(c.notify, '  ')}
  "notify": { "locale": "en", "timeZone": "UTC", "remindEvery": "6h" },
${comment(c.display, '  ')}
  "display": { "timeZone": "UTC" }
}
`;
}

/** A comment of one or more lines, each `// ` at `indent`. */
function comment(text: string, indent: string): string {
  return text
    .split('\n')
    .map((line) => `${indent}// ${line}`)
    .join('\n');
}
