import { TEMPLATE_PLACEHOLDER } from '../config/schema/target';

/**
 * What `dataarts-autoretry init` writes: every key with its default and a line on what
 * it does (JSON with // comments, which the command line reads). A test parses it with
 * the real validator, so it cannot drift from the schema unnoticed.
 */
export const EXAMPLE_CONFIG = `// dataarts-autoretry configuration, written by \`dataarts-autoretry init\`.
// JSON with // comments. Every key below is shown with its default; delete what you
// do not change. Full reference: docs/configuration.md (README.zh-CN.md in Chinese).
{
  // DataArts projects/workspaces to sweep (1 to 50).
  "targets": [
    {
      // Unique and stable: part of every ledger key (renaming resets budgets).
      "name": "cn4-prod",
      // The DLF endpoint of your region.
      "endpoint": "https://dayu-dlf.cn-north-4.myhuaweicloud.com",
      // Your Huawei Cloud project id (console: My Credentials > API Credentials).
      "projectId": "${TEMPLATE_PLACEHOLDER}your-project-id"
      // "workspace": "workspace id; the default workspace when left out",
      // "iamEndpoint": "https://iam.cn-north-4.myhuaweicloud.com (IAM-user credentials only)"
    }
  ],
  // Where every attempt is recorded. The command line uses a local file; the Lambda a
  // DynamoDB table: { "type": "dynamodb", "table": "dataarts-autoretry-prod-ledger" }.
  "ledger": {
    "type": "file",
    // A .lock file beside it serializes sweeps on this machine.
    "path": "./autoretry-ledger.json",
    // How long an entry lives; must exceed policy.lookback.
    "retention": "14d"
  },
  "policy": {
    // Window of plan time swept (1m to 30d).
    "lookback": "24h",
    // Job-name globs to include and exclude (* and ?; exclude wins).
    "jobs": ["*"],
    "excludeJobs": [],
    // Statuses to retry: fail, manual-stop (cancelled; opt-in).
    "statuses": ["fail"],
    // Instance types: 0 normal, 5 PatchData, 6 subjob, 7 run-once (2, manual, cannot be rerun).
    "instanceTypes": [0, 5, 6, 7],
    // Reruns per instance, ever (1 to 20).
    "maxAttempts": 3,
    // Wait after the failure ended before the first rerun.
    "firstRetryDelay": "5m",
    // Spacing after attempt k: min(max, base x factor^(k-1)); jitter equal, full or none.
    "backoff": { "base": "10m", "factor": 2, "max": "2h", "jitter": "equal" },
    // Skip an instance when a newer instance of the same job succeeded.
    "skipSuperseded": false,
    // Failure rules (case-insensitive patterns on errorMessage; see docs/retry-policy.md):
    // never rerun these; if set, rerun only these; what to do when there is no message.
    "neverRetryOn": [],
    "unknownFailure": "retry",
    // Failed node types to skip (costs one show request per instance about to be rerun).
    "neverRetryNodeTypes": [],
    // Per-job overrides, first match wins, e.g.
    // { "match": "dws_finance_*", "maxAttempts": 1 }, { "match": "tmp_*", "enabled": false }
    "rules": [],
    // Restarts per sweep over all targets, and per target per clock hour.
    "maxRestartsPerSweep": 50,
    "maxRestartsPerHour": 200,
    // Restart nothing on a target when many jobs fail at once (a shared cause): counts
    // only failures policy would rerun that ended within the window.
    "stormGuard": { "enabled": true, "maxFailedJobs": 20, "maxFailedRatio": 0.5, "minInstances": 20, "window": "1h" },
    // Requests in flight, and requests per second, per credential.
    "concurrency": 4,
    "rateLimit": 10
  },
  "client": {
    // Per request attempt; retries of 429/502/503/504/network errors; cap on Retry-After.
    "timeout": "10s",
    "retries": 3,
    "maxRetryAfter": "30s",
    // Meaning of \`offset\` if a window cannot be split: auto, page, record, none.
    "paging": "auto",
    // Longest window one list request asks for; list requests per listing.
    "maxWindow": "7d",
    "maxListRequests": 500,
    // How long DataArts may take to show a restart it accepted (part of every lease).
    "restartLag": "60s"
  },
  // Notifications (--notify): language, time zone, how often a lasting problem is repeated.
  "notify": { "locale": "en", "timeZone": "UTC", "remindEvery": "6h" },
  // This command line's table: language (en, zh-CN; left out, your LANG decides: zh_CN.UTF-8
  // reads zh-CN, anything else en) and time zone (e.g. Asia/Shanghai).
  "display": { "timeZone": "UTC" }
}
`;
